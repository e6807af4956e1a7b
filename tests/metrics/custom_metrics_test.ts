/**
 * Conformance: the [metrics] lines of upstream test_metrics.py (tests-catalog.md) — custom
 * metrics recorded in this worker's store by high-level and raw hooks (REST and gRPC), the
 * `INCLUDE_METRICS_IN_CLIENT_RESPONSE` switch, the feedback reward counter and the Prometheus
 * text served on the metrics port; and how a raw hook's metrics are recorded from a gRPC answer.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { Metric, SeldonComponent } from "../../mod.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { grpcCall, loaderClient, loaderUnary } from "../_helpers/grpc.ts";
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
// Test user classes (catalog "Test user classes"). Every call returns fresh metric objects.

/** SIX: the six metrics every test class reports. */
function six(): Metric[] {
  return [
    { type: "COUNTER", key: "mycounter", value: 1 },
    { type: "GAUGE", key: "mygauge", value: 100 },
    { type: "TIMER", key: "mytimer", value: 20.2 },
    { type: "GAUGE", key: "customtag", value: 200, tags: { mytag: "mytagvalue" } },
    { type: "GAUGE", key: "distincttag", value: 200, tags: { mytag: "mytagvalue-1" } },
    { type: "GAUGE", key: "distincttag", value: 200, tags: { mytag: "mytagvalue-2" } },
  ];
}

class UserObject {
  predict(X: unknown) {
    return X;
  }
  aggregate(Xs: unknown[]) {
    return Xs[0];
  }
  transformInput(X: unknown) {
    return X;
  }
  transformOutput(X: unknown) {
    return X;
  }
  route() {
    return 22;
  }
  metrics() {
    return six();
  }
}

/** Raw hooks answering a message whose meta.metrics are SIX and whose data is `data(route)`. */
abstract class RawHooks {
  abstract data(route: boolean): unknown;
  #answer(route = false) {
    return { meta: { metrics: six() }, data: this.data(route) };
  }
  predictRaw() {
    return this.#answer();
  }
  aggregateRaw() {
    return this.#answer();
  }
  transformInputRaw() {
    return this.#answer();
  }
  transformOutputRaw() {
    return this.#answer();
  }
  routeRaw() {
    return this.#answer(true);
  }
}

/** REST only: raw hooks returning a JSON message. */
class UserObjectLowLevel extends RawHooks {
  data(route: boolean) {
    return { names: ["input"], data: [route ? 22 : "output"] };
  }
}

/** gRPC only: raw hooks returning a proto3-JSON SeldonMessage. */
class UserObjectLowLevelGrpc extends RawHooks {
  data(route: boolean) {
    return route ? { tensor: { shape: [1, 1], values: [22] } } : {
      tensor: { shape: [2, 1], values: [9, 9] },
    };
  }
}

type ComponentClass = new () => SeldonComponent;
const REST_CLASSES: readonly ComponentClass[] = [UserObject, UserObjectLowLevel];
const GRPC_CLASSES: readonly ComponentClass[] = [UserObject, UserObjectLowLevelGrpc];

// ---------------------------------------------------------------------------------------------
// VERIFY(n, method).

/** VERIFY(n, method) of the catalog. */
function verify(s: TestServer, n: number, method: string): void {
  const series = workerSeries(s);
  verifyUserMetrics(series, n, method);
  const d1 = findSeries(series, "GAUGE", "distincttag", { mytag: "mytagvalue-1", method });
  const d2 = findSeries(series, "GAUGE", "distincttag", { mytag: "mytagvalue-2", method });
  assert(d1 !== d2, "distincttag series must be separate");
  assertEquals(d1.value, 200);
  assertEquals(d2.value, 200);
}

// ---------------------------------------------------------------------------------------------
// REST

const REST_DOC = { data: { names: ["input"], ndarray: ["data"] } };

async function restTwice(
  name: string,
  path: string,
  doc: unknown,
  method: string,
  t: Deno.TestContext,
): Promise<void> {
  await forEachVariant(t, name, REST_CLASSES, (cls, include) =>
    withServer(new cls(), async (s) => {
      for (const n of [1, 2]) {
        const r = await s.get(path, doc);
        assertEquals(r.status, 200, r.text);
        assertMetricsInMeta(r.json, include, `${path} #${n}`);
        verify(s, n, method);
      }
    }, includeEnv(include)));
}

Deno.test("test_seldon_metrics_predict", (t) =>
  restTwice("test_seldon_metrics_predict", "/predict", REST_DOC, "predict", t));

Deno.test("test_seldon_metrics_send_feedback", async (t) => {
  for (const cls of REST_CLASSES) {
    await t.step(
      `test_seldon_metrics_send_feedback (${cls.name})`,
      () =>
        withServer(new cls(), async (s) => {
          for (const expected of [42, 84]) {
            const r = await s.get("/send-feedback", { reward: 42 });
            assertEquals(r.status, 200, r.text);
            assertFeedbackReward(s, expected);
          }
        }),
    );
  }
});

Deno.test("test_seldon_metrics_aggregate", (t) =>
  restTwice(
    "test_seldon_metrics_aggregate",
    "/aggregate",
    { seldonMessages: [REST_DOC] },
    "aggregate",
    t,
  ));

Deno.test("test_seldon_metrics_transform_input", (t) =>
  restTwice(
    "test_seldon_metrics_transform_input",
    "/transform-input",
    REST_DOC,
    "inputtransform",
    t,
  ));

Deno.test("test_seldon_metrics_transform_output", (t) =>
  restTwice(
    "test_seldon_metrics_transform_output",
    "/transform-output",
    REST_DOC,
    "outputtransform",
    t,
  ));

Deno.test("test_seldon_metrics_route", (t) =>
  restTwice("test_seldon_metrics_route", "/route", REST_DOC, "router", t));

// ---------------------------------------------------------------------------------------------
// gRPC

const TENSOR_REQ = { data: { tensor: { shape: [2, 1], values: [1, 2] } } };
const TWO_TENSORS = {
  seldonMessages: [
    { data: { tensor: { shape: [2, 1], values: [1, 2] } } },
    { data: { tensor: { shape: [2, 1], values: [3, 4] } } },
  ],
};

async function grpcTwice(
  name: string,
  service: string,
  rpc: string,
  request: unknown,
  method: string,
  t: Deno.TestContext,
): Promise<void> {
  await forEachVariant(t, name, GRPC_CLASSES, (cls, include) =>
    withServer(new cls(), async (s) => {
      for (const n of [1, 2]) {
        const res = await grpcCall(service, s.running.grpc!.port, rpc, request);
        assertMetricsInMeta(res, include, `${service}/${rpc} #${n}`);
        verify(s, n, method);
      }
    }, includeEnv(include)));
}

Deno.test("test_proto_seldon_metrics_predict", (t) =>
  grpcTwice("test_proto_seldon_metrics_predict", "Model", "Predict", TENSOR_REQ, "predict", t));

Deno.test("test_proto_seldon_metrics_aggregate", (t) =>
  grpcTwice(
    "test_proto_seldon_metrics_aggregate",
    "Combiner",
    "Aggregate",
    TWO_TENSORS,
    "aggregate",
    t,
  ));

Deno.test("test_proto_seldon_metrics_transform_input", (t) =>
  grpcTwice(
    "test_proto_seldon_metrics_transform_input",
    "Transformer",
    "TransformInput",
    TENSOR_REQ,
    "inputtransform",
    t,
  ));

Deno.test("test_proto_seldon_metrics_transform_output", (t) =>
  grpcTwice(
    "test_proto_seldon_metrics_transform_output",
    "OutputTransformer",
    "TransformOutput",
    TENSOR_REQ,
    "outputtransform",
    t,
  ));

Deno.test("test_proto_seldon_metrics_route", (t) =>
  grpcTwice("test_proto_seldon_metrics_route", "Router", "Route", TENSOR_REQ, "router", t));

// ---------------------------------------------------------------------------------------------
// Metrics endpoint

Deno.test("test_seldon_metrics_endpoint", (t) =>
  forEachVariant(
    t,
    "test_seldon_metrics_endpoint",
    REST_CLASSES,
    (cls, include) =>
      withServer(new cls(), (s) =>
        assertScrapeAround(s, async () => {
          const r = await s.get("/predict", REST_DOC);
          assertEquals(r.status, 200, r.text);
          assertMetricsInMeta(r.json, include, "/predict");
        }), includeEnv(include)),
  ));

Deno.test("test_proto_seldon_metrics_endpoint", (t) =>
  forEachVariant(
    t,
    "test_proto_seldon_metrics_endpoint",
    GRPC_CLASSES,
    (cls, include) =>
      withServer(new cls(), (s) =>
        assertScrapeAround(s, async () => {
          const res = await grpcCall("Model", s.running.grpc!.port, "Predict", TENSOR_REQ);
          assertMetricsInMeta(res, include, "Model/Predict");
        }), includeEnv(include)),
  ));

Deno.test("metrics port: HEAD carries GET's Content-Length; preflights follow Flask-CORS", () =>
  withServer(new UserObject(), async (s) => {
    await s.get("/predict", REST_DOC); // something to expose
    const base = `http://127.0.0.1:${s.running.metricsPort}/metrics`;
    const get = await fetch(base);
    const body = await get.text();
    assert(body.length > 0);
    const head = await fetch(base, { method: "HEAD" });
    assertEquals(head.status, 200);
    assertEquals(head.headers.get("content-length"), String(new TextEncoder().encode(body).length));
    assertEquals(await head.text(), "");
    const preflight = await fetch(base, {
      method: "OPTIONS",
      headers: {
        origin: "http://x",
        "access-control-request-method": "POST",
        "access-control-request-headers": "X-B, content-type",
      },
    });
    await preflight.body?.cancel();
    assertEquals(preflight.status, 200);
    assertEquals(preflight.headers.get("allow"), "GET, HEAD, OPTIONS");
    assertEquals(preflight.headers.get("access-control-allow-origin"), "http://x");
    assertEquals(
      preflight.headers.get("access-control-allow-methods"),
      "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
    );
    assertEquals(preflight.headers.get("access-control-allow-headers"), "X-B, content-type");
    // A method Flask-CORS does not allow: a plain OPTIONS answer, no preflight headers.
    const other = await fetch(base, {
      method: "OPTIONS",
      headers: { origin: "http://x", "access-control-request-method": "FOO" },
    });
    await other.body?.cancel();
    assertEquals(other.headers.get("access-control-allow-methods"), null);
  }));

Deno.test("metrics: a raw hook's metrics are recorded as the proto float of the answer", () =>
  // upstream records `seldon_message_to_json(msg.meta)["metrics"]` of the returned message:
  // `Metric.value` is a proto float, printed shortest (metrics-and-processes.md §2.2).
  withServer({
    predictRaw: () => ({
      meta: { metrics: [{ type: "GAUGE", key: "g", value: 0.123456789 }] },
      strData: "x",
    }),
  }, async (s) => {
    const client = loaderClient("Model", s.running.grpc!.port);
    try {
      const res = await loaderUnary(client, "Predict", { strData: "q" });
      assertEquals(res.meta.metrics[0].value, Math.fround(0.123456789));
      const series = s.running.collector.store(String(Deno.pid))!.series();
      assertEquals(series.map((x) => [x.key, x.value]), [["g", 0.12345679]]);
    } finally {
      client.close();
    }
  }));
