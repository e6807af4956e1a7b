/**
 * Lists the response encoder built itself from a numeric array (a `tensor`'s `values`, an
 * `ndarray`'s nested lists): no object is nested in them, so writing keys in sorted order
 * (`src/rest/sortkeys.ts`) need not walk their — possibly millions of — numbers.
 * @module
 */

const OBJECT_FREE = new WeakSet<object>();

/** Records that `list`, built by the encoder and never handed to user code, nests no object. */
export function markObjectFree<T extends unknown[]>(list: T): T {
  OBJECT_FREE.add(list);
  return list;
}

/** True for a list {@link markObjectFree} recorded. */
export function isObjectFree(list: unknown[]): boolean {
  return OBJECT_FREE.has(list);
}
