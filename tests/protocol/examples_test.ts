/**
 * The worked examples of protocol.md §4, §6.7 and §8, end to end over REST (and gRPC where the
 * spec gives one), compared as parsed JSON.
 */
import type { Metric } from "../../mod.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";

const identity = { predict: (X: unknown) => X };

const CASES: [string, unknown, unknown][] = [
  [
    "ndarray",
    { data: { names: ["petal", "sepal"], ndarray: [[0.5, 3], [1, 2]] } },
    { data: { names: ["t:0", "t:1"], ndarray: [[0.5, 3.0], [1.0, 2.0]] }, meta: {} },
  ],
  [
    "ndarray with mixed strings",
    { data: { ndarray: [["red", 4]] } },
    { data: { names: ["t:0", "t:1"], ndarray: [["red", "4"]] }, meta: {} },
  ],
  [
    "object leaves are kept as is",
    { data: { ndarray: [[2, "b", false, null]] } },
    { data: { names: ["t:0", "t:1", "t:2", "t:3"], ndarray: [[2, "b", false, null]] }, meta: {} },
  ],
  [
    "tensor with puid",
    { meta: { puid: "req-7" }, data: { tensor: { shape: [2, 3], values: [4, 5, 6, 7, 8, 9] } } },
    {
      data: { names: ["t:0", "t:1", "t:2"], tensor: { shape: [2, 3], values: [4, 5, 6, 7, 8, 9] } },
      meta: { puid: "req-7" },
    },
  ],
  [
    "tftensor",
    {
      data: {
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: "1" }, { size: "2" }] },
          doubleVal: [1.5, 2],
        },
      },
    },
    {
      data: {
        names: ["t:0", "t:1"],
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: "1" }, { size: "2" }] },
          tensorContent: "AAAAAAAA+D8AAAAAAAAAQA==",
        },
      },
      meta: {},
    },
  ],
  ["strData", { strData: "the quick fox" }, { strData: "the quick fox", meta: {} }],
  ["binData", { binData: "AAEC" }, { binData: "AAEC", meta: {} }],
  ["jsonData", { jsonData: { text: "hola", lang: ["es"] } }, {
    jsonData: { text: "hola", lang: ["es"] },
    meta: {},
  }],
  ["jsonData list of numbers → tensor", { jsonData: [1, 2] }, {
    data: { names: [], tensor: { shape: [2], values: [1, 2] } },
    meta: {},
  }],
  ["jsonData mixed list → ndarray unchanged", { jsonData: ["x", 4, 0.5] }, {
    data: { names: [], ndarray: ["x", 4, 0.5] },
    meta: {},
  }],
  ["jsonData string → strData", { jsonData: "hi" }, { strData: "hi", meta: {} }],
  ["scalar ndarray is 0-d", { data: { ndarray: 5 } }, {
    data: { names: [], ndarray: 5 },
    meta: {},
  }],
  ["string scalar ndarray", { data: { ndarray: "abc" } }, {
    data: { names: [], ndarray: "abc" },
    meta: {},
  }],
  ["0-d tensor", { data: { tensor: { shape: [], values: [7] } } }, {
    data: { names: [], tensor: { shape: [], values: [7] } },
    meta: {},
  }],
  [
    "empty tensor keeps its shape and names",
    { data: { tensor: { shape: [0, 3], values: [] } } },
    { data: { names: ["t:0", "t:1", "t:2"], tensor: { shape: [0, 3], values: [] } }, meta: {} },
  ],
  [
    "ragged list is a 1-D object array",
    { data: { ndarray: [[1, 2], [3]] } },
    { data: { names: [], ndarray: [[1, 2], [3]] }, meta: {} },
  ],
  ["data without a sub-kind", { data: { names: ["a"] } }, {
    data: { names: [], ndarray: [] },
    meta: {},
  }],
  ["unknown top-level keys are ignored", { data: { ndarray: [1] }, foo: 1 }, {
    data: { names: [], ndarray: [1] },
    meta: {},
  }],
];

for (const [name, request, expected] of CASES) {
  Deno.test(`protocol example: ${name}`, () =>
    withServer(identity, async (s) => {
      const r = await s.post("/predict", request);
      assertEquals(r.status, 200, r.text);
      assertEquals(r.json, expected);
    }));
}

Deno.test("protocol example: meta merging", () =>
  withServer({
    predict: (X: unknown) => X,
    tags: () => ({ model: "v3" }),
    metrics: () => [{ type: "COUNTER", key: "calls", value: 1 }],
  }, async (s) => {
    const r = await s.post("/predict", {
      meta: { puid: "p-1", tags: { src: "web" }, requestPath: { pre: "acme/pre:1" } },
      data: { ndarray: [3] },
    });
    assertEquals(r.json, {
      data: { names: [], ndarray: [3] },
      meta: {
        puid: "p-1",
        tags: { src: "web", model: "v3" },
        metrics: [{ type: "COUNTER", key: "calls", value: 1 }],
        requestPath: { clf: "acme/clf:0.3", pre: "acme/pre:1" },
      },
    });
  }, { PREDICTIVE_UNIT_ID: "clf", PREDICTIVE_UNIT_IMAGE: "acme/clf:0.3" }));

Deno.test("protocol example: metrics with tags gain the method tag; INCLUDE switch off strips them", async () => {
  const model = {
    transformInput: (X: unknown) => X,
    metrics: (): Metric[] => [
      { type: "GAUGE", key: "temp", value: 3.5, tags: { room: "a" } },
      { type: "COUNTER", key: "n", value: 1 },
    ],
  };
  await withServer(model, async (s) => {
    const r = await s.post("/transform-input", { data: { ndarray: [1] } });
    assertEquals(r.json.meta.metrics, [
      { type: "GAUGE", key: "temp", value: 3.5, tags: { room: "a", method: "inputtransform" } },
      { type: "COUNTER", key: "n", value: 1 },
    ]);
  });
  await withServer(model, async (s) => {
    const r = await s.post("/transform-input", { data: { ndarray: [1] } });
    assertEquals(r.json.meta, {});
  }, { INCLUDE_METRICS_IN_CLIENT_RESPONSE: "1" });
});

Deno.test("protocol example: route drops request meta but keeps puid; aggregate merges", () =>
  withServer({
    route: () => 2,
    aggregate: (Xs: unknown[]) => Xs[0],
  }, async (s) => {
    const r = await s.post("/route", {
      meta: { puid: "p1", tags: { a: "b" } },
      data: { ndarray: [[1, 2]] },
    });
    assertEquals(r.json, { data: { names: ["t:0"], ndarray: [[2]] }, meta: { puid: "p1" } });
    const t = await s.post("/route", { data: { tensor: { shape: [1, 2], values: [1, 2] } } });
    assertEquals(t.json.data, { names: ["t:0"], tensor: { shape: [1, 1], values: [2] } });
    const a = await s.post("/aggregate", {
      seldonMessages: [
        {
          meta: { puid: "a1", tags: { m: 1 } },
          data: { tensor: { shape: [1, 2], values: [1, 2] } },
        },
        { meta: { tags: { m: 2, n: 3 } }, data: { ndarray: [[3, 4]] } },
      ],
    });
    assertEquals(a.json, {
      data: { names: ["t:0", "t:1"], tensor: { shape: [1, 2], values: [1, 2] } },
      meta: { puid: "a1", tags: { m: 2, n: 3 } },
    });
    const empty = await s.post("/aggregate", { seldonMessages: [] });
    assertEquals(empty.status, 500);
  }));

Deno.test("protocol example: send-feedback bodies and hook arguments", async () => {
  const seen: unknown[][] = [];
  await withServer({
    sendFeedback: (X: any, names: unknown, reward: number, truth: any, routing: unknown) => {
      seen.push([X.tolist(), names, reward, truth.shape, routing]);
    },
  }, async (s) => {
    const r = await s.post("/api/v1.0/feedback", {
      request: { meta: { puid: "f9" }, data: { ndarray: [[1, 2]] } },
      response: { meta: { routing: { "0": 1 } } },
      reward: 0.5,
    });
    assertEquals(r.json, { meta: { puid: "f9" }, data: { ndarray: [] } });
    assertEquals(seen[0], [[[1, 2]], [], 0.5, [0], 1]);
    const none = await s.post("/api/v1.0/feedback", { reward: 0.1 });
    assertEquals(none.json, { data: { tensor: { shape: [0] } }, meta: {} });
    assertEquals(seen[1][2], Math.fround(0.1));
  });
});

Deno.test("protocol example: predict without a hook answers the empty list in the request's kind", () =>
  withServer({}, async (s) => {
    assertEquals((await s.post("/predict", { data: { ndarray: [[1]] } })).json, {
      data: { names: [], ndarray: [] },
      meta: {},
    });
    assertEquals(
      (await s.post("/predict", { data: { tensor: { shape: [1], values: [1] } } })).json,
      {
        data: { names: [], tensor: { shape: [0], values: [] } },
        meta: {},
      },
    );
    assertEquals((await s.post("/transform-input", { binData: "AAEC" })).json, {
      binData: "AAEC",
      meta: {},
    });
    assertEquals((await s.fetch("/health/status")).json, { meta: {}, strData: "healthy" });
  }));

Deno.test("protocol example: raw hooks get the request exactly as received and answer unchanged", async () => {
  let got: unknown;
  await withServer({
    predictRaw: (msg: unknown) => {
      got = msg;
      return { jsonData: { n: 2 }, strData: "y" };
    },
  }, async (s) => {
    const r = await s.post("/predict", { anything: { k: [3] }, meta: { puid: "q" } });
    assertEquals(got, { anything: { k: [3] }, meta: { puid: "q" } });
    assertEquals(r.json, { jsonData: { n: 2 }, strData: "y" });
    const arr = await s.post("/predict", [1, 2]);
    assertEquals(got, [1, 2]);
    assertEquals(arr.status, 200);
  });
});

Deno.test("protocol example: a status.code in a predict result sets the HTTP status", () =>
  withServer({
    predictRaw: () => ({
      data: { ndarray: ["bad input"] },
      status: { code: 422, info: "value out of range", status: "FAILURE" },
    }),
    transformInputRaw: () => ({ status: { code: 422 } }),
  }, async (s) => {
    const r = await s.post("/api/v1.0/predictions", { data: { ndarray: [[5]] } });
    assertEquals(r.status, 422);
    assertEquals(r.json.status.info, "value out of range");
    assertEquals((await s.post("/transform-input", { data: { ndarray: [[5]] } })).status, 200);
  }));

Deno.test("protocol example: gRPC customData echo and REST 400 for it", () =>
  withServer(identity, async (s) => {
    const any = { "@type": "type.googleapis.com/acme.Blob", value: "AQID" };
    assertEquals(
      (await grpcCall("Model", s.running.grpc!.port, "Predict", { customData: any })).customData,
      any,
    );
    const r = await s.post("/predict", { customData: any });
    assertEquals(r.status, 400);
  }));
