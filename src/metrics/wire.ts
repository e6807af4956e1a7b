/**
 * A worker's metrics as they travel to the collector (JSON lines): its custom series, with
 * non-finite values spelled as strings (JSON has no NaN/Infinity), and its built-in metrics as
 * prom-client JSON.
 * @module
 */
import type { MetricObjectWithValues, MetricValue } from "./prom.ts";
import type { Series } from "./store.ts";

/** One worker's snapshot. */
export interface Snapshot {
  readonly series: readonly Series[];
  readonly builtin?: readonly MetricObjectWithValues<MetricValue<string>>[];
}

/** `series` ready for `JSON.stringify`. */
export function seriesToWire(series: readonly Series[]): unknown[] {
  return series.map((s) => Number.isFinite(s.value) ? s : { ...s, value: String(s.value) });
}

/** Series read back from {@link seriesToWire}'s JSON. */
export function seriesFromWire(raw: unknown): Series[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((s) => typeof s.value === "string" ? { ...s, value: Number(s.value) } : s);
}
