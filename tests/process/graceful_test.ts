/**
 * Stopping and replacing workers without dropping requests: SIGTERM answers what cannot finish
 * within `--graceful-timeout` (REST 503, gRPC UNAVAILABLE) and logs the count,
 * `--max-worker-memory` replaces a worker that grew too big, and the supervisor's private
 * folder is swept at the next start after a `kill -9`.
 */
import { assert, assertEquals, eventually } from "../_helpers/assert.ts";
import { grpcCall, seldonClient } from "../_helpers/grpc.ts";
import { join } from "node:path";
import { appFolder, IDENTITY_APP, spawnServer } from "../_helpers/spawn.ts";

/** Every hook call takes about a second. */
const SLOW_MODEL = `export class Slow {
  async predict(X) { await new Promise((r) => setTimeout(r, 1000)); return { pid: Deno.pid }; }
}`;

const post = (url: string, body: unknown, client?: Deno.HttpClient) =>
  fetch(`${url}/api/v1.0/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    client,
  });

Deno.test("graceful: on SIGTERM what cannot finish within --graceful-timeout is answered 503 / UNAVAILABLE, counted, exit 0", async () => {
  const dir = await appFolder({ "Slow.js": SLOW_MODEL });
  const s = await spawnServer(dir, ["Slow", "--threads", "1", "--graceful-timeout", "3"]);
  const grpc = seldonClient("Model", s.grpcPort!);
  try {
    // 10 REST requests and 4 RPCs, one hook at a time per worker: most of them cannot finish.
    const rest = Array.from({ length: 10 }, () =>
      post(s.url, { strData: "x" }).then(
        async (res) => ({ status: res.status, json: await res.json() }),
        (err) => ({ status: 0, json: String(err) }),
      ));
    const rpcs = Array.from(
      { length: 4 },
      () => grpc.call("Predict", { strData: "x" }).then(() => 0, (err) => err.code as number),
    );
    await new Promise((r) => setTimeout(r, 500)); // all sent and queued
    const started = Date.now();
    s.child.kill("SIGTERM");
    const answers = await Promise.all(rest);
    const codes = await Promise.all(rpcs);
    const status = await s.child.status;
    const took = Date.now() - started;
    assertEquals(status.code, 0);
    assert(took < 10_000, `stopped after ${took} ms`);
    const ok = answers.filter((a) => a.status === 200).length;
    const unavailable = answers.filter((a) =>
      a.status === 503 && a.json.status.reason === "MICROSERVICE_UNAVAILABLE" &&
      a.json.status.code === -1
    ).length;
    assertEquals(ok + unavailable, 10, JSON.stringify(answers));
    assert(ok >= 1 && unavailable >= 5, JSON.stringify(answers));
    // gRPC: OK (0) or UNAVAILABLE (14), never cut
    assertEquals(
      codes.filter((c) =>
        c !== 0 && c !== 14
      ),
      [],
      JSON.stringify(codes),
    );
    const grpcUnavailable = codes.filter((c) => c === 14).length;
    assert(grpcUnavailable >= 2, JSON.stringify(codes));
    await s.stop();
    assert(
      s.log().includes(`Graceful timeout: ${unavailable} unfinished requests answered 503`),
      s.log(),
    );
    assert(
      s.log().includes(
        `Graceful timeout: ${grpcUnavailable} unfinished calls answered UNAVAILABLE`,
      ),
      s.log(),
    );
  } finally {
    grpc.close();
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** The supervisor folders (`seldon-ts-<pid>-…`) in `tmp`, by supervisor pid. */
async function privateDirs(tmp: string): Promise<Map<number, string>> {
  const dirs = new Map<number, string>();
  for await (const entry of Deno.readDir(tmp)) {
    const m = /^seldon-ts-(\d+)-/.exec(entry.name);
    if (m) dirs.set(Number(m[1]), entry.name);
  }
  return dirs;
}

/** The direct children of `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(pid)] })
    .output();
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter(Boolean).map(Number);
}

Deno.test("graceful: a supervisor killed with -9 leaves no folder behind; a live one's is kept", async () => {
  const dir = await appFolder(IDENTITY_APP);
  const tmp = await Deno.makeTempDir({ prefix: "seldon-graceful-tmp-" });
  const env = { TMPDIR: tmp };
  const args = ["MyModel", "--grpc-workers", "0"];
  const live = await spawnServer(dir, args, env);
  const servers = [live];
  try {
    // Killed with its workers (kill -9 of the process group): the next start sweeps its folder.
    const crashed = await spawnServer(dir, args, env);
    servers.push(crashed);
    const workers = await childrenOf(crashed.child.pid);
    crashed.child.kill("SIGSTOP"); // no replacement worker in between
    for (const pid of workers) Deno.kill(pid, "SIGKILL");
    crashed.child.kill("SIGKILL");
    await crashed.child.status;
    const stale = (await privateDirs(tmp)).get(crashed.child.pid);
    assert(stale, "the killed supervisor's folder is there");
    await new Promise((r) => setTimeout(r, 2100)); // only folders older than 2 s are swept
    const next = await spawnServer(dir, args, env);
    servers.push(next);
    const swept = await eventually(async () => !(await privateDirs(tmp)).has(crashed.child.pid));
    assert(swept, next.log());
    assert(next.log().includes(`Removed stale folder ${join(tmp, stale)}`), next.log());
    const dirs = await privateDirs(tmp);
    assert(dirs.has(live.child.pid) && dirs.has(next.child.pid), JSON.stringify([...dirs]));
    assertEquals(await fetch(`${live.url}/health/ping`).then((r) => r.text()), "pong");

    // Killed alone: its orphaned workers remove the folder as they exit.
    const alone = await spawnServer(dir, args, env);
    servers.push(alone);
    alone.child.kill("SIGKILL");
    await alone.child.status;
    const cleaned = await eventually(async () => !(await privateDirs(tmp)).has(alone.child.pid));
    assert(cleaned, alone.log());
    assert((await privateDirs(tmp)).has(live.child.pid));
  } finally {
    for (const s of servers) await s.stop();
    assertEquals([...(await privateDirs(tmp)).keys()], []); // normal stops clean up
    await Deno.remove(tmp, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

/** Keeps 64 MiB more (touched) for every "grow" request. */
const GROWING_MODEL = `const held = [];
export class Growing {
  predict(X) {
    if (X === "grow") held.push(new Uint8Array(64 * 1024 * 1024).fill(1));
    return { pid: Deno.pid };
  }
}`;

Deno.test("graceful: --max-worker-memory replaces a worker whose RSS grew above it, without a failed request", async () => {
  const dir = await appFolder({ "Growing.js": GROWING_MODEL });
  const s = await spawnServer(dir, ["Growing", "--max-worker-memory", "300m"]);
  try {
    const pidOf = async (strData: string) => {
      const res = await post(s.url, { strData });
      assertEquals(res.status, 200);
      return (await res.json()).jsonData.pid as number;
    };
    const first = await pidOf("x");
    // Growing by 64 MiB a request: replaced within a few (its replacement starts small).
    const pids = new Set<number>();
    for (let i = 0; i < 12 && pids.size < 2; i++) {
      pids.add(await pidOf("grow"));
      await new Promise((r) => setTimeout(r, 300)); // the check runs at most every 250 ms
    }
    const replaced = await eventually(() => pidOf("x").then((pid) => pid !== first && pid));
    assert(replaced, s.log());
    assert(
      new RegExp(
        `Replacing worker ${first} at its request \\(memory: RSS \\d+\\.\\d MiB > 300\\.0 MiB\\)`,
      )
        .test(s.log()),
      s.log(),
    );
    // gRPC workers too (a fresh channel per call reaches the replacement once the old one left)
    const rpcPid = async (strData: string) =>
      Number((await grpcCall("Model", s.grpcPort!, "Predict", { strData })).jsonData.pid);
    const grpcFirst = await rpcPid("x");
    for (let i = 0; i < 12 && (await rpcPid("grow")) === grpcFirst; i++) {
      await new Promise((r) => setTimeout(r, 300));
    }
    const grpcReplaced = await eventually(() => rpcPid("x").then((pid) => pid !== grpcFirst));
    assert(grpcReplaced, s.log());
    assert(s.log().includes(`Replacing worker ${grpcFirst} at its request (memory: RSS`), s.log());
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("graceful: --debug answers a request that never finishes with a 503 when the grace runs out", async () => {
  const dir = await appFolder({
    "Hanging.js": "export class Hanging { predict() { return new Promise(() => {}); } }\n",
  });
  const s = await spawnServer(dir, ["Hanging", "--debug", "--graceful-timeout", "1"]);
  try {
    const hanging = post(s.url, { strData: "x" });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    s.child.kill("SIGTERM");
    const res = await hanging;
    assertEquals(res.status, 503);
    assertEquals((await res.json()).status.reason, "MICROSERVICE_UNAVAILABLE");
    assertEquals((await s.child.status).code, 0);
    const took = Date.now() - started;
    assert(took >= 400 && took < 5000, `answered and stopped after ${took} ms`);
    await s.stop();
    assert(s.log().includes("Graceful timeout: 1 unfinished requests answered 503"), s.log());
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
