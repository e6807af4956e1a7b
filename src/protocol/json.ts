/**
 * JSON text in and out as Python's `json` module reads and writes it, where clients can tell:
 * integers beyond ±2^53 stay exact and integral float tokens stay floats for numpy
 * (`number_tokens.ts`), `NaN`, `Infinity` and `-Infinity` are read and written
 * (`non_finite.ts`). The native `JSON.parse` / `JSON.stringify` do the work; the rest costs
 * only where it is needed.
 * @module
 */
import {
  mayHoldNonFinite,
  parseWithNonFinite,
  type Replacer,
  stringifyNonFinite,
} from "./non_finite.ts";
import { withSourceInfo } from "./number_tokens.ts";
import { pythonJsonError } from "../python/json_error.ts";

/**
 * `JSON.parse`, except that integers beyond ±2^53 become exact `bigint`s, list items written as
 * integral floats are remembered (`integralFloats`), and Python's `NaN`, `Infinity` and
 * `-Infinity` literals are accepted. The plain parse comes first, and stays the only one unless
 * the body has long integers or literals ({@link withSourceInfo}, {@link parseWithNonFinite}).
 */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return parseWithNonFinite(text, err);
  }
  return withSourceInfo(text, value);
}

const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

function bigIntReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? rawJSON(value.toString()) : value;
}

/**
 * The longest text whose invalid JSON gets CPython's exact error text (1 Mi characters, ~10 ms
 * of scanning); a longer one gets JavaScript's message, so no error costs more than its parse.
 */
export const PYTHON_JSON_ERROR_CAP = 1 << 20;

/**
 * {@link parseJson} failing like Python's `json.loads`: the error's message is CPython's
 * `JSONDecodeError` text, where upstream shows it to clients (an invalid `json` parameter or
 * multipart field, server.md §2.3) — for texts up to {@link PYTHON_JSON_ERROR_CAP}; a longer one
 * fails with `Invalid JSON (N characters; …): <JavaScript's message>` (without the message when
 * the text holds `NaN` or `Infinity`, which JavaScript's parser would wrongly blame).
 */
export function parseJsonLikePython(text: string): unknown {
  try {
    return parseJson(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    if (text.length > PYTHON_JSON_ERROR_CAP) {
      // JavaScript's message would blame a NaN or Infinity literal, which Python accepts.
      const detail = text.includes("NaN") || text.includes("Infinity") ? "" : `: ${err.message}`;
      throw new SyntaxError(
        `Invalid JSON (${text.length} characters; Python's error text is given up to ` +
          `${PYTHON_JSON_ERROR_CAP})${detail}`,
      );
    }
    const message = pythonJsonError(text);
    throw message === undefined ? err : new SyntaxError(message);
  }
}

/** Options of {@link stringifyJson}. */
export interface StringifyOptions {
  /** Indent with two spaces (Flask's pretty-print mode). */
  pretty?: boolean;
}

/**
 * `JSON.stringify`, except that `bigint`s are written as plain integers and non-finite numbers
 * as Python's `json.dumps` writes them, `NaN`, `Infinity`, `-Infinity` (where `JSON.stringify`
 * writes `null`), so a Python client reads back what was sent. Those cost more only when the
 * text holds a `null` and a walk finds one.
 */
export function stringifyJson(value: unknown, options: StringifyOptions = {}): string {
  const indent = options.pretty ? 2 : undefined;
  const text = stringify(value, indent);
  if (text === undefined || !text.includes("null") || !mayHoldNonFinite(value)) return text;
  return stringifyNonFinite(value, text, (v, replacer) => stringify(v, indent, replacer));
}

function stringify(value: unknown, indent: number | undefined, replacer?: Replacer): string {
  try {
    return JSON.stringify(value, replacer, indent);
  } catch (err) {
    if (!(err instanceof TypeError && /BigInt/i.test(err.message))) throw err;
    const bigInts = replacer
      ? (k: string, v: unknown) => bigIntReplacer(k, replacer(k, v))
      : bigIntReplacer;
    return JSON.stringify(value, bigInts, indent);
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
