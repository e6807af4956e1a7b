/**
 * The Prometheus text exposition (format 0.0.4) of the custom-metric series, byte-identical to
 * what upstream's `prometheus_client.generate_latest` prints for Seldon's collector
 * (metrics-and-processes.md §2.5): one HELP/TYPE block per series, labels merged
 * user tags < default labels < `worker_id` and sorted by name, values formatted with
 * `floatToGoString`. Rendered by hand: prom-client's Registry cannot emit duplicate families,
 * per-series blocks or Python's number formatting.
 * @module
 */
import {
  deploymentName,
  type Env,
  imageName,
  modelName,
  predictorName,
  predictorVersion,
} from "../config/env.ts";
import { splitImageTag } from "../protocol/metadata.ts";
import { pyFloatRepr } from "../python/float.ts";
import { BUCKETS, type Series } from "./store.ts";

/** `Content-Type` of a scrape (prometheus_client `CONTENT_TYPE_LATEST`). */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The `le` label of each TIMER bucket, as upstream prints them: the 50 finite edges of
 * `BUCKETS` (store.ts) then `+Inf` (§2.5).
 */
export const BUCKET_LABELS: readonly string[] = [...BUCKETS.map(floatToGoString), "+Inf"];

/** The labels added to every sample besides the series' tags and `worker_id` (§2.5). */
export interface DefaultLabels {
  readonly deployment_name: string;
  readonly model_name: string;
  readonly model_image: string;
  readonly model_version: string;
  readonly predictor_name: string;
  readonly predictor_version: string;
  readonly seldon_deployment_name: string;
  readonly image_name: string;
  readonly image_version: string;
}

/**
 * The default labels from the environment: `SELDON_DEPLOYMENT_ID`, `PREDICTIVE_UNIT_ID`,
 * `PREDICTIVE_UNIT_IMAGE` split at the last `:` (no colon → image `""`, version = the whole
 * value; unset → `NOT_IMPLEMENTED` for both), `PREDICTOR_ID`, `PREDICTOR_LABELS.version`, each
 * `NOT_IMPLEMENTED` when unset, plus the pre-1.3 compatibility copies.
 *
 * @throws {SyntaxError} when `PREDICTOR_LABELS` is not valid JSON (upstream crashes at startup).
 */
export function defaultLabels(env: Env): DefaultLabels {
  const deployment = deploymentName(env);
  const [image, version] = splitImageTag(imageName(env));
  return {
    deployment_name: deployment,
    model_name: modelName(env),
    model_image: image,
    model_version: version,
    predictor_name: predictorName(env),
    predictor_version: predictorVersion(env),
    seldon_deployment_name: deployment,
    image_name: image,
    image_version: version,
  };
}

/**
 * prometheus_client `floatToGoString`: `+Inf`/`-Inf`/`NaN`; otherwise Python `repr(x)`, except
 * that positive values with more than 6 integer digits in that repr are rewritten Go-style with
 * a literal `e+0` exponent prefix (`1e+06`, `1.234567e+06`, and [QUIRK] `1.2345678901e+010`).
 */
export function floatToGoString(x: number): string {
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (Number.isNaN(x)) return "NaN";
  const s = pyFloatRepr(x);
  const dot = s.indexOf(".");
  if (x > 0 && dot > 6) {
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/[0.]+$/, "");
    return `${mantissa}e+0${dot - 1}`;
  }
  return s;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Whether `key` can name a family of `type`. A COUNTER's name is its key without a trailing
 * `_total` (prometheus_client strips it), so `_total` alone is invalid.
 */
export function isValidMetricKey(type: Series["type"], key: string): boolean {
  const name = type === "COUNTER" && key.endsWith("_total") ? key.slice(0, -6) : key;
  return METRIC_NAME.test(name);
}

/** Receives each series left out of a scrape because its key is not a metric name. */
export type SkipHandler = (key: string, workerId: string) => void;

/**
 * Renders every worker's series, workers and series in iteration order, one HELP/TYPE block
 * per series. Series whose key is not a valid metric name are skipped and reported to
 * `onSkip` (upstream fails the whole scrape instead; §2.5 allows skipping). No series → `""`.
 */
export function renderExposition(
  workers: Iterable<readonly [workerId: string, series: readonly Series[]]>,
  labels: DefaultLabels,
  onSkip?: SkipHandler,
): string {
  const out: string[] = [];
  for (const [workerId, series] of workers) {
    for (const s of series) {
      if (!isValidMetricKey(s.type, s.key)) {
        onSkip?.(s.key, workerId);
        continue;
      }
      const merged: Record<string, string> = { ...s.tags, ...labels, worker_id: workerId };
      out.push(renderSeries(s, merged));
    }
  }
  return out.join("");
}

/** One series' HELP/TYPE block and samples. */
function renderSeries(s: Series, labels: Record<string, string>): string {
  if (s.type === "COUNTER") {
    const name = s.key.endsWith("_total") ? s.key : `${s.key}_total`;
    return header(name, "counter") + sample(name, labelSet(labels), s.value);
  }
  if (s.type === "GAUGE") {
    return header(s.key, "gauge") + sample(s.key, labelSet(labels), s.value);
  }
  return header(s.key, "histogram") + histogramSamples(s, labels);
}

/** `# HELP` (empty text, hence the trailing space) and `# TYPE` lines. */
function header(name: string, type: string): string {
  return `# HELP ${name} \n# TYPE ${name} ${type}\n`;
}

/** Cumulative `_bucket` samples (with `le` in its sorted place), then `_count`, then `_sum`. */
function histogramSamples(s: Series, labels: Record<string, string>): string {
  const { le: _userLe, ...rest } = labels;
  const pairs = labelPairs(rest);
  const at = pairs.findIndex(([k]) => compareCodePoints(k, "le") > 0);
  const split = at < 0 ? pairs.length : at;
  const before = pairs.slice(0, split).map(([, p]) => `${p},`).join("");
  const after = pairs.slice(split).map(([, p]) => `,${p}`).join("");
  const bins = s.bins ?? [];
  let lines = "";
  let cumulative = 0;
  for (let i = 0; i < BUCKET_LABELS.length; i++) {
    cumulative += bins[i] ?? 0;
    lines += sample(`${s.key}_bucket`, `{${before}le="${BUCKET_LABELS[i]}"${after}}`, cumulative);
  }
  const plain = labelSet(labels);
  return lines + sample(`${s.key}_count`, plain, cumulative) +
    sample(`${s.key}_sum`, plain, s.value);
}

/** One sample line: name, rendered label set, formatted value. */
function sample(name: string, labelText: string, value: number): string {
  return `${name}${labelText} ${floatToGoString(value)}\n`;
}

/** `{a="1",b="2"}` with labels sorted by name. */
function labelSet(labels: Record<string, string>): string {
  return `{${labelPairs(labels).map(([, p]) => p).join(",")}}`;
}

/** `[name, name="escaped value"]` pairs sorted by name. */
function labelPairs(labels: Record<string, string>): [string, string][] {
  return Object.keys(labels).sort(compareCodePoints)
    .map((k) => [k, `${k}="${escapeLabelValue(labels[k])}"`]);
}

/** Text-format label value escaping: `\` → `\\`, newline → `\n`, `"` → `\"`. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

/** Python's `str` ordering (by code point, i.e. UTF-8 byte order), not UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
