/** Reading the metrics port in tests: a small Prometheus text parser and the shared checks. */
import { assert, assertEquals } from "./assert.ts";
import type { TestServer } from "./server.ts";

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The value exactly as written. */
  readonly value: string;
}

/** Sample lines `name{l="v",...} value` of a Prometheus text exposition. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)$/.exec(line);
    assert(m, `unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? "";
    const labelRe = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
    let pos = 0;
    while (pos < body.length) {
      labelRe.lastIndex = pos;
      const l = labelRe.exec(body);
      assert(l, `unparsable labels in: ${line}`);
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
      pos = labelRe.lastIndex;
    }
    samples.push({ name: m[1], labels, value: m[3] });
  }
  return samples;
}

/** GET /metrics on the server's metrics port. */
export async function scrape(s: TestServer): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${s.running.metricsPort}/metrics`);
  return { status: res.status, text: await res.text() };
}

/** The exposition checks shared by both endpoint tests. */
export function checkExposition(text: string): void {
  const samples = parseSamples(text);
  const pid = String(Deno.pid);
  assert(samples.some((x) => x.name === "mytimer_bucket"), `no mytimer_bucket line in:\n${text}`);
  const counters = samples.filter((x) => x.name === "mycounter_total");
  assert(counters.length > 0, `no mycounter_total sample in:\n${text}`);
  for (const c of counters) {
    assertEquals(Number(c.value), 1, "mycounter_total value");
    assertEquals(c.labels.worker_id, pid, "mycounter_total worker_id");
  }
  const gauges = samples.filter((x) => x.name === "mygauge");
  assert(gauges.length > 0, `no mygauge sample in:\n${text}`);
  for (const g of gauges) {
    assertEquals(Number(g.value), 100, "mygauge value");
    assertEquals(g.labels.worker_id, pid, "mygauge worker_id");
  }
  const custom = samples.filter((x) => x.name === "customtag");
  assert(custom.length > 0, `no customtag sample in:\n${text}`);
  for (const c of custom) {
    assertEquals(Number(c.value), 200, "customtag value");
    assertEquals(c.labels.mytag, "mytagvalue", "customtag mytag label");
  }
}
