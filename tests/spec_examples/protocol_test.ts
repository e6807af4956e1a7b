/**
 * Every concrete input→output example of protocol.md, one test each, named
 * `protocol.md §<section> <what>`.
 * Where two spec lines contradict each other the test asserts upstream's code and says so (a boolean route result is
 * rejected).
 */
// deno-lint-ignore-file no-explicit-any
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { NDArray } from "../../mod.ts";

import { err, ex, identity, P, rest } from "../_helpers/spec_examples.ts";

// =============================================================================================
// protocol.md
// =============================================================================================

ex(
  P,
  "§2.1",
  "feedback reward 'high' → Invalid JSON parse message",
  rest(
    {},
    "/send-feedback",
    { reward: "high" },
    400,
    err(
      "Invalid JSON: Failed to parse reward field: Couldn't parse float: high at Feedback.reward.",
    ),
  ),
);

ex(
  P,
  "§2.1",
  "feedback unknown field requestBAD → Invalid JSON message",
  () =>
    withServer({}, async (s) => {
      const r = await s.post("/send-feedback", { requestBAD: {} });
      assertEquals(r.status, 400);
      assertEquals(r.json.status.reason, "MICROSERVICE_BAD_DATA");
      const info: string = r.json.status.info;
      const head =
        'Invalid JSON: Message type "seldon.protos.Feedback" has no field named "requestBAD" at "Feedback".\n Available Fields(except extensions): "';
      assert(info.startsWith(head), info);
    }),
);

ex(
  P,
  "§2.3",
  "multipart meta + binData file → {meta, binData base64}",
  () =>
    withServer({ predictRaw: (m: unknown) => m }, async (s) => {
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
      const fd = new FormData();
      fd.append("meta", '{"puid":"1234"}');
      fd.append("binData", new Blob([png]), "img.png");
      const r = await s.fetch("/predict", { method: "POST", body: fd });
      assertEquals(r.status, 200);
      assertEquals(r.json, { meta: { puid: "1234" }, binData: "iVBORw0KGgoA/w==" });
    }),
);

ex(
  P,
  "§2.3",
  "invalid JSON in ?json= → 500 internal error",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/predict?json=" + encodeURIComponent("{bad"));
      assertEquals(r.status, 500);
      assertEquals(r.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
      // form field variant
      const f = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "json=" + encodeURIComponent("{bad"),
      });
      assertEquals(f.status, 500);
      assertEquals(f.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
    }),
);

ex(
  P,
  "§2.3",
  "GET /predict?json={ndarray [[1,2]]} equals the POST",
  () =>
    withServer(identity, async (s) => {
      const doc = { data: { ndarray: [[1, 2]] } };
      const g = await s.get("/predict", doc);
      const p = await s.post("/api/v1.0/predictions", doc);
      assertEquals(g.status, 200);
      assertEquals(g.json, p.json);
      assertEquals(g.json, { data: { names: ["t:0", "t:1"], ndarray: [[1, 2]] }, meta: {} });
    }),
);

ex(
  P,
  "§2.3",
  "wrong content type / empty / invalid / null body → 400 Can't find JSON",
  () =>
    withServer(identity, async (s) => {
      const cases: RequestInit[] = [
        {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: '{"data":{"ndarray":[1]}}',
        },
        { method: "POST", body: '{"data":{"ndarray":[1]}}' },
        { method: "POST", headers: { "content-type": "application/json" }, body: "" },
        { method: "POST", headers: { "content-type": "application/json" }, body: "{bad" },
        { method: "POST", headers: { "content-type": "application/json" }, body: "null" },
      ];
      for (const init of cases) {
        const r = await s.fetch("/predict", init);
        assertEquals({ status: r.status, json: r.json }, {
          status: 400,
          json: err("Can't find JSON in data"),
        }, JSON.stringify(init));
      }
      const ok = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": "application/vnd.x+json; charset=utf-8" },
        body: '{"data":{"ndarray":[1]}}',
      });
      assertEquals(ok.status, 200);
    }),
);

ex(P, "§2.3", "GET /predict? → 400", () =>
  withServer(identity, async (s) => {
    const r = await s.fetch("/predict?");
    assertEquals({ status: r.status, json: r.json }, {
      status: 400,
      json: err("Can't find JSON in data"),
    });
  }));

ex(
  P,
  "§2.4",
  'body "hello" → Invalid request data type: hello; 3 → 3',
  () =>
    withServer(identity, async (s) => {
      let r = await s.post("/predict", '"hello"');
      assertEquals(r.json, err("Invalid request data type: hello"));
      assertEquals(r.status, 400);
      r = await s.post("/predict", "3");
      assertEquals(r.json, err("Invalid request data type: 3"));
    }),
);

ex(
  P,
  "§2.4",
  "{\"colour\": 7} → {'colour': 7}",
  rest(
    identity,
    "/predict",
    '{"colour": 7}',
    400,
    err(
      "Invalid request data type: {'colour': 7}",
    ),
  ),
);
ex(
  P,
  "§2.4",
  "[4, 5.0] → [4, 5.0]",
  rest(
    identity,
    "/predict",
    "[4, 5.0]",
    400,
    err(
      "Invalid request data type: [4, 5.0]",
    ),
  ),
);
ex(
  P,
  "§2.4",
  "mixed object repr",
  rest(
    identity,
    "/predict",
    '{"msg":"it\'s","ok":true,"v":null,"x":[1.5,2.0,1e20,0.00001]}',
    400,
    err(
      "Invalid request data type: {'msg': \"it's\", 'ok': True, 'v': None, 'x': [1.5, 2.0, 1e+20, 1e-05]}",
    ),
  ),
);
ex(
  P,
  "§2.4",
  "1E2 → 100.0, -0.0, both quotes, backslash/tab",
  rest(
    identity,
    "/predict",
    '[1E2, -0.0, "a\'b\\"c", "t\\tx\\\\", {}]',
    400,
    err("Invalid request data type: [100.0, -0.0, 'a\\'b\"c', 't\\tx\\\\', {}]"),
  ),
);

ex(
  P,
  "§2.4",
  "predict returning null → ...:None",
  rest(
    { predict: () => null },
    "/predict",
    { data: { ndarray: [1] } },
    400,
    err("Unknown data type returned as payload (must be list or np array):None"),
  ),
);

ex(
  P,
  "§2.4",
  "passthrough, no raw hook → Invalid request data type: b'{\"a\": 1}'",
  rest(
    identity,
    "/predict",
    '{"a": 1}',
    400,
    err("Invalid request data type: b'{\"a\": 1}'"),
    { PAYLOAD_PASSTHROUGH: "true" },
  ),
);

ex(P, "§3.1", '{"data":{"names":["a"]}} → empty float64 array', () =>
  withServer({
    predict: (X: NDArray) => {
      assertEquals([X.dtype, X.shape], ["float64", [0]]);
      return X;
    },
  }, async (s) => {
    const r = await s.post("/predict", { data: { names: ["a"] } });
    assertEquals(r.json, { data: { names: [], ndarray: [] }, meta: {} });
  }));

ex(
  P,
  "§3.1",
  'binData "ab cde!" → 500 (5) data characters',
  rest(
    identity,
    "/predict",
    { binData: "ab cde!" },
    500,
    err(
      "Invalid base64-encoded string: number of data characters (5) cannot be 1 more than a multiple of 4",
      "MICROSERVICE_INTERNAL_ERROR",
    ),
  ),
);
ex(
  P,
  "§3.1",
  'binData "abc" → 500 Incorrect padding',
  rest(
    identity,
    "/predict",
    { binData: "abc" },
    500,
    err("Incorrect padding", "MICROSERVICE_INTERNAL_ERROR"),
  ),
);

ex(P, "§3.3", 'hook sees meta {"puid":"abc"} (REST and gRPC)', async () => {
  const seen: unknown[] = [];
  await withServer({
    predict: (X: unknown, _n: unknown, meta: unknown) => {
      seen.push(meta);
      return X;
    },
  }, async (s) => {
    await s.post("/predict", { meta: { puid: "abc" }, data: { ndarray: [1] } });
    await grpcCall("Model", s.running.grpc!.port, "Predict", {
      meta: { puid: "abc" },
      data: { ndarray: [1] },
    });
  });
  assertEquals(seen, [{ puid: "abc" }, { puid: "abc" }]);
});

ex(P, "§3.4", 'raw hook gets {"anything":{"k":[3]}} unchanged', async () => {
  let seen: unknown;
  await withServer({
    predictRaw: (m: unknown) => {
      seen = m;
      return { strData: "ok" };
    },
  }, async (s) => {
    const r = await s.post("/predict", { anything: { k: [3] } });
    assertEquals(r.json, { strData: "ok" });
  });
  assertEquals(seen, { anything: { k: [3] } });
});

ex(
  P,
  "§4.1",
  "jsonData [1,2] → tensor",
  rest(identity, "/predict", { jsonData: [1, 2] }, 200, {
    data: { names: [], tensor: { shape: [2], values: [1, 2] } },
    meta: {},
  }),
);
ex(
  P,
  "§4.1",
  'jsonData ["x",4,0.5] → ndarray unchanged',
  rest(
    identity,
    "/predict",
    { jsonData: ["x", 4, 0.5] },
    200,
    { data: { names: [], ndarray: ["x", 4, 0.5] }, meta: {} },
  ),
);
ex(
  P,
  "§4.1",
  "string jsonData → strData",
  rest(identity, "/predict", { jsonData: "hi" }, 200, {
    strData: "hi",
    meta: {},
  }),
);

ex(
  P,
  "§4.1",
  "route returning a string → Routing response must be int but got x",
  rest(
    { route: () => "x" },
    "/route",
    { data: { ndarray: [1] } },
    400,
    err("Routing response must be int but got x"),
  ),
);

ex(
  P,
  "§4.1",
  "predict default: ndarray → ndarray [], tensor → empty tensor, strData → tensor",
  () =>
    withServer({}, async (s) => {
      let r = await s.post("/predict", { data: { ndarray: [[1]] } });
      assertEquals(r.json, { data: { names: [], ndarray: [] }, meta: {} });
      r = await s.post("/predict", { data: { tensor: { shape: [1], values: [1] } } });
      assertEquals(r.json, { data: { names: [], tensor: { values: [], shape: [0] } }, meta: {} });
      r = await s.post("/predict", { strData: "x" });
      assertEquals(r.json, { data: { names: [], tensor: { values: [], shape: [0] } }, meta: {} });
    }),
);
ex(
  P,
  "§4.1",
  "transform-input default echoes binData",
  rest(
    {},
    "/transform-input",
    {
      binData: "AAEC",
    },
    200,
    { binData: "AAEC", meta: {} },
  ),
);
ex(
  P,
  "§4.1",
  "route / aggregate absent → Route not defined / Aggregate not defined",
  () =>
    withServer({}, async (s) => {
      let r = await s.post("/route", { data: { ndarray: [1] } });
      assertEquals([r.status, r.json], [400, err("Route not defined")]);
      r = await s.post("/aggregate", { seldonMessages: [{ data: { ndarray: [1] } }] });
      assertEquals([r.status, r.json], [400, err("Aggregate not defined")]);
    }),
);
ex(
  P,
  "§4.1",
  "predict returning true / undefined → 400",
  () =>
    withServer({ predict: (X: any) => (X.size === 1 ? true : undefined) }, async (s) => {
      let r = await s.post("/predict", { data: { ndarray: [1] } });
      assertEquals([r.status, r.json], [
        400,
        err("Unknown data type returned as payload (must be list or np array):True"),
      ]);
      r = await s.post("/predict", { data: { ndarray: [1, 2] } });
      assertEquals([r.status, r.json], [
        400,
        err("Unknown data type returned as payload (must be list or np array):None"),
      ]);
    }),
);

ex(P, "§4.2", "type mirroring examples: list vs float64 array vs string array", () =>
  withServer({
    predict: (X: NDArray, names: string[]) => {
      if (names[0] === "list") return [[1, 2]];
      if (names[0] === "f64") return NDArray.from([[1, 2]], "float64");
      if (names[0] === "mixed") return [["a", 1]];
      return X;
    },
  }, async (s) => {
    let r = await s.post("/predict", { data: { names: ["list"], ndarray: [[0]] } });
    assertEquals(r.json.data.ndarray, [[1, 2]]);
    r = await s.post("/predict", { data: { names: ["f64"], ndarray: [[0]] } });
    assertEquals(r.json.data.ndarray, [[1.0, 2.0]]);
    r = await s.post("/predict", { data: { names: ["mixed"], ndarray: [[0]] } });
    assertEquals(r.json.data.ndarray, [["a", 1]]);
    r = await s.post("/predict", { data: { ndarray: [["a", 1]] } });
    assertEquals(r.json.data.ndarray, [["a", "1"]]);
  }));

ex(P, "§4.3", "request names not echoed; 1-D names []", () =>
  withServer(identity, async (s) => {
    let r = await s.post("/predict", { data: { names: ["a", "b"], ndarray: [[1, 2]] } });
    assertEquals(r.json.data.names, ["t:0", "t:1"]);
    r = await s.post("/predict", { data: { names: ["a", "b"], ndarray: [1, 2] } });
    assertEquals(r.json.data.names, []);
  }));

ex(
  P,
  "§4.5",
  "requestPath my-test-model (+ earlier-node), REST and gRPC",
  () =>
    withServer(identity, async (s) => {
      const env = { "my-test-model": "my-test-model-image" };
      let r = await s.post("/predict", { data: { ndarray: [1] } });
      assertEquals(r.json.meta, { requestPath: env });
      r = await s.post("/predict", {
        meta: { requestPath: { "earlier-node": "earlier-image" } },
        data: { ndarray: [1] },
      });
      assertEquals(r.json.meta, {
        requestPath: { "my-test-model": "my-test-model-image", "earlier-node": "earlier-image" },
      });
      const g = await grpcCall("Model", s.running.grpc!.port, "Predict", {
        meta: { requestPath: { "earlier-node": "earlier-image" } },
        data: { ndarray: [1] },
      });
      assertEquals(g.meta, {
        requestPath: { "my-test-model": "my-test-model-image", "earlier-node": "earlier-image" },
      });
    }, { PREDICTIVE_UNIT_ID: "my-test-model", PREDICTIVE_UNIT_IMAGE: "my-test-model-image" }),
);
ex(
  P,
  "§4.5",
  "PREDICTIVE_UNIT_ID without IMAGE → NOT_IMPLEMENTED:NOT_IMPLEMENTED",
  rest(
    identity,
    "/predict",
    { data: { ndarray: [1] } },
    200,
    {
      data: { names: [], ndarray: [1] },
      meta: { requestPath: { n1: "NOT_IMPLEMENTED:NOT_IMPLEMENTED" } },
    },
    { PREDICTIVE_UNIT_ID: "n1" },
  ),
);

ex(
  P,
  "§4.5",
  "metrics() GAUGE with tags on /transform-input gets method tag",
  rest(
    {
      metrics: () => [
        { type: "GAUGE", key: "temp", value: 3.5, tags: { room: "a" } },
        { type: "COUNTER", key: "n", value: 1 },
      ],
    },
    "/transform-input",
    { data: { ndarray: [1] } },
    200,
    {
      data: { names: [], ndarray: [1] },
      meta: {
        metrics: [
          { type: "GAUGE", key: "temp", value: 3.5, tags: { room: "a", method: "inputtransform" } },
          { type: "COUNTER", key: "n", value: 1 },
        ],
      },
    },
  ),
);

ex(
  P,
  "§4.5",
  "request tags + user tags; request metric first",
  rest(
    {
      predict: (X: unknown) => X,
      tags: () => ({ mytag: 1 }),
      metrics: () => [{ type: "COUNTER", key: "mycounter", value: 1 }],
    },
    "/predict",
    {
      meta: {
        tags: { foo: "bar" },
        metrics: [{ key: "request_gauge", type: "GAUGE", value: 100 }],
      },
      data: { ndarray: [1] },
    },
    200,
    {
      data: { names: [], ndarray: [1] },
      meta: {
        tags: { foo: "bar", mytag: 1 },
        metrics: [
          { key: "request_gauge", type: "GAUGE", value: 100 },
          { type: "COUNTER", key: "mycounter", value: 1 },
        ],
      },
    },
  ),
);

ex(
  P,
  "§4.5",
  "metrics() type BAD → 500 bad metric",
  () =>
    withServer(
      // "BAD" on purpose: metric types are validated at run time.
      { predict: (X: unknown) => X, metrics: () => [{ type: "BAD" as never, key: "k", value: 1 }] },
      async (s) => {
        const r = await s.post("/predict", { data: { ndarray: [1] } });
        assertEquals([r.status, r.json], [
          500,
          err(
            'Bad metric created during request: [{"type": "BAD", "key": "k", "value": 1}]',
            "MICROSERVICE_BAD_METRIC",
          ),
        ]);
      },
    ),
);

ex(
  P,
  "§4.6",
  "raw status.code 400 → HTTP 400 with that body",
  rest(
    { predictRaw: () => ({ status: { code: 400, status: "FAILURE" } }) },
    "/predict",
    { data: { ndarray: [1] } },
    400,
    { status: { code: 400, status: "FAILURE" } },
  ),
);

ex(
  P,
  "§4.7",
  "raw result {jsonData, strData} sent exactly",
  rest(
    { predictRaw: () => ({ jsonData: { n: 2 }, strData: "y" }) },
    "/predict",
    { data: { ndarray: [1] } },
    200,
    { jsonData: { n: 2 }, strData: "y" },
  ),
);

ex(
  P,
  "§6.1",
  'echo [[2, "b", false, null]] exactly',
  rest(
    identity,
    "/predict",
    { data: { ndarray: [[2, "b", false, null]] } },
    200,
    { data: { names: ["t:0", "t:1", "t:2", "t:3"], ndarray: [[2, "b", false, null]] }, meta: {} },
  ),
);
ex(
  P,
  "§6.1",
  "string dtype: 1→'1', 1.5, 2.0, 1e20→'1e+20', true→'True'",
  rest(
    identity,
    "/predict",
    '{"data":{"ndarray":[[1, 1.5, 2.0, 1e20, true, "s"]]}}',
    200,
    {
      data: {
        names: ["t:0", "t:1", "t:2", "t:3", "t:4", "t:5"],
        ndarray: [["1", "1.5", "2.0", "1e+20", "True", "s"]],
      },
      meta: {},
    },
  ),
);
ex(
  P,
  "§6.1",
  "ints with bools → int64 1/0; only bools → bool ndarray",
  () =>
    withServer(identity, async (s) => {
      let r = await s.post("/predict", {
        data: { tensor: { shape: [3], values: [1, true, false] } },
      });
      assertEquals(r.json.data.tensor, { shape: [3], values: [1, 1, 0] });
      r = await s.post("/predict", { data: { tensor: { shape: [2], values: [true, false] } } });
      assertEquals(r.json.data, { names: [], ndarray: [true, false] });
    }),
);
ex(
  P,
  "§6.1",
  "ragged [[1,2],[3]] → 1-D object, ndarray, names []",
  rest(
    identity,
    "/predict",
    { data: { ndarray: [[1, 2], [3]] } },
    200,
    { data: { names: [], ndarray: [[1, 2], [3]] }, meta: {} },
  ),
);
ex(
  P,
  "§6.2",
  "tensor size mismatch → 500 cannot reshape; missing values → 'values'",
  () =>
    withServer(identity, async (s) => {
      let r = await s.post("/predict", { data: { tensor: { shape: [2, 2], values: [1, 2, 3] } } });
      assertEquals([r.status, r.json], [
        500,
        err("cannot reshape array of size 3 into shape (2,2)", "MICROSERVICE_INTERNAL_ERROR"),
      ]);
      r = await s.post("/predict", { data: { tensor: { shape: [2, 2] } } });
      assertEquals([r.status, r.json], [500, err("'values'", "MICROSERVICE_INTERNAL_ERROR")]);
    }),
);
ex(
  P,
  "§6.2",
  "tensor shape with -1 inferred",
  rest(
    identity,
    "/predict",
    { data: { tensor: { shape: [-1, 2], values: [1, 2, 3, 4] } } },
    200,
    { data: { names: ["t:0", "t:1"], tensor: { shape: [2, 2], values: [1, 2, 3, 4] } }, meta: {} },
  ),
);

ex(
  P,
  "§6.5",
  "tftensor int64 [1,2] → tensorContent",
  rest(
    identity,
    "/predict",
    {
      data: {
        tftensor: {
          dtype: "DT_INT64",
          tensorShape: { dim: [{ size: "2" }] },
          int64Val: ["1", "2"],
        },
      },
    },
    200,
    {
      data: {
        names: [],
        tftensor: {
          dtype: "DT_INT64",
          tensorShape: { dim: [{ size: "2" }] },
          tensorContent: "AQAAAAAAAAACAAAAAAAAAA==",
        },
      },
      meta: {},
    },
  ),
);
ex(
  P,
  "§6.5",
  "tftensor float64 [[7.5]] → doubleVal",
  rest(
    identity,
    "/predict",
    {
      data: {
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: "1" }, { size: "1" }] },
          doubleVal: [7.5],
        },
      },
    },
    200,
    {
      data: {
        names: ["t:0"],
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: "1" }, { size: "1" }] },
          doubleVal: [7.5],
        },
      },
      meta: {},
    },
  ),
);
ex(
  P,
  "§6.6",
  "Float32Array 0.1 → 0.10000000149011612",
  rest(
    { predict: () => Float32Array.of(0.1) },
    "/predict",
    { data: { ndarray: [0] } },
    200,
    { data: { names: [], ndarray: [0.10000000149011612] }, meta: {} },
  ),
);

ex(P, "§6.7", '"ndarray": 5 / "abc" → same scalar', () =>
  withServer(identity, async (s) => {
    let r = await s.post("/predict", { data: { ndarray: 5 } });
    assertEquals(r.json, { data: { names: [], ndarray: 5 }, meta: {} });
    r = await s.post("/predict", { data: { ndarray: "abc" } });
    assertEquals(r.json, { data: { names: [], ndarray: "abc" }, meta: {} });
  }));
ex(
  P,
  "§6.7",
  "tensor shape [] one value → 0-d",
  rest(
    identity,
    "/predict",
    { data: { tensor: { shape: [], values: [7] } } },
    200,
    { data: { names: [], tensor: { shape: [], values: [7] } }, meta: {} },
  ),
);
ex(
  P,
  "§6.7",
  "empty tensor [0,3] keeps shape and names",
  rest(
    identity,
    "/predict",
    { data: { tensor: { shape: [0, 3], values: [] } } },
    200,
    { data: { names: ["t:0", "t:1", "t:2"], tensor: { shape: [0, 3], values: [] } }, meta: {} },
  ),
);
ex(P, "§6.7", "33 levels of nesting → 500 internal", () =>
  withServer(identity, async (s) => {
    let deep: unknown = 1;
    for (let i = 0; i < 33; i++) deep = [deep];
    const r = await s.post("/predict", { data: { ndarray: deep } });
    assertEquals(r.status, 500);
    assertEquals(r.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
    let ok: unknown = 1;
    for (let i = 0; i < 32; i++) ok = [ok];
    const r2 = await s.post("/predict", { data: { ndarray: ok } });
    assertEquals(r2.status, 200);
  }));
ex(
  P,
  "§6.7",
  "non-UTF-8 body → 400 Can't find JSON in data",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      });
      assertEquals([r.status, r.json], [400, err("Can't find JSON in data")]);
    }),
);

ex(
  P,
  "§7.1",
  "empty aggregate list → 500",
  () =>
    withServer({ aggregate: (Xs: unknown[]) => Xs[0] }, async (s) => {
      const r = await s.post("/aggregate", { seldonMessages: [] });
      assertEquals(r.status, 500);
    }),
);

ex(
  P,
  "§7.2",
  'feedback {"request":{"data":{"ndarray":[]}},"reward":1.0} → ndarray []',
  rest(
    { sendFeedback: () => {} },
    "/send-feedback",
    { request: { data: { ndarray: [] } }, reward: 1.0 },
    200,
    { data: { ndarray: [] }, meta: {} },
  ),
);
ex(
  P,
  "§7.2",
  "feedback with no request → tensor shape [0]",
  rest(
    { sendFeedback: () => {} },
    "/send-feedback",
    { reward: 1.0 },
    200,
    { data: { tensor: { shape: [0] } }, meta: {} },
  ),
);

ex(
  P,
  "§7.3",
  "route 1: ndarray and tensor requests",
  () =>
    withServer({ route: () => 1 }, async (s) => {
      let r = await s.post("/route", { data: { ndarray: [[5]] } });
      assertEquals(r.json, { data: { names: ["t:0"], ndarray: [[1]] }, meta: {} });
      r = await s.post("/route", { data: { tensor: { shape: [1], values: [5] } } });
      assertEquals(r.json, {
        data: { names: ["t:0"], tensor: { shape: [1, 1], values: [1] } },
        meta: {},
      });
    }),
);
ex(
  P,
  "§7.3",
  "negative route passed through",
  rest(
    { route: () => -1 },
    "/route",
    { data: { ndarray: [[5]] } },
    200,
    { data: { names: ["t:0"], ndarray: [[-1]] }, meta: {} },
  ),
);

// §8 examples. Those of ndarray, mixed strings, tensor with puid, tftensor, customData, meta
// merging, route, aggregate and send-feedback are tested in tests/protocol/examples_test.ts.
ex(
  P,
  "§8",
  "§8 strData",
  rest(identity, "/predict", { strData: "the quick fox" }, 200, {
    strData: "the quick fox",
    meta: {},
  }),
);
ex(
  P,
  "§8",
  "§8 strData in, numbers out",
  rest(
    { predict: () => [[0.1, 0.9]] },
    "/predict",
    { strData: "classify me" },
    200,
    { data: { names: ["t:0", "t:1"], tensor: { shape: [1, 2], values: [0.1, 0.9] } }, meta: {} },
  ),
);
ex(
  P,
  "§8",
  "§8 binData",
  rest(identity, "/predict", { binData: "AAEC" }, 200, {
    binData: "AAEC",
    meta: {},
  }),
);
ex(
  P,
  "§8",
  "§8 jsonData",
  rest(
    identity,
    "/predict",
    { jsonData: { text: "hola", lang: ["es"] } },
    200,
    { jsonData: { text: "hola", lang: ["es"] }, meta: {} },
  ),
);
ex(
  P,
  "§8",
  "§8 errors: [1, 2] body",
  rest(
    identity,
    "/predict",
    [1, 2],
    400,
    err("Invalid request data type: [1, 2]"),
  ),
);
ex(P, "§8", "§8 errors: hello text/plain", () =>
  withServer(identity, async (s) => {
    const r = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    assertEquals([r.status, r.json], [400, err("Can't find JSON in data")]);
  }));
ex(P, "§8", "§8 errors: predict returning 7", () =>
  withServer({ predict: () => 7 }, async (s) => {
    const r = await s.get("/predict", { data: { ndarray: [1] } });
    assertEquals([r.status, r.json], [
      400,
      err("Unknown data type returned as payload (must be list or np array):7"),
    ]);
  }));

// ---- extra examples
ex(
  P,
  "§4.7",
  "raw result meta.metrics removed when INCLUDE_METRICS_IN_CLIENT_RESPONSE=false; method tag added otherwise",
  async () => {
    const raw = {
      predictRaw: () => ({
        meta: { metrics: [{ type: "GAUGE", key: "g", value: 1, tags: { a: "b" } }] },
        strData: "x",
      }),
    };
    await withServer(raw, async (s) => {
      const r = await s.post("/predict", { data: {} });
      assertEquals(r.json, { meta: {}, strData: "x" });
    }, { INCLUDE_METRICS_IN_CLIENT_RESPONSE: "false" });
    await withServer(raw, async (s) => {
      const r = await s.post("/predict", { data: {} });
      assertEquals(r.json, {
        meta: {
          metrics: [{ type: "GAUGE", key: "g", value: 1, tags: { a: "b", method: "predict" } }],
        },
        strData: "x",
      });
    });
  },
);

ex(
  P,
  "§5",
  "passthrough multipart w/o raw hook → normal JSON path",
  () =>
    withServer(identity, async (s) => {
      const fd = new FormData();
      fd.append("data", '{"ndarray":[[1,2]]}');
      const r = await s.fetch("/predict", { method: "POST", body: fd });
      assertEquals([r.status, r.json], [200, {
        data: { names: ["t:0", "t:1"], ndarray: [[1, 2]] },
        meta: {},
      }]);
    }, { PAYLOAD_PASSTHROUGH: "true" }),
);

ex(
  P,
  "§5",
  "passthrough raw hook object → JSON with status.code",
  rest(
    { predictRaw: () => ({ status: { code: 418 }, x: 1 }) },
    "/predict",
    "whatever",
    418,
    { status: { code: 418 }, x: 1 },
    { PAYLOAD_PASSTHROUGH: "t" },
  ),
);

ex(
  P,
  "§1.3",
  "Generic/Route and Router/Route identical; all services registered",
  () =>
    withServer(
      { route: () => 3, predict: (X: unknown) => X, transformInput: (X: unknown) => X },
      async (s) => {
        const port = s.running.grpc!.port;
        const a = await grpcCall("Generic", port, "Route", { data: { ndarray: [[1]] } });
        const b = await grpcCall("Router", port, "Route", { data: { ndarray: [[1]] } });
        assertEquals(a, b);
        assertEquals(a.data.ndarray, [[3]]);
        const c = await grpcCall("Seldon", port, "Predict", { data: { ndarray: [[1]] } });
        assertEquals(c.data.ndarray, [[1]]);
        const d = await grpcCall("Transformer", port, "TransformInput", { strData: "q" });
        assertEquals(d.strData, "q");
      },
    ),
);

ex(P, "§7.2", "gRPC feedback default → ndarray [] / puid", () =>
  withServer({}, async (s) => {
    const r = await grpcCall("Model", s.running.grpc!.port, "SendFeedback", {
      request: { meta: { puid: "f" }, data: { ndarray: [[1]] } },
      reward: 1,
    });
    assertEquals(r, { meta: { puid: "f" }, data: { ndarray: [] } });
  }));

ex(
  P,
  "§4.1",
  "route returning true → SHOULD be rejected (protocol.md) [server.md §3.2 says accept]",
  rest(
    { route: () => true },
    "/route",
    { data: { ndarray: [3] } },
    400,
    err("Routing response must be int but got True"),
  ),
);
