/** Auxiliary children (custom service, metrics collector) with fake children and a fake clock. */
import { assertEquals } from "../../_helpers/assert.ts";
import { FakeClock, FakeSpawner, flush } from "../../_helpers/fake_children.ts";
import { Auxiliary, type AuxiliaryOptions } from "../../../src/supervisor/auxiliary.ts";

function setup(opts: Partial<AuxiliaryOptions> = {}) {
  const spawner = new FakeSpawner();
  const clock = new FakeClock();
  const aux = new Auxiliary({
    name: "helper",
    spawn: () => spawner.spawn("helper"),
    clock,
    ...opts,
  });
  return { spawner, clock, aux };
}

Deno.test("auxiliary: start runs it once; without a restart policy a crash is final", async () => {
  const { spawner, clock, aux } = setup();
  aux.start();
  aux.start();
  assertEquals(spawner.children.length, 1);
  assertEquals(aux.child?.pid, 101);
  spawner.children[0].exit(1);
  await clock.advance(60_000);
  assertEquals(spawner.children.length, 1);
  assertEquals(aux.child, undefined);
  aux.start(); // started before: not again
  assertEquals(spawner.children.length, 1);
});

Deno.test("auxiliary: with restartAfterMs it comes back after that delay, every time it dies", async () => {
  const started: number[] = [];
  const { spawner, clock, aux } = setup({
    restartAfterMs: 200,
    onStart: (c) => started.push(c.pid),
  });
  aux.start();
  for (let i = 0; i < 3; i++) {
    spawner.children[i].exit(0, "SIGKILL");
    await flush();
    await clock.advance(199);
    assertEquals(spawner.children.length, i + 1);
    await clock.advance(1);
    assertEquals(spawner.children.length, i + 2);
  }
  assertEquals(started, [101, 102, 103, 104]);
  assertEquals(aux.child?.pid, 104);
});

Deno.test("auxiliary: no restart while an exit is expected (the server is stopping)", async () => {
  let stopping = false;
  const { spawner, clock, aux } = setup({ restartAfterMs: 100, expected: () => stopping });
  aux.start();
  stopping = true;
  spawner.children[0].exit(0);
  await clock.advance(1_000);
  assertEquals(spawner.children.length, 1);
});

Deno.test("auxiliary: stop SIGTERMs, SIGKILLs after the grace and resolves at its exit", async () => {
  const { spawner, clock, aux } = setup({ restartAfterMs: 100 });
  aux.start();
  const child = spawner.children[0];
  let stopped = false;
  const stopping = aux.stop(5_000).then(() => (stopped = true));
  await clock.advance(4_999);
  assertEquals(child.signals, ["SIGTERM"]);
  await clock.advance(1);
  assertEquals(child.signals, ["SIGTERM", "SIGKILL"]);
  assertEquals(stopped, false);
  child.exit(0, "SIGKILL");
  await stopping;
  await clock.advance(1_000);
  assertEquals(spawner.children.length, 1); // a stopped child is not restarted
  assertEquals(clock.pending, 0);
});

Deno.test("auxiliary: stop cancels a pending restart; a never-started one stops at once", async () => {
  const { spawner, clock, aux } = setup({ restartAfterMs: 500 });
  aux.start();
  spawner.children[0].exit(1);
  await flush();
  await aux.stop(5_000);
  await clock.advance(1_000);
  assertEquals(spawner.children.length, 1);
  const idle = setup().aux;
  await idle.stop(5_000);
  idle.start(); // stopped: never starts
  assertEquals(idle.child, undefined);
});
