/**
 * Built-in metrics beyond upstream's (`--builtin-metrics`): each serving process counts its
 * requests and their latency per operation, protocol (`rest`|`grpc`) and status, and exposes its
 * own process metrics through prom-client's default collectors (CPU, resident memory, heap,
 * event-loop lag via `perf_hooks.monitorEventLoopDelay`, open file descriptors). With adaptive
 * batching on (`--max-batch-size` > 1, with or without `--builtin-metrics`) it also keeps the
 * rows of every batched model call and each batched request's wait for it. All names start
 * with `seldon_ts_`, which neither upstream nor a custom metric (they carry no prefix of ours)
 * uses; the `worker_id` label is added where every worker's series are shown together.
 * @module
 */
import type * as Prom from "npm:prom-client@15.1.3";
import defaultMetricsModule from "npm:prom-client@15.1.3/lib/defaultMetrics.js";
import {
  Counter,
  Gauge,
  Histogram,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from "./prom.ts";

/** prom-client's default collectors (CPU, memory, heap, event-loop lag, descriptors). */
const collectDefaultMetrics = defaultMetricsModule as unknown as typeof Prom.collectDefaultMetrics;

/** Prefix of every built-in family. */
export const BUILTIN_PREFIX = "seldon_ts_";

/** Latency buckets of the request histogram (seconds). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Buckets of the batch size histogram (rows per model call). */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** Buckets of the batch queue histogram (seconds). */
const QUEUE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Which families a {@link BuiltinMetrics} keeps. */
export interface BuiltinOptions {
  /** Request counts, latencies and process metrics (`--builtin-metrics`; default true). */
  readonly requests?: boolean;
  /** Batch size and batch queue time (adaptive batching on; default false). */
  readonly batches?: boolean;
}

/** How a transport reports one finished request. */
export type RequestObserver = (
  protocol: "rest" | "grpc",
  operation: string,
  status: string,
  seconds: number,
) => void;

/** One process's built-in metrics. */
export class BuiltinMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter | undefined;
  readonly #latency: Histogram | undefined;
  readonly #batchSize: Histogram | undefined;
  readonly #batchQueue: Histogram | undefined;

  constructor(options: BuiltinOptions = {}) {
    const registers = [this.registry];
    if (options.batches) {
      this.#batchSize = new Histogram({
        name: `${BUILTIN_PREFIX}batch_size`,
        help: "Rows of each batched model call (adaptive batching), by operation",
        labelNames: ["operation"],
        buckets: BATCH_SIZE_BUCKETS,
        registers,
      });
      this.#batchQueue = new Histogram({
        name: `${BUILTIN_PREFIX}batch_queue_seconds`,
        help: "Time a batched request waited from its arrival to its batch's model call, " +
          "by operation",
        labelNames: ["operation"],
        buckets: QUEUE_BUCKETS,
        registers,
      });
    }
    if (options.requests === false) return;
    this.#requests = new Counter({
      name: `${BUILTIN_PREFIX}requests_total`,
      help: "Requests answered, by operation, protocol and status",
      labelNames: ["operation", "protocol", "status"],
      registers,
    });
    this.#latency = new Histogram({
      name: `${BUILTIN_PREFIX}request_duration_seconds`,
      help: "Time from a request's arrival to its answer, by operation, protocol and status",
      labelNames: ["operation", "protocol", "status"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: BUILTIN_PREFIX });
    // prom-client reads the RSS (and, in the same collect, the virtual and data sizes) from
    // /proc/self/status, which Deno lets only a process with every permission read (else they
    // stay 0): the RSS comes from Deno instead, the other two are left out.
    const rss = `${BUILTIN_PREFIX}process_resident_memory_bytes`;
    for (const name of [rss, "process_virtual_memory_bytes", "process_heap_bytes"]) {
      this.registry.removeSingleMetric(
        name.startsWith(BUILTIN_PREFIX) ? name : BUILTIN_PREFIX + name,
      );
    }
    new Gauge({
      name: rss,
      help: "Resident memory size in bytes.",
      registers: [this.registry],
      collect() {
        this.set(Deno.memoryUsage().rss);
      },
    });
  }

  /** Records one answered request (nothing without the request families). */
  readonly observe: RequestObserver = (protocol, operation, status, seconds) => {
    const labels = { operation, protocol, status };
    this.#requests?.inc(labels);
    this.#latency?.observe(labels, seconds);
  };

  /** Records one batched model call: its rows and each request's queue seconds. */
  readonly observeBatch = (
    operation: string,
    rows: number,
    queueSeconds: readonly number[],
  ): void => {
    if (this.#batchSize === undefined || this.#batchQueue === undefined) return;
    let children = this.#batchChildren.get(operation);
    if (children === undefined) {
      // The labelled children, looked up once: their label hash is not recomputed per request.
      children = [this.#batchSize.labels(operation), this.#batchQueue.labels(operation)];
      this.#batchChildren.set(operation, children);
    }
    children[0].observe(rows);
    for (const s of queueSeconds) children[1].observe(s);
  };
  readonly #batchChildren = new Map<string, Prom.Histogram.Internal<string>[]>();

  /** The current values, as prom-client's JSON (what a worker sends the collector). */
  snapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return this.registry.getMetricsAsJSON();
  }
}
