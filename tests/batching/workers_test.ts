/**
 * Adaptive batching in the process model: the REST and gRPC worker processes each batch their
 * own requests, and their batch metrics reach the metrics port through the collector (without
 * `--builtin-metrics`).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { parseSamples } from "../_helpers/prometheus.ts";
import { appFolder, spawnServer } from "../_helpers/spawn.ts";

/** Answers X * 2 and tags every answer with the rows of its model call. */
const MODEL = `import { SeldonResponse } from ${
  JSON.stringify(new URL("../../mod.ts", import.meta.url).href)
};
export class Rows {
  predict(X) {
    return new SeldonResponse(X.map((v) => v * 2), { tags: { rows: X.shape[0] } });
  }
}`;

Deno.test("batching workers: REST and gRPC workers batch, metrics per worker via the collector", async () => {
  const dir = await appFolder({ "Rows.js": MODEL });
  const s = await spawnServer(dir, [
    "Rows",
    "--workers",
    "1",
    "--grpc-workers",
    "1",
    "--max-batch-size",
    "8",
    "--max-batch-time",
    "50",
  ]);
  const grpc = seldonClient("Model", s.grpcPort!);
  try {
    const rest = Array.from({ length: 16 }, async (_, i) => {
      const res = await fetch(`${s.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: { ndarray: [[i + 0.5]] } }),
      });
      const body = await res.json();
      assertEquals(body.data.ndarray, [[2 * i + 1]], JSON.stringify(body));
      return body.meta.tags.rows as number;
    });
    const rpc = Array.from({ length: 8 }, async (_, i) => {
      const body = await grpc.call("Predict", { data: { ndarray: [[i + 100.5]] } });
      assertEquals(body.data.ndarray, [[2 * i + 201]]);
      return body.meta.tags.rows as number;
    });
    const rows = await Promise.all([...rest, ...rpc]);
    assert(rows.some((n) => n > 1), `model call rows: ${rows}`);
    const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    const samples = parseSamples(text);
    const queued = samples.filter((x) => x.name === "seldon_ts_batch_queue_seconds_count");
    assertEquals(queued.reduce((n, x) => n + Number(x.value), 0), 24, text);
    assertEquals(new Set(queued.map((x) => x.labels.worker_id)).size, 2, text);
    assert(queued.every((x) => x.labels.operation === "predict"), text);
    assert(!text.includes("seldon_ts_requests_total"), "request metrics need --builtin-metrics");
  } finally {
    grpc.close();
    await s.stop();
  }
});
