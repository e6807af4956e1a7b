/**
 * The custom-metrics checks shared by the conformance tests of upstream's test_metrics.py and
 * test_runtime_metrics_tags.py: this worker's metrics store, and the catalog's VERIFY steps.
 */
import { assert, assertEquals } from "./assert.ts";
import { checkExposition, scrape } from "./prometheus.ts";
import type { TestServer } from "./server.ts";
import type { Series } from "../../src/metrics/store.ts";

/** Both values of `INCLUDE_METRICS_IN_CLIENT_RESPONSE` the tests run with. */
export const INCLUDE = [true, false] as const;

/** The environment that sets `INCLUDE_METRICS_IN_CLIENT_RESPONSE`. */
export function includeEnv(include: boolean): Record<string, string> {
  return { INCLUDE_METRICS_IN_CLIENT_RESPONSE: include ? "true" : "false" };
}

/** Index of the TIMER bin holding 0.0202 s: [0.019018554321561593, 0.02347185009632733). */
const BIN_0_0202 = 15;

/** The series of this process's worker store (in-process servers record under `Deno.pid`). */
export function workerSeries(s: TestServer): Series[] {
  const store = s.running.collector.store(String(Deno.pid));
  assert(store, "no metrics store for this worker");
  return store.series();
}

/** The one series of `type`/`key` with exactly `tags`. */
export function findSeries(
  series: Series[],
  type: string,
  key: string,
  tags: Record<string, string>,
): Series {
  const found = series.filter((x) =>
    x.type === type && x.key === key && Object.keys(x.tags).length === Object.keys(tags).length &&
    Object.entries(tags).every(([k, v]) => x.tags[k] === v)
  );
  assertEquals(
    found.length,
    1,
    `expected one series ${type} ${key} ${JSON.stringify(tags)}; store: ${
      JSON.stringify(series.map((x) => [x.type, x.key, x.tags]))
    }`,
  );
  return found[0];
}

function assertClose(actual: number, expected: number, what: string, rel = 1e-6): void {
  assert(
    Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: ${actual} is not close to ${expected}`,
  );
}

/**
 * The part of VERIFY(n, method) both catalogs share: after `n` requests, `mygauge` 100,
 * `customtag{mytag=mytagvalue}` 200, `mycounter` n and `mytimer` n × 20.2 ms, each tagged with
 * `method`.
 */
export function verifyUserMetrics(series: Series[], n: number, method: string): void {
  const gauge = findSeries(series, "GAUGE", "mygauge", { method });
  assertEquals(gauge.value, 100, `mygauge{method=${method}}`);
  const custom = findSeries(series, "GAUGE", "customtag", { mytag: "mytagvalue", method });
  assertEquals(custom.value, 200, `customtag{method=${method}}`);
  assertEquals({ ...custom.tags }, { mytag: "mytagvalue", method });
  const counter = findSeries(series, "COUNTER", "mycounter", { method });
  assertEquals(counter.value, n, `mycounter{method=${method}} after ${n} request(s)`);
  const timer = findSeries(series, "TIMER", "mytimer", { method });
  const bins = new Array(51).fill(0);
  bins[BIN_0_0202] = n;
  assertEquals(timer.bins, bins, `mytimer{method=${method}} histogram after ${n} request(s)`);
  assertClose(timer.value, n * 0.0202, `mytimer{method=${method}} sum`);
}

/** The answer has a `meta`, holding `metrics` exactly when `include`. */
export function assertMetricsInMeta(body: any, include: boolean, what: string): void {
  assert(body?.meta !== undefined && body.meta !== null, `${what}: response has no meta`);
  assertEquals("metrics" in body.meta, include, `${what}: "metrics" in meta`);
}

/** The feedback reward counter of this worker is `expected`, tagged `method=feedback`. */
export function assertFeedbackReward(s: TestServer, expected: number): void {
  const reward = findSeries(workerSeries(s), "COUNTER", "seldon_api_model_feedback_reward", {
    method: "feedback",
  });
  assertEquals({ value: reward.value, tags: { ...reward.tags } }, {
    value: expected,
    tags: { method: "feedback" },
  });
}

/**
 * Runs `run` as one step per user class and `INCLUDE_METRICS_IN_CLIENT_RESPONSE` value, each
 * named `<name> (<class>, INCLUDE=<value>)`.
 */
export async function forEachVariant<C extends abstract new () => unknown>(
  t: Deno.TestContext,
  name: string,
  classes: readonly C[],
  run: (cls: C, include: boolean) => Promise<void>,
): Promise<void> {
  for (const cls of classes) {
    for (const include of INCLUDE) {
      await t.step(`${name} (${cls.name}, INCLUDE=${include})`, () => run(cls, include));
    }
  }
}

/**
 * The metrics endpoint around one request: empty before it, then the exposition of the
 * catalog's endpoint tests (`checkExposition`).
 */
export async function assertScrapeAround(s: TestServer, request: () => Promise<void>) {
  assertEquals(await scrape(s), { status: 200, text: "" });
  await request();
  const after = await scrape(s);
  assertEquals(after.status, 200);
  checkExposition(after.text);
}
