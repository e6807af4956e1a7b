import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  compactAfterStart,
  COMPACTING_GC,
  idleCollector,
  memoryCheck,
} from "../../../src/roles/memory.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("memory: the idle collector runs gc() once a busy worker is idle and its heap grew, not before", async () => {
  let collections = 0;
  const collector = idleCollector(() => collections++);
  try {
    const held: number[][] = [];
    await sleep(1100);
    assertEquals(collections, 0); // idle, never busy
    collector.onRequest();
    // ~200 MiB more heap (kept alive here: the fake gc() frees nothing)
    for (let i = 0; i < 25; i++) held.push(new Array(1_000_000).fill(i + 0.5));
    await sleep(2300); // one tick sees the request, the next an idle worker
    assertEquals(collections, 1);
    collector.onRequest(); // busy again, but the heap has not grown since
    await sleep(2300);
    assertEquals(collections, 1);
    assert(held.length === 25);
  } finally {
    collector.stop();
  }
});

Deno.test("memory: the check calls its callback once when the RSS is above the limit, never below it", async () => {
  const over: number[] = [];
  const rss = Deno.memoryUsage().rss;
  const check = memoryCheck(rss * 10, (n) => over.push(n));
  for (let i = 0; i < 100; i++) check();
  assertEquals(over, []); // far below the limit
  const low = memoryCheck(1, (n) => over.push(n));
  low();
  low();
  await sleep(300);
  low();
  assertEquals(over.length, 1); // called once, then never again
  assert(over[0] > 1);
});

Deno.test("memory: compactAfterStart runs one compacting collection after its delay, none once cancelled", async () => {
  const calls: unknown[] = [];
  compactAfterStart((options) => calls.push(options), 50);
  const cancel = compactAfterStart((options) => calls.push(options), 50);
  cancel();
  await sleep(150);
  assertEquals(calls, [COMPACTING_GC]);
});
