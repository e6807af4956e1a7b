/**
 * The output column names generated when a model has no `classNames` (`t:0` … `t:<cols-1>`,
 * protocol.md §4.3). A wide result's names are kept for the next response of the same width:
 * a million of them took ~27 ms to build per 1e6-value answer, and their garbage ~20 ms more;
 * another wide width reuses the strings of the widest list kept.
 * @module
 */

/**
 * Most `t:<i>` names generated for one response (4 Mi, about 150 MB of strings). An empty array
 * still gets names for its last dimension (protocol.md §6.7), so a 60-byte request with
 * `shape: [0, 100000000]` would otherwise exhaust the heap and crash the worker.
 */
export const MAX_GENERATED_NAMES = 1 << 22;

/** Up to this many columns, names are copied from a list built once per width. */
const COPIED_NAMES_MAX = 64;
const namesByWidth: (readonly string[] | undefined)[] = [];

/** From this many columns on, the names of the last width are kept (frozen) and reused. */
export const KEEP_NAMES_MIN = 4096;
/** Kept names are dropped after this long without a response of their width. */
const KEEP_MS = 10_000;

let kept: readonly string[] | undefined;
/** The widest kept list: another wide width takes its strings from it (no new strings). */
let widest: readonly string[] | undefined;
let lastUsed = 0;
let armed = false;

/** Checks in `ms` (a timer that does not keep the process alive) whether to drop the names. */
function arm(ms: number): void {
  armed = true;
  Deno.unrefTimer(setTimeout(expire, ms));
}

/** Drops the kept names once they were not used for {@link KEEP_MS}. */
function expire(): void {
  armed = false;
  const idle = Date.now() - lastUsed;
  if (idle >= KEEP_MS) kept = widest = undefined;
  else arm(KEEP_MS - idle);
}

/**
 * `t:0` … `t:<cols-1>`: a fresh list up to {@link KEEP_NAMES_MIN} columns; from then on, a
 * frozen array shared by the responses of that width (nothing writes to a response's names; the
 * protobuf encoder keeps the wire bytes of a frozen list). Throws past
 * {@link MAX_GENERATED_NAMES}.
 */
export function generatedNames(cols: number): readonly string[] {
  if (cols > MAX_GENERATED_NAMES) {
    throw new Error(
      `Too many columns to name: ${cols} (at most ${MAX_GENERATED_NAMES} names are generated)`,
    );
  }
  if (cols >= KEEP_NAMES_MIN && kept !== undefined && kept.length === cols) {
    lastUsed = Date.now();
    return kept;
  }
  // A fresh copy each time: the caller owns (and may change) the list it gets.
  if (cols <= COPIED_NAMES_MAX) return (namesByWidth[cols] ??= build(cols, undefined)).slice();
  if (cols < KEEP_NAMES_MIN) return build(cols, undefined);
  // Another wide width: the strings the widest list has are shared, not built again.
  const names = widest !== undefined && widest.length >= cols
    ? widest.slice(0, cols)
    : build(cols, widest);
  kept = Object.freeze(names);
  if (widest === undefined || cols > widest.length) widest = kept;
  lastUsed = Date.now();
  if (!armed) arm(KEEP_MS);
  return kept;
}

/** `t:0` … `t:<cols-1>`, the first ones taken from `from`. */
function build(cols: number, from: readonly string[] | undefined): string[] {
  const names = new Array<string>(cols);
  const shared = from === undefined ? 0 : Math.min(from.length, cols);
  for (let i = 0; i < shared; i++) names[i] = from![i];
  for (let i = shared; i < cols; i++) names[i] = `t:${i}`;
  return names;
}
