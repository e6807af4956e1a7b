/**
 * The control channel end to end on a real Unix socket: a worker's `WorkerChannel` talks to
 * `startControlServer`, whose callbacks see each message and whose acknowledgements settle the
 * worker's awaited calls.
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { WorkerChannel } from "../../../src/supervisor/channel.ts";
import { startControlServer } from "../../../src/supervisor/control_server.ts";

Deno.test("control server: every worker message reaches its callback; bootFailed is acknowledged", async () => {
  const dir = await Deno.makeTempDir();
  const calls: unknown[][] = [];
  const server = startControlServer(join(dir, "control.sock"), {
    loaded: (pid, customService) => calls.push(["loaded", pid, customService]),
    bootFailed: (pid, status, message) => calls.push(["bootFailed", pid, status, message]),
    ready: (pid) => calls.push(["ready", pid]),
    beat: (pid) => calls.push(["beat", pid]),
    recycle: (pid, reason) => calls.push(["recycle", pid, reason]),
    closed: (pid) => calls.push(["closed", pid]),
  });
  const channel = await WorkerChannel.connect(join(dir, "control.sock"));
  try {
    await channel.loaded(true);
    await channel.ready("rest", 9000);
    await channel.beat();
    await channel.recycle("memory");
    await channel.listenerClosed();
    await channel.bootFailed("construct", 1, "no model"); // settles at the acknowledgement
    const pid = Deno.pid;
    assertEquals(calls, [
      ["loaded", pid, true],
      ["ready", pid],
      ["beat", pid],
      ["recycle", pid, "memory"],
      ["closed", pid],
      ["bootFailed", pid, 1, "no model"],
    ]);
    // The supervisor's `drain` reaches the worker by its pid; another pid's goes nowhere.
    let drained = false;
    channel.drain.then(() => (drained = true));
    server.drain(pid + 1);
    await channel.beat();
    await channel.bootFailed("construct", 1, "again"); // a round trip: anything sent has arrived
    assertEquals(drained, false);
    server.drain(pid);
    await channel.drain;
  } finally {
    channel.close();
    server.close();
    await channel.closed;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("control server: a socket path that cannot be bound throws", async () => {
  await assertRejects(() => startControlServer("/nonexistent-dir/control.sock", {} as never));
});

Deno.test("control server: a worker whose supervisor is gone drains at once", async () => {
  const dir = await Deno.makeTempDir();
  const server = startControlServer(join(dir, "control.sock"), {} as never);
  const channel = await WorkerChannel.connect(join(dir, "control.sock"));
  try {
    server.close();
    channel.close();
    await channel.drain;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
