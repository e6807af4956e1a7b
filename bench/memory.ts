/**
 * Does a REST worker give memory back after big requests? Starts the server (supervisor + one
 * REST worker, identity model), sends `--requests` concurrent predictions of `--mb` MB each
 * (an `ndarray` of floats), then waits `--idle` seconds, then sends `--small` small requests,
 * sampling the worker's RSS (/proc) and, through the model, its V8 heap
 * (`Deno.memoryUsage()`): a heap that is small while the RSS stays high is memory V8 or the
 * allocator keeps, not objects the server retains.
 *
 * The server runs with `DENO_V8_FLAGS=--expose-gc` so the model can force a full collection.
 *
 * `deno run -A bench/memory.ts [--requests 8] [--mb 100] [--idle 60] [--small 20000]
 * [-- extra server flags]`
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    requests: { type: "string", default: "8" },
    mb: { type: "string", default: "100" },
    idle: { type: "string", default: "60" },
    small: { type: "string", default: "20000" },
  },
});
const requests = Number(values.requests);
const mb = Number(values.mb);
const idle = Number(values.idle);
const small = Number(values.small);

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "main.ts");
const app = await Deno.makeTempDir({ prefix: "seldon-bench-memory-" });
await Deno.writeTextFile(
  join(app, "Echo.js"),
  `export class Echo {
    predict(X) {
      if (X === "gc") globalThis.gc?.();
      return X === "mem" || X === "gc" ? Deno.memoryUsage() : X;
    }
  }\n`,
);
const port = (() => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
})();
const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--unstable-net",
    "-A",
    MAIN,
    "Echo",
    "--grpc-workers",
    "0",
    "--http-port",
    String(port),
    "--metrics-port",
    "0",
    "--host",
    "127.0.0.1",
    "--max-body-size",
    `${mb * 2}m`,
    ...positionals,
  ],
  cwd: app,
  // gc() for the model: what is garbage V8 has not collected yet vs what is retained.
  env: { NO_COLOR: "1", DENO_V8_FLAGS: "--expose-gc" },
  stdout: "null",
  stderr: "null",
}).spawn();

const url = `http://127.0.0.1:${port}/api/v1.0/predictions`;
const post = (body: string) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });

function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function workerPid(): Promise<number> {
  const out = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(server.pid)] })
    .output();
  return Number(new TextDecoder().decode(out.stdout).trim().split(/\s+/)[0]);
}

async function heap(what = "mem"): Promise<string> {
  const m = await (await post(`{"strData":"${what}"}`)).json();
  const u = m.jsonData as Record<string, number>;
  const f = (n: number) => (n / 1024 / 1024).toFixed(0);
  return `heapUsed ${f(u.heapUsed)} MiB, heapTotal ${f(u.heapTotal)} MiB, external ${
    f(u.external)
  } MiB`;
}

try {
  for (let i = 0; i < 100; i++) {
    if (await post('{"strData":"x"}').then((r) => r.text(), () => "")) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = await workerPid();
  const rows: [string, string, string][] = [];
  const row = async (label: string, what = "mem") => {
    const h = await heap(what);
    rows.push([label, `${rssMiB(pid).toFixed(0)} MiB`, h]);
  };
  await row("started");

  // One body, ~`mb` MB: "0.123456789," × n.
  const item = "0.123456789,";
  const n = Math.floor(mb * 1e6 / item.length);
  const body = `{"data":{"ndarray":[${item.repeat(n - 1)}0.5]}}`;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  const t0 = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: requests }, () =>
      post(body).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      })),
  );
  clearInterval(sampler);
  const took = ((performance.now() - t0) / 1000).toFixed(1);
  rows.push([`peak during ${requests} × ${mb} MB (${took} s)`, `${peak.toFixed(0)} MiB`, ""]);
  await row(`right after (statuses ${[...new Set(statuses)].join(",")})`);
  let waited = 0;
  for (const wait of new Set([Math.min(10, idle), idle])) {
    await new Promise((r) => setTimeout(r, (wait - waited) * 1000));
    waited = wait;
    await row(`after ${wait} s idle`);
  }
  await row("then a full GC (gc())", "gc");
  await new Promise((r) => setTimeout(r, 2000));
  await row("2 s after the GC");
  if (small > 0) {
    const tiny = '{"data":{"ndarray":[[1,2,3,4]]}}';
    let sent = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (sent++ < small) await (await post(tiny)).arrayBuffer();
    }));
    await row(`after ${small} small requests`);
  }
  console.log(`| moment | worker RSS | V8 (through the model) |`);
  console.log(`| --- | ---: | --- |`);
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
} finally {
  server.kill("SIGTERM");
  await server.status;
  await Deno.remove(app, { recursive: true });
}
