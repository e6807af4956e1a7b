import { assert, assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { Limiter, type Ticket } from "../../../src/dataplane/limiter.ts";

function ticket(): Ticket {
  return { cancelled: false, reason: undefined, leave: undefined };
}

/** Gives up on `t` as its owner does (a deadline passed). */
function cancel(t: Ticket, reason: unknown): void {
  t.cancelled = true;
  t.reason = reason;
  t.leave?.(reason);
}

Deno.test("limiter: a cancelled waiter leaves the queue without running; the rest keep order", async () => {
  const limiter = new Limiter(1);
  const ran: string[] = [];
  let release!: () => void;
  const first = limiter.run(() => {
    ran.push("first");
    return new Promise<void>((r) => (release = r));
  });
  const t = ticket();
  const dropped = limiter.run(() => Promise.resolve(ran.push("dropped")), t);
  const third = limiter.run(() => Promise.resolve(ran.push("third")));
  assert(t.leave !== undefined, "a waiting task's ticket can leave the queue");
  cancel(t, new Error("deadline"));
  await assertRejects(() => dropped, /deadline/);
  // a cancelled ticket never starts, even with a free slot
  release();
  await first;
  await third;
  await assertRejects(() => limiter.run(() => Promise.resolve(ran.push("late")), t), /deadline/);
  assertEquals(ran, ["first", "third"]);
  // the slot is free again: a task runs at once, and a ticket that started cannot leave
  const running = ticket();
  let ranNow = false;
  await limiter.run(() => Promise.resolve(ranNow = true), running);
  assert(ranNow);
  assertEquals(running.leave, undefined);
});
