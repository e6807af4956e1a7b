/**
 * Process-model audit regressions, against the real program on ephemeral loopback ports:
 * workers exit when their supervisor dies, start-up failures leave no pidfile or temporary
 * folder behind and exit 1, bad parameters are reported before a bad log level, and the access
 * log has gunicorn's format on the REST and metrics ports with metrics scrapes filtered.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { accessLogLine } from "../../src/logging.ts";
import { appFolder, freePorts, spawnServer } from "../_helpers/spawn.ts";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "main.ts");
const MODEL = { "MyModel.ts": "export class MyModel { predict(X) { return X; } }\n" };

/** Runs main.ts to completion (killed after 30 s) in `cwd`. */
async function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-net", "-A", MAIN, ...args, "--host", "127.0.0.1"],
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** The direct children of `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(pid)] })
    .output();
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter(Boolean).map(Number);
}

/** True while `pid` exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("audit: workers exit when their supervisor is SIGKILLed (no orphans)", async () => {
  const dir = await appFolder(MODEL);
  // A SIGKILLed supervisor cannot remove its private folder: keep it in one we remove.
  const tmp = await Deno.makeTempDir({ prefix: "seldon-audit-tmp-" });
  const server = await spawnServer(dir, ["MyModel", "--workers", "2", "--grpc-workers", "1"], {
    TMPDIR: tmp,
  });
  const workers = await childrenOf(server.child.pid);
  try {
    assertEquals(workers.length, 3);
    server.child.kill("SIGKILL");
    await server.child.status;
    const deadline = Date.now() + 10_000;
    while (workers.some(alive) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(workers.filter(alive), []);
  } finally {
    for (const pid of workers.filter(alive)) Deno.kill(pid, "SIGKILL");
    await server.stop();
    await Deno.remove(tmp, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audit: a metrics port in use exits 1 and leaves no pidfile or temp folder", async () => {
  const dir = await appFolder(MODEL);
  const tmp = await Deno.makeTempDir({ prefix: "seldon-audit-tmp-" });
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pidfile = join(dir, "server.pid");
  try {
    const busy = String((holder.addr as Deno.NetAddr).port);
    const out = await run(dir, [
      "MyModel",
      "--http-port",
      "0",
      "--grpc-port",
      "0",
      "--metrics-port",
      busy,
      "--pidfile",
      pidfile,
    ], { TMPDIR: tmp });
    assertEquals(out.code, 1, out.stderr);
    assert(out.stderr.includes("AddrInUse"), out.stderr);
    assertEquals(await Deno.stat(pidfile).then(() => true, () => false), false);
    assertEquals([...Deno.readDirSync(tmp)], []);
  } finally {
    holder.close();
    await Deno.remove(tmp, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audit: a REST port in use exits 1 (not 3) and cleans up", async () => {
  const dir = await appFolder(MODEL);
  const tmp = await Deno.makeTempDir({ prefix: "seldon-audit-tmp-" });
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const busy = String((holder.addr as Deno.NetAddr).port);
    const [grpc, metrics] = freePorts(2);
    const out = await run(dir, [
      "MyModel",
      "--http-port",
      busy,
      "--grpc-port",
      String(grpc),
      "--metrics-port",
      String(metrics),
    ], { TMPDIR: tmp });
    assertEquals(out.code, 1, out.stderr);
    assertEquals([...Deno.readDirSync(tmp)], []);
  } finally {
    holder.close();
    await Deno.remove(tmp, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audit: bad --parameters is reported before a bad SELDON_LOG_LEVEL", async () => {
  const dir = await appFolder({});
  try {
    const out = await run(dir, ["Nope", "--parameters", "bad"], { SELDON_LOG_LEVEL: "LOUD" });
    assertEquals(out.code, 1);
    assert(out.stderr.includes("Bad model parameters"), out.stderr);
    assert(!out.stderr.includes("Invalid log level"), out.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audit: access line format is gunicorn's default", () => {
  const req = new Request("http://h:9/api/v1.0/predictions?x=1", {
    method: "POST",
    headers: { "user-agent": "curl/8.5.0" },
  });
  const line = accessLogLine(req, 200, 97, "10.1.2.3", new Date(2026, 10, 25, 16, 40, 42));
  assert(
    /^10\.1\.2\.3 - - \[25\/Nov\/2026:16:40:42 [+-]\d{4}\] "POST \/api\/v1\.0\/predictions\?x=1 HTTP\/1\.1" 200 97 "-" "curl\/8\.5\.0"\n$/
      .test(line),
    line,
  );
});

/** Starts the server with `--access-log`, sends requests, returns its stdout after SIGTERM. */
async function accessLog(env: Record<string, string>): Promise<string> {
  const dir = await appFolder(MODEL);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-net",
      "-A",
      MAIN,
      "MyModel",
      "--access-log",
      "--grpc-workers",
      "0",
      "--host",
      "127.0.0.1",
      "--http-port",
      "0",
      "--metrics-port",
      "0",
    ],
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    let log = "";
    let m: RegExpExecArray | null = null;
    while (!(m = /REST microservice running on port (\d+)/.exec(log))) {
      const { value, done } = await reader.read();
      if (done) throw new Error(log);
      log += value;
    }
    const metrics = /metrics microservice running on port (\d+)/.exec(log)![1];
    const rest = `http://127.0.0.1:${m[1]}`;
    const res = await fetch(`${rest}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "audit" },
      body: JSON.stringify({ strData: "hi" }),
    });
    const body = await res.arrayBuffer();
    await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).body?.cancel();
    await (await fetch(`http://127.0.0.1:${metrics}/nowhere`)).body?.cancel();
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 0);
    await reader.cancel();
    return (await stdout).replaceAll(
      `"POST /api/v1.0/predictions HTTP/1.1" 200 ${body.byteLength} `,
      "<PREDICT> ",
    );
  } finally {
    clearTimeout(killer);
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("audit: access log on REST and metrics ports, metrics scrapes filtered by default", async () => {
  const out = await accessLog({});
  assert(/^127\.0\.0\.1 - - \[[^\]]+\] <PREDICT> "-" "audit"$/m.test(out), out);
  assert(/"GET \/nowhere HTTP\/1\.1" 404 \d+ /.test(out), out);
  assert(!out.includes("GET /metrics "), out);
});

Deno.test("audit: FILTER_METRICS_ACCESS_LOGS=false keeps metrics scrape lines", async () => {
  const out = await accessLog({ FILTER_METRICS_ACCESS_LOGS: "false" });
  assert(/"GET \/metrics HTTP\/1\.1" 200 \d+ /.test(out), out);
});
