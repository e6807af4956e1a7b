/**
 * Conformance: the [metrics] lines of upstream test_runtime_metrics_tags.py (tests-catalog.md)
 * — a high-level hook returning `SeldonResponse(data, {tags, metrics})`: runtime tags merged
 * over `tags()`, runtime metrics recorded next to `metrics()` (REST and gRPC), the
 * `INCLUDE_METRICS_IN_CLIENT_RESPONSE` switch and the Prometheus text on the metrics port.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { SeldonResponse } from "../../mod.ts";
import type { Metric } from "../../mod.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { tagsKey } from "../../src/metrics/store.ts";
import {
  assertFeedbackReward,
  assertMetricsInMeta,
  assertScrapeAround,
  findSeries,
  forEachVariant,
  includeEnv,
  verifyUserMetrics,
  workerSeries,
} from "../_helpers/metrics.ts";

// ---------------------------------------------------------------------------------------------
// Test user class (catalog "Test user class"). Every call returns fresh metric/tag objects.

const EXPECTED_TAGS = { static: "tag", runtime: "tag", shared: "right one" };

function wrap(data: unknown): SeldonResponse {
  const metrics: Metric[] = [{ type: "GAUGE", key: "runtime_gauge", value: 42 }];
  return new SeldonResponse(data, { tags: { runtime: "tag", shared: "right one" }, metrics });
}

class UserObject {
  predict(X: unknown) {
    return wrap(X);
  }
  aggregate(Xs: unknown[]) {
    return wrap(Xs[0]);
  }
  transformInput(X: unknown) {
    return wrap(X);
  }
  transformOutput(X: unknown) {
    return wrap(X);
  }
  route() {
    return wrap(22);
  }
  sendFeedback(X: unknown) {
    return wrap(X);
  }
  metrics(): Metric[] {
    return [
      { type: "COUNTER", key: "mycounter", value: 1 },
      { type: "GAUGE", key: "mygauge", value: 100 },
      { type: "TIMER", key: "mytimer", value: 20.2 },
      { type: "GAUGE", key: "customtag", value: 200, tags: { mytag: "mytagvalue" } },
    ];
  }
  tags() {
    return { static: "tag", shared: "not right one" };
  }
}

// ---------------------------------------------------------------------------------------------
// VERIFY_RT(n, method).

/** VERIFY_RT(n, method) of the catalog. */
function verifyRt(s: TestServer, n: number, method: string): void {
  const series = workerSeries(s);
  const runtime = findSeries(series, "GAUGE", "runtime_gauge", { method });
  assertEquals(runtime.value, 42, `runtime_gauge{method=${method}}`);
  verifyUserMetrics(series, n, method);
  // The store's tags key: keys sorted, `key-value` pairs joined by `_`.
  const custom = findSeries(series, "GAUGE", "customtag", { mytag: "mytagvalue", method });
  assertEquals(tagsKey(custom.tags), `method-${method}_mytag-mytagvalue`);
  assertEquals(tagsKey({ mytag: "mytagvalue", method }), `method-${method}_mytag-mytagvalue`);
}

// ---------------------------------------------------------------------------------------------
// REST

const REST_DOC = { data: { names: ["input"], ndarray: ["data"] } };

async function restTwice(
  name: string,
  path: string,
  doc: unknown,
  method: string,
  expectedNdarray: unknown,
  t: Deno.TestContext,
): Promise<void> {
  await forEachVariant(t, name, [UserObject], (cls, include) =>
    withServer(new cls(), async (s) => {
      for (const n of [1, 2]) {
        const r = await s.get(path, doc);
        assertEquals(r.status, 200, r.text);
        assertEquals(r.json.data.ndarray, expectedNdarray, `${path} #${n}: data.ndarray`);
        assertEquals(r.json.meta.tags, EXPECTED_TAGS, `${path} #${n}: meta.tags`);
        assertMetricsInMeta(r.json, include, `${path} #${n}`);
        verifyRt(s, n, method);
      }
    }, includeEnv(include)));
}

Deno.test("test_seldon_runtime_data_predict", (t) =>
  restTwice("test_seldon_runtime_data_predict", "/predict", REST_DOC, "predict", ["data"], t));

Deno.test("test_seldon_runtime_data_send_feedback", async (t) => {
  await forEachVariant(
    t,
    "test_seldon_runtime_data_send_feedback",
    [UserObject],
    (cls, include) =>
      withServer(new cls(), async (s) => {
        for (const [n, expectedReward] of [[1, 42], [2, 84]]) {
          const r = await s.get("/send-feedback", { reward: 42 });
          assertEquals(r.status, 200, r.text);
          assertEquals(r.json?.meta?.tags, EXPECTED_TAGS, `send-feedback #${n}: meta.tags`);
          verifyRt(s, n, "feedback");
          assertFeedbackReward(s, expectedReward);
        }
      }, includeEnv(include)),
  );
});

Deno.test("test_seldon_runtime_data_aggregate", (t) =>
  restTwice(
    "test_seldon_runtime_data_aggregate",
    "/aggregate",
    { seldonMessages: [REST_DOC] },
    "aggregate",
    ["data"],
    t,
  ));

Deno.test("test_seldon_runtime_data_transform_input", (t) =>
  restTwice(
    "test_seldon_runtime_data_transform_input",
    "/transform-input",
    REST_DOC,
    "inputtransform",
    ["data"],
    t,
  ));

Deno.test("test_seldon_runtime_data_transform_output", (t) =>
  restTwice(
    "test_seldon_runtime_data_transform_output",
    "/transform-output",
    REST_DOC,
    "outputtransform",
    ["data"],
    t,
  ));

Deno.test("test_seldon_runtime_data_route", (t) =>
  restTwice("test_seldon_runtime_data_route", "/route", REST_DOC, "router", [[22]], t));

// ---------------------------------------------------------------------------------------------
// gRPC

const TENSOR_REQ = { data: { tensor: { shape: [2, 1], values: [1, 2] } } };
const TWO_TENSORS = {
  seldonMessages: [
    { data: { tensor: { shape: [2, 1], values: [1, 2] } } },
    { data: { tensor: { shape: [2, 1], values: [3, 4] } } },
  ],
};
const TENSOR_DATA = { names: ["t:0"], tensor: { shape: [2, 1], values: [1, 2] } };
const ROUTE_DATA = { names: ["t:0"], tensor: { shape: [1, 1], values: [22] } };

async function grpcTwice(
  name: string,
  service: string,
  rpc: string,
  request: unknown,
  method: string,
  expectedData: unknown,
  t: Deno.TestContext,
): Promise<void> {
  await forEachVariant(t, name, [UserObject], (cls, include) =>
    withServer(new cls(), async (s) => {
      for (const n of [1, 2]) {
        const res = await grpcCall(service, s.running.grpc!.port, rpc, request);
        const what = `${service}/${rpc} #${n}`;
        assertEquals(res.data, expectedData, `${what}: data`);
        assertEquals(res.meta?.tags, EXPECTED_TAGS, `${what}: meta.tags`);
        assertMetricsInMeta(res, include, what);
        verifyRt(s, n, method);
      }
    }, includeEnv(include)));
}

Deno.test("test_proto_seldon_runtime_data_predict", (t) =>
  grpcTwice(
    "test_proto_seldon_runtime_data_predict",
    "Model",
    "Predict",
    TENSOR_REQ,
    "predict",
    TENSOR_DATA,
    t,
  ));

Deno.test("test_proto_seldon_runtime_data_aggregate", (t) =>
  grpcTwice(
    "test_proto_seldon_runtime_data_aggregate",
    "Combiner",
    "Aggregate",
    TWO_TENSORS,
    "aggregate",
    TENSOR_DATA,
    t,
  ));

Deno.test("test_proto_seldon_runtime_data_transform_input", (t) =>
  grpcTwice(
    "test_proto_seldon_runtime_data_transform_input",
    "Transformer",
    "TransformInput",
    TENSOR_REQ,
    "inputtransform",
    TENSOR_DATA,
    t,
  ));

Deno.test("test_proto_seldon_runtime_data_transform_output", (t) =>
  grpcTwice(
    "test_proto_seldon_runtime_data_transform_output",
    "OutputTransformer",
    "TransformOutput",
    TENSOR_REQ,
    "outputtransform",
    TENSOR_DATA,
    t,
  ));

Deno.test("test_proto_seldon_runtime_data_route", (t) =>
  grpcTwice(
    "test_proto_seldon_runtime_data_route",
    "Router",
    "Route",
    TENSOR_REQ,
    "router",
    ROUTE_DATA,
    t,
  ));

// ---------------------------------------------------------------------------------------------
// Metrics endpoint

Deno.test("test_seldon_metrics_endpoint", (t) =>
  forEachVariant(
    t,
    "test_seldon_metrics_endpoint",
    [UserObject],
    (cls, include) =>
      withServer(new cls(), (s) =>
        assertScrapeAround(s, async () => {
          const r = await s.get("/predict", REST_DOC);
          assertEquals(r.status, 200, r.text);
          assertEquals(r.json.data.ndarray, ["data"]);
          assertEquals(r.json.meta.tags, EXPECTED_TAGS);
          assertMetricsInMeta(r.json, include, "/predict");
        }), includeEnv(include)),
  ));

Deno.test("test_proto_seldon_metrics_endpoint", (t) =>
  forEachVariant(
    t,
    "test_proto_seldon_metrics_endpoint",
    [UserObject],
    (cls, include) =>
      withServer(new cls(), (s) =>
        assertScrapeAround(s, async () => {
          const res = await grpcCall("Model", s.running.grpc!.port, "Predict", TENSOR_REQ);
          assertEquals(res.data, TENSOR_DATA);
          assertEquals(res.meta?.tags, EXPECTED_TAGS);
          assertMetricsInMeta(res, include, "Model/Predict");
        }), includeEnv(include)),
  ));
