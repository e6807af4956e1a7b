/**
 * JSON text in and out, keeping integers beyond ±2^53 exact (user-api.md §5): a cheap native
 * pre-check finds integer tokens of 16+ digits; only then does parsing use a reviver, which
 * turns unsafe integer tokens into `bigint`. Writing turns `bigint` back into its digits.
 * @module
 */

/** An integer token (not part of a float) with 16 or more digits. */
const LONG_INT = /(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/;

type ReviverContext = { source?: string };

function bigIntReviver(this: unknown, _key: string, value: unknown, ctx?: ReviverContext): unknown {
  if (typeof value === "number" && !Number.isSafeInteger(value) && ctx?.source !== undefined) {
    const src = ctx.source;
    if (/^-?\d+$/.test(src)) return BigInt(src);
  }
  return value;
}

/** `JSON.parse`, except that integers beyond ±2^53 become exact `bigint`s. */
export function parseJson(text: string): unknown {
  if (text.length >= 16 && LONG_INT.test(text)) {
    return JSON.parse(text, bigIntReviver as (key: string, value: unknown) => unknown);
  }
  return JSON.parse(text);
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
