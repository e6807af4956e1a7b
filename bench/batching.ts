/**
 * Adaptive batching, side by side in one run: the same model (`bench/costly.ts`: 2 ms of CPU per
 * call + 20 µs per row) served by `main.ts` (one REST worker, `--threads 1`) with batching off
 * and on (`--max-batch-size 32 --max-batch-time 10`), each driven by `wrk` with 32 connections
 * sending single-row requests: Seldon v1 `ndarray` predict and V2 JSON infer. Rounds alternate
 * the servers so machine noise hits both alike.
 *
 *   deno run --unstable-net -A bench/batching.ts [--seconds 5] [--rounds 3] [--connections 32]
 *     [--size 32] [--time 10] [--model costly|identity]
 *
 * `--model identity` (`bench/identity.ts`, no cost per call) shows what batching costs when
 * there is nothing to save.
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { measureCpu, median, spawnSeldon, stopServer, wrkPost } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    size: { type: "string", default: "32" },
    time: { type: "string", default: "10" },
    model: { type: "string", default: "costly" },
  },
});
const MODEL = values.model === "identity" ? "Identity" : "Costly";

const V1 = { path: "/api/v1.0/predictions", body: '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}' };
const V2 = {
  path: `/v2/models/${MODEL}/infer`,
  body: '{"inputs":[{"name":"x","datatype":"FP64","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}',
};

interface Result {
  rps: number;
  cpuUs: number;
  p50: string;
  p99: string;
}

/** Runs wrk on `url` with `body`: requests/s, the server's CPU µs per request, latencies. */
async function measure(url: string, body: string, pid: number): Promise<Result> {
  let latency = { p50: "?", p99: "?" };
  const r = await measureCpu(pid, async () => {
    const t0 = performance.now();
    const out = await wrk(url, body);
    latency = out;
    return {
      requests: out.rps * (performance.now() - t0) / 1000,
      seconds: (performance.now() - t0) / 1000,
    };
  });
  return { ...r, ...latency };
}

async function wrk(url: string, body: string): Promise<{ rps: number; p50: string; p99: string }> {
  const { text, rps } = await wrkPost(url, body, {
    threads: 1,
    connections: Number(values.connections),
    seconds: values.seconds,
    extra: ["--latency"],
  });
  return {
    rps,
    p50: /\s50%\s+(\S+)/.exec(text)?.[1] ?? "?",
    p99: /\s99%\s+(\S+)/.exec(text)?.[1] ?? "?",
  };
}

function serve(batching: boolean) {
  return spawnSeldon(
    join(here, ".."),
    `./${MODEL.toLowerCase()}.ts#${MODEL}`,
    batching ? ["--max-batch-size", values.size, "--max-batch-time", values.time] : [],
  );
}

const off = await serve(false);
const on = await serve(true);
const rows: Record<string, Result[]> = {};
const add = (name: string, r: Result) => (rows[name] ??= []).push(r);
const show = (r: Result) =>
  `${r.rps.toFixed(0)} req/s, ${r.cpuUs.toFixed(0)} µs CPU/req, p50 ${r.p50}, p99 ${r.p99}`;
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    for (const [proto, req] of [["v1", V1], ["v2", V2]] as const) {
      const a = await measure(`http://127.0.0.1:${off.port}${req.path}`, req.body, off.child.pid);
      const b = await measure(`http://127.0.0.1:${on.port}${req.path}`, req.body, on.child.pid);
      add(`${proto} off`, a);
      add(`${proto} on`, b);
      console.log(
        `round ${i + 1} ${proto}: off ${show(a)} | on ${show(b)} | ${(b.rps / a.rps).toFixed(2)}×`,
      );
    }
  }
} finally {
  await stopServer(off);
  await stopServer(on);
}
for (const proto of ["v1", "v2"]) {
  const a = median(rows[`${proto} off`].map((r) => r.rps));
  const b = median(rows[`${proto} on`].map((r) => r.rps));
  console.log(
    `median ${proto}: off ${a.toFixed(0)} req/s, on ${b.toFixed(0)} req/s, ${(b / a).toFixed(2)}×`,
  );
}
