/**
 * The custom-metric series of every serving process, keyed by `worker_id` (the process id), in
 * the order workers first recorded anything (metrics-and-processes.md §2.4–§2.6). There is no
 * cross-worker aggregation; a worker's series vanish when it exits.
 * @module
 */
import type { MetricsRecorder } from "./custom.ts";
import type { DefaultLabels } from "./exposition.ts";
import { customRegistry, renderRegistry } from "./registry.ts";
import { MetricsStore } from "./store.ts";

/** All workers' series. */
export class Collector {
  readonly #workers = new Map<string, MetricsStore>();

  /** Records one request's metrics for `workerId`. */
  record(workerId: string, metrics: readonly Record<string, unknown>[], method: string): void {
    let store = this.#workers.get(workerId);
    if (store === undefined) {
      store = new MetricsStore();
      this.#workers.set(workerId, store);
    }
    store.record(metrics, method);
  }

  /** Drops every series of `workerId`. */
  clear(workerId: string): void {
    this.#workers.delete(workerId);
  }

  /** The store of one worker, if it recorded anything. */
  store(workerId: string): MetricsStore | undefined {
    return this.#workers.get(workerId);
  }

  /** The Prometheus text exposition of every worker's series (rendered by prom-client). */
  render(labels: DefaultLabels, onSkip?: (key: string) => void): Promise<string> {
    const workers = [...this.#workers].map(([id, store]) => [id, store.series()] as const);
    return renderRegistry([customRegistry(workers, labels, onSkip)]);
  }

  /** A recorder that files metrics under `workerId` (this process, when serving in-process). */
  recorderFor(workerId: string): MetricsRecorder {
    return { record: (metrics, method) => this.record(workerId, metrics, method) };
  }
}
