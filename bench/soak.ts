/**
 * Soak and tree memory (issue 13, items 3 and 5), on loopback with the default start
 * (supervisor, metrics collector, 1 REST and 1 gRPC worker; identity model):
 *
 * 1. idle: the tree's RSS (sum of `VmRSS` of every process, /proc);
 * 2. `--large` (20) sequential 1e6-float `data.tensor` predictions, then `--idle` (30) s idle:
 *    the tree's RSS must come back within 150 MB of the idle figure;
 * 3. `--rounds` (2) soaks of `--connections` (1000) keep-alive connections for `--seconds` (20)
 *    s each with `wrk` (small predict): errors (socket errors, non-2xx), requests, p50/p99, and a
 *    `/health/ping` right after (no hang); the tree's RSS after each round and 5 s idle must stay
 *    flat between rounds (no leak: each round is hundreds of thousands of small requests).
 *
 *   deno run -A bench/soak.ts [--connections 1000] [--seconds 20] [--rounds 2] [--large 20] [--idle 30] [--json]
 *
 * The client's soft open-files limit must allow the connections (`ulimit -n`); the server
 * accepts as many as its own limit allows.
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { spawnSeldon, stopServer, wrkPost } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    connections: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
    rounds: { type: "string", default: "2" },
    large: { type: "string", default: "20" },
    idle: { type: "string", default: "30" },
    json: { type: "boolean", default: false },
  },
});
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of `VmRSS` (bytes) of `pid` and its descendants. */
function treeRss(pid: number): number {
  let total = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    try {
      const status = Deno.readTextFileSync(`/proc/${p}/status`);
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
      for (const task of Deno.readDirSync(`/proc/${p}/task`)) {
        const kids = Deno.readTextFileSync(`/proc/${p}/task/${task.name}/children`).trim();
        if (kids) todo.push(...kids.split(" ").map(Number));
      }
    } catch { /* exited */ }
  }
  return total;
}

/** `pid=VmRSS/RssAnon MiB` of every process of the tree (where the memory is). */
function perProcess(pid: number): string {
  const out: string[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    try {
      const status = Deno.readTextFileSync(`/proc/${p}/status`);
      const f = (n: string) =>
        Number(new RegExp(`^${n}:\\s+(\\d+) kB`, "m").exec(status)![1]) / 1024;
      const env = Deno.readTextFileSync(`/proc/${p}/environ`).split("\0");
      const role = env.find((e) => e.startsWith("SELDON_TS_ROLE="))?.slice(15) ?? "supervisor";
      out.push(`${role} ${f("VmRSS").toFixed(0)}/${f("RssAnon").toFixed(0)}`);
      for (const task of Deno.readDirSync(`/proc/${p}/task`)) {
        const kids = Deno.readTextFileSync(`/proc/${p}/task/${task.name}/children`).trim();
        if (kids) todo.push(...kids.split(" ").map(Number));
      }
    } catch { /* exited */ }
  }
  return out.join(", ");
}

/** One `wrk` soak: requests, errors and latency percentiles (ms). */
interface Soak {
  requests: number;
  rps: number;
  socketErrors: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function ms(text: string, unit: string): number {
  return Number(text) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 }[unit] ?? NaN);
}

async function wrk(url: string): Promise<Soak> {
  const { text, rps } = await wrkPost(url, '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}', {
    threads: 2,
    connections: Number(values.connections),
    seconds: values.seconds,
    extra: ["--timeout", "10s", "--latency"],
  }, false);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, "m").exec(text);
    if (!m) throw new Error(`wrk output:\n${text}`);
    return ms(m[1], m[2]);
  };
  const max = /^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/m.exec(text);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(/(\d+) requests in/.exec(text)![1]),
    rps,
    socketErrors: errors ? errors.slice(1).reduce((a, n) => a + Number(n), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    p50Ms: pct("50"),
    p99Ms: pct("99"),
    maxMs: max ? ms(max[1], max[2]) : NaN,
  };
}

const server = await spawnSeldon(join(here, ".."), "./identity.ts#Identity", [
  "--grpc-port",
  "0",
  "--grpc-workers",
  "1",
]);
const base = `http://127.0.0.1:${server.port}`;
const pid = server.child.pid;
const report: Record<string, unknown> = {};
const line = (s: string) => console.log(s);
try {
  await sleep(3000); // every worker ready and compacted
  const idle = treeRss(pid);
  report.idleMiB = idle / MiB;
  line(`idle tree RSS ${(idle / MiB).toFixed(1)} MiB (RSS/anon MiB: ${perProcess(pid)})`);

  const large = Number(values.large);
  if (large > 0) {
    const n = 1_000_000;
    const floats = Array.from({ length: n }, (_, i) => (i % 1000) / 7);
    const body = JSON.stringify({ data: { tensor: { shape: [1, n], values: floats } } });
    let peak = 0;
    const t0 = performance.now();
    for (let i = 0; i < large; i++) {
      const res = await fetch(`${base}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await res.text();
      if (res.status !== 200 || text.length < n) {
        throw new Error(`large request ${i}: ${res.status}`);
      }
      peak = Math.max(peak, treeRss(pid));
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = treeRss(pid);
    await sleep(Number(values.idle) * 1000);
    const settled = treeRss(pid);
    Object.assign(report, {
      largeSeconds: seconds / large,
      largePeakMiB: peak / MiB,
      largeAfterMiB: after / MiB,
      largeIdleMiB: settled / MiB,
    });
    line(
      `${large} × 1e6-float tensor: ${(seconds / large).toFixed(2)} s each; tree RSS peak ${
        (peak / MiB).toFixed(0)
      }, right after ${(after / MiB).toFixed(0)}, after ${values.idle} s idle ${
        (settled / MiB).toFixed(0)
      } MiB (${((settled - idle) / 1e6).toFixed(0)} MB above idle; target ≤ 150; ${
        perProcess(pid)
      })`,
    );
  }

  const rounds: (Soak & { pingMs: number; rssMiB: number })[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const soak = await wrk(`${base}/api/v1.0/predictions`);
    const t0 = performance.now();
    const ping = await fetch(`${base}/health/ping`, { signal: AbortSignal.timeout(5000) });
    await ping.body?.cancel();
    if (!ping.ok) throw new Error(`ping after the soak: ${ping.status}`);
    const pingMs = performance.now() - t0;
    await sleep(5000);
    const rss = treeRss(pid) / MiB;
    rounds.push({ ...soak, pingMs, rssMiB: rss });
    line(
      `soak ${
        r + 1
      }: ${values.connections} connections × ${values.seconds} s: ${soak.requests} requests (${
        soak.rps.toFixed(0)
      } req/s), socket errors ${soak.socketErrors}, non-2xx ${soak.non2xx}, p50 ${
        soak.p50Ms.toFixed(1)
      } ms, p99 ${soak.p99Ms.toFixed(1)} ms, max ${soak.maxMs.toFixed(0)} ms; ping after ${
        pingMs.toFixed(1)
      } ms; tree RSS 5 s later ${rss.toFixed(1)} MiB (${perProcess(pid)})`,
    );
  }
  report.soaks = rounds;
} finally {
  await stopServer(server);
}
if (values.json) console.log(JSON.stringify(report));
