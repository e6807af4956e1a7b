/** Assertions for the tests (node:assert; `@std/assert` is not reachable here). */
import assertNode from "node:assert/strict";

/** Deep, strict equality. */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  assertNode.deepStrictEqual(actual, expected, message as string);
}

/** Truthiness. */
export function assert(value: unknown, message?: string): asserts value {
  assertNode.ok(value, message as string);
}

/** What an expected error must match: a message pattern or a predicate. */
type ErrorPattern = RegExp | ((e: any) => boolean);

/** Asserts that `err` matches `pattern` (anything matches no pattern) and returns it. */
function matching(err: unknown, pattern?: ErrorPattern): any {
  if (pattern instanceof RegExp) {
    assertNode.match(String((err as Error)?.message ?? err), pattern);
  } else if (pattern) assertNode.ok(pattern(err), `unexpected error: ${err}`);
  return err;
}

/** `fn` throws (or rejects) with an error matching `pattern`, if given. */
export async function assertRejects(fn: () => unknown, pattern?: ErrorPattern): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return matching(err, pattern);
  }
  assertNode.fail("expected an error");
}

/** Synchronous variant of {@link assertRejects}. */
export function assertThrows(fn: () => unknown, pattern?: ErrorPattern): any {
  try {
    fn();
  } catch (err) {
    return matching(err, pattern);
  }
  assertNode.fail("expected an error");
}

/**
 * Polls `probe` until it returns a truthy value or `timeoutMs` passes; returns the last value.
 * For waits on other processes (a replacement worker booting), whose speed depends on the load.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!value && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await probe();
  }
  return value;
}
