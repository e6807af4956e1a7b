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

Deno.test("limiter: runNow answers a synchronous task at once and frees its slot", async () => {
  const limiter = new Limiter(1);
  // a plain value comes back as is (no promise), and the slot is free right after
  assertEquals(limiter.runNow(() => 42), 42);
  assertEquals(limiter.runNow(() => "again"), "again");
  // a task that throws at once throws, and frees its slot too
  let thrown: unknown;
  try {
    limiter.runNow(() => {
      throw new Error("sync failure");
    });
  } catch (err) {
    thrown = err;
  }
  assert(thrown instanceof Error && thrown.message === "sync failure");
  assertEquals(limiter.runNow(() => 1), 1);
  // an async task holds the slot until it settles: a later task waits for it, in order
  const order: string[] = [];
  let release!: () => void;
  const slow = limiter.runNow(() =>
    new Promise<string>((r) => (release = () => r("slow"))).then((v) => (order.push(v), v))
  );
  assert(slow instanceof Promise);
  const queued = limiter.runNow(() => (order.push("queued"), "queued"));
  assert(queued instanceof Promise, "a task queued behind a busy slot gets a promise");
  await Promise.resolve();
  assertEquals(order, [], "the queued task has not run while the slot is held");
  release();
  assertEquals(await slow, "slow");
  assertEquals(await queued, "queued");
  assertEquals(order, ["slow", "queued"]);
  // a rejected async task frees the slot as well
  await assertRejects(
    () => limiter.runNow(() => Promise.reject(new Error("async failure"))) as Promise<unknown>,
    /async failure/,
  );
  assertEquals(limiter.runNow(() => 2), 2);
  // a cancelled ticket never starts
  const t = ticket();
  cancel(t, new Error("deadline"));
  let ran = false;
  await assertRejects(
    () => limiter.runNow(() => (ran = true), t) as Promise<unknown>,
    /deadline/,
  );
  assert(!ran);
});
