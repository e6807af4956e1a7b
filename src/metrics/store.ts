/**
 * One process's custom-metric series (metrics-and-processes.md §2.4): keyed by type, key and
 * the sorted tag set; COUNTER adds, GAUGE sets, TIMER (milliseconds) feeds a histogram of
 * seconds over the fixed buckets. The exposition (§2.5) renders these series.
 * @module
 */
import type { MetricsRecorder } from "./custom.ts";

/** Upper edges of the TIMER histogram bins (seconds), without `+Inf` (§2.5). */
export const BUCKETS: readonly number[] = Array.from(
  { length: 50 },
  (_, i) => 10 ** (-3 + (i * (Math.log10(30) + 3)) / 49),
);

/** One series. */
export interface Series {
  readonly type: "COUNTER" | "GAUGE" | "TIMER";
  readonly key: string;
  /** User tags plus `method`. */
  readonly tags: Readonly<Record<string, string>>;
  /** COUNTER total or GAUGE value; TIMER: sum of seconds. */
  value: number;
  /** TIMER only: per-bin counts, bins `[0,b1)`, `[b1,b2)`, …, `[b50,+Inf]`. */
  readonly bins?: number[];
}

/** Upstream's tags key: tags sorted by name, `name-value` joined by `_`. */
export function tagsKey(tags: Readonly<Record<string, unknown>>): string {
  return Object.keys(tags).sort().map((k) => `${k}-${tags[k]}`).join("_");
}

/** The series recorded by one process, in creation order. */
export class MetricsStore implements MetricsRecorder {
  readonly #series = new Map<string, Series>();

  /** Records validated metrics under `method` (which overrides a user `method` tag). */
  record(metrics: readonly Record<string, unknown>[], method: string): void {
    for (const m of metrics) {
      const type = m.type as Series["type"];
      if (type !== "COUNTER" && type !== "GAUGE" && type !== "TIMER") continue;
      const userTags = typeof m.tags === "object" && m.tags !== null
        ? m.tags as Record<string, unknown>
        : {};
      const tags: Record<string, string> = {};
      for (const [k, v] of Object.entries(userTags)) {
        if (typeof v !== "string") {
          throw new TypeError(`tag ${k} must be a string, got ${typeof v}`);
        }
        tags[k] = v;
      }
      tags.method = method;
      const value = Number(m.value);
      if (Number.isNaN(value) && typeof m.value !== "number") {
        throw new TypeError(`metric ${String(m.key)} value must be a number`);
      }
      const id = `${type}\u0000${String(m.key)}\u0000${tagsKey(tags)}`;
      let series = this.#series.get(id);
      if (series === undefined) {
        series = {
          type,
          key: String(m.key),
          tags,
          value: 0,
          bins: type === "TIMER" ? new Array(51).fill(0) : undefined,
        };
        this.#series.set(id, series);
      }
      if (type === "COUNTER") series.value += value;
      else if (type === "GAUGE") series.value = value;
      else observe(series, value / 1000);
    }
  }

  /** All series in creation order. */
  series(): Series[] {
    return [...this.#series.values()];
  }

  /** Forgets every series (a worker's metrics are dropped when it exits). */
  clear(): void {
    this.#series.clear();
  }
}

/** numpy `histogram` binning: left-closed bins; negatives only add to the sum. */
function observe(series: Series, seconds: number): void {
  series.value += seconds;
  if (!(seconds >= 0)) return;
  let bin = BUCKETS.length;
  for (let i = 0; i < BUCKETS.length; i++) {
    if (seconds < BUCKETS[i]) {
      bin = i;
      break;
    }
  }
  series.bins![bin]++;
}
