/**
 * `--builtin-metrics` (issue 9, item 4): request counts and latency per operation, protocol and
 * status, and the process metrics of prom-client's default collectors, all `seldon_ts_*` and
 * labelled `worker_id`; off by default (upstream's scrape stays empty).
 */
import type { Metric } from "../../mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { parseSamples, scrape } from "../_helpers/prometheus.ts";
import { withServer } from "../_helpers/server.ts";

const MODEL = {
  predict: (X: unknown) => X,
  metrics: (): Metric[] => [{ type: "COUNTER", key: "calls", value: 1 }],
};
const ON = { SELDON_BUILTIN_METRICS: "true" };

function values(text: string, name: string, labels: Record<string, string>): number[] {
  return parseSamples(text).filter((x) =>
    x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)
  ).map((x) => Number(x.value));
}

Deno.test("builtin metrics: off by default, nothing but upstream's", () =>
  withServer(MODEL, async (s) => {
    assertEquals((await scrape(s)).text, "");
    await s.post("/predict", { data: { ndarray: [1] } });
    const text = (await scrape(s)).text;
    assert(!text.includes("seldon_ts_"), text);
  }));

Deno.test("builtin metrics: requests per operation, protocol and status; process metrics", () =>
  withServer(MODEL, async (s) => {
    const pid = String(Deno.pid);
    for (let i = 0; i < 3; i++) {
      assertEquals((await s.post("/predict", { data: { ndarray: [1] } })).status, 200);
    }
    assertEquals((await s.post("/predict", "not json")).status, 400);
    await s.fetch("/nowhere", { method: "POST" }); // no route (upstream answers 500)
    await grpcCall("Model", s.running.grpc!.port, "Predict", { data: { ndarray: [1] } });
    const text = (await scrape(s)).text;
    const rest200 = { operation: "predict", protocol: "rest", status: "200", worker_id: pid };
    assertEquals(values(text, "seldon_ts_requests_total", rest200), [3]);
    assertEquals(
      values(text, "seldon_ts_requests_total", { operation: "predict", status: "400" }),
      [1],
    );
    assertEquals(values(text, "seldon_ts_requests_total", { operation: "unmatched" }), [1]);
    assertEquals(
      values(text, "seldon_ts_requests_total", {
        operation: "predict",
        protocol: "grpc",
        status: "OK",
      }),
      [1],
    );
    assertEquals(values(text, "seldon_ts_request_duration_seconds_count", rest200), [3]);
    assertEquals(
      values(text, "seldon_ts_request_duration_seconds_bucket", { ...rest200, le: "+Inf" }),
      [3],
    );
    assert(text.includes("# TYPE seldon_ts_request_duration_seconds histogram"), text);
    // The custom metric is still upstream's.
    assertEquals(values(text, "calls_total", { method: "predict", worker_id: pid }), [4]);
    // Process metrics of this worker: CPU, memory, heap, event-loop lag.
    for (
      const name of [
        "seldon_ts_process_cpu_seconds_total",
        "seldon_ts_process_resident_memory_bytes",
        "seldon_ts_nodejs_heap_size_used_bytes",
        "seldon_ts_nodejs_eventloop_lag_p99_seconds",
      ]
    ) {
      const v = values(text, name, { worker_id: pid });
      assertEquals(v.length, 1, name);
      assert(v[0] >= 0 && Number.isFinite(v[0]), `${name} ${v[0]}`);
    }
    const rss = values(text, "seldon_ts_process_resident_memory_bytes", {});
    assert(rss[0] > 1e6, `rss ${rss}`);
  }, ON));
