/**
 * The user API as a model author meets it (user-api.md; server.md §3, §4, §6), against real
 * servers: hook order (`initMetadata` before `load`), async `classNames`, payloads a hook may
 * not return, `NDArray.from` casts and stacking, documented exports, and a realistic JS model
 * served by a real process.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { withServer } from "../_helpers/server.ts";
import { appFolder, spawnServer } from "../_helpers/spawn.ts";
import { BaseComponent, NDArray, SeldonNotImplementedError } from "../../mod.ts";

const MOD_URL = new URL("../../mod.ts", import.meta.url).href;

// server.md §4.4: initMetadata runs BEFORE load, so metadata cannot depend on load().
Deno.test("user api: initMetadata() runs before load()", async () => {
  const calls: string[] = [];
  class Model extends BaseComponent {
    override async load() {
      await new Promise((r) => setTimeout(r, 5));
      calls.push("load");
    }
    override initMetadata() {
      calls.push("initMetadata");
      return { custom: { loaded: String(calls.includes("load")) } };
    }
  }
  await withServer(new Model(), async (s) => {
    assertEquals(calls, ["initMetadata", "load"]);
    const res = await s.get("/metadata");
    assertEquals(res.status, 200);
    assertEquals(res.json.custom, { loaded: "false" });
  });
});

// user-api.md §4 / server.md §6.1: every hook may be async, classNames (a method) included.
Deno.test("user api: an async classNames() names the columns on REST and gRPC", async () => {
  class Model extends BaseComponent {
    async classNames() {
      await Promise.resolve();
      return ["a", "b"];
    }
    override predict(X: NDArray) {
      return X;
    }
  }
  await withServer(
    new Model(),
    async (s) => {
      const nd = await s.post("/predict", { data: { ndarray: [[1, 2]] } });
      assertEquals(nd.status, 200);
      assertEquals(nd.text.trim(), '{"data":{"names":["a","b"],"ndarray":[[1,2]]},"meta":{}}');
      const tensor = await s.post("/predict", {
        data: { tensor: { shape: [1, 2], values: [1, 2] } },
      });
      assertEquals(tensor.json, {
        data: { names: ["a", "b"], tensor: { shape: [1, 2], values: [1, 2] } },
        meta: {},
      });
      // 1-D results keep `[]`.
      const flat = await s.post("/predict", { data: { ndarray: [1, 2] } });
      assertEquals(flat.json.data.names, []);
      const grpc = await grpcCall("Model", s.running.grpc!.port, "Predict", {
        data: { ndarray: [[1, 2]] },
      });
      assertEquals(grpc.data.names, ["a", "b"]);
    },
    {},
    { grpcWorkers: 1 },
  );
});

Deno.test("user api: an async classNames() that is not implemented falls back to t:i", async () => {
  const model = {
    classNames: () => Promise.reject(new SeldonNotImplementedError("no names")),
    predict: (X: unknown) => X,
  };
  await withServer(model, async (s) => {
    const res = await s.post("/predict", { data: { ndarray: [[1, 2, 3]] } });
    assertEquals(res.status, 200);
    assertEquals(res.json.data.names, ["t:0", "t:1", "t:2"]);
  });
});

// user-api.md §3: "other class instances" → 400; a DataView is not a typed array.
Deno.test("user api: a DataView returned by predict is an unknown payload (400)", async () => {
  await withServer({ predict: () => new DataView(new ArrayBuffer(4)) }, async (s) => {
    const res = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals(res.status, 400);
    assertEquals(res.json.status.reason, "MICROSERVICE_BAD_DATA");
    assert(
      String(res.json.status.info).startsWith(
        "Unknown data type returned as payload (must be list or np array):",
      ),
      res.text,
    );
  });
});

// user-api.md §1: every export and every hook of SeldonComponent is documented.
Deno.test("user api: every symbol mod.ts exports has a doc comment", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", new URL("../../mod.ts", import.meta.url).pathname],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const missing = text.split("\n").filter((l) => l.includes("missing-jsdoc"));
  assertEquals(missing, [], text);
});

/** A realistic model as a user writes it: plain JavaScript importing mod.ts. */
const SCORER_JS = `
import { BaseComponent, NDArray, SeldonResponse, SeldonMicroserviceException, counter, gauge }
  from "${MOD_URL}";

export class Scorer extends BaseComponent {
  constructor({ scale = 1 }) {
    super();
    this.scale = scale;
    this.order = [];
  }
  async load() {
    await new Promise((r) => setTimeout(r, 5));
    this.order.push("load");
    this.weights = [0.5, 2];
  }
  initMetadata() {
    this.order.push("initMetadata");
    return { name: "scorer", versions: ["v1"], custom: { loadedFirst: String(this.order.includes("load")) } };
  }
  async classNames() {
    return ["low", "high"];
  }
  tags() {
    return { model: "scorer" };
  }
  async predict(X, names, meta, ctx) {
    if (typeof X === "string") return X.toUpperCase();
    if (X instanceof Uint8Array) return X.map((b) => b + 1);
    if (!NDArray.isNDArray(X)) return { echo: X, protocol: ctx.protocol, op: ctx.operation };
    if (X.ndim !== 2 || X.shape[1] !== 2) {
      throw new SeldonMicroserviceException("expected rows of 2", { statusCode: 422, reason: "BAD_SHAPE" });
    }
    const out = X.map((v, i) => v * this.weights[i % 2] * this.scale);
    return new SeldonResponse(out, {
      tags: { rows: X.shape[0], header: ctx.headers.get("x-team") ?? "" },
      metrics: [counter("scored_rows", X.shape[0]), gauge("scale", this.scale, { kind: "param" })],
    });
  }
  route(X) {
    return NDArray.isNDArray(X) && X.get(0, 0) > 10 ? 1 : 0;
  }
}
`;

Deno.test("user api: a realistic JS model served by a real process", async () => {
  const dir = await appFolder({ "Scorer.js": SCORER_JS });
  const server = await spawnServer(dir, [
    "Scorer",
    "--parameters",
    '[{"name":"scale","value":"3","type":"INT"}]',
  ]);
  try {
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(server.url + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    };
    const p = await post("/api/v1.0/predictions", {
      data: { ndarray: [[1, 1], [2, 2]] },
      meta: { puid: "p1", tags: { from: "client" } },
    }, { "x-team": "risk" });
    assertEquals(p.status, 200);
    assertEquals(p.json, {
      data: { names: ["low", "high"], ndarray: [[1.5, 6], [3, 12]] },
      meta: {
        metrics: [
          { key: "scored_rows", type: "COUNTER", value: 2 },
          { key: "scale", tags: { kind: "param", method: "predict" }, type: "GAUGE", value: 3 },
        ],
        puid: "p1",
        tags: { from: "client", header: "risk", model: "scorer", rows: 2 },
      },
    });
    const bad = await post("/predict", { data: { ndarray: [1, 2, 3] } });
    assertEquals(bad.status, 422);
    assertEquals(bad.json, {
      status: { code: -1, info: "expected rows of 2", reason: "BAD_SHAPE", status: 1 },
    });
    assertEquals((await post("/predict", { strData: "hi" })).json, {
      meta: { tags: { model: "scorer" } },
      strData: "HI",
    });
    assertEquals((await post("/predict", { binData: "AQI=" })).json.binData, "AgM=");
    assertEquals((await post("/predict", { jsonData: { k: 1 } })).json.jsonData, {
      echo: { k: 1 },
      op: "predict",
      protocol: "rest",
    });
    assertEquals((await post("/route", { data: { ndarray: [[11]] } })).json.data.ndarray, [[1]]);
    const meta = await (await fetch(server.url + "/metadata")).json();
    assertEquals(meta.custom, { loadedFirst: "false" });
    assertEquals(meta.name, "scorer");
    if (server.grpcPort !== undefined) {
      const g = await grpcCall("Model", server.grpcPort, "Predict", {
        data: { tensor: { shape: [1, 2], values: [2, 1] } },
      });
      assertEquals(g.data, { names: ["low", "high"], tensor: { shape: [1, 2], values: [3, 6] } });
      assertEquals(g.meta.tags, { header: "", model: "scorer", rows: 1 });
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

// user-api.md §2 `NDArray.from(nested, dtype)`, protocol.md §6.6: the values fit the dtype
// (numpy's astype), so every output kind agrees with the tftensor the same array gives.
Deno.test("user api: NDArray.from with a dtype casts values like numpy's astype", () =>
  withServer({ predict: () => NDArray.from([[0.1, 2]], "float32") }, async (s) => {
    assertEquals(NDArray.from([[1.7, -2.5]], "int64").tolist(), [[1, -2]]);
    assertEquals(NDArray.from([300, -1], "uint8").tolist(), [44, 255]);
    const r = await s.post("/predict", { data: { tensor: { shape: [1], values: [1] } } });
    assertEquals(r.json.data.tensor, { shape: [1, 2], values: [0.10000000149011612, 2] });
  }));

// user-api.md §3 (a nested array goes through NDArray.from), protocol.md §4.2: a list of equal
// arrays stacks like np.array([a, b]); the ndarray branch writes the list itself, which
// upstream's jsonify cannot do for arrays (500).
Deno.test("user api: a list of NDArrays stacks into one array; as a list it is a 500", () =>
  withServer({ predict: () => [NDArray.from([1, 2]), new Float64Array([3, 4])] }, async (s) => {
    assertEquals(NDArray.from([NDArray.from([1, 2]), NDArray.from([3, 4])]).shape, [2, 2]);
    const t = await s.post("/predict", { data: { tensor: { shape: [1], values: [1] } } });
    assertEquals(t.json.data, {
      names: ["t:0", "t:1"],
      tensor: { shape: [2, 2], values: [1, 2, 3, 4] },
    });
    const nd = await s.post("/predict", { data: { ndarray: [[1]] } });
    assertEquals([nd.status, nd.json.status.info], [
      500,
      "Object of type ndarray is not JSON serializable",
    ]);
    const g = await grpcCall("Model", s.running.grpc!.port, "Predict", {
      data: { ndarray: [[1]] },
    });
    assertEquals(g.data.ndarray, [[1, 2], [3, 4]]);
  }));
