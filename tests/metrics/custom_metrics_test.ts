/**
 * Conformance: the [metrics] lines of upstream test_metrics.py (tests-catalog.md) — custom
 * metrics recorded in this worker's store by high-level and raw hooks (REST and gRPC), the
 * `INCLUDE_METRICS_IN_CLIENT_RESPONSE` switch, the feedback reward counter and the Prometheus
 * text served on the metrics port; and how a raw hook's metrics are recorded from a gRPC answer.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { SeldonComponent } from "../../mod.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { grpcCall, loaderClient, loaderUnary } from "../_helpers/grpc.ts";
import { checkExposition, scrape } from "../_helpers/prometheus.ts";
import type { Series } from "../../src/metrics/store.ts";

// ---------------------------------------------------------------------------------------------
// Test user classes (catalog "Test user classes"). Every call returns fresh metric objects.

/** SIX: the six metrics every test class reports. */
function six(): Record<string, unknown>[] {
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

/** REST only: raw hooks returning a JSON message whose meta.metrics are SIX. */
class UserObjectLowLevel {
  #answer() {
    return { meta: { metrics: six() }, data: { names: ["input"], data: ["output"] } };
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
    return { meta: { metrics: six() }, data: { names: ["input"], data: [22] } };
  }
}

/** gRPC only: raw hooks returning a proto3-JSON SeldonMessage whose meta.metrics are SIX. */
class UserObjectLowLevelGrpc {
  #answer() {
    return { meta: { metrics: six() }, data: { tensor: { shape: [2, 1], values: [9, 9] } } };
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
    return { meta: { metrics: six() }, data: { tensor: { shape: [1, 1], values: [22] } } };
  }
}

type ComponentClass = new () => SeldonComponent;
const REST_CLASSES: readonly ComponentClass[] = [UserObject, UserObjectLowLevel];
const GRPC_CLASSES: readonly ComponentClass[] = [UserObject, UserObjectLowLevelGrpc];
const INCLUDE = [true, false] as const;

function includeEnv(include: boolean): Record<string, string> {
  return { INCLUDE_METRICS_IN_CLIENT_RESPONSE: include ? "true" : "false" };
}

// ---------------------------------------------------------------------------------------------
// The store of the current worker and VERIFY(n, method).

/** Index of the TIMER bin holding 0.0202 s: [0.019018554321561593, 0.02347185009632733). */
const BIN_0_0202 = 15;

function workerSeries(s: TestServer): Series[] {
  const store = s.running.collector.store(String(Deno.pid));
  assert(store, "no metrics store for this worker");
  return store.series();
}

function findSeries(
  series: Series[],
  type: string,
  key: string,
  tags: Record<string, string>,
): Series {
  const found = series.filter((x) =>
    x.type === type && x.key === key && Object.keys(x.tags).length === Object.keys(tags).length &&
    Object.entries(tags).every(([k, v]) => x.tags[k] === v)
  );
  assertEquals(
    found.length,
    1,
    `expected one series ${type} ${key} ${JSON.stringify(tags)}; store: ${
      JSON.stringify(series.map((x) => [x.type, x.key, x.tags]))
    }`,
  );
  return found[0];
}

function assertClose(actual: number, expected: number, what: string, rel = 1e-6): void {
  assert(
    Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: ${actual} is not close to ${expected}`,
  );
}

/** VERIFY(n, method) of the catalog. */
function verify(s: TestServer, n: number, method: string): void {
  const series = workerSeries(s);
  const gauge = findSeries(series, "GAUGE", "mygauge", { method });
  assertEquals(gauge.value, 100, `mygauge{method=${method}}`);
  const custom = findSeries(series, "GAUGE", "customtag", { mytag: "mytagvalue", method });
  assertEquals(custom.value, 200, `customtag{method=${method}}`);
  assertEquals({ ...custom.tags }, { mytag: "mytagvalue", method });
  const counter = findSeries(series, "COUNTER", "mycounter", { method });
  assertEquals(counter.value, n, `mycounter{method=${method}} after ${n} request(s)`);
  const timer = findSeries(series, "TIMER", "mytimer", { method });
  const bins = new Array(51).fill(0);
  bins[BIN_0_0202] = n;
  assertEquals(timer.bins, bins, `mytimer{method=${method}} histogram after ${n} request(s)`);
  assertClose(timer.value, n * 0.0202, `mytimer{method=${method}} sum`);
  const d1 = findSeries(series, "GAUGE", "distincttag", { mytag: "mytagvalue-1", method });
  const d2 = findSeries(series, "GAUGE", "distincttag", { mytag: "mytagvalue-2", method });
  assert(d1 !== d2, "distincttag series must be separate");
  assertEquals(d1.value, 200);
  assertEquals(d2.value, 200);
}

function assertMetricsInMeta(body: any, include: boolean, what: string): void {
  assert(body?.meta !== undefined && body.meta !== null, `${what}: response has no meta`);
  assertEquals("metrics" in body.meta, include, `${what}: "metrics" in meta`);
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
  for (const cls of REST_CLASSES) {
    for (const include of INCLUDE) {
      await t.step(
        `${name} (${cls.name}, INCLUDE=${include})`,
        () =>
          withServer(new cls(), async (s) => {
            for (const n of [1, 2]) {
              const r = await s.get(path, doc);
              assertEquals(r.status, 200, r.text);
              assertMetricsInMeta(r.json, include, `${path} #${n}`);
              verify(s, n, method);
            }
          }, includeEnv(include)),
      );
    }
  }
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
            const reward = findSeries(
              workerSeries(s),
              "COUNTER",
              "seldon_api_model_feedback_reward",
              { method: "feedback" },
            );
            assertEquals({ value: reward.value, tags: { ...reward.tags } }, {
              value: expected,
              tags: { method: "feedback" },
            });
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
  for (const cls of GRPC_CLASSES) {
    for (const include of INCLUDE) {
      await t.step(
        `${name} (${cls.name}, INCLUDE=${include})`,
        () =>
          withServer(new cls(), async (s) => {
            for (const n of [1, 2]) {
              const res = await grpcCall(service, s.running.grpc!.port, rpc, request);
              assertMetricsInMeta(res, include, `${service}/${rpc} #${n}`);
              verify(s, n, method);
            }
          }, includeEnv(include)),
      );
    }
  }
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

Deno.test("test_seldon_metrics_endpoint", async (t) => {
  for (const cls of REST_CLASSES) {
    for (const include of INCLUDE) {
      await t.step(
        `test_seldon_metrics_endpoint (${cls.name}, INCLUDE=${include})`,
        () =>
          withServer(new cls(), async (s) => {
            const before = await scrape(s);
            assertEquals(before.status, 200);
            assertEquals(before.text, "");
            const r = await s.get("/predict", REST_DOC);
            assertEquals(r.status, 200, r.text);
            assertMetricsInMeta(r.json, include, "/predict");
            const after = await scrape(s);
            assertEquals(after.status, 200);
            checkExposition(after.text);
          }, includeEnv(include)),
      );
    }
  }
});

Deno.test("test_proto_seldon_metrics_endpoint", async (t) => {
  for (const cls of GRPC_CLASSES) {
    for (const include of INCLUDE) {
      await t.step(
        `test_proto_seldon_metrics_endpoint (${cls.name}, INCLUDE=${include})`,
        () =>
          withServer(new cls(), async (s) => {
            const before = await scrape(s);
            assertEquals(before.status, 200);
            assertEquals(before.text, "");
            const res = await grpcCall("Model", s.running.grpc!.port, "Predict", TENSOR_REQ);
            assertMetricsInMeta(res, include, "Model/Predict");
            const after = await scrape(s);
            assertEquals(after.status, 200);
            checkExposition(after.text);
          }, includeEnv(include)),
      );
    }
  }
});

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
