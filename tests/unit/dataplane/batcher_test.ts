import { assert, assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { Batcher, type BatchRunner } from "../../../src/dataplane/batcher.ts";
import { Limiter, type Ticket } from "../../../src/dataplane/limiter.ts";
import { NDArray } from "../../../src/protocol/ndarray.ts";
import { concatRows, rowKey, splitFlatRows, splitRows } from "../../../src/protocol/rows.ts";

function ticket(): Ticket {
  return { cancelled: false, reason: undefined, leave: undefined };
}

/** Gives up on `t` as its owner does (a deadline passed). */
function cancel(t: Ticket, reason: unknown): void {
  t.cancelled = true;
  t.reason = reason;
  t.leave?.(reason);
}

/** A runner that records its calls and answers each input doubled (or throws `fail`). */
function doubler(fail?: Error): BatchRunner<number, number> & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    calls,
    run(inputs: readonly number[]) {
      calls.push([...inputs]);
      if (fail) return Promise.reject(fail);
      return Promise.resolve(inputs.map((x) => 2 * x));
    },
  };
}

/** Holds `limiter`'s one slot (once it has it) until the function it gives is called. */
function occupy(limiter: Limiter): Promise<() => void> {
  return new Promise((started) => {
    limiter.run(() => new Promise<void>((release) => started(release)));
  });
}

const same = <T>(x: T) => x;

Deno.test("batcher: requests queued behind a busy slot join one call, which takes one slot", async () => {
  const limiter = new Limiter(1);
  const batches: [string, number, number][] = [];
  const batcher = new Batcher({
    maxRows: 8,
    maxTimeMs: 0,
    onBatch: (op, rows, queue) => batches.push([op, rows, queue.length]),
  });
  const runner = doubler();
  const release = await occupy(limiter);
  const answers = [1, 2, 3].map((x) => batcher.submit(runner, "op", "k", x, 1, same, limiter));
  await new Promise((r) => setTimeout(r, 20)); // the window passed: the batch waits for the slot
  const late = batcher.submit(runner, "op", "k", 4, 1, same, limiter); // still joins
  const other = batcher.submit(runner, "op", "other", 5, 1, same, limiter); // another key
  assertEquals(runner.calls, []);
  release();
  assertEquals(await Promise.all([...answers, late, other]), [2, 4, 6, 8, 10]);
  assertEquals(runner.calls, [[1, 2, 3, 4], [5]]);
  assertEquals(batches, [["op", 4, 4], ["op", 1, 1]]);
});

Deno.test("batcher: a full batch runs at once; rows beyond the most open the next batch", async () => {
  const limiter = new Limiter(1);
  const batcher = new Batcher({ maxRows: 4, maxTimeMs: 60_000 });
  const runner = doubler();
  const a = batcher.submit(runner, "op", "k", 1, 3, same, limiter);
  const b = batcher.submit(runner, "op", "k", 2, 2, same, limiter); // 3 + 2 > 4: a's batch runs
  const c = batcher.submit(runner, "op", "k", 3, 2, same, limiter); // 2 + 2 = 4: full, runs
  assertEquals(await Promise.all([a, b, c]), [2, 4, 6]);
  assertEquals(runner.calls, [[1], [2, 3]]);
});

Deno.test("batcher: a lone request waits the window", async () => {
  const batcher = new Batcher({ maxRows: 4, maxTimeMs: 80 });
  const t0 = performance.now();
  assertEquals(await batcher.submit(doubler(), "op", "k", 1, 1, same, new Limiter(1)), 2);
  const waited = performance.now() - t0;
  assert(waited >= 75 && waited < 1_000, `waited ${waited} ms`);
});

Deno.test("batcher: the model's error fails every member; a member's own error only itself", async () => {
  const limiter = new Limiter(1);
  const batcher = new Batcher({ maxRows: 2, maxTimeMs: 60_000 });
  const failing = doubler(new Error("model broke"));
  const all = [1, 2].map((x) => batcher.submit(failing, "op", "k", x, 1, same, limiter));
  for (const p of all) await assertRejects(() => p, /model broke/);
  const runner = doubler();
  const finish = (y: number) => {
    if (y === 2) throw new Error("mine only");
    return y;
  };
  const mine = batcher.submit(runner, "op", "k", 1, 1, finish, limiter);
  const theirs = batcher.submit(runner, "op", "k", 2, 1, finish, limiter);
  await assertRejects(() => mine, /mine only/);
  assertEquals(await theirs, 4);
});

Deno.test("batcher: a member whose deadline passes while queued leaves at once; the rest run", async () => {
  const limiter = new Limiter(1);
  const batcher = new Batcher({ maxRows: 8, maxTimeMs: 0 });
  const runner = doubler();
  const release = await occupy(limiter);
  const t = ticket();
  const gone = batcher.submit(runner, "op", "k", 1, 1, same, limiter, t);
  const kept = batcher.submit(runner, "op", "k", 2, 1, same, limiter, ticket());
  cancel(t, new Error("deadline"));
  await assertRejects(() => gone, /deadline/);
  release();
  assertEquals(await kept, 4);
  assertEquals(runner.calls, [[2]]);
  // every member gone: the batch makes no call; a cancelled ticket is refused at once
  const release2 = await occupy(limiter);
  const t2 = ticket();
  const alone = batcher.submit(runner, "op", "k", 3, 1, same, limiter, t2);
  cancel(t2, new Error("late"));
  await assertRejects(() => alone, /late/);
  release2();
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(runner.calls, [[2]]);
  await assertRejects(() => batcher.submit(runner, "op", "k", 4, 1, same, limiter, t2), /late/);
});

Deno.test("rows: keys, concatenation and splitting along the first axis", () => {
  const a = new NDArray(new Float64Array([1, 2, 3, 4]), [2, 2]);
  const b = new NDArray(new Float64Array([5, 6]), [1, 2]);
  assertEquals(rowKey(a), rowKey(b));
  assert(rowKey(a) !== rowKey(new NDArray(new Float64Array([1, 2, 3]), [1, 3])));
  assert(rowKey(a) !== rowKey(new NDArray(new Float32Array([1, 2]), [1, 2])));
  // int64 from JSON (Float64Array) and from typed inputs (BigInt64Array) do not mix
  assert(
    rowKey(new NDArray(new Float64Array([1]), [1], "int64")) !==
      rowKey(new NDArray(new BigInt64Array([1n]), [1], "int64")),
  );
  assertEquals(rowKey(new NDArray(new Float64Array([1]), [])), undefined);
  const both = concatRows([a, b]);
  assertEquals(both.shape, [3, 2]);
  assertEquals([...both.data as Float64Array], [1, 2, 3, 4, 5, 6]);
  const strings = concatRows([
    new NDArray(["x"], [1], "string"),
    new NDArray(["y", "z"], [2], "string"),
  ]);
  assertEquals(strings.data, ["x", "y", "z"]);
  const parts = splitRows(both, [2, 1], false) as NDArray[];
  assertEquals(parts.map((p) => [p.shape, [...p.data as Float64Array]]), [
    [[2, 2], [1, 2, 3, 4]],
    [[1, 2], [5, 6]],
  ]);
  assertEquals(splitRows([[1], [2], [3]], [1, 2], false), [[[1]], [[2], [3]]]);
  assertEquals(
    splitRows(new Float32Array([1, 2, 3]), [2, 1], false).map((p) => [...p as Float32Array]),
    [[1, 2], [3]],
  );
  let err = "";
  try {
    splitRows(new Uint8Array(3), [2, 1], false); // v1 binData, not rows
  } catch (e) {
    err = String(e);
  }
  assert(/answered binary data \(Uint8Array\) for a batch of 3 rows/.test(err), err);
  try {
    splitRows([[1]], [1, 1], false);
  } catch (e) {
    err = String(e);
  }
  assert(/answered 1 rows for a batch of 2 rows/.test(err), err);
  assertEquals(splitFlatRows([1, 2, 3, 4, 5, 6], [3, 2], [1, 2]), [
    [[1, 2], [1, 2]],
    [[3, 4, 5, 6], [2, 2]],
  ]);
});
