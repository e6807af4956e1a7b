/**
 * The custom-metric series of every serving process, keyed by `worker_id` (the process id), in
 * the order workers first recorded anything (metrics-and-processes.md §2.4–§2.6). There is no
 * cross-worker aggregation; a worker's series vanish when it exits.
 * @module
 */
import type { MetricObjectWithValues, MetricValue } from "./prom.ts";
import type { BuiltinMetrics } from "./builtin.ts";
import type { MetricsRecorder } from "./custom.ts";
import type { DefaultLabels } from "./exposition.ts";
import { renderWorkers, type WorkerView } from "./registry.ts";
import type { Series } from "./store.ts";
import { MetricsStore } from "./store.ts";

/** All workers' series. */
export class Collector {
  readonly #workers = new Map<string, MetricsStore>();
  /** Workers in other processes: their latest snapshot. */
  readonly #remote = new Map<string, WorkerView>();

  /**
   * @param builtin this process's built-in metrics (`--builtin-metrics`), shown under
   *   `selfId` when it serves requests itself (`--debug`, `serve()`).
   */
  constructor(
    readonly builtin?: BuiltinMetrics,
    readonly selfId: string = String(Deno.pid),
  ) {}

  /** Records one request's metrics for `workerId`. */
  record(workerId: string, metrics: readonly Record<string, unknown>[], method: string): void {
    let store = this.#workers.get(workerId);
    if (store === undefined) {
      store = new MetricsStore();
      this.#workers.set(workerId, store);
    }
    store.record(metrics, method);
  }

  /** Replaces everything shown for `workerId` (a worker process's snapshot). */
  setSnapshot(
    workerId: string,
    series: readonly Series[],
    builtin?: readonly MetricObjectWithValues<MetricValue<string>>[],
  ): void {
    this.#remote.set(workerId, { id: workerId, series, builtin });
  }

  /** Drops every series of `workerId`. */
  clear(workerId: string): void {
    this.#workers.delete(workerId);
    this.#remote.delete(workerId);
  }

  /** The store of one worker, if it recorded anything. */
  store(workerId: string): MetricsStore | undefined {
    return this.#workers.get(workerId);
  }

  /** The Prometheus text exposition of every worker's series (rendered by prom-client). */
  async render(labels: DefaultLabels, onSkip?: (key: string) => void): Promise<string> {
    const views: WorkerView[] = [...this.#workers].map(([id, store]) => ({
      id,
      series: store.series(),
    }));
    views.push(...this.#remote.values());
    if (this.builtin !== undefined) {
      const own = await this.builtin.snapshot();
      const self = views.find((v) => v.id === this.selfId);
      if (self) views[views.indexOf(self)] = { ...self, builtin: own };
      else views.push({ id: this.selfId, series: [], builtin: own });
    }
    return renderWorkers(views, labels, onSkip);
  }

  /** A recorder that files metrics under `workerId` (this process, when serving in-process). */
  recorderFor(workerId: string): MetricsRecorder {
    return { record: (metrics, method) => this.record(workerId, metrics, method) };
  }
}
