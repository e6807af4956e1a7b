/**
 * REST throughput benchmark, measured side by side in one run: a bare `Deno.serve` JSON echo vs
 * this server's predict on an identity model, both driven by `wrk` (Debian package `wrk`) on
 * loopback. Rounds alternate between the two servers so machine noise hits both alike.
 *
 *   deno task bench [--seconds 5] [--rounds 3] [--connections 32] [--threads 2] [--workers 1]
 *     [--compare DIR]
 *
 * Each line gives req/s, the server's CPU per request and wrk's p99 latency; `--workers` is the
 * number of REST workers of this server (and of `--compare`'s).
 *
 * `--compare DIR` also runs the server of another checkout (e.g. a `git worktree` of an older
 * commit) in the same rounds, for before/after figures measured side by side.
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import {
  measureCpu,
  median,
  SMALL_PREDICT,
  spawnSeldon,
  spawnServer as spawn,
  wrkPost,
} from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    threads: { type: "string", default: "2" },
    workers: { type: "string", default: "1" },
    compare: { type: "string" },
  },
});

const BODY = SMALL_PREDICT;

/** Runs wrk and returns requests/s, p99 (ms) and the server's CPU microseconds per request. */
async function measure(
  url: string,
  pid: number,
): Promise<{ rps: number; cpuUs: number; p99: number }> {
  let p99 = NaN;
  const r = await measureCpu(pid, async () => {
    const t0 = performance.now();
    const w = await wrk(url);
    p99 = w.p99;
    const seconds = (performance.now() - t0) / 1000;
    return { requests: w.rps * seconds, seconds };
  });
  return { ...r, p99 };
}

/** wrk's latency figure (`123.45us`, `1.20ms`, `1.5s`) in milliseconds. */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 1e-3 : m[2] === "s" ? 1e3 : 1);
}

async function wrk(url: string): Promise<{ rps: number; p99: number }> {
  const { text, rps } = await wrkPost(url, BODY, {
    threads: Number(values.threads),
    connections: Number(values.connections),
    seconds: values.seconds,
    extra: ["--latency"],
  });
  const p99 = /\n\s*99%\s+(\S+)/.exec(text);
  return { rps, p99: p99 ? ms(p99[1]) : NaN };
}

/** This server (or another checkout's) on the identity model, REST only. */
function startSeldon(root: string) {
  return spawnSeldon(root, "./identity.ts#Identity", ["--workers", values.workers]);
}

const echo = await spawn(["run", "-A", join(here, "echo_server.ts")], here);
const seldon = await startSeldon(join(here, ".."));
const other = values.compare === undefined ? undefined : await startSeldon(values.compare);
const results: {
  echo: number;
  seldon: number;
  echoCpu: number;
  seldonCpu: number;
  echoP99: number;
  seldonP99: number;
}[] = [];
const others: { rps: number; cpuUs: number; p99: number }[] = [];
const predictions = "/api/v1.0/predictions";
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    const e = await measure(`http://127.0.0.1:${echo.port}/`, echo.child.pid);
    const s = await measure(`http://127.0.0.1:${seldon.port}${predictions}`, seldon.child.pid);
    results.push({
      echo: e.rps,
      seldon: s.rps,
      echoCpu: e.cpuUs,
      seldonCpu: s.cpuUs,
      echoP99: e.p99,
      seldonP99: s.p99,
    });
    let line =
      `round ${i + 1}: echo ${e.rps.toFixed(0)} req/s (${
        e.cpuUs.toFixed(1)
      } µs CPU/req, p99 ${e.p99} ms), ` +
      `seldon predict ${s.rps.toFixed(0)} req/s (${
        s.cpuUs.toFixed(1)
      } µs CPU/req, p99 ${s.p99} ms), ratio ${(s.rps / e.rps).toFixed(3)}`;
    if (other) {
      const o = await measure(`http://127.0.0.1:${other.port}${predictions}`, other.child.pid);
      others.push(o);
      line += `; compared ${o.rps.toFixed(0)} req/s (${
        o.cpuUs.toFixed(1)
      } µs CPU/req, p99 ${o.p99} ms), ratio ${(o.rps / e.rps).toFixed(3)}`;
    }
    console.log(line);
  }
} finally {
  for (const p of [echo, seldon, other]) {
    if (p === undefined) continue;
    p.child.kill("SIGTERM");
    await p.child.status;
  }
}
const e = median(results.map((r) => r.echo));
const s = median(results.map((r) => r.seldon));
const ec = median(results.map((r) => r.echoCpu));
const sc = median(results.map((r) => r.seldonCpu));
console.log(
  `median: echo ${e.toFixed(0)} req/s, seldon ${s.toFixed(0)} req/s, ratio ${
    (s / e).toFixed(3)
  }; ` +
    `CPU/request echo ${ec.toFixed(1)} µs, seldon ${sc.toFixed(1)} µs; p99 echo ${
      median(results.map((r) => r.echoP99))
    } ms, seldon ${median(results.map((r) => r.seldonP99))} ms`,
);
if (others.length > 0) {
  const o = median(others.map((r) => r.rps));
  console.log(
    `compared (${values.compare}): ${o.toFixed(0)} req/s, ratio ${(o / e).toFixed(3)}; ` +
      `CPU/request ${median(others.map((r) => r.cpuUs)).toFixed(1)} µs`,
  );
}
