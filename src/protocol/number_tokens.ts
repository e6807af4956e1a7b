/**
 * What `JSON.parse` loses about a request's number tokens and numpy can tell (protocol.md §6.1,
 * user-api.md §5): integers beyond ±2^53 (kept exact as `bigint`) and list items written as
 * integral floats (`2.0`, which numpy keeps a float: float64 dtype, `"2.0"` in a string array),
 * at every body size. A walk over the parsed value, far cheaper than a reviver or a regular
 * expression over the text, finds whether the text must be read again.
 * @module
 */

/** An integer token (not part of a float) with 16 or more digits. */
const LONG_INT = /(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/;

/** The third argument of a `JSON.parse` reviver (the token's source text). */
export type ReviverContext = { source?: string };

/**
 * Which items of a list the request wrote as floats with an integral value (`2.0`, `1e2`):
 * their indexes in ascending order, or `true` for "every integral number in the list and in the
 * lists nested in it" (where only their dtype can tell, see {@link markIntegralFloats}).
 */
export type IntegralFloats = readonly number[] | true;

/** Per list: {@link IntegralFloats}. */
const FLOAT_TOKENS = new WeakMap<object, IntegralFloats>();

/**
 * The items of `list` that the request wrote as floats with an integral value (`2.0`), or
 * undefined. Only lists decoded by `parseJson` (json.ts) carry this; numpy would make them floats
 * (`"2.0"` in a string array, float64 dtype) where `2` stays an integer.
 */
export function integralFloats(list: readonly unknown[]): IntegralFloats | undefined {
  return FLOAT_TOKENS.get(list);
}

/**
 * Marks the integral numbers of every list inside `value` as floats (see
 * {@link integralFloats}): a proto-mode `google.protobuf.Value` holds doubles only, so
 * upstream's Python sees `4.0` where JS sees `4` (`"4.0"` in a string array).
 */
export function markNumbersAsFloats(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (!Array.isArray(value)) {
    for (const v of Object.values(value)) markNumbersAsFloats(v);
    return;
  }
  FLOAT_TOKENS.set(value, true);
  for (const v of value) markNumbersAsFloats(v);
}

/** The reviver of {@link parseExact}: long integer tokens as `bigint`, integral floats marked. */
export function exactReviver(
  this: unknown,
  key: string,
  value: unknown,
  ctx?: ReviverContext,
): unknown {
  if (typeof value !== "number" || ctx?.source === undefined) return value;
  const src = ctx.source;
  if (!Number.isSafeInteger(value) && /^-?\d+$/.test(src)) return BigInt(src);
  if (Number.isInteger(value) && Array.isArray(this) && /[.eE]/.test(src)) {
    const marks = FLOAT_TOKENS.get(this) as number[] | undefined;
    if (marks === undefined) FLOAT_TOKENS.set(this, [Number(key)]);
    else marks.push(Number(key));
  }
  return value;
}

/** {@link numberNeeds}: a number lies beyond ±2^53 (it may have been a longer integer token). */
const BEYOND_SAFE = 1;
/** A list holds integers and no fraction: a float token among them makes its dtype float64. */
const FLOAT_LISTS = 2;
/** Lists nested in one another hold strings and integers: each integer's token decides its text. */
const FLOAT_ITEMS = 4;

/** Beyond this depth {@link numberNeeds} assumes every need (the careful paths are exact). */
const MAX_WALK_DEPTH = 64;
/** {@link listBits}, inside a list tree only: a string, an integer. */
const HAS_STRING = 8;
const HAS_INTEGER = 16;

/**
 * Which source information `value` (a `JSON.parse` result) may have lost, as bit flags
 * ({@link BEYOND_SAFE}, {@link FLOAT_LISTS}, {@link FLOAT_ITEMS}). A recursive walk that
 * allocates nothing: right after a large `JSON.parse`, an allocation may be the one that pays
 * for the young generation's collection.
 */
function numberNeeds(value: unknown, depth = 0): number {
  if (typeof value === "number") {
    return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? 0 : BEYOND_SAFE;
  }
  if (typeof value !== "object" || value === null) return 0;
  if (Array.isArray(value)) return listNeeds(value, depth);
  if (depth > MAX_WALK_DEPTH) return BEYOND_SAFE | FLOAT_LISTS | FLOAT_ITEMS;
  let needs = 0;
  for (const key in value) needs |= numberNeeds((value as Record<string, unknown>)[key], depth + 1);
  return needs;
}

/** {@link numberNeeds} of the lists nested in `list`: any of them may be flattened into one array. */
function listNeeds(list: readonly unknown[], depth = 0): number {
  const bits = listBits(list, depth);
  const needs = bits & (BEYOND_SAFE | FLOAT_LISTS | FLOAT_ITEMS);
  return (bits & HAS_STRING) !== 0 && (bits & HAS_INTEGER) !== 0 ? needs | FLOAT_ITEMS : needs;
}

/** {@link listBits} of one list only: it holds an integral number, a non-integral one. */
const OWN_INTEGER = 32;
const OWN_FRACTION = 64;

/**
 * The walk of {@link listNeeds}. A list of lists (an ndarray's rows), a list of numbers
 * ({@link mayBeNumbers}) and other lists are each read by a loop of their own: optimized code
 * for an indexed read that has seen lists of doubles and lists of anything else (lists, strings)
 * converts each list of doubles it reads into a list of boxed numbers (V8's elements-kind transition; a 1e6-float list
 * becomes ~24 MB of heap numbers, and the walks after it read those: 25–60 ms against ~4 ms). For
 * the same reason the first items are read with `at`, which converts nothing.
 */
function listBits(list: readonly unknown[], depth: number): number {
  if (depth > MAX_WALK_DEPTH) return BEYOND_SAFE | FLOAT_LISTS | HAS_STRING | HAS_INTEGER;
  const first = list.at(0);
  if (mayBeNumbers(list)) return numberListBits(list, depth);
  if (!Array.isArray(first)) return itemBits(list, 0, depth, 0);
  let bits = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!Array.isArray(v)) return itemBits(list, i, depth, bits);
    bits |= listBits(v, depth + 1);
  }
  return bits;
}

/**
 * True when the first, middle and last items of `list` are numbers (read with `at`, which converts
 * nothing): only such lists go to the loops for numbers, so that a list mixing numbers with other
 * items (`[5.1,"red",3]`) seldom teaches them the general kind (see {@link listBits}).
 */
export function mayBeNumbers(list: readonly unknown[]): boolean {
  return typeof list.at(0) === "number" && typeof list.at(-1) === "number" &&
    typeof list.at(list.length >> 1) === "number";
}

/** {@link listBits} of a list of numbers; one holding anything else is read again. */
function numberListBits(list: readonly unknown[], depth: number): number {
  let bits = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "number") return itemBits(list, 0, depth, 0);
    bits |= numberBits(v);
  }
  return ownBits(bits);
}

/** {@link listBits} from item `from` on, `bits` found before it (in lists only). */
function itemBits(list: readonly unknown[], from: number, depth: number, bits: number): number {
  for (let i = from; i < list.length; i++) {
    const v = list[i];
    if (typeof v === "number") bits |= numberBits(v);
    else if (typeof v === "string") bits |= HAS_STRING;
    else if (typeof v === "object" && v !== null) {
      bits |= Array.isArray(v) ? listBits(v, depth + 1) : numberNeeds(v, depth + 1);
    }
  }
  return ownBits(bits);
}

/**
 * {@link OWN_INTEGER} or {@link OWN_FRACTION} of a list item, with {@link BEYOND_SAFE}. An
 * integral number beyond ±2^53 counts as an integer too: written `1e300`, it makes a list float64.
 */
function numberBits(v: number): number {
  if (Number.isInteger(v)) {
    return Math.abs(v) <= Number.MAX_SAFE_INTEGER ? OWN_INTEGER : OWN_INTEGER | BEYOND_SAFE;
  }
  // ±Infinity (maybe a 309-digit integer token) and NaN.
  return v - v !== 0 ? OWN_FRACTION | BEYOND_SAFE : OWN_FRACTION;
}

/** A list's bits as its parent sees them: integers and no fraction in it are {@link FLOAT_LISTS}. */
function ownBits(bits: number): number {
  const rest = bits & ~(OWN_INTEGER | OWN_FRACTION);
  if ((bits & OWN_INTEGER) === 0) return rest;
  return (bits & OWN_FRACTION) !== 0 ? rest | HAS_INTEGER : rest | HAS_INTEGER | FLOAT_LISTS;
}

/**
 * `value`, `JSON.parse(text)`, with what the text says besides: long integers as `bigint`,
 * integral float tokens marked ({@link integralFloats}). Usually `value` itself; a re-parse
 * with {@link exactReviver} (~10× a plain parse) only for integer tokens beyond ±2^53 or a text
 * that does not line up with the value.
 */
export function withSourceInfo(text: string, value: unknown): unknown {
  const needs = numberNeeds(value);
  if (needs === 0) return value;
  if ((needs & BEYOND_SAFE) !== 0 && LONG_INT.test(text)) return parseExact(text);
  if (
    (needs & (FLOAT_LISTS | FLOAT_ITEMS)) !== 0 && mayHoldIntegralFloat(text) &&
    !markIntegralFloats(text, value, (needs & FLOAT_ITEMS) !== 0)
  ) {
    return parseExact(text);
  }
  return value;
}

/**
 * False only when no number token of `text` has a fraction or an exponent and an integral value
 * (`2.0`, `1e2`): then nothing is to be marked (nor re-read). Each `.` and each exponent after a
 * digit is read as the token around it (inside a string this may over-guess, never miss); past
 * {@link MAX_FLOAT_TOKENS} of them the answer is a plain "maybe" (the walk over a large text
 * skips numeric lists natively, where reading every token would not).
 */
export function mayHoldIntegralFloat(text: string): boolean {
  let count = 0;
  for (let at = text.indexOf("."); at >= 0; at = text.indexOf(".", at + 1)) {
    if (++count > MAX_FLOAT_TOKENS || integralToken(text, at)) return true;
  }
  EXPONENT.lastIndex = 0;
  while (EXPONENT.exec(text) !== null) {
    if (++count > MAX_FLOAT_TOKENS || integralToken(text, EXPONENT.lastIndex - 1)) return true;
  }
  return false;
}
const EXPONENT = /\d[eE]/g;
/** {@link mayHoldIntegralFloat} reads at most this many tokens. */
const MAX_FLOAT_TOKENS = 64;

/** The token of number characters around `text[at]` has an integral value. */
function integralToken(text: string, at: number): boolean {
  let start = at, end = at + 1;
  while (start > 0 && isNumberChar(text.charCodeAt(start - 1))) start--;
  while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
  return Number.isInteger(Number(text.slice(start, end)));
}

/** A digit, `.`, `e`, `E`, `+` or `-`. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b ||
    c === 0x2d;
}

/** `JSON.parse` with {@link exactReviver}. */
function parseExact(text: string): unknown {
  return JSON.parse(text, exactReviver as (key: string, value: unknown) => unknown);
}

/** One open list or object of {@link markIntegralFloats}. */
class Frame {
  /** List: the current item's index; object: keys seen so far. */
  index = 0;
  /** Object: the current member's key. */
  key = "";
  /** List: the indexes of its integral float tokens so far. */
  floats: number[] | undefined;
  constructor(
    readonly node: Record<string, unknown> | unknown[],
    readonly array: boolean,
    /** List: its items' tokens are marked one by one (strings and integers are nested in it). */
    readonly perItem = false,
    /** List: the outermost list it is nested in (itself if none). */
    readonly tree: unknown[] = [],
  ) {}
}

/** The index of the first non-space character at or after `i`. */
export function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
  return i;
}

/** The index after the string token starting at `i`, or -1. */
function skipString(text: string, i: number): number {
  let end = text.indexOf('"', i + 1);
  for (;;) {
    if (end < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return end + 1;
    end = text.indexOf('"', end + 1);
  }
}

/** What {@link leafKind} found in a list's items. */
const enum Leaf {
  /** Numbers only, all integral. */
  Integral,
  /** Numbers only, some with a fraction. */
  Numbers,
  /** Strings, booleans, nulls besides numbers: no list or object. */
  Primitives,
  /** A list or an object among the items (or no item). */
  Nested,
}

function leafKind(list: readonly unknown[]): Leaf {
  if (list.length === 0) return Leaf.Nested;
  // Lists of lists, of numbers and others each in a loop of their own (see listBits).
  const first = list.at(0);
  if (typeof first === "object" && first !== null) return Leaf.Nested;
  if (mayBeNumbers(list)) {
    const kind = numbersKind(list);
    if (kind !== undefined) return kind;
  }
  let kind = Leaf.Integral;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v === "number") {
      if (kind === Leaf.Integral && !Number.isInteger(v)) kind = Leaf.Numbers;
    } else if (typeof v === "object" && v !== null) return Leaf.Nested;
    else kind = Leaf.Primitives;
  }
  return kind;
}

/** {@link leafKind} of a list of numbers only; undefined for a list holding anything else. */
function numbersKind(list: readonly unknown[]): Leaf | undefined {
  let kind = Leaf.Integral;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "number") return undefined;
    if (kind === Leaf.Integral && !Number.isInteger(v)) kind = Leaf.Numbers;
  }
  return kind;
}

/**
 * Marks the integral float tokens of `list`, a list of primitives whose text starts at `i` (after
 * its `[`), token by token: the index after its `]`, or -1 when the text does not line up.
 * `numbers`: the list holds numbers only (read by {@link numberAt}).
 */
function markLeaf(text: string, i: number, list: readonly unknown[], numbers: boolean): number {
  let marks: number[] | undefined;
  const last = list.length - 1;
  for (let k = 0; k <= last; k++) {
    if (text.charCodeAt(i) <= 0x20) i = skipSpace(text, i);
    const v = numbers ? numberAt(list, k) : list[k];
    if (typeof v === "string") {
      i = skipString(text, i);
      if (i < 0) return -1;
    } else {
      let float = false;
      let c = text.charCodeAt(i);
      while (c > 0x20 && c !== 0x2c && c !== 0x5d) {
        if (c === 0x2e || c === 0x65 || c === 0x45) float = true;
        c = text.charCodeAt(++i);
      }
      if (float && typeof v === "number" && Number.isInteger(v)) (marks ??= []).push(k);
    }
    if (text.charCodeAt(i) <= 0x20) i = skipSpace(text, i);
    if (text.charCodeAt(i++) !== (k === last ? 0x5d : 0x2c)) return -1;
  }
  if (marks !== undefined) FLOAT_TOKENS.set(list, marks);
  return i;
}

/** `list[k]` of a list of numbers only: a read of its own (see {@link listBits}). */
function numberAt(list: readonly unknown[], k: number): unknown {
  return list[k];
}

/**
 * Finds `.`, `e` or `E` in ranges of `text` that move forward only, with native searches whose
 * results are kept until passed (the whole text is searched at most once per character).
 */
class FloatChars {
  #next = [-1, -1, -1];
  constructor(readonly text: string) {}
  /** True when `.`, `e` or `E` occurs in `text[from, to)`; `from` never decreases. */
  within(from: number, to: number): boolean {
    for (let k = 0; k < 3; k++) {
      let at = this.#next[k];
      if (at < from) {
        at = this.text.indexOf(".eE"[k], from);
        this.#next[k] = at = at < 0 ? Infinity : at;
      }
      if (at < to) return true;
    }
    return false;
  }
}

/**
 * Marks the integral float tokens of the lists in `root`, `JSON.parse(text)`, reading the text
 * and the value side by side (lists by index, objects by key). When strings and integers are
 * nested in one outermost list somewhere (`perItemLists`), each token is read and the lists'
 * items are marked by index. Otherwise only the dtype can tell: a list of numbers is not read
 * token by token but searched natively for `.`/`e`, and when it holds no fraction and one of
 * those, its outermost list is marked `true` ("its integral numbers are floats", as numpy makes
 * them). False when text and value do not line up — an object with a repeated key, whose earlier
 * values `JSON.parse` dropped.
 */
function markIntegralFloats(text: string, root: unknown, perItemLists: boolean): boolean {
  const frames: Frame[] = [];
  const floatChars = new FloatChars(text);
  let value = root;
  let i = 0;
  for (;;) {
    // A value starts at `i`; `value` is what JSON.parse made of it.
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */) {
      if (!Array.isArray(value)) return false;
      const parent = frames[frames.length - 1];
      const nested = parent?.array === true;
      const kind = leafKind(value);
      if (kind <= Leaf.Numbers && !(nested && parent.perItem)) {
        // Numbers only, and no string nested with them: only the dtype can tell, so one mark on
        // the outermost list says "all its integral numbers are floats" (numpy makes them so).
        const end = text.indexOf("]", i);
        if (end < 0) return false;
        if (kind === Leaf.Integral && floatChars.within(i, end)) {
          FLOAT_TOKENS.set(nested ? parent.tree : value, true);
        }
        i = end + 1;
      } else if (kind !== Leaf.Nested) {
        i = markLeaf(text, i + 1, value, kind <= Leaf.Numbers);
        if (i < 0) return false;
      } else {
        i = skipSpace(text, i + 1);
        if (text.charCodeAt(i) !== 0x5d /* ] */) {
          const perItem = nested ? parent.perItem : perItemLists;
          frames.push(new Frame(value, true, perItem, nested ? parent.tree : value));
          value = value[0];
          continue;
        }
        if (value.length !== 0) return false;
        i++;
      }
    } else if (c === 0x7b /* { */) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) !== 0x7d /* } */) {
        const frame = new Frame(value as Record<string, unknown>, false);
        frames.push(frame);
        i = enterMember(text, i, frame);
        if (i < 0) return false;
        value = (frame.node as Record<string, unknown>)[frame.key];
        continue;
      }
      i++;
    } else if (c === 0x22 /* " */) {
      i = skipString(text, i);
      if (i < 0) return false;
    } else {
      let float = false;
      for (;;) {
        const d = text.charCodeAt(i);
        if (d === 0x2e || d === 0x65 || d === 0x45) float = true;
        else if (d === 0x2c || d === 0x5d || d === 0x7d || d <= 0x20 || d !== d) break;
        i++;
      }
      if (float && typeof value === "number" && Number.isInteger(value) && frames.length > 0) {
        const top = frames[frames.length - 1];
        if (top.array) (top.floats ??= []).push(top.index);
      }
    }
    // The value has ended: close containers until one has a next item.
    for (;;) {
      i = skipSpace(text, i);
      const top = frames[frames.length - 1];
      if (top === undefined) return i === text.length;
      const d = text.charCodeAt(i++);
      if (top.array) {
        const list = top.node as unknown[];
        if (d === 0x2c /* , */) {
          if (++top.index >= list.length) return false;
          value = list[top.index];
          break;
        }
        if (d !== 0x5d || top.index !== list.length - 1) return false;
        if (top.floats !== undefined && FLOAT_TOKENS.get(list) !== true) {
          FLOAT_TOKENS.set(list, top.floats);
        }
      } else {
        if (d === 0x2c) {
          i = enterMember(text, skipSpace(text, i), top);
          if (i < 0) return false;
          value = (top.node as Record<string, unknown>)[top.key];
          break;
        }
        if (d !== 0x7d || top.index !== Object.keys(top.node).length) return false;
      }
      frames.pop();
    }
  }
}

/**
 * Reads `"key":` at `i` into `frame` and counts it: the index of the value, or -1 when the key
 * is not one of the object's own (it cannot be, for `JSON.parse` output).
 */
function enterMember(text: string, i: number, frame: Frame): number {
  if (text.charCodeAt(i) !== 0x22) return -1;
  const end = skipString(text, i);
  if (end < 0) return -1;
  const raw = text.slice(i + 1, end - 1);
  frame.key = raw.includes("\\") ? JSON.parse(text.slice(i, end)) : raw;
  if (!Object.hasOwn(frame.node, frame.key)) return -1;
  frame.index++;
  i = skipSpace(text, end);
  return text.charCodeAt(i) === 0x3a /* : */ ? i + 1 : -1;
}
