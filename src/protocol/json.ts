/**
 * JSON text in and out, keeping integers beyond ±2^53 exact (user-api.md §5) and the int/float
 * distinction of array items (protocol.md §6.1): a cheap native pre-check finds integer tokens of
 * 16+ digits or integral float tokens (`2.0`); only then does parsing use a reviver, which turns
 * unsafe integer tokens into `bigint` and remembers integral floats. Writing turns `bigint` back
 * into its digits.
 * @module
 */
import { pythonJsonError } from "../python/json_loads.ts";

/** An integer token (not part of a float) with 16 or more digits. */
const LONG_INT = /(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/;

/**
 * A number token that may be a float with an integral value (`2.0`, `1e2`, `1.5e3`): Python's
 * parser keeps it a float while `JSON.parse` makes it indistinguishable from `2` (protocol.md §6.1).
 */
const INTEGRAL_FLOAT = /(?:^|[[,:\s])-?\d+(?:\.0+(?![\d])|(?:\.\d+)?[eE])/;

type ReviverContext = { source?: string };

/** Per array: the indexes of items that were float tokens with an integral value. */
const FLOAT_TOKENS = new WeakMap<object, Set<number>>();

/**
 * The indexes of `list`'s items that the request wrote as floats with an integral value (`2.0`),
 * or undefined. Only arrays decoded by {@link parseJson} carry this; numpy would make them
 * floats (`"2.0"` in a string array, float64 dtype) where `2` stays an integer.
 */
export function integralFloatIndexes(list: readonly unknown[]): ReadonlySet<number> | undefined {
  return FLOAT_TOKENS.get(list);
}

/**
 * Marks the integral numbers of every array inside `value` as floats (see
 * {@link integralFloatIndexes}): a proto-mode `google.protobuf.Value` holds doubles only, so
 * upstream's Python sees `4.0` where JS sees `4` (`"4.0"` in a string array).
 */
export function markNumbersAsFloats(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (!Array.isArray(value)) {
    for (const v of Object.values(value)) markNumbersAsFloats(v);
    return;
  }
  let set: Set<number> | undefined;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v === "number" && Number.isInteger(v)) (set ??= new Set()).add(i);
    else markNumbersAsFloats(v);
  }
  if (set !== undefined) FLOAT_TOKENS.set(value, set);
}

function exactReviver(this: unknown, key: string, value: unknown, ctx?: ReviverContext): unknown {
  if (typeof value !== "number" || ctx?.source === undefined) return value;
  const src = ctx.source;
  if (!Number.isSafeInteger(value) && /^-?\d+$/.test(src)) return BigInt(src);
  if (Number.isInteger(value) && Array.isArray(this) && /[.eE]/.test(src)) {
    let set = FLOAT_TOKENS.get(this);
    if (set === undefined) FLOAT_TOKENS.set(this, set = new Set());
    set.add(Number(key));
  }
  return value;
}

/**
 * Bodies up to this length have their integral float tokens remembered. A reviver costs ~10× a
 * plain parse, so larger numeric payloads keep the fast path and lose only the `2.0`/`2`
 * distinction (values stay equal; user-api.md §5).
 */
const FLOAT_TRACKING_LIMIT = 32 * 1024;

/**
 * `JSON.parse`, except that integers beyond ±2^53 become exact `bigint`s and array items written
 * as integral floats are remembered ({@link integralFloatIndexes}). A native pre-check keeps the
 * plain fast path for bodies that need neither.
 */
export function parseJson(text: string): unknown {
  if (
    text.length >= 3 &&
    ((text.length <= FLOAT_TRACKING_LIMIT && INTEGRAL_FLOAT.test(text)) || LONG_INT.test(text))
  ) {
    return JSON.parse(text, exactReviver as (key: string, value: unknown) => unknown);
  }
  return JSON.parse(text);
}

/**
 * {@link parseJson} failing like Python's `json.loads`: the error's message is CPython's
 * `JSONDecodeError` text, where upstream shows it to clients (an invalid `json` parameter or
 * multipart field, server.md §2.3).
 */
export function parseJsonLikePython(text: string): unknown {
  try {
    return parseJson(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const message = pythonJsonError(text);
    throw message === undefined ? err : new SyntaxError(message);
  }
}

const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

function bigIntReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? rawJSON(value.toString()) : value;
}

/** Options of {@link stringifyJson}. */
export interface StringifyOptions {
  /** Indent with two spaces (Flask's pretty-print mode). */
  pretty?: boolean;
}

/** `JSON.stringify` that writes `bigint`s as plain integers. */
export function stringifyJson(value: unknown, options: StringifyOptions = {}): string {
  const indent = options.pretty ? 2 : undefined;
  try {
    return JSON.stringify(value, undefined, indent);
  } catch (err) {
    if (err instanceof TypeError && /BigInt/i.test(err.message)) {
      return JSON.stringify(value, bigIntReplacer, indent);
    }
    throw err;
  }
}

const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;

/** Escapes every non-ASCII UTF-16 unit as `\uXXXX` (Flask's default `JSON_AS_ASCII`). */
export function asciiOnly(json: string): string {
  return NON_ASCII.test(json)
    ? json.replace(NON_ASCII_ALL, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"))
    : json;
}
