/**
 * The scrape of several workers (registry.ts): custom series beside the built-in families of
 * each worker, labelled `worker_id` and merged by prom-client without summing across workers; a
 * built-in family whose name a custom family took is left out. And snapshots survive JSON.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { parseSamples } from "../../_helpers/prometheus.ts";
import { BuiltinMetrics } from "../../../src/metrics/builtin.ts";
import { defaultLabels } from "../../../src/metrics/exposition.ts";
import { renderWorkers } from "../../../src/metrics/registry.ts";
import { MetricsStore } from "../../../src/metrics/store.ts";
import { seriesFromWire, seriesToWire } from "../../../src/metrics/wire.ts";

const LABELS = defaultLabels({});

Deno.test("renderWorkers: built-in families per worker, never summed across workers", async () => {
  const a = new BuiltinMetrics();
  const b = new BuiltinMetrics();
  a.observe("rest", "predict", "200", 0.002);
  a.observe("rest", "predict", "200", 0.004);
  b.observe("grpc", "predict", "OK", 0.003);
  const store = new MetricsStore();
  store.record([{ type: "COUNTER", key: "seldon_ts_requests", value: 5 }], "predict");
  const text = await renderWorkers([
    { id: "1", series: [], builtin: await a.snapshot() },
    { id: "2", series: store.series(), builtin: await b.snapshot() },
  ], LABELS);
  const samples = parseSamples(text);
  // The custom counter took the name `seldon_ts_requests_total`: the built-in one is left out.
  const requests = samples.filter((x) => x.name === "seldon_ts_requests_total");
  assertEquals(requests.map((x) => [x.labels.worker_id, Number(x.value)]), [["2", 5]]);
  const counts = samples.filter((x) => x.name === "seldon_ts_request_duration_seconds_count")
    .map((x) => [x.labels.worker_id, x.labels.protocol, Number(x.value)]);
  assertEquals(counts, [["1", "rest", 2], ["2", "grpc", 1]]);
  assertEquals(text.match(/# TYPE seldon_ts_request_duration_seconds histogram/g)!.length, 1);
  assert(
    samples.some((x) =>
      x.name === "seldon_ts_process_cpu_seconds_total" && x.labels.worker_id === "1"
    ),
  );
});

Deno.test("snapshots on the wire keep non-finite values and histogram bins", () => {
  const store = new MetricsStore();
  store.record([
    { type: "GAUGE", key: "g", value: Infinity },
    { type: "GAUGE", key: "n", value: NaN },
    { type: "TIMER", key: "t", value: 2 },
  ], "predict");
  const back = seriesFromWire(JSON.parse(JSON.stringify(seriesToWire(store.series()))));
  assertEquals(back.map((s) => s.value), [Infinity, NaN, 0.002]);
  assertEquals(back[2].bins, store.series()[2].bins);
});
