/**
 * REST throughput benchmark, measured side by side in one run: a bare `Deno.serve` JSON echo vs
 * this server's predict on an identity model, both driven by `wrk` (Debian package `wrk`) on
 * loopback. Rounds alternate between the two servers so machine noise hits both alike.
 *
 *   deno task bench [--seconds 5] [--rounds 3] [--connections 32]
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
  },
});

const BODY = '{"data":{"names":["a","b","c","d"],"ndarray":[[5.1,3.5,1.4,0.2]]}}';

async function spawn(
  args: string[],
  cwd: string,
): Promise<{ port: number; child: Deno.ChildProcess }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const streams = [child.stdout, child.stderr].map((s) =>
    s.pipeThrough(new TextDecoderStream()).getReader()
  );
  let log = "";
  const port = await new Promise<number>((resolve, reject) => {
    for (const r of streams) {
      (async () => {
        while (true) {
          const { value, done } = await r.read();
          if (done) return;
          log += value;
          const m = /(?:REST microservice )?running on port (\d+)/.exec(log);
          if (m) resolve(Number(m[1]));
        }
      })().catch(reject);
    }
    setTimeout(() => reject(new Error(`no port:\n${log}`)), 20_000);
  });
  return { port, child };
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

const echo = await spawn(["run", "-A", join(here, "echo_server.ts")], here);
const seldon = await spawn(
  [
    "run",
    "-A",
    "--unstable-net",
    join(here, "..", "main.ts"),
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
const results: { echo: number; seldon: number }[] = [];
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    const e = await wrk(`http://127.0.0.1:${echo.port}/`);
    const s = await wrk(`http://127.0.0.1:${seldon.port}/api/v1.0/predictions`);
    results.push({ echo: e, seldon: s });
    console.log(
      `round ${i + 1}: echo ${e.toFixed(0)} req/s, seldon predict ${s.toFixed(0)} req/s, ratio ${
        (s / e).toFixed(3)
      }`,
    );
  }
} finally {
  for (const p of [echo, seldon]) {
    p.child.kill("SIGTERM");
    await p.child.status;
  }
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const e = median(results.map((r) => r.echo));
const s = median(results.map((r) => r.seldon));
console.log(
  `median: echo ${e.toFixed(0)} req/s, seldon ${s.toFixed(0)} req/s, ratio ${(s / e).toFixed(3)}`,
);
