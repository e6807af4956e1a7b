/**
 * Start-up of the real program (server.md §1.5, §1.7; metrics-and-processes.md §1.1, §4.1, §6.2):
 * the start-up log line, a bad gRPC size annotation that stops only gRPC, and failures (a port
 * in use, bad parameters) that exit 1 and leave no pidfile or temporary folder behind.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { join } from "node:path";
import {
  appFolder,
  freePorts,
  IDENTITY_APP,
  MAIN,
  runMain,
  spawnServer,
} from "../_helpers/spawn.ts";

Deno.test("start-up: a non-integer grpc-max-message-size stops gRPC only; REST serves", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }\n",
    "annotations": 'seldon.io/grpc-max-message-size="abc"\n',
  });
  for (const extra of [[], ["--debug"]]) {
    const s = await spawnServer(dir, ["MyModel", ...extra], {
      SELDON_ANNOTATIONS_FILE: join(dir, "annotations"),
    });
    try {
      const res = await fetch(`${s.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"data":{"ndarray":[1]}}',
      });
      assertEquals(res.status, 200);
      assertEquals(await res.json(), { data: { names: [], ndarray: [1] }, meta: {} });
      assertEquals(s.grpcPort, undefined);
      assert(/ERROR: {2}gRPC (workers|server) not started/.test(s.log()), s.log());
    } finally {
      await s.stop();
    }
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("start-up: logs `Starting servers` in the upstream log format (supervisor and --debug)", async () => {
  const dir = await appFolder(IDENTITY_APP);
  for (const extra of [[], ["--debug"]]) {
    const s = await spawnServer(dir, ["MyModel", ...extra]);
    await s.stop();
    // metrics-and-processes.md §4.1: `<date> - <module>:<function>:<line> - INFO:  <message>`.
    assert(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - \S+:\S+:\d+ - INFO: {2}Starting servers$/m.test(
        s.log(),
      ),
      s.log(),
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("start-up: a metrics port in use exits 1 and leaves no pidfile or temp folder", async () => {
  const dir = await appFolder(IDENTITY_APP);
  const tmp = await Deno.makeTempDir({ prefix: "seldon-audit-tmp-" });
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pidfile = join(dir, "server.pid");
  try {
    const busy = String((holder.addr as Deno.NetAddr).port);
    const out = await runMain(
      [
        "MyModel",
        "--http-port",
        "0",
        "--grpc-port",
        "0",
        "--metrics-port",
        busy,
        "--pidfile",
        pidfile,
      ],
      dir,
      { TMPDIR: tmp },
    );
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

Deno.test("start-up: a REST port in use exits 1 (not 3) and cleans up", async () => {
  const dir = await appFolder(IDENTITY_APP);
  const tmp = await Deno.makeTempDir({ prefix: "seldon-audit-tmp-" });
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const busy = String((holder.addr as Deno.NetAddr).port);
    const [grpc, metrics] = freePorts(2);
    const out = await runMain(
      [
        "MyModel",
        "--http-port",
        busy,
        "--grpc-port",
        String(grpc),
        "--metrics-port",
        String(metrics),
      ],
      dir,
      { TMPDIR: tmp },
    );
    assertEquals(out.code, 1, out.stderr);
    assertEquals([...Deno.readDirSync(tmp)], []);
  } finally {
    holder.close();
    await Deno.remove(tmp, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up: bad --parameters is reported before a bad SELDON_LOG_LEVEL", async () => {
  const dir = await appFolder({});
  try {
    const out = await runMain(["Nope", "--parameters", "bad"], dir, { SELDON_LOG_LEVEL: "LOUD" });
    assertEquals(out.code, 1);
    assert(out.stderr.includes("Bad model parameters"), out.stderr);
    assert(!out.stderr.includes("Invalid log level"), out.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up: the metrics port answers as soon as /health/ping does", async () => {
  const dir = await appFolder(IDENTITY_APP);
  try {
    for (let run = 0; run < 3; run++) {
      const [http, grpc, metrics] = freePorts(3);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--unstable-net", "-A", MAIN, "MyModel", "--host", "127.0.0.1"]
          .concat(["--http-port", `${http}`, "--grpc-port", `${grpc}`])
          .concat(["--metrics-port", `${metrics}`]),
        cwd: dir,
        env: { NO_COLOR: "1" },
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const log = new Response(child.stderr).text();
      try {
        const t0 = performance.now();
        let ping = 0;
        while (ping !== 200 && performance.now() - t0 < 15_000) {
          await new Promise((r) => setTimeout(r, 5));
          ping = await statusOf(`http://127.0.0.1:${http}/health/ping`);
        }
        assertEquals(ping, 200);
        assertEquals(await statusOf(`http://127.0.0.1:${metrics}/metrics`), 200);
      } finally {
        child.kill("SIGTERM");
        await child.status;
      }
      // The gRPC workers boot once the collector listens, not beside it.
      const text = await log;
      assert(
        text.indexOf("Starting metrics collector") < text.indexOf("Booting grpc worker"),
        text,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The status of a GET of `url`, 0 when it cannot connect. */
function statusOf(url: string): Promise<number> {
  return fetch(url).then(async (res) => (await res.body?.cancel(), res.status), () => 0);
}

Deno.test("start-up: a model still in load() has its metrics port up", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel {\n" +
      "  async load() { await new Promise((r) => setTimeout(r, 4000)); }\n" +
      "  predict(X) { return X; }\n}\n",
  });
  const [http, grpc, metrics] = freePorts(3);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-net", "-A", MAIN, "MyModel", "--host", "127.0.0.1"]
      .concat(["--http-port", `${http}`, "--grpc-port", `${grpc}`, "--metrics-port", `${metrics}`]),
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const t0 = performance.now();
  try {
    let status = 0;
    while (status !== 200 && performance.now() - t0 < 3_500) {
      await new Promise((r) => setTimeout(r, 50));
      status = await statusOf(`http://127.0.0.1:${metrics}/metrics`);
    }
    assertEquals(status, 200);
    // load() is still running: the REST port does not answer yet.
    const ping = await fetch(`http://127.0.0.1:${http}/health/ping`).then(() => "up", () => "down");
    assertEquals(ping, "down");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
