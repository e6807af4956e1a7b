/**
 * REST throughput benchmark, measured side by side in one run: a bare `Deno.serve` JSON echo vs
 * this server's predict on an identity model, both driven by `wrk` (Debian package `wrk`) on
 * loopback. Rounds alternate between the two servers so machine noise hits both alike.
 *
 *   deno task bench [--seconds 5] [--rounds 3] [--connections 32] [--compare DIR]
 *
 * `--compare DIR` also runs the server of another checkout (e.g. a `git worktree` of an older
 * commit) in the same rounds, for before/after figures measured side by side.
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { measureCpu, median, spawnServer as spawn } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    compare: { type: "string" },
  },
});

const BODY = '{"data":{"names":["a","b","c","d"],"ndarray":[[5.1,3.5,1.4,0.2]]}}';

/** Runs wrk and returns requests/s and the server's CPU microseconds per request. */
function measure(url: string, pid: number): Promise<{ rps: number; cpuUs: number }> {
  return measureCpu(pid, async () => {
    const t0 = performance.now();
    const rps = await wrk(url);
    const seconds = (performance.now() - t0) / 1000;
    return { requests: rps * seconds, seconds };
  });
}

async function wrk(url: string): Promise<number> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const out = await new Deno.Command("wrk", {
    args: ["-t1", `-c${values.connections}`, `-d${values.seconds}s`, "-s", script, url],
    stdout: "piped",
  }).output();
  await Deno.remove(script);
  const text = new TextDecoder().decode(out.stdout);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!m) throw new Error(`wrk output:\n${text}`);
  if (/Non-2xx/.test(text)) throw new Error(`errors during the run:\n${text}`);
  return Number(m[1]);
}

/** This server (or another checkout's) on the identity model, REST only. */
function spawnSeldon(root: string) {
  return spawn(
    [
      "run",
      "-A",
      "--unstable-net",
      "--config",
      join(root, "deno.json"),
      join(root, "main.ts"),
      "./identity.ts#Identity",
      "--http-port",
      "0",
      "--metrics-port",
      "0",
      "--grpc-workers",
      "0",
      "--host",
      "127.0.0.1",
    ],
    here,
  );
}

const echo = await spawn(["run", "-A", join(here, "echo_server.ts")], here);
const seldon = await spawnSeldon(join(here, ".."));
const other = values.compare === undefined ? undefined : await spawnSeldon(values.compare);
const results: { echo: number; seldon: number; echoCpu: number; seldonCpu: number }[] = [];
const others: { rps: number; cpuUs: number }[] = [];
const predictions = "/api/v1.0/predictions";
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    const e = await measure(`http://127.0.0.1:${echo.port}/`, echo.child.pid);
    const s = await measure(`http://127.0.0.1:${seldon.port}${predictions}`, seldon.child.pid);
    results.push({ echo: e.rps, seldon: s.rps, echoCpu: e.cpuUs, seldonCpu: s.cpuUs });
    let line =
      `round ${i + 1}: echo ${e.rps.toFixed(0)} req/s (${e.cpuUs.toFixed(1)} µs CPU/req), ` +
      `seldon predict ${s.rps.toFixed(0)} req/s (${s.cpuUs.toFixed(1)} µs CPU/req), ratio ${
        (s.rps / e.rps).toFixed(3)
      }`;
    if (other) {
      const o = await measure(`http://127.0.0.1:${other.port}${predictions}`, other.child.pid);
      others.push(o);
      line += `; compared ${o.rps.toFixed(0)} req/s (${o.cpuUs.toFixed(1)} µs CPU/req), ratio ${
        (o.rps / e.rps).toFixed(3)
      }`;
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
    `CPU/request echo ${ec.toFixed(1)} µs, seldon ${sc.toFixed(1)} µs`,
);
if (others.length > 0) {
  const o = median(others.map((r) => r.rps));
  console.log(
    `compared (${values.compare}): ${o.toFixed(0)} req/s, ratio ${(o / e).toFixed(3)}; ` +
      `CPU/request ${median(others.map((r) => r.cpuUs)).toFixed(1)} µs`,
  );
}
