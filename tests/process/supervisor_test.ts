/**
 * The process model, against the real program: supervisor + REST/gRPC worker processes, the
 * metrics port fed by every worker, SIGHUP rolling restarts, max-requests recycling without
 * failed requests, crash restarts, graceful SIGTERM, the pidfile, and workers that exit when
 * their supervisor is killed.
 */
import { assert, assertEquals, eventually } from "../_helpers/assert.ts";
import { join } from "node:path";
import {
  appFolder,
  freePorts,
  IDENTITY_APP,
  type Spawned,
  spawnServer,
} from "../_helpers/spawn.ts";

const MOD_URL = new URL("../../mod.ts", import.meta.url).href;

/** upstream's custom-metrics-model. */
const CUSTOM_METRICS_MODEL = `
import { SeldonResponse } from "${MOD_URL}";
export class MyModel {
  predict(features) {
    const rows = features.ndim === 1 ? [features.tolist()] : features.tolist();
    return new SeldonResponse(rows, {
      metrics: [{ type: "COUNTER", key: "instance_counter", value: rows.length }],
      tags: { runtime: "tag", shared: "right one" },
    });
  }
  metrics() { return [{ type: "COUNTER", key: "requests_counter", value: 1 }]; }
  tags() { return { static: "tag", shared: "not right one" }; }
}
`;

const PID_MODEL = `
export class PidModel {
  async predict(X) {
    if (X === "slow") await new Promise((r) => setTimeout(r, 500));
    if (X === "crash") setTimeout(() => Deno.exit(7), 10);
    return { pid: Deno.pid };
  }
  metrics() { return [{ type: "COUNTER", key: "calls", value: 1 }]; }
}
`;

async function withApp(
  files: Record<string, string>,
  args: string[],
  fn: (s: Spawned, dir: string) => Promise<void>,
  env: Record<string, string> = {},
) {
  const dir = await appFolder(files);
  const server = await spawnServer(dir, args, env);
  try {
    await fn(server, dir);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function scrape(s: Spawned, path = "/metrics"): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${s.metricsPort}${path}`);
  assertEquals(res.status, 200);
  return await res.text();
}

function workerIds(text: string): Set<string> {
  return new Set([...text.matchAll(/worker_id="(\d+)"/g)].map((m) => m[1]));
}

/** A request on a fresh connection, so the kernel may pick any worker. */
async function pidOf(s: Spawned, body: unknown = "x"): Promise<number> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const res = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ strData: body }),
      client,
    });
    assertEquals(res.status, 200);
    return (await res.json()).jsonData.pid;
  } finally {
    client.close();
  }
}

Deno.test("test_worker_exit", () =>
  withApp(
    { "MyModel.js": CUSTOM_METRICS_MODEL },
    ["MyModel", "--service-type", "MODEL"],
    async (s) => {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${s.url}/api/v1.0/predictions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ data: { ndarray: [[1, 2, 3]] } }),
        });
        assertEquals(res.status, 200, await res.text());
      }
      const before = await scrape(s, "/metrics-endpoint");
      assert(workerIds(before).size > 0, before);
      assert(before.includes("requests_counter_total"), before);
      s.child.kill("SIGHUP");
      // The old worker's series go once its replacement is ready and it has been retired.
      let after = "";
      await eventually(async () =>
        workerIds(after = await scrape(s, "/metrics-endpoint")).size === 0
      );
      assertEquals(workerIds(after).size, 0, after);
      // the restarted workers serve
      const res = await fetch(`${s.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: { ndarray: [[1, 2, 3]] } }),
      });
      assertEquals(res.status, 200);
      await res.body?.cancel();
    },
    { PREDICTIVE_UNIT_METRICS_ENDPOINT: "/metrics-endpoint" },
  ).then(() => {}));

Deno.test("test_model_template_app_rest_metrics_endpoint", async () => {
  // The ports and the metrics path all come from the environment, as in upstream's fixture.
  const [httpPort, grpcPort, metricsPort] = freePorts(3);
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }",
  });
  const s = await spawnServer(dir, ["MyModel", "--service-type", "MODEL"], {
    SELDON_HOST: "127.0.0.1",
    APP_HOST: "127.0.0.1",
    PREDICTIVE_UNIT_HTTP_SERVICE_PORT: String(httpPort),
    PREDICTIVE_UNIT_GRPC_SERVICE_PORT: String(grpcPort),
    PREDICTIVE_UNIT_METRICS_SERVICE_PORT: String(metricsPort),
    PREDICTIVE_UNIT_METRICS_ENDPOINT: "/metrics-endpoint",
  }, false);
  try {
    assertEquals([s.port, s.grpcPort, s.metricsPort], [httpPort, grpcPort, metricsPort]);
    const ok = await fetch(`http://127.0.0.1:${metricsPort}/metrics-endpoint`);
    assertEquals(ok.status, 200);
    assertEquals(await ok.text(), "");
    assertEquals(ok.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const other = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assertEquals(other.status, 404);
    await other.body?.cancel();
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("process: several REST workers share the port and each reports its own series", () =>
  withApp({ "PidModel.js": PID_MODEL }, ["PidModel", "--workers", "2"], async (s) => {
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add(await pidOf(s));
    assertEquals(pids.size, 2);
    const text = await scrape(s);
    for (const pid of pids) assert(workerIds(text).has(String(pid)), text);
  }));

Deno.test("process: max-requests recycles a worker without failing a request", () =>
  withApp({ "PidModel.js": PID_MODEL }, ["PidModel", "--max-requests", "3"], async (s) => {
    // Every request must succeed while workers are replaced; replacements take a moment to boot.
    const pids = new Set<number>();
    const deadline = Date.now() + 20_000;
    let requests = 0;
    while (pids.size < 3 && Date.now() < deadline) {
      pids.add(await pidOf(s));
      requests++;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert(pids.size >= 3, `${requests} requests saw ${JSON.stringify([...pids])}`);
  }));

/** Busy for 2 ms per request, so a worker almost always has one in flight. */
const BUSY_MODEL = `export class Busy {
  async predict() { await new Promise((r) => setTimeout(r, 2)); return { pid: Deno.pid }; }
}`;

Deno.test("process: no request is lost while workers are recycled and reloaded under load", () =>
  withApp(
    { "Busy.js": BUSY_MODEL },
    ["Busy", "--workers", "2", "--max-requests", "100", "--grpc-workers", "0"],
    async (s) => {
      // Four keep-alive clients: at least 1,600 requests, a SIGHUP reload of both workers half
      // way, and max-requests recycles, until replacements have served (capped at 20,000
      // requests). A worker serves on until its replacement is ready, so there are fewer
      // recycles than requests / 100. Every request must be answered 200.
      const total = 1600;
      let sent = 0;
      const failures: string[] = [];
      const pids = new Set<number>();
      const client = async () => {
        while ((sent < total || pids.size < 4) && sent < 20_000) {
          if (++sent === total / 2) s.child.kill("SIGHUP");
          try {
            const res = await fetch(`${s.url}/api/v1.0/predictions`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: '{"strData":"x"}',
            });
            const text = await res.text();
            if (res.status === 200) pids.add(JSON.parse(text).jsonData.pid);
            else failures.push(`${res.status} ${text}`);
          } catch (err) {
            failures.push(String((err as Error).cause ?? err));
          }
        }
      };
      await Promise.all([client(), client(), client(), client()]);
      assertEquals(failures, []);
      assert(pids.size >= 4, `only ${pids.size} workers served`);
    },
  ));

Deno.test("process: a crashed worker is replaced and its metrics dropped", () =>
  withApp({ "PidModel.js": PID_MODEL }, ["PidModel"], async (s) => {
    const first = await pidOf(s);
    assert(workerIds(await scrape(s)).has(String(first)));
    // The worker exits 10 ms after answering: under load the answer itself may be cut off.
    await pidOf(s, "crash").catch(() => first);
    const next = await eventually(() => pidOf(s).then((pid) => pid !== first && pid, () => 0));
    assert(next, "no replacement worker");
    assert(!workerIds(await scrape(s)).has(String(first)));
  }));

Deno.test("process: SIGTERM drains in-flight requests, removes the pidfile and exits 0", async () => {
  const dir = await appFolder({ "PidModel.js": PID_MODEL });
  const pidfile = join(dir, "server.pid");
  const s = await spawnServer(dir, ["PidModel", "--pidfile", pidfile]);
  try {
    assertEquals((await Deno.readTextFile(pidfile)).trim(), String(s.child.pid));
    const slow = pidOf(s, "slow");
    await new Promise((r) => setTimeout(r, 150));
    s.child.kill("SIGTERM");
    assert((await slow) > 0);
    const status = await s.child.status;
    assertEquals(status.code, 0);
    assertEquals(await Deno.stat(pidfile).then(() => true, () => false), false);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** `fn` against a server whose pod annotations set `seldon.io/rest-timeout` to 1 s. */
async function withRestTimeout(
  files: Record<string, string>,
  model: string,
  fn: (s: Spawned, dir: string) => Promise<void>,
) {
  const dir = await appFolder({ ...files, "annotations": 'seldon.io/rest-timeout="1000"\n' });
  const s = await spawnServer(dir, [model], { SELDON_ANNOTATIONS_FILE: join(dir, "annotations") });
  try {
    await fn(s, dir);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

const BLOCKING_MODEL = `
export class Blocking {
  async predict(X) {
    if (X === "block") { const end = Date.now() + 4000; while (Date.now() < end) { /* stuck */ } }
    if (X === "sleep") await new Promise((r) => setTimeout(r, 2500));
    if (X === "busy") { const end = Date.now() + 400; while (Date.now() < end) { /* CPU */ } }
    return { pid: Deno.pid };
  }
}
`;

Deno.test("process: seldon.io/rest-timeout kills a stuck worker and times out slow requests", () =>
  withRestTimeout({ "Blocking.js": BLOCKING_MODEL }, "Blocking", async (s) => {
    const first = await pidOf(s);
    // an async hook slower than the timeout: 500, the worker lives on
    const slow = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ strData: "sleep" }),
    });
    assertEquals(slow.status, 500);
    assertEquals((await slow.json()).status.reason, "MICROSERVICE_INTERNAL_ERROR");
    await new Promise((r) => setTimeout(r, 1700)); // the hook itself still holds the worker's one slot
    assertEquals(await pidOf(s), first);
    // synchronous code blocking the worker: killed, the connection drops, a new worker serves
    const started = Date.now();
    const blocked = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ strData: "block" }),
    }).then((r) => r.status, () => "dropped");
    assertEquals(blocked, "dropped");
    assert(Date.now() - started < 3900, `took ${Date.now() - started} ms`);
    const next = await eventually(() => pidOf(s).then((pid) => pid !== first && pid, () => 0));
    assert(next, "no replacement worker");
    assert(s.log().includes(`WORKER TIMEOUT (pid:${first})`), s.log());
  }));

Deno.test("process: synchronous work within rest-timeout never trips the worker watchdog", () =>
  withRestTimeout({ "Blocking.js": BLOCKING_MODEL }, "Blocking", async (s) => {
    const first = await pidOf(s);
    // 0.4 of a timeout of CPU per request, back to back: heartbeats must still arrive in time.
    for (let i = 0; i < 6; i++) assertEquals(await pidOf(s, "busy"), first);
    assert(!s.log().includes("WORKER TIMEOUT"), s.log());
  }));

const COUNTING_MODEL = `
export class Counting {
  seen = [];
  async predict(X) {
    this.seen.push(X);
    if (X === "sleep") {
      Deno.writeTextFileSync("sleeping", "");
      await new Promise((r) => setTimeout(r, 2500)); // < 3 timeouts: not "stuck"
    }
    return { seen: this.seen };
  }
}
`;

Deno.test("process: a request that times out while queued for a thread never runs its hook", () =>
  withRestTimeout({ "Counting.js": COUNTING_MODEL }, "Counting", async (s, dir) => {
    const post = (strData: string) =>
      fetch(`${s.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ strData }),
      }).then(async (res) => ({ status: res.status, json: await res.json() }));
    const slow = post("sleep");
    const started = await eventually(
      () => Deno.stat(join(dir, "sleeping")).then(() => true, () => false),
      5000,
      20,
    );
    assert(started, "the slow hook never started");
    const queued = await post("queued"); // waits behind "sleep" for the one --threads slot
    assertEquals(queued.status, 500);
    assertEquals(queued.json.status.info, "Request timed out after 1 s");
    assertEquals((await slow).status, 500);
    const later = await eventually(() =>
      post("after").then((r) => r.status === 200 && r.json.jsonData.seen)
    );
    assertEquals(later.slice(0, 2), ["sleep", "after"]);
  }));

Deno.test("process: a model's logger from mod.ts writes in the server's format and level", async () => {
  const model = `import { logger } from "${MOD_URL}";
const log = logger("Talker");
export class Talker {
  load() { log.info("Loaded {n} trees", { n: 100 }); }
  predict(X) { log.debug("hidden at INFO"); log.warn("odd input {x}", { x: X }); return X; }
}`;
  await withApp({ "Talker.js": model }, ["Talker", "--grpc-workers", "0"], async (s) => {
    const res = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ strData: "x" }),
    });
    assertEquals(res.status, 200);
    await res.body?.cancel();
    const warned = await eventually(() => /Talker.* - WARNING: {2}odd input x/.test(s.log()));
    assert(warned, s.log());
    assert(/Talker.* - INFO: {2}Loaded 100 trees/.test(s.log()), s.log());
    assert(!s.log().includes("hidden at INFO"), s.log());
  });
});

Deno.test("process: start-up prints the URL that serves predictions", async () => {
  await withApp({ "PidModel.js": PID_MODEL }, ["PidModel"], async (s) => {
    const expected = `Predictions: POST ${s.url}/api/v1.0/predictions`;
    await eventually(() => s.log().includes(expected));
    assert(s.log().includes(expected), s.log());
    const res = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ strData: "hi" }),
    });
    assertEquals(res.status, 200);
    await res.body?.cancel();
  });
});

const CUSTOM_SERVICE_MODEL = `
export class WithService {
  constructor(params) { this.dir = params.dir; }
  load() { Deno.writeTextFileSync(this.dir + "/load-" + Deno.pid, ""); }
  predict(X) { return X; }
  customService() {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () =>
      new Response("custom " + Deno.pid));
    Deno.writeTextFileSync(this.dir + "/custom-port", String(server.addr.port));
  }
}
`;

Deno.test("process: customService() runs in a process of its own, without load(), and stops with the server", async () => {
  const dir = await appFolder({ "WithService.js": CUSTOM_SERVICE_MODEL });
  const params = JSON.stringify([{ name: "dir", value: dir, type: "STRING" }]);
  const s = await spawnServer(dir, ["WithService", "--parameters", params]);
  let port = "";
  try {
    port = await eventually(() => Deno.readTextFile(join(dir, "custom-port")).catch(() => ""));
    const text = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const pid = Number(text.split(" ")[1]);
    assert(s.log().includes(`Starting custom service with pid: ${pid}`), s.log());
    const loads = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.startsWith("load-")
    );
    assertEquals(loads.length, 2); // the REST and the gRPC worker, not the custom service
    assert(!loads.includes(`load-${pid}`));
  } finally {
    const status = await s.stop();
    assertEquals(status.code, 0);
  }
  const after = await fetch(`http://127.0.0.1:${port}/`).then(() => "answered", () => "refused");
  assertEquals(after, "refused");
  await Deno.remove(dir, { recursive: true });
});

const HANGING_MODEL = `
export class Hanging {
  async predict(X) {
    if (X === "hang") await new Promise(() => {});
    if (X === "slow") await new Promise((r) => setTimeout(r, 500));
    return X;
  }
}
`;

Deno.test("process: --debug drains on SIGTERM and stops at once on SIGINT, even with a hook that never settles", async () => {
  const dir = await appFolder({ "Hanging.js": HANGING_MODEL });
  const post = (s: Spawned, strData: string) =>
    fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ strData }),
    });
  try {
    const drained = await spawnServer(dir, ["Hanging", "--debug"]);
    const slow = post(drained, "slow");
    await new Promise((r) => setTimeout(r, 100));
    const stopped = drained.stop();
    assertEquals((await (await slow).json()).strData, "slow");
    assertEquals((await stopped).code, 0);

    const stuck = await spawnServer(dir, ["Hanging", "--debug"]);
    const hang = post(stuck, "hang").catch(() => "dropped");
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    stuck.child.kill("SIGINT");
    await stuck.child.status;
    assert(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assertEquals(await hang, "dropped");
    await stuck.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

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

Deno.test("process: workers and the collector exit when their supervisor is SIGKILLed (no orphans)", async () => {
  const dir = await appFolder(IDENTITY_APP);
  // A SIGKILLed supervisor cannot remove its private folder: keep it in one we remove.
  const tmp = await Deno.makeTempDir({ prefix: "seldon-audit-tmp-" });
  const server = await spawnServer(dir, ["MyModel", "--workers", "2", "--grpc-workers", "1"], {
    TMPDIR: tmp,
  });
  const workers = await childrenOf(server.child.pid);
  try {
    assertEquals(workers.length, 4); // the metrics collector, 2 REST and 1 gRPC workers
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
