/**
 * Custom metrics on the request path: validation (metrics-and-processes.md §3), the `method`
 * tag that recording adds to every metric carrying `tags` (§2.2 [QUIRK], visible on the wire),
 * and the recorder interface the metrics side channel implements.
 * @module
 */
import { SeldonMicroserviceException } from "../protocol/errors.ts";
import { pyJsonDumps } from "../python/json_dumps.ts";
import { isPyDict, pyIn, pySubscriptError } from "../python/operators.ts";

const TYPES = new Set(["COUNTER", "GAUGE", "TIMER"]);

/** Receives validated custom metrics of one request, tagged with the endpoint's method. */
export interface MetricsRecorder {
  /** Records `metrics` under `method`; may be async (e.g. sent to a collector). */
  record(metrics: readonly Record<string, unknown>[], method: string): void | Promise<void>;
}

/** A recorder that keeps nothing (for embedding and unit tests). */
export const NO_METRICS: MetricsRecorder = { record() {} };

/**
 * Upstream `validate_metrics`: a list of `{key, value, type}` with a known type and numeric
 * value. An item that is not an object is searched as Python's `"key" in m and …` searches it:
 * `null`, a number or a boolean throws Python's `TypeError` (`argument of type 'int' is not
 * iterable`), as does a str or list holding all three words (then indexed); any other is invalid.
 */
export function validateMetrics(metrics: unknown): metrics is Record<string, unknown>[] {
  if (!Array.isArray(metrics)) return false;
  for (const m of metrics) {
    if (!isPyDict(m)) {
      if (pyIn("key", m) && pyIn("value", m) && pyIn("type", m)) throw pySubscriptError(m);
      return false;
    }
    const { key, value, type } = m as Record<string, unknown>;
    if (key === undefined || value === undefined || type === undefined) return false;
    if (typeof type !== "string" || !TYPES.has(type)) return false;
    if (typeof value !== "number" && typeof value !== "boolean") return false;
  }
  return true;
}

/** The 500 `MICROSERVICE_BAD_METRIC` error for an invalid metrics list. */
export function badMetrics(metrics: unknown): SeldonMicroserviceException {
  return new SeldonMicroserviceException(
    `Bad metric created during request: ${pyJsonDumps(metrics)}`,
    { statusCode: 500, reason: "MICROSERVICE_BAD_METRIC" },
  );
}

/** Adds `method` to the `tags` object of every metric that has one (mutating, as upstream). */
export function tagWithMethod(metrics: readonly Record<string, unknown>[], method: string): void {
  for (const m of metrics) {
    const tags = m.tags;
    if (typeof tags === "object" && tags !== null && !Array.isArray(tags)) {
      (tags as Record<string, unknown>).method = method;
    }
  }
}

/** Validates, tags and records one list; throws {@link badMetrics} when invalid. */
export async function collectMetrics(
  metrics: unknown,
  method: string,
  recorder: MetricsRecorder,
): Promise<Record<string, unknown>[]> {
  if (!validateMetrics(metrics)) throw badMetrics(metrics);
  if (metrics.length === 0) return metrics;
  tagWithMethod(metrics, method);
  await recorder.record(metrics, method);
  return metrics;
}
