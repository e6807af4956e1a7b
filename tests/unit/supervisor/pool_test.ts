/**
 * The worker pool's lifecycle rules with fake children and a fake clock (no process, no real
 * time): readiness, crash restarts, boot failures, replacement, the watchdog, shutdown.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { FakeClock, FakeSpawner, flush } from "../../_helpers/fake_children.ts";
import { DRAIN_WAIT_MS, Pool, type Role } from "../../../src/supervisor/pool.ts";

const GRACE = 30_000;
const TIMEOUT = 4_000;

function setup(readyTimeoutMs?: number) {
  const spawner = new FakeSpawner();
  const clock = new FakeClock();
  const dropped: number[] = [];
  const drained: number[] = [];
  const pool = new Pool({
    spawn: spawner.spawn,
    graceMs: GRACE,
    readyTimeoutMs,
    timeoutMs: TIMEOUT,
    watchdogEveryMs: 1000,
    onDrop: (pid) => dropped.push(pid),
    onDrain: (pid) => drained.push(pid),
    clock,
  });
  return { spawner, clock, pool, dropped, drained };
}

/** Starts `roles` and marks them all ready; resolves once `start` did. */
async function started(pool: Pool, spawner: FakeSpawner, roles: Role[]): Promise<void> {
  const ready = pool.start(roles);
  for (const child of spawner.children) pool.ready(child.pid);
  assertEquals(await ready, true);
}

Deno.test("pool: start spawns the roles in order and resolves once every worker is ready", async () => {
  const { spawner, pool } = setup();
  let settled = false;
  const ready = pool.start(["grpc", "rest", "rest"]).then((ok) => (settled = ok));
  assertEquals(spawner.children.map((c) => c.role), ["grpc", "rest", "rest"]);
  pool.ready(101);
  pool.ready(102);
  await flush();
  assertEquals(settled, false);
  pool.ready(103);
  await ready;
  assertEquals(settled, true);
  assertEquals(pool.stopping, false);
  assertEquals(pool.pids, [101, 102, 103]);
});

Deno.test("pool: start's later roles are spawned once their gate settles, and counted", async () => {
  const { spawner, pool } = setup();
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let settled = false;
  const ready = pool.start(["rest"], { roles: ["grpc", "grpc"], after: gate })
    .then((ok) => (settled = ok));
  await flush();
  assertEquals(spawner.children.map((c) => c.role), ["rest"]);
  pool.ready(101);
  await flush();
  assertEquals(settled, false); // the gRPC workers are not even started
  open();
  await flush();
  assertEquals(spawner.children.map((c) => c.role), ["rest", "grpc", "grpc"]);
  pool.ready(102);
  pool.ready(103);
  await ready;
  assertEquals(settled, true);
});

Deno.test("pool: a server stopping before the gate settles never spawns the later roles", async () => {
  const { spawner, pool } = setup();
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const ready = pool.start(["rest"], { roles: ["grpc"], after: gate });
  pool.shutdown(0);
  spawner.children[0].exit(0);
  assertEquals(await ready, false);
  open();
  await flush();
  assertEquals(spawner.children.map((c) => c.role), ["rest"]);
});

Deno.test("pool: a ready worker that crashes is replaced by one of its role, its metrics dropped", async () => {
  const { spawner, pool, dropped } = setup();
  await started(pool, spawner, ["grpc", "rest"]);
  spawner.children[1].exit(0, "SIGKILL");
  await flush();
  assertEquals(spawner.children.length, 3);
  assertEquals(spawner.children[2].role, "rest");
  assertEquals(dropped, [102]);
  assertEquals(pool.accepts(102), false);
  assertEquals(pool.accepts(103), true);
  assertEquals(pool.stopping, false);
  // The other worker was left alone.
  assertEquals(spawner.children[0].signals, []);
});

for (const [code, status] of [[1, 1], [3, 3], [2, 3], [0, 3]]) {
  Deno.test(`pool: a worker exiting ${code} before it is ready stops the server with ${status}`, async () => {
    const { spawner, clock, pool } = setup();
    const ready = pool.start(["rest", "rest"]);
    pool.ready(102);
    spawner.children[0].exit(code);
    await flush();
    assertEquals(pool.stopping, true);
    assertEquals(spawner.children.length, 2); // no replacement
    assertEquals(spawner.children[1].signals, ["SIGTERM"]);
    spawner.children[1].exit(0);
    // start() settles (not ready) with the pool.
    assertEquals(await ready, false);
    assertEquals(await pool.done, status);
    assertEquals(clock.pending > 0, true); // the SIGKILL timer, unref'd in production
  });
}

Deno.test("pool: recycling starts the replacement first and stops the old one once it is ready", async () => {
  const { spawner, pool, dropped } = setup();
  await started(pool, spawner, ["rest"]);
  const old = spawner.children[0];
  const replaced = pool.recycle(old.pid, "max requests");
  assertEquals(spawner.children.length, 2);
  assertEquals(pool.accepts(old.pid), false); // retiring: its metrics no longer count
  await flush();
  assertEquals(old.signals, []); // not before its replacement serves
  pool.ready(102);
  await replaced;
  assertEquals(old.signals, ["SIGTERM"]);
  assertEquals(dropped, [101]);
  old.exit(0);
  await flush();
  // A retiring worker's exit is no crash: no replacement, no shutdown.
  assertEquals(spawner.children.length, 2);
  assertEquals(pool.stopping, false);
  assertEquals(pool.pids, [102]);
});

Deno.test("pool: a replaced worker still running after the grace is killed", async () => {
  const { spawner, clock, pool } = setup();
  await started(pool, spawner, ["rest", "rest"]);
  const [stuck, quick] = spawner.children;
  const replaced = pool.replaceAll("rest");
  pool.ready(103);
  pool.ready(104);
  await replaced;
  quick.exit(0);
  await clock.advance(GRACE - 1);
  assertEquals(stuck.signals, ["SIGTERM"]);
  await clock.advance(1);
  assertEquals(stuck.signals, ["SIGTERM", "SIGKILL"]);
  assertEquals(quick.signals, ["SIGTERM"]); // its timer was cancelled at its exit
  stuck.exit(0, "SIGKILL");
  await flush();
  assertEquals(spawner.children.length, 4);
  assertEquals(pool.stopping, false);
});

Deno.test("pool: SIGHUP's replacement waits for every new REST worker, then stops the olds together", async () => {
  const { spawner, pool } = setup();
  await started(pool, spawner, ["grpc", "rest", "rest", "rest"]);
  const olds = spawner.children.slice(1);
  const replaced = pool.replaceAll("rest");
  assertEquals(spawner.children.slice(4).map((c) => c.role), ["rest", "rest", "rest"]);
  pool.ready(105);
  pool.ready(106);
  await flush();
  assertEquals(olds.map((c) => c.signals), [[], [], []]);
  pool.ready(107);
  await replaced;
  assertEquals(olds.map((c) => c.signals), [["SIGTERM"], ["SIGTERM"], ["SIGTERM"]]);
  assertEquals(spawner.children[0].signals, []); // the gRPC worker stays
});

Deno.test("pool: workers stopped together drain once every one of them closed its listener", async () => {
  const { spawner, pool, drained } = setup();
  await started(pool, spawner, ["grpc", "rest", "rest"]);
  const replaced = pool.replaceAll("rest");
  pool.ready(104);
  pool.ready(105);
  await replaced;
  pool.listenerClosed(102);
  await flush();
  assertEquals(drained, []); // 103 may still have clients' connections queued on its listener
  pool.listenerClosed(103);
  await flush();
  assertEquals(drained, [102, 103]);
  // Shutdown: all of them, the same way; a worker that exited counts as closed.
  spawner.children[1].exit(0);
  spawner.children[2].exit(0);
  pool.shutdown(0);
  pool.listenerClosed(101);
  pool.listenerClosed(104);
  await flush();
  assertEquals(drained, [102, 103]);
  spawner.children[4].exit(0);
  await flush();
  assertEquals(drained, [102, 103, 101, 104]);
});

Deno.test("pool: a stopping worker that never reports its listener closed delays its siblings' drain only so long", async () => {
  const { spawner, clock, pool, drained } = setup();
  await started(pool, spawner, ["rest", "rest"]);
  pool.shutdown(0);
  pool.listenerClosed(101);
  await clock.advance(DRAIN_WAIT_MS - 1);
  assertEquals(drained, []);
  await clock.advance(1);
  assertEquals(drained, [101, 102]);
  // With a short grace, at half of it.
  const short = new FakeSpawner();
  const shortClock = new FakeClock();
  const told: number[] = [];
  const quick = new Pool({
    spawn: short.spawn,
    graceMs: 3_000,
    timeoutMs: TIMEOUT,
    watchdogEveryMs: 1000,
    onDrain: (pid) => told.push(pid),
    clock: shortClock,
  });
  await started(quick, short, ["rest"]);
  quick.shutdown(0);
  await shortClock.advance(1_499);
  assertEquals(told, []);
  await shortClock.advance(1);
  assertEquals(told, [101]);
});

Deno.test("pool: replacements never ready: the olds are stopped after the ready timeout", async () => {
  const { spawner, clock, pool } = setup(5_000);
  await started(pool, spawner, ["rest"]);
  const old = spawner.children[0];
  pool.recycle(old.pid);
  await clock.advance(4_999);
  assertEquals(old.signals, []);
  await clock.advance(1);
  assertEquals(old.signals, ["SIGTERM"]);
});

Deno.test("pool: a worker asking twice, or an unknown pid, gets one replacement or none", async () => {
  const { spawner, pool } = setup();
  await started(pool, spawner, ["rest"]);
  pool.recycle(101);
  pool.recycle(101);
  pool.recycle(999);
  assertEquals(spawner.children.length, 2);
});

Deno.test("pool: a replacement that cannot boot stops the server with 3", async () => {
  const { spawner, pool } = setup();
  await started(pool, spawner, ["rest"]);
  pool.recycle(101);
  spawner.children[1].exit(3);
  await flush();
  assertEquals(pool.stopping, true);
  assertEquals(spawner.children[0].signals, ["SIGTERM"]);
  spawner.children[0].exit(0);
  assertEquals(await pool.done, 3);
});

Deno.test("pool: the watchdog kills a silent ready REST worker, which is then replaced", async () => {
  const { spawner, clock, pool } = setup();
  await started(pool, spawner, ["grpc", "rest", "rest"]);
  const [grpc, silent, beating] = spawner.children;
  for (let t = 0; t < TIMEOUT; t += 1000) {
    await clock.advance(1000);
    pool.beat(beating.pid);
  }
  assertEquals(silent.signals, []); // exactly the timeout: not yet
  await clock.advance(1000);
  assertEquals(silent.signals, ["SIGKILL"]);
  await clock.advance(5000);
  assertEquals(silent.signals, ["SIGKILL"]); // killed once
  assertEquals(grpc.signals, []); // gRPC workers have no timeout
  assertEquals(beating.signals.length > 0, true); // it stopped beating after the loop
  silent.exit(0, "SIGKILL");
  await flush();
  assertEquals(spawner.children.at(-1)!.role, "rest");
  assertEquals(pool.stopping, false);
});

Deno.test("pool: the watchdog spares workers not ready yet and workers being replaced", async () => {
  const { spawner, clock, pool } = setup();
  const ready = pool.start(["rest", "rest"]);
  pool.ready(101);
  pool.ready(102);
  await ready;
  pool.recycle(101); // retiring, waiting for 103, which never becomes ready
  await clock.advance(TIMEOUT + 2000);
  assertEquals(spawner.children[0].signals, []);
  assertEquals(spawner.children[2].signals, []);
  assertEquals(spawner.children[1].signals, ["SIGKILL"]);
});

Deno.test("pool: shutdown SIGTERMs all, kills the rest after the grace, settles when all exited", async () => {
  const { spawner, clock, pool } = setup();
  await started(pool, spawner, ["grpc", "rest"]);
  const [grpc, rest] = spawner.children;
  let code: number | undefined;
  pool.done.then((c) => (code = c));
  pool.shutdown(130);
  pool.shutdown(0); // the first reason wins
  assertEquals([grpc.signals, rest.signals], [["SIGTERM"], ["SIGTERM"]]);
  grpc.exit(0);
  for (let t = 0; t < GRACE; t += 1000) {
    pool.beat(rest.pid); // draining, alive: the watchdog leaves it
    await clock.advance(1000);
  }
  assertEquals(code, undefined);
  assertEquals(rest.signals, ["SIGTERM", "SIGKILL"]);
  rest.exit(0, "SIGKILL");
  await flush();
  assertEquals(code, 130);
  assertEquals(spawner.children.length, 2); // exits while stopping are no crashes
  assertEquals(clock.pending, 0); // the watchdog stopped with the pool
  // Nothing is replaced any more.
  await pool.replaceAll("rest");
  assertEquals(spawner.children.length, 2);
});

Deno.test("pool: shutdown with no worker left settles at once", async () => {
  const { pool } = setup();
  pool.shutdown(0);
  assertEquals(await pool.done, 0);
});

Deno.test("pool: shutdown while a replacement is pending still settles once all exited", async () => {
  const { spawner, pool } = setup();
  await started(pool, spawner, ["rest"]);
  pool.recycle(101);
  pool.shutdown(0);
  assert(spawner.children.every((c) => c.signals[0] === "SIGTERM"));
  for (const child of spawner.children) child.exit(0);
  assertEquals(await pool.done, 0);
});
