import { assert, assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { Limiter } from "../../../src/dataplane/limiter.ts";

Deno.test("limiter: an aborted waiter leaves the queue without running; the rest keep order", async () => {
  const limiter = new Limiter(1);
  const ran: string[] = [];
  let release!: () => void;
  const first = limiter.run(() => {
    ran.push("first");
    return new Promise<void>((r) => (release = r));
  });
  const controller = new AbortController();
  const dropped = limiter.run(() => Promise.resolve(ran.push("dropped")), controller.signal);
  const third = limiter.run(() => Promise.resolve(ran.push("third")));
  controller.abort(new Error("deadline"));
  await assertRejects(() => dropped, /deadline/);
  await assertRejects(
    () => limiter.run(() => Promise.resolve(ran.push("late")), controller.signal),
    /deadline/,
  );
  release();
  await first;
  await third;
  assertEquals(ran, ["first", "third"]);
  // the slot is free again: a task runs at once
  let ranNow = false;
  await limiter.run(() => Promise.resolve(ranNow = true));
  assert(ranNow);
});
