/**
 * The metrics collector process (issue 9): started by the supervisor with role `collector`,
 * restarted when killed with -9 while REST and gRPC requests flow — no request fails, and afterwards the
 * metrics port shows the same cumulative counters, histograms and feedback values (workers keep
 * them) — and the built-in `seldon_ts_*` metrics of `--builtin-metrics`, per worker.
 */
import { assert, assertEquals, eventually } from "../_helpers/assert.ts";
import { parseSamples } from "../_helpers/prometheus.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { appFolder, type Spawned, spawnServer } from "../_helpers/spawn.ts";

/** Counts calls and their time, and sends a TIMER; feedback rewards go to upstream's counters. */
const MODEL = `export class Counting {
  predict(X) { return X; }
  metrics() {
    return [{ type: "COUNTER", key: "calls", value: 1 }, { type: "TIMER", key: "work_ms", value: 3 }];
  }
  sendFeedback() { return []; }
}`;

/** Collector pids in the order the supervisor booted them. */
function collectorPids(s: Spawned): number[] {
  return [...s.log().matchAll(/Starting metrics collector with pid: (\d+)/g)].map((m) =>
    Number(m[1])
  );
}

/** The sum over every worker of the samples named `name` whose labels include `match`. */
function total(text: string, name: string, match: Record<string, string> = {}): number {
  return parseSamples(text).filter((x) =>
    x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v)
  ).reduce((sum, x) => sum + Number(x.value), 0);
}

async function scrape(s: Spawned): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`);
  assertEquals(res.status, 200);
  return await res.text();
}

async function post(s: Spawned, path: string, body: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${s.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await res.text();
    return res.status === 200 ? undefined : `${res.status} ${text}`;
  } catch (err) {
    return String((err as Error).cause ?? err);
  }
}

Deno.test("collector: kill -9 under load loses no request and no cumulative value", async () => {
  const dir = await appFolder({ "Counting.js": MODEL });
  const s = await spawnServer(dir, [
    "Counting",
    "--workers",
    "2",
    "--grpc-workers",
    "1",
    "--builtin-metrics",
  ]);
  try {
    const [first] = collectorPids(s);
    assert(first, s.log());
    // The collector is a child with its role in the environment.
    const ps = await new Deno.Command("ps", {
      args: ["eww", "-o", "command=", "-p", String(first)],
    })
      .output();
    const command = new TextDecoder().decode(ps.stdout);
    assert(command.includes("SELDON_TS_ROLE=collector"), command);

    const PREDICTS = 600;
    const FEEDBACKS = 60;
    let sent = 0;
    let killedAt = 0;
    const failures: string[] = [];
    /** Milliseconds from the kill until a new collector answers a scrape (polled every 20 ms). */
    let restarted: Promise<number> | undefined;
    const watchRestart = async () => {
      let ms = Infinity;
      await eventually(
        async () => {
          if (collectorPids(s).length < 2) return false;
          try {
            await scrape(s);
            ms = performance.now() - killedAt;
            return true;
          } catch {
            return false;
          }
        },
        20_000,
        20,
      );
      return ms;
    };
    const client = async () => {
      while (sent < PREDICTS + FEEDBACKS) {
        const n = ++sent;
        if (n === 200) {
          Deno.kill(first, "SIGKILL");
          killedAt = performance.now();
          restarted = watchRestart();
        }
        const failure = n % 11 === 0 && n <= 11 * FEEDBACKS
          ? await post(s, "/api/v1.0/feedback", '{"request":{"data":{"ndarray":[1]}},"reward":2}')
          : await post(s, "/api/v1.0/predictions", '{"data":{"ndarray":[1]}}');
        if (failure) failures.push(failure);
      }
    };
    const GRPC_CALLS = 100;
    const grpcClient = async () => {
      const client = seldonClient("Model", s.grpcPort!);
      try {
        for (let i = 0; i < GRPC_CALLS; i++) {
          try {
            await client.call("Predict", { data: { ndarray: [1] } });
          } catch (err) {
            failures.push(`gRPC ${err}`);
          }
        }
      } finally {
        client.close();
      }
    };
    await Promise.all([client(), client(), client(), client(), grpcClient()]);
    assertEquals(failures, []);
    assert(killedAt > 0);
    // A new collector served the metrics port again while the load went on.
    const restartedMs = await restarted!;
    console.log(`collector restarted and scraped ${restartedMs.toFixed(0)} ms after kill -9`);
    assert(restartedMs < 5_000, `${restartedMs} ms`);
    const text = await scrape(s);
    const predicts = PREDICTS + FEEDBACKS - FEEDBACKS;
    assertEquals(total(text, "calls_total", { method: "predict" }), predicts + GRPC_CALLS);
    assertEquals(total(text, "work_ms_count", { method: "predict" }), predicts + GRPC_CALLS);
    assertEquals(
      total(text, "seldon_ts_requests_total", { protocol: "grpc", status: "OK" }),
      GRPC_CALLS,
    );
    assertEquals(total(text, "seldon_api_model_feedback_total"), FEEDBACKS);
    assertEquals(total(text, "seldon_api_model_feedback_reward_total"), 2 * FEEDBACKS);
    assertEquals(
      total(text, "seldon_ts_requests_total", {
        operation: "predict",
        protocol: "rest",
        status: "200",
      }),
      predicts,
    );
    assertEquals(
      total(text, "seldon_ts_request_duration_seconds_count", { operation: "send-feedback" }),
      FEEDBACKS,
    );
    // Three workers (2 REST, 1 gRPC), each its own series (process metrics too), none from the
    // dead collector; the gRPC worker's custom series are its own.
    const workers = new Set(
      parseSamples(text).filter((x) => x.name === "seldon_ts_process_resident_memory_bytes")
        .map((x) => x.labels.worker_id),
    );
    assertEquals(workers.size, 3);
    assert(!workers.has(String(first)));
    const grpcWorker = parseSamples(text).find((x) =>
      x.name === "seldon_ts_requests_total" && x.labels.protocol === "grpc"
    )!.labels.worker_id;
    assertEquals(total(text, "calls_total", { worker_id: grpcWorker }), GRPC_CALLS);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
