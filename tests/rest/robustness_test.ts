/**
 * Robustness regressions found by fuzzing the real server: hostile thrown values, statuses that
 * cannot carry a body, amplification bombs, a hook that never settles under `rest-timeout`, and
 * a seeded random-payload sweep. Loopback only, fixed seeds, each test bounded to a few seconds.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { join } from "node:path";
import { appFolder, type Spawned, spawnServer } from "../_helpers/spawn.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { withServer } from "../_helpers/server.ts";

/** Asserts the spec's error shape (server.md §5.1) with a 4xx/5xx status. */
function assertSeldonError(status: number, body: any, expectStatus?: number, info?: string) {
  assert(status >= 400 && status <= 599, `status ${status}`);
  if (expectStatus !== undefined) assertEquals(status, expectStatus);
  assertEquals(Object.keys(body), ["status"]);
  assertEquals(body.status.code, -1);
  assertEquals(body.status.status, 1);
  assertEquals(typeof body.status.info, "string");
  assertEquals(typeof body.status.reason, "string");
  if (info !== undefined) assertEquals(body.status.info, info);
}

const HOSTILE_MODEL = `
const SELDON = Symbol.for("seldon.ts.SeldonMicroserviceException");
function seldonLike(message, statusCode) {
  const e = new Error(message);
  e[SELDON] = true;
  e.statusCode = statusCode;
  e.reason = "MY_REASON";
  return e;
}
export class Hostile {
  predict(X) {
    switch (X) {
      case "null-proto": throw Object.create(null);
      case "bad-tostring": throw { toString() { throw new Error("nope"); } };
      case "object-message": { const e = new Error("x"); e.message = { deep: 1 }; throw e; }
      case "status-999": throw seldonLike("nine nine nine", 999);
      case "status-204": throw seldonLike("no content", 204);
      case "reject-symbol": return Promise.reject(Symbol("s"));
      default: return X;
    }
  }
}
`;

async function withSpawned(
  files: Record<string, string>,
  model: string,
  fn: (s: Spawned, dir: string) => Promise<void>,
  env: (dir: string) => Record<string, string> = () => ({}),
) {
  const dir = await appFolder(files);
  const s = await spawnServer(dir, [model], env(dir));
  try {
    await fn(s, dir);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function predict(s: Spawned, body: unknown) {
  const res = await fetch(`${s.url}/api/v1.0/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(8000),
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

Deno.test("robustness: hostile thrown values get the spec's error on REST and gRPC, no crash", () =>
  withSpawned({ "Hostile.js": HOSTILE_MODEL }, "Hostile", async (s) => {
    const rest: [string, number, string][] = [
      ["null-proto", 500, "[object Object]"],
      ["bad-tostring", 500, "[object Object]"],
      ["object-message", 500, "Error: [object Object]"],
      // A Seldon status HTTP cannot carry with a body: 500, the exception's own info and reason.
      ["status-999", 500, "nine nine nine"],
      ["status-204", 500, "no content"],
      ["reject-symbol", 500, "Symbol(s)"],
    ];
    for (const [mode, status, info] of rest) {
      const r = await predict(s, { strData: mode });
      assertSeldonError(r.status, r.json, status, info);
      if (mode.startsWith("status-")) assertEquals(r.json.status.reason, "MY_REASON");
    }
    // gRPC: the worker used to die on an unhandled rejection while formatting the error.
    const client = seldonClient("Model", s.grpcPort!);
    try {
      for (const [mode] of rest) {
        const err = await client.call("Predict", { strData: mode }).then(() => null, (e) => e);
        assert(err !== null, mode);
        assertEquals(err.code, 2, `${mode}: ${err.details}`);
        assert(String(err.details).startsWith("Exception calling application: "), err.details);
      }
      assertEquals((await client.call("Predict", { strData: "ok" })).strData, "ok");
    } finally {
      client.close();
    }
    assertEquals((await predict(s, { strData: "ok" })).json.strData, "ok");
  }));

Deno.test("robustness: predict status codes that cannot carry a body answer 500, body unchanged", () =>
  withServer({ predictRaw: (msg: any) => msg.jsonData }, async (s) => {
    for (const code of [100, 101, 150, 204, 205, 304, 600]) {
      const body = { status: { code }, x: 1 };
      const r = await s.post("/api/v1.0/predictions", { jsonData: body });
      assertEquals(r.status, 500, `code ${code}`);
      assertEquals(r.json, body);
    }
    const ok = await s.post("/api/v1.0/predictions", { jsonData: { status: { code: 422 } } });
    assertEquals(ok.status, 422);
  }));

Deno.test("robustness: tiny requests naming huge shapes fail cleanly, the worker survives", () =>
  withSpawned(
    { "Echo.js": "export class Echo { predict(X) { return X; } }" },
    "Echo",
    async (s) => {
      const bombs = [
        // An empty tensor still gets names for its last dimension: 10^8 names crashed the worker.
        { data: { tensor: { shape: [0, 100_000_000], values: [] } } },
        {
          data: {
            tftensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "0" }, { size: "1e9" }] } },
          },
        },
        // make_ndarray pads one value out to the shape: 10^9 floats took 12 GB and 27 s.
        {
          data: {
            tftensor: {
              dtype: "DT_FLOAT",
              tensorShape: { dim: [{ size: "1000000000" }] },
              floatVal: [1],
            },
          },
        },
        {
          data: {
            tftensor: {
              dtype: "DT_STRING",
              tensorShape: { dim: [{ size: "300000000" }] },
              stringVal: ["YQ=="],
            },
          },
        },
      ];
      for (const bomb of bombs) {
        const started = Date.now();
        const r = await predict(s, bomb);
        assertSeldonError(r.status, r.json, 500);
        assert(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      }
      const small = await predict(s, { data: { tensor: { shape: [0, 3], values: [] } } });
      assertEquals(small.json.data.names, ["t:0", "t:1", "t:2"]);
      const padded = await predict(s, {
        data: {
          tftensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "3" }] }, floatVal: [2] },
        },
      });
      assertEquals(padded.status, 200);
      assert(!s.log().includes("exited ("), "a worker died:\n" + s.log());
    },
  ));

const NEVER_MODEL = `export class Never {
  predict(X) { return X === "never" ? new Promise(() => {}) : X; }
}`;

Deno.test("robustness: a hook that never settles under rest-timeout does not wedge the server", () =>
  withSpawned(
    { "Never.js": NEVER_MODEL, "annotations": 'seldon.io/rest-timeout="1000"\n' },
    "Never",
    async (s) => {
      const stuck = await predict(s, { strData: "never" });
      assertSeldonError(stuck.status, stuck.json, 500, "Request timed out after 1 s");
      // The stuck hook keeps its --threads slot for ever: the worker is replaced, and later
      // requests succeed instead of timing out behind it.
      const deadline = Date.now() + 8500;
      let last: { status: number; json: any } | undefined;
      while (Date.now() < deadline) {
        last = await predict(s, { strData: "ok" });
        if (last.status === 200) break;
      }
      assertEquals(last?.status, 200, JSON.stringify(last?.json));
      assertEquals(last?.json.strData, "ok");
      for (let i = 0; i < 5; i++) assertEquals((await predict(s, { strData: "ok" })).status, 200);
    },
    (dir) => ({ SELDON_ANNOTATIONS_FILE: join(dir, "annotations") }),
  ));

/** xorshift32: the same sequence for the same seed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

Deno.test("robustness: 400 seeded random payloads on every route and content type", () =>
  withServer({ predict: (X: unknown) => X, route: () => 0 }, async (s) => {
    const rnd = rng(20261128);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const strings = ["", "\ud800", "NaN", "1e999", "é😀", "__proto__", "9".repeat(30)];
    const keys = [
      "data",
      "ndarray",
      "tensor",
      "shape",
      "values",
      "tftensor",
      "dtype",
      "meta",
      "names",
      "binData",
      "strData",
      "jsonData",
      "seldonMessages",
      "request",
      "reward",
      "__proto__",
    ];
    const value = (depth: number): unknown => {
      const r = rnd();
      if (depth > 5 || r < 0.3) {
        return pick<unknown>([...strings, 0, -1, 1.5, 1e308, 2 ** 53 + 1, true, null, 42]);
      }
      if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 4); i > 0; i--) o[pick(keys)] = value(depth + 1);
      return o;
    };
    const routes = [
      "/predict",
      "/api/v1.0/predictions",
      "/transform-input",
      "/transform-output",
      "/route",
      "/aggregate",
      "/send-feedback",
      "/api/v1.0/feedback",
      "/health/status",
      "/metadata",
      "/nope",
    ];
    for (let i = 0; i < 400; i++) {
      const route = pick(routes);
      let text = JSON.stringify(
        pick([value(0), { data: value(1) }, { data: { ndarray: value(1) } }]),
      );
      if (rnd() < 0.1) text = text.slice(0, Math.floor(rnd() * text.length));
      const how = pick(["json", "form", "multipart", "query"]);
      const init: RequestInit = { method: "POST" };
      let path = route;
      if (how === "json") {
        init.headers = { "content-type": "application/json" };
        init.body = text;
      } else if (how === "form") {
        init.headers = { "content-type": "application/x-www-form-urlencoded" };
        init.body = new URLSearchParams({ json: text }).toString();
      } else if (how === "multipart") {
        const form = new FormData();
        form.append(pick(["data", "strData", "binData", "jsonData"]), text);
        init.body = form;
      } else {
        path += `?json=${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "?"))}`;
      }
      const r = await s.fetch(path, init);
      if (r.status === 200) continue;
      assert(r.json !== undefined, `#${i} ${route} ${how}: not JSON: ${r.text.slice(0, 200)}`);
      assertSeldonError(r.status, r.json);
    }
    assertEquals((await s.get("/health/ping")).text, "pong");
  }));
