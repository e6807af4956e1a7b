import { assert, assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { InFlight } from "../../../src/dataplane/inflight.ts";
import { Limiter } from "../../../src/dataplane/limiter.ts";

const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("inflight: work answers first; a call that misses the deadline gets the timeout error", async () => {
  const inflight = new InFlight({ timeoutMs: 100 });
  assertEquals(await inflight.run(() => Promise.resolve("fast")), "fast");
  const started = performance.now();
  await assertRejects(() => inflight.run(never), /Request timed out after 0\.1 s/);
  const took = performance.now() - started;
  assert(took >= 95 && took < 1000, `took ${took} ms`);
  assert(inflight.idle);
});

Deno.test("inflight: one timer answers calls started at different times, each at its own deadline", async () => {
  const inflight = new InFlight({ timeoutMs: 150 });
  const t0 = performance.now();
  const times: number[] = [];
  const late = (p: Promise<unknown>) => p.catch(() => times.push(performance.now() - t0));
  const a = late(inflight.run(never));
  assertEquals(await inflight.run(() => sleep(30).then(() => 1)), 1); // settles early
  await sleep(50);
  const b = late(inflight.run(never));
  await Promise.all([a, b]);
  assert(times[0] >= 145 && times[0] < 260, `first at ${times[0]} ms`);
  assert(times[1] >= 225 && times[1] < 400, `second at ${times[1]} ms`);
});

Deno.test("inflight: a call timed out while queued for a slot leaves the queue and never runs", async () => {
  const inflight = new InFlight({ timeoutMs: 80 });
  const limiter = new Limiter(1);
  const ran: string[] = [];
  let release!: () => void;
  const first = inflight.run((t) =>
    limiter.run(() => {
      ran.push("first");
      return new Promise<string>((r) => (release = () => r("first")));
    }, t)
  );
  const queued = inflight.run((t) => limiter.run(() => Promise.resolve(ran.push("queued")), t));
  await assertRejects(() => queued, /timed out/);
  await assertRejects(() => first, /timed out/); // answered, its work abandoned
  release();
  assertEquals(await limiter.run(() => Promise.resolve("next")), "next");
  assertEquals(ran, ["first"]);
});

Deno.test("inflight: onStuck is called when timed-out work is still running two timeouts later", async () => {
  let stuck = 0;
  const inflight = new InFlight({ timeoutMs: 50, onStuck: () => stuck++ });
  let finish!: () => void;
  // settles 1.5 timeouts after its deadline: slow, not stuck
  await assertRejects(() => inflight.run(() => new Promise<void>((r) => (finish = r))));
  await sleep(75);
  finish();
  await assertRejects(() => inflight.run(never)); // never settles: stuck
  await sleep(160);
  assertEquals(stuck, 1);
});

Deno.test("inflight: answerAll answers every unfinished call and every later one, and counts them", async () => {
  const inflight = new InFlight();
  const limiter = new Limiter(1);
  const ran: number[] = [];
  const calls = [1, 2, 3].map((i) =>
    inflight.run((t) =>
      limiter.run(async () => {
        ran.push(i);
        await never();
      }, t)
    )
  );
  const done = inflight.run(() => Promise.resolve("done"));
  assertEquals(await done, "done");
  assertEquals(inflight.answerAll(() => new Error("stopping")), 3);
  for (const call of calls) await assertRejects(() => call, /stopping/);
  await assertRejects(() => inflight.run(() => Promise.resolve(0)), /stopping/);
  await sleep(0);
  assertEquals(ran, [1]); // the queued two never ran
  assert(inflight.idle);
});
