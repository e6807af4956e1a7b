/**
 * The parts of `npm:prom-client` this server uses, each imported from its own module. The
 * package's index also loads what no process here uses at start — the Pushgateway
 * (`node:http`, `node:https`, `node:zlib`), the default collectors, `tdigest` — so the metrics
 * collector, which renders but never collects process metrics, would carry them (~3 MiB RSS,
 * BENCHMARKS.md "session 14"). The types are the package's own.
 * @module
 */
import type * as Prom from "npm:prom-client@15.1.3";
import registryModule from "npm:prom-client@15.1.3/lib/registry.js";
import counterModule from "npm:prom-client@15.1.3/lib/counter.js";
import gaugeModule from "npm:prom-client@15.1.3/lib/gauge.js";
import histogramModule from "npm:prom-client@15.1.3/lib/histogram.js";
import clusterModule from "npm:prom-client@15.1.3/lib/cluster.js";

export type { Metric, MetricObjectWithValues, MetricValue } from "npm:prom-client@15.1.3";

/** prom-client's `Registry`. */
export const Registry = registryModule as unknown as typeof Prom.Registry;
/** prom-client's `Registry`. */
export type Registry = Prom.Registry;
/** prom-client's `Counter`. */
export const Counter = counterModule as unknown as typeof Prom.Counter;
/** prom-client's `Counter`. */
export type Counter<T extends string = string> = Prom.Counter<T>;
/** prom-client's `Gauge`. */
export const Gauge = gaugeModule as unknown as typeof Prom.Gauge;
/** prom-client's `Gauge`. */
export type Gauge<T extends string = string> = Prom.Gauge<T>;
/** prom-client's `Histogram`. */
export const Histogram = histogramModule as unknown as typeof Prom.Histogram;
/** prom-client's `Histogram`. */
export type Histogram<T extends string = string> = Prom.Histogram<T>;
/** prom-client's `AggregatorRegistry` (its `aggregate` merges workers' JSON; `cluster` is not loaded). */
export const AggregatorRegistry = clusterModule as unknown as typeof Prom.AggregatorRegistry;
