/**
 * The access log (metrics-and-processes.md §4.3), against the real program on ephemeral
 * loopback ports: gunicorn's format on the REST and metrics ports, metrics scrapes filtered
 * unless `FILTER_METRICS_ACCESS_LOGS=false`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { appFolder, IDENTITY_APP, MAIN } from "../_helpers/spawn.ts";

/** Starts the server with `--access-log`, sends requests, returns its stdout after SIGTERM. */
async function accessLog(env: Record<string, string>): Promise<string> {
  const dir = await appFolder(IDENTITY_APP);
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

Deno.test("access log: written on the REST and metrics ports, metrics scrapes filtered by default", async () => {
  const out = await accessLog({});
  assert(/^127\.0\.0\.1 - - \[[^\]]+\] <PREDICT> "-" "audit"$/m.test(out), out);
  assert(/"GET \/nowhere HTTP\/1\.1" 404 \d+ /.test(out), out);
  assert(!out.includes("GET /metrics "), out);
});

Deno.test("access log: FILTER_METRICS_ACCESS_LOGS=false keeps metrics scrape lines", async () => {
  const out = await accessLog({ FILTER_METRICS_ACCESS_LOGS: "false" });
  assert(/"GET \/metrics HTTP\/1\.1" 200 \d+ /.test(out), out);
});
