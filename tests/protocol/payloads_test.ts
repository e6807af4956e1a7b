/**
 * Payloads as upstream's numpy and protobuf code leaves them (protocol.md §3–§7): integral float
 * tokens, 0-d and bare-integer shapes, `puid` truthiness, bad binData, route and feedback
 * results; raw JSON text sent to a real server on an ephemeral loopback port (REST, and gRPC
 * through a `@grpc/proto-loader` client where proto mode differs).
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { loaderClient, loaderUnary as unary } from "../_helpers/grpc.ts";
import type { NDArray } from "../../mod.ts";

const identity = { predict: (X: unknown) => X };

Deno.test("protocol: integral float tokens stay floats when numpy makes a string array (§6.1)", () =>
  withServer(identity, async (s) => {
    const r = await s.post("/predict", '{"data":{"ndarray":[["a",4.0,4,-0.0,1E2,2.50,1e15]]}}');
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [[
      "a",
      "4.0",
      "4",
      "-0.0",
      "100.0",
      "2.5",
      "1000000000000000.0",
    ]]);
    const t = await s.post("/predict", '{"data":{"tensor":{"shape":[3],"values":["b",2.0,3]}}}');
    assertEquals(t.json, { data: { names: [], ndarray: ["b", "2.0", "3"] }, meta: {} });
  }));

Deno.test("protocol: integral float tokens give float64 X; integers give int64 (§6.1)", async () => {
  const seen: string[] = [];
  const model = {
    predict(X: NDArray) {
      seen.push(X.dtype);
      return X;
    },
    aggregate: (Xs: NDArray[]) => Xs[1],
  };
  await withServer(model, async (s) => {
    await s.post("/predict", '{"data":{"ndarray":[[1.0,2]]}}');
    await s.post("/predict", '{"data":{"ndarray":[[1,2]]}}');
    await s.post("/predict", '{"data":{"tensor":{"shape":[2],"values":[1,2.0]}}}');
    assertEquals(seen, ["float64", "int64", "float64"]);
    // The tftensor dtype shows it: X of the second message was float64 upstream.
    const tf = {
      dtype: "DT_INT64",
      tensorShape: { dim: [{ size: "1" }, { size: "2" }] },
      int64Val: ["1", "2"],
    };
    const r = await s.post(
      "/aggregate",
      `{"seldonMessages":[{"data":{"tftensor":${
        JSON.stringify(tf)
      }}},{"data":{"ndarray":[[1.0,2.0]]}}]}`,
    );
    assertEquals(r.json.data.tftensor, {
      dtype: "DT_DOUBLE",
      tensorShape: { dim: [{ size: "1" }, { size: "2" }] },
      tensorContent: "AAAAAAAA8D8AAAAAAAAAQA==",
    });
  });
});

Deno.test("protocol: a 0-d array as tftensor has an empty tensorShape {} (§2.1, §6.5)", () =>
  withServer(identity, async (s) => {
    const r = await s.post(
      "/predict",
      '{"data":{"tftensor":{"dtype":"DT_DOUBLE","doubleVal":[3]}}}',
    );
    assertEquals(r.status, 200);
    assertEquals(r.json, {
      data: { names: [], tftensor: { dtype: "DT_DOUBLE", tensorShape: {}, doubleVal: [3] } },
      meta: {},
    });
  }));

Deno.test("protocol: route returning a boolean is rejected (§4.1 [TS] SHOULD)", () =>
  withServer({ route: () => true }, async (s) => {
    const r = await s.post("/route", '{"data":{"ndarray":[[1,2]]}}');
    assertEquals(r.status, 400);
    assertEquals(r.json.status.info, "Routing response must be int but got True");
  }));

Deno.test("protocol: puid is copied when Python calls it true (upstream `if puid:`)", () =>
  withServer(identity, async (s) => {
    const n = await s.post("/predict", '{"meta":{"puid":5},"data":{"ndarray":[1]}}');
    assertEquals(n.json.meta, { puid: 5 });
    const zero = await s.post("/predict", '{"meta":{"puid":0},"data":{"ndarray":[1]}}');
    assertEquals(zero.json.meta, {});
    const empty = await s.post("/predict", '{"meta":{"puid":""},"data":{"ndarray":[1]}}');
    assertEquals(empty.json.meta, {});
  }));

Deno.test("protocol: a non-string binData fails like Python's b64decode (500)", () =>
  withServer(identity, async (s) => {
    const r = await s.post("/predict", '{"binData":5}');
    assertEquals(r.status, 500);
    assertEquals(r.json.status, {
      status: 1,
      info: "argument should be a bytes-like object or ASCII string, not 'int'",
      code: -1,
      reason: "MICROSERVICE_INTERNAL_ERROR",
    });
  }));

Deno.test("protocol: a tensor shape given as a bare integer reshapes like numpy", () =>
  withServer(identity, async (s) => {
    const r = await s.post("/predict", '{"data":{"tensor":{"shape":4,"values":[1,2,3,4]}}}');
    assertEquals(r.status, 200);
    assertEquals(r.json, {
      data: { names: [], tensor: { shape: [4], values: [1, 2, 3, 4] } },
      meta: {},
    });
  }));

Deno.test("protocol: a feedback hook's scalar result fails like upstream's proto builder (§4.1)", () =>
  withServer({ sendFeedback: () => 5 }, async (s) => {
    for (const body of [{ reward: 1 }, { request: { data: { ndarray: [[1]] } } }]) {
      const r = await s.post("/api/v1.0/feedback", body);
      assertEquals(r.status, 500);
      assertEquals(r.json.status, {
        status: 1,
        info: 'can only concatenate str (not "int") to str',
        code: -1,
        reason: "MICROSERVICE_INTERNAL_ERROR",
      });
    }
  }));

Deno.test("protocol: numbers of a jsonData list are doubles, so a mixed echo writes `4.0`", () =>
  // protocol.md §3.1 (proto mode: jsonData numbers are doubles), §4.1 (a list returned from a
  // jsonData request goes to `data`), §6.1 (string array: floats printed like "1.0").
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const client = loaderClient("Model", s.running.grpc!.port);
    const number = (v: number) => ({ numberValue: v });
    try {
      const row = (a: string, b: number) => ({
        listValue: { values: [{ stringValue: a }, number(b)] },
      });
      const res = await unary(client, "Predict", {
        jsonData: { listValue: { values: [row("x", 4), row("y", -2)] } },
      });
      assertEquals(
        res.data.ndarray.values.map((r: any) => r.listValue.values.map((v: any) => v.stringValue)),
        [["x", "4.0"], ["y", "-2.0"]],
      );
      const flat = await unary(client, "Predict", {
        jsonData: { listValue: { values: [{ stringValue: "x" }, number(4)] } },
      });
      assertEquals(flat.data.ndarray.values.map((v: any) => v.stringValue), ["x", "4.0"]);
      // REST (JSON mode) writes the returned list back unchanged.
      const rest = await s.post("/predict", { jsonData: ["x", 4, 0.5] });
      assertEquals(rest.json.data.ndarray, ["x", 4, 0.5]);
    } finally {
      client.close();
    }
  }));
