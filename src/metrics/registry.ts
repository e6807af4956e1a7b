/**
 * The exposition of the custom-metric series on `npm:prom-client` (metrics-and-processes.md
 * §2.5): every worker's series become prom-client `Counter`/`Gauge` series (one family per
 * name, label names declared) in a `Registry`, which renders the text. What a scraper sees
 * matches upstream — family names, `# TYPE`, label sets (user tags < default labels <
 * `worker_id`), values, bucket edges — while the text differs where Prometheus reads both the
 * same: one HELP/TYPE block per family instead of per series, JS number spelling (`1` for
 * `1.0`), label order. The HELP text is upstream's empty one (`# HELP <name> `).
 *
 * Two kinds of series prom-client's metric types cannot hold, so they are registered as small
 * family objects whose samples are computed here (prom-client still renders them):
 * - TIMER histograms: upstream bins like numpy (a value exactly on an edge counts in the
 *   bucket above, a negative value only adds to `_sum`), where `Histogram.observe` counts
 *   `value <= le`; and a `Histogram` cannot be loaded with counts and a sum.
 * - COUNTER totals below zero or not finite: upstream adds any increment, `Counter.inc`
 *   refuses negative and infinite ones.
 * @module
 */
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  type Metric,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from "./prom.ts";
import type { DefaultLabels, SkipHandler } from "./exposition.ts";
import { isValidMetricKey } from "./exposition.ts";
import { BUCKETS, type Series } from "./store.ts";

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** `le` of each bucket: the shortest round-trip spelling of the edges, then `+Inf`. */
const LE = [...BUCKETS.map(String), "+Inf"];
/**
 * HELP text of the custom families: upstream's is empty. prom-client's constructors refuse an
 * empty help, so `Gauge`/`Counter` are built with a placeholder and given this one after.
 */
const HELP = "";
/** The placeholder help the constructors accept (replaced by {@link HELP} at once). */
const PLACEHOLDER_HELP = "-";

/** `metric` with upstream's empty HELP text (prom-client reads `help` when it renders). */
function emptyHelp<M extends Gauge | Counter>(metric: M): M {
  (metric as unknown as { help: string }).help = HELP;
  return metric;
}

type Labels = Record<string, string>;

/** One family being assembled: its series with their final label sets. */
interface Family {
  readonly type: Series["type"];
  readonly name: string;
  readonly labelNames: Set<string>;
  readonly series: { series: Series; labels: Labels }[];
}

/** Sample name of a series' family: `<key>_total` for counters (not doubled), else the key. */
export function familyName(s: Pick<Series, "type" | "key">): string {
  if (s.type !== "COUNTER") return s.key;
  return s.key.endsWith("_total") ? s.key : `${s.key}_total`;
}

/**
 * Groups every worker's series into families. Series left out (reported to `onSkip`): a key
 * that is not a metric name, a label name that is not one, a name already used by a family
 * of another type (upstream prints both, which Prometheus refuses).
 */
function families(
  workers: Iterable<readonly [workerId: string, series: readonly Series[]]>,
  labels: DefaultLabels,
  onSkip?: SkipHandler,
): Family[] {
  const byName = new Map<string, Family>();
  for (const [workerId, series] of workers) {
    for (const s of series) {
      const merged: Labels = { ...s.tags, ...labels, worker_id: workerId };
      const name = familyName(s);
      if (
        !isValidMetricKey(s.type, s.key) || !Object.keys(merged).every((k) => LABEL_NAME.test(k))
      ) {
        onSkip?.(s.key, workerId);
        continue;
      }
      let family = byName.get(name);
      if (family === undefined) {
        family = { type: s.type, name, labelNames: new Set(), series: [] };
        byName.set(name, family);
      } else if (family.type !== s.type) {
        onSkip?.(s.key, workerId);
        continue;
      }
      for (const k of Object.keys(merged)) family.labelNames.add(k);
      family.series.push({ series: s, labels: merged });
    }
  }
  return [...byName.values()];
}

/** A family whose samples are computed here and rendered by the Registry. */
function computedFamily(
  name: string,
  type: "counter" | "histogram",
  values: { value: number; labels: Labels; metricName?: string }[],
): Metric {
  const metric = {
    name,
    help: HELP,
    type,
    aggregator: "sum",
    get: () => Promise.resolve({ name, help: HELP, type, values, aggregator: "sum" }),
  };
  return metric as unknown as Metric;
}

/** Samples of a TIMER series: cumulative buckets (numpy binning already applied), count, sum. */
function histogramValues(s: Series, labels: Labels) {
  const { le: _userLe, ...rest } = labels;
  const values: { value: number; labels: Labels; metricName: string }[] = [];
  let cumulative = 0;
  for (let i = 0; i < LE.length; i++) {
    cumulative += s.bins?.[i] ?? 0;
    values.push({
      value: cumulative,
      labels: { ...rest, le: LE[i] },
      metricName: `${s.key}_bucket`,
    });
  }
  values.push({ value: s.value, labels, metricName: `${s.key}_sum` });
  values.push({ value: cumulative, labels, metricName: `${s.key}_count` });
  return values;
}

/** A Registry holding every worker's custom series (a fresh one per scrape). */
export function customRegistry(
  workers: Iterable<readonly [workerId: string, series: readonly Series[]]>,
  labels: DefaultLabels,
  onSkip?: SkipHandler,
): Registry {
  const registry = new Registry();
  for (const f of families(workers, labels, onSkip)) {
    const labelNames = [...f.labelNames];
    if (f.type === "GAUGE") {
      const gauge = emptyHelp(
        new Gauge({ name: f.name, help: PLACEHOLDER_HELP, labelNames, registers: [registry] }),
      );
      for (const { series, labels } of f.series) gauge.set(labels, series.value);
    } else if (f.type === "TIMER") {
      const values = f.series.flatMap(({ series, labels }) => histogramValues(series, labels));
      registry.registerMetric(computedFamily(f.name, "histogram", values));
    } else if (f.series.every(({ series }) => series.value >= 0 && Number.isFinite(series.value))) {
      const counter = emptyHelp(
        new Counter({ name: f.name, help: PLACEHOLDER_HELP, labelNames, registers: [registry] }),
      );
      for (const { series, labels } of f.series) counter.inc(labels, series.value);
    } else {
      const values = f.series.map(({ series, labels }) => ({ value: series.value, labels }));
      registry.registerMetric(computedFamily(f.name, "counter", values));
    }
  }
  return registry;
}

/**
 * The text exposition of every worker's series (and of `extra` registries, e.g. the built-in
 * metrics); `""` when there is nothing to show, as upstream.
 */
export async function renderRegistry(registries: readonly Registry[]): Promise<string> {
  const nonEmpty = registries.filter((r) => r.getMetricsAsArray().length > 0);
  if (nonEmpty.length === 0) return "";
  return await Registry.merge(nonEmpty).metrics();
}

/** What one worker shows on the metrics port. */
export interface WorkerView {
  readonly id: string;
  /** Its custom-metric series. */
  readonly series: readonly Series[];
  /** Its built-in metrics (`--builtin-metrics`), as prom-client JSON. */
  readonly builtin?: readonly MetricObjectWithValues<MetricValue<string>>[];
}

/**
 * The scrape: every worker's custom series, then the built-in families of every worker
 * (labelled `worker_id`, merged by prom-client's `AggregatorRegistry`). A built-in family whose
 * name a custom family already took is left out.
 */
export function renderWorkers(
  workers: readonly WorkerView[],
  labels: DefaultLabels,
  onSkip?: SkipHandler,
): Promise<string> {
  const custom = customRegistry(workers.map((w) => [w.id, w.series] as const), labels, onSkip);
  const taken = new Set(custom.getMetricsAsArray().map((m) => m.name));
  const builtins = workers.filter((w) => w.builtin !== undefined && w.builtin.length > 0)
    .map((w) => labelWorker(w.builtin!, w.id).filter((family) => !taken.has(family.name)));
  if (builtins.length === 0) return renderRegistry([custom]);
  return renderRegistry([custom, AggregatorRegistry.aggregate(builtins)]);
}

/**
 * `snapshot` with `worker_id` added to every sample, ready for prom-client's
 * `AggregatorRegistry.aggregate` (which sums only samples with equal labels, so every worker
 * keeps its own series).
 */
export function labelWorker(
  snapshot: readonly MetricObjectWithValues<MetricValue<string>>[],
  workerId: string,
): MetricObjectWithValues<MetricValue<string>>[] {
  return snapshot.map((family) => ({
    ...family,
    values: family.values.map((v) => ({ ...v, labels: { ...v.labels, worker_id: workerId } })),
  }));
}
