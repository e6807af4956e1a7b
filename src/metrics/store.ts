/**
 * One process's custom-metric series (metrics-and-processes.md §2.4): keyed by type, key and
 * the sorted tag set; COUNTER adds, GAUGE sets, TIMER (milliseconds) feeds a histogram of
 * seconds over the fixed buckets. The exposition (§2.5) renders these series.
 * @module
 */
import { pyStrRepr, pyTypeName } from "../python/repr.ts";
import type { MetricsRecorder } from "./custom.ts";

/**
 * Upper edges of the TIMER histogram bins (seconds), without `+Inf`: numpy's
 * `logspace(-3, log10(30), 50)` exactly as upstream computes it (§2.5; JS's `**` differs in the
 * last digits, and the last edge must be 29.999999999999996, not 30).
 */
export const BUCKETS: readonly number[] = [
  0.001,
  0.0012341553253454693,
  0.0015231393670785815,
  0.001879790561123359,
  0.002319953531544542,
  0.0028631830055097247,
  0.0035336125536884733,
  0.004361026750842238,
  0.005382184388525997,
  0.006642451525090608,
  0.008197816923039709,
  0.010117379411776668,
  0.012486417679584787,
  0.015410178873747385,
  0.019018554321561593,
  0.02347185009632733,
  0.028967908792092947,
  0.03575089889988335,
  0.04412216226317853,
  0.05445360152285871,
  0.06720420230367624,
  0.0829404241586763,
  0.10236136616184238,
  0.12632982515827532,
  0.15591062646904755,
  0.19241792993472334,
  0.2374736129208902,
  0.29307932401534564,
  0.36170540848218913,
  0.44640065608455204,
  0.5509277469444613,
  0.6799304127720882,
  0.8391397397870158,
  1.035628778567157,
  1.2781267721496807,
  1.5774069623151439,
  1.9467652027782552,
  2.4026106422060365,
  2.965194718810281,
  3.65951085290597,
  4.516404807273444,
  5.573945044312399,
  6.879113959621136,
  8.489895126924784,
  10.477849282518772,
  12.931293490187748,
  15.959224724520412,
  19.696162182151948,
  24.308123445970867,
  29.999999999999996,
];

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

  /**
   * Records metrics under `method` (which overrides a user `method` tag), all or nothing:
   * upstream updates a copy of the worker's series and writes it back only when every item
   * went through (§2.4). A missing `type` counts as COUNTER and an unknown one is skipped, as
   * upstream (only raw-hook metrics are unvalidated). Items upstream's Python code cannot
   * record throw a `TypeError` with Python's text (§3.3): `tags` that is not an object, a
   * non-string tag value, a COUNTER/TIMER value that is not a number.
   */
  record(metrics: readonly Record<string, unknown>[], method: string): void {
    const staged = new Map<string, { series: Series; value: number }>();
    const order: { id: string; type: Series["type"]; value: number }[] = [];
    for (const m of metrics) {
      const type = m.type === undefined ? "COUNTER" : m.type;
      const tags = metricTags(m.tags, method);
      // upstream's `(type, metrics["key"], tags key)`: the key is read before the tags joined.
      if (m.key === undefined) throw new Error("'key'");
      checkTagValues(tags);
      if (type !== "COUNTER" && type !== "GAUGE" && type !== "TIMER") continue;
      if (m.value === undefined) throw new Error("'value'");
      const key = String(m.key);
      const id = `${type}\u0000${key}\u0000${tagsKey(tags)}`;
      const series = staged.get(id)?.series ?? this.#series.get(id) ??
        { type, key, tags, value: 0, bins: type === "TIMER" ? new Array(51).fill(0) : undefined };
      const current = staged.get(id)?.value ?? series.value;
      const value = metricValue(type, m.value, current);
      staged.set(id, { series, value: type === "COUNTER" ? current + value : value });
      order.push({ id, type, value });
    }
    for (const { id, type, value } of order) {
      const series = staged.get(id)!.series;
      if (!this.#series.has(id)) this.#series.set(id, series);
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

/**
 * The series tags: the metric's `tags` (or `{}`) plus `method`, with Python's errors for
 * `tags["method"] = method` on a non-dict.
 */
function metricTags(raw: unknown, method: string): Record<string, string> {
  if (raw === undefined) return { method };
  if (Array.isArray(raw)) throw new TypeError("list indices must be integers or slices, not str");
  if (typeof raw !== "object" || raw === null) {
    throw new TypeError(`'${pyTypeName(raw)}' object does not support item assignment`);
  }
  return { ...(raw as Record<string, string>), method };
}

/** Python's error for `"-".join((k, v))` of the tags key on a non-string value. */
function checkTagValues(tags: Readonly<Record<string, unknown>>): void {
  for (const k of Object.keys(tags).sort()) {
    if (typeof tags[k] !== "string") {
      throw new TypeError(`sequence item 1: expected str instance, ${pyTypeName(tags[k])} found`);
    }
  }
}

/**
 * The number a metric contributes: booleans count as 1/0; a COUNTER (`current + value`) or
 * TIMER (`value / 1000`) with any other non-number fails as in Python; a GAUGE must be a
 * number too (upstream stores it and fails every later scrape instead).
 */
function metricValue(type: Series["type"], value: unknown, current: number): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  const name = pyTypeName(value);
  if (type === "COUNTER") {
    throw new TypeError(
      `unsupported operand type(s) for +: '${pyTypeName(current)}' and '${name}'`,
    );
  }
  if (type === "TIMER") {
    throw new TypeError(`unsupported operand type(s) for /: '${name}' and 'int'`);
  }
  if (typeof value !== "string") {
    throw new TypeError(`float() argument must be a string or a number, not '${name}'`);
  }
  const n = Number(value);
  if (value.trim() !== "" && !Number.isNaN(n)) return n;
  throw new TypeError(`could not convert string to float: ${pyStrRepr(value)}`);
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
