import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  compactAfterStart,
  COMPACTING_GC,
  idleCollector,
  memoryCheck,
} from "../../../src/roles/memory.ts";
import { mallocTrim } from "../../../src/roles/trim.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

Deno.test("memory: the idle collector runs gc() then trim once a busy worker is idle and its heap grew, not before", async () => {
  let collections = 0;
  const order: string[] = [];
  // The memory readings the collector sees (this process's own RSS also moves with the test
  // files running beside this one, so the readings are given).
  const memory = { heapUsed: 8 * MiB, rss: 60 * MiB };
  const collector = idleCollector(
    () => {
      collections++;
      order.push("gc");
    },
    () => () => order.push("trim"),
    () => memory,
  );
  try {
    await sleep(1100);
    assertEquals(collections, 0); // idle, never busy
    collector.onRequest();
    memory.heapUsed += 200 * MiB; // the fake gc() frees nothing
    await sleep(2300); // one tick sees the request, the next an idle worker
    assertEquals(collections, 1);
    collector.onRequest(); // busy again, but the heap has not grown since
    await sleep(2300);
    assertEquals(collections, 1);
    assertEquals(order, ["gc", "trim"]);
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

/** This process's resident memory in MiB. */
const rssMiB = () => Deno.memoryUsage().rss / 1024 / 1024;

Deno.test({
  name: "memory: mallocTrim gives the free pages inside glibc's heap back to the system",
  ignore: Deno.build.os !== "linux",
  fn() {
    const trim = mallocTrim();
    assert(trim !== undefined, "malloc_trim through FFI (Linux, --allow-ffi)");
    assertEquals(mallocTrim(), trim); // opened once
    const libc = Deno.dlopen("libc.so.6", {
      malloc: { parameters: ["usize"], result: "pointer" },
      free: { parameters: ["pointer"], result: "void" },
      memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
    });
    try {
      // 800 blocks of 100 KiB (below the mmap threshold: inside the heap), touched; all freed
      // but the last, which keeps the heap from shrinking from its top.
      const size = 100 * 1024;
      const blocks = Array.from({ length: 800 }, () => {
        const p = libc.symbols.malloc(BigInt(size));
        libc.symbols.memset(p, 1, BigInt(size));
        return p;
      });
      for (const p of blocks.slice(0, -1)) libc.symbols.free(p);
      const before = rssMiB();
      trim();
      const after = rssMiB();
      libc.symbols.free(blocks.at(-1)!);
      assert(before - after > 40, `RSS ${before.toFixed(1)} → ${after.toFixed(1)} MiB`);
    } finally {
      libc.close();
    }
  },
});

Deno.test("memory: the idle collector also runs when only the RSS grew by 16 MiB", async () => {
  const order: string[] = [];
  const memory = { heapUsed: 8 * MiB, rss: 60 * MiB };
  const collector = idleCollector(
    () => order.push("gc"),
    () => () => order.push("trim"),
    () => memory,
  );
  try {
    collector.onRequest();
    memory.rss += 15 * MiB; // below the threshold
    await sleep(2300); // one tick sees the request, the next an idle worker
    assertEquals(order, []);
    collector.onRequest();
    memory.rss += 2 * MiB; // 17 MiB since the start
    await sleep(2300);
    assertEquals(order, ["gc", "trim"]);
    collector.onRequest(); // busy again, the RSS has not grown since
    await sleep(2300);
    assertEquals(order, ["gc", "trim"]);
  } finally {
    collector.stop();
  }
});
