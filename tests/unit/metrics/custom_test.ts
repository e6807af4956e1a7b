/**
 * Unit lines of upstream `python/tests/test_metrics.py` and `test_runtime_metrics_tags.py`
 * (tests-catalog.md): the metric helpers (`counter`/`gauge`/`timer`), validation
 * (metrics-and-processes.md §3), collecting a component's metrics, the per-process store
 * (§2.4), the tags key, and custom metrics inside a protobuf `Meta` (protocol.md §2.1).
 * `test_split_image_tag*` live in tests/unit/protocol/metadata_test.ts.
 */
import type { Metric } from "../../../mod.ts";
import { RestCall } from "../../../src/rest/server.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../../_helpers/assert.ts";
import { counter, gauge, timer } from "../../../src/component/api.ts";
import { DataPlane } from "../../../src/dataplane/dataplane.ts";
import { collectMetrics, validateMetrics } from "../../../src/metrics/custom.ts";
import { MetricsStore, tagsKey } from "../../../src/metrics/store.ts";
import { SeldonMicroserviceException } from "../../../src/protocol/errors.ts";
import { decodeMessage, encodeMessage } from "../../../src/protocol/proto/codec.ts";
import { parseProtoJson } from "../../../src/protocol/proto/json.ts";

// ---------------------------------------------------------------------------------------------
// create_counter / create_timer / create_gauge
// ---------------------------------------------------------------------------------------------

const isTypeError = (e: unknown) => e instanceof TypeError;

Deno.test("test_create_counter", () => {
  const v = counter("k", 1);
  assertEquals(v.type, "COUNTER");
  assertEquals(v, { type: "COUNTER", key: "k", value: 1 });
});

Deno.test("test_create_counter_invalid_value", () => {
  assertThrows(() => counter("k", "invalid" as unknown as number), isTypeError);
});

Deno.test("test_create_timer", () => {
  const v = timer("k", 1);
  assertEquals(v.type, "TIMER");
  assertEquals(v, { type: "TIMER", key: "k", value: 1 });
});

Deno.test("test_create_timer_invalid_value", () => {
  assertThrows(() => timer("k", "invalid" as unknown as number), isTypeError);
});

Deno.test("test_create_gauge", () => {
  const v = gauge("k", 1);
  assertEquals(v.type, "GAUGE");
  assertEquals(v, { type: "GAUGE", key: "k", value: 1 });
});

Deno.test("test_create_gauge_invalid_value", () => {
  assertThrows(() => gauge("k", "invalid" as unknown as number), isTypeError);
});

// ---------------------------------------------------------------------------------------------
// validate_metrics
// ---------------------------------------------------------------------------------------------

Deno.test("test_validate_ok", () => {
  assertEquals(validateMetrics([{ type: "COUNTER", key: "a", value: 1 }]), true);
});

Deno.test("test_validate_bad_type", () => {
  assertEquals(validateMetrics([{ type: "ABC", key: "a", value: 1 }]), false);
});

Deno.test("test_validate_no_type", () => {
  assertEquals(validateMetrics([{ key: "a", value: 1 }]), false);
});

Deno.test("test_validate_no_key", () => {
  assertEquals(validateMetrics([{ type: "COUNTER", value: 1 }]), false);
});

Deno.test("test_validate_no_value", () => {
  assertEquals(validateMetrics([{ type: "COUNTER", key: "a" }]), false);
});

Deno.test("test_validate_bad_value", () => {
  assertEquals(validateMetrics([{ type: "COUNTER", key: "a", value: "1" }]), false);
});

Deno.test("test_validate_no_list", () => {
  assertEquals(validateMetrics({ type: "COUNTER", key: "a", value: 1 }), false);
});

// ---------------------------------------------------------------------------------------------
// Collecting a component's metrics
// ---------------------------------------------------------------------------------------------

/** Upstream `Component(ok)`. */
class Component {
  constructor(readonly ok: boolean) {}
  metrics(): Metric[] {
    return this.ok
      ? [{ type: "COUNTER", key: "a", value: 1 }]
      : [{ type: "bad" as never, key: "a", value: 1 }]; // invalid on purpose
  }
}

const isBadMetric = (e: unknown) =>
  SeldonMicroserviceException.isSeldonError(e) && e.statusCode === 500 &&
  e.reason === "MICROSERVICE_BAD_METRIC" &&
  e.message.startsWith("Bad metric created during request: ");

Deno.test("test_component_ok", async () => {
  const c = new Component(true);
  const store = new MetricsStore();
  const collected = await collectMetrics(c.metrics(), "testmethod", store);
  assertEquals(collected, [{ type: "COUNTER", key: "a", value: 1 }]);
  assertEquals(collected, c.metrics());
  // … and recorded under the method tag.
  assertEquals(
    store.series().map((s) => ({ type: s.type, key: s.key, tags: s.tags, value: s.value })),
    [{ type: "COUNTER", key: "a", tags: { method: "testmethod" }, value: 1 }],
  );
});

Deno.test("test_component_bad", async () => {
  const c = new Component(false);
  await assertRejects(
    () => collectMetrics(c.metrics(), "testmethod", new MetricsStore()),
    isBadMetric,
  );
  // In a request the same exception is the answer (HTTP 500 MICROSERVICE_BAD_METRIC).
  const plane = await DataPlane.create(
    { predict: (X: unknown) => X, metrics: () => c.metrics() },
    { includeMetrics: true, executorEnabled: true },
  );
  await assertRejects(
    () => plane.message("predict", { data: { ndarray: [1] } }, new RestCall(new Headers())),
    isBadMetric,
  );
});

// ---------------------------------------------------------------------------------------------
// The per-process store
// ---------------------------------------------------------------------------------------------

Deno.test("test_metrics_clear", () => {
  const store = new MetricsStore();
  assertEquals(store.series().length, 0);
  store.record([{ type: "COUNTER", key: "a", value: 1 }], "predict");
  const series = store.series();
  assert(series.length > 0);
  assertEquals(series[0].key, "a");
  assertEquals(series[0].value, 1);
  assertEquals(series[0].tags, { method: "predict" });
  store.clear();
  assertEquals(store.series(), []);
});

Deno.test("test_generate_tags_key", () => {
  const tags1: Record<string, string> = {};
  tags1.b = "b";
  tags1.a = "a";
  const tags2 = { a: "a", b: "b" };
  assertEquals(Object.keys(tags1), ["b", "a"]);
  assertEquals(tagsKey(tags1), tagsKey(tags2));
  // keys sorted, `key-value` pairs joined by `_`
  assertEquals(tagsKey(tags1), "a-a_b-b");
  assertEquals(
    tagsKey({ mytag: "mytagvalue", method: "predict" }),
    "method-predict_mytag-mytagvalue",
  );
  // The store keys series the same way: both insertion orders update one series.
  const store = new MetricsStore();
  store.record([{ type: "COUNTER", key: "c", value: 1, tags: { b: "b", a: "a" } }], "predict");
  store.record([{ type: "COUNTER", key: "c", value: 1, tags: { a: "a", b: "b" } }], "predict");
  assertEquals(store.series().length, 1);
  assertEquals(store.series()[0].value, 2);
});

// ---------------------------------------------------------------------------------------------
// Custom metrics in protobuf `Meta`
// ---------------------------------------------------------------------------------------------

Deno.test("test_proto_metrics", () => {
  const metrics = [{ type: "COUNTER", key: "a", value: 1 }];
  const meta = parseProtoJson("Meta", { metrics });
  assertEquals((meta.metrics as unknown[]).length, 1);
  // Each metric parses on its own as well, and the message survives the wire.
  for (const metric of metrics) parseProtoJson("Metric", metric);
  const back = decodeMessage("Meta", encodeMessage("Meta", meta));
  assertEquals(back.metrics, [{ key: "a", value: 1 }]);
});

Deno.test("test_proto_tags", () => {
  const doc = {
    tags: { t1: "t2" },
    metrics: [
      { type: "COUNTER", key: "mycounter", value: 1.2 },
      { type: "GAUGE", key: "mygauge", value: 1.2 },
      { type: "TIMER", key: "mytimer", value: 1.2 },
    ],
  };
  const meta = parseProtoJson("Meta", doc);
  // MessageToJson → json.loads: through the wire and printed as proto3 JSON text
  const j = JSON.parse(JSON.stringify(decodeMessage("Meta", encodeMessage("Meta", meta))));
  const approx = (v: unknown) => typeof v === "number" && Math.abs(v - 1.2) <= 1.2 * 0.01;
  assertEquals(j.tags, { t1: "t2" });
  assertEquals(j.metrics[0].key, "mycounter");
  assert(approx(j.metrics[0].value), String(j.metrics[0].value));
  assert(!("type" in j.metrics[0]), "COUNTER is the enum default and is not printed");
  assertEquals(j.metrics[1].type, "GAUGE");
  assertEquals(j.metrics[1].key, "mygauge");
  assert(approx(j.metrics[1].value), String(j.metrics[1].value));
  assertEquals(j.metrics[2].type, "TIMER");
  assertEquals(j.metrics[2].key, "mytimer");
  assert(approx(j.metrics[2].value), String(j.metrics[2].value));
});
