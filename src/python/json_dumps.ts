/**
 * Python's `json.dumps` with default options, as upstream's messages embed it (e.g.
 * `Bad metric created during request: [{"type": "BAD", "key": "c", "value": 1}]`).
 * @module
 */
import { intDigits, PyFloat, pyFloatRepr } from "./float.ts";
import { asBytes, hex } from "./repr.ts";

/** Escape map of Python's `json` encoder (`ensure_ascii=True`). */
const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};
// deno-lint-ignore no-control-regex
const JSON_NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\uffff]/g;

/** Python `json.dumps(str)` with `ensure_ascii=True` (non-ASCII → `\uXXXX`). */
function jsonString(s: string): string {
  return `"${
    s.replace(JSON_NEEDS_ESCAPE, (ch) => JSON_ESCAPES[ch] ?? "\\u" + hex(ch.charCodeAt(0), 4))
  }"`;
}

/** Python `json` float rendering: repr, but `NaN` / `Infinity` / `-Infinity`. */
function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return pyFloatRepr(x);
}

function jsonNumber(x: number): string {
  if (Number.isInteger(x) && !Object.is(x, -0)) return intDigits(x);
  return jsonFloat(x);
}

function notSerializable(typeName: string): never {
  throw new TypeError(`Object of type ${typeName} is not JSON serializable`);
}

/** Python `json.dumps` rendering of a dict key (str, int, float, bool, None). */
function jsonKey(k: unknown): string {
  switch (typeof k) {
    case "string":
      return k;
    case "number":
      return jsonNumber(k);
    case "bigint":
      return k.toString();
    case "boolean":
      return k ? "true" : "false";
  }
  if (k === null || k === undefined) return "null";
  if (k instanceof PyFloat) return jsonFloat(k.value);
  throw new TypeError(`keys must be str, int, float, bool or None, not ${typeof k}`);
}

function dumpInto(value: unknown, out: string[], seen: Set<object>): void {
  switch (typeof value) {
    case "string":
      out.push(jsonString(value));
      return;
    case "number":
      out.push(jsonNumber(value));
      return;
    case "bigint":
      out.push(value.toString());
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "undefined":
      out.push("null");
      return;
    case "function":
    case "symbol":
      notSerializable(typeof value);
  }
  if (value === null) {
    out.push("null");
    return;
  }
  dumpObject(value as object, out, seen);
}

function dumpObject(value: object, out: string[], seen: Set<object>): void {
  if (value instanceof PyFloat) {
    out.push(jsonFloat(value.value));
    return;
  }
  if (asBytes(value)) notSerializable("bytes");
  if (!Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    dumpInto((value as { toJSON(): unknown }).toJSON(), out, seen);
    return;
  }
  if (seen.has(value)) throw new Error("Circular reference detected");
  seen.add(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof Set) {
    const items = value instanceof Set ? [...value] : value as ArrayLike<unknown>;
    out.push("[");
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.push(", ");
      dumpInto(items[i], out, seen);
    }
    out.push("]");
  } else {
    const entries: Iterable<[unknown, unknown]> = value instanceof Map
      ? value.entries()
      : Object.entries(value);
    out.push("{");
    let first = true;
    for (const [k, v] of entries) {
      if (!first) out.push(", ");
      first = false;
      out.push(jsonString(jsonKey(k)), ": ");
      dumpInto(v, out, seen);
    }
    out.push("}");
  }
  seen.delete(value);
}

/**
 * Python `json.dumps(value)` with default options: separators `", "` / `": "`,
 * key order kept, non-ASCII escaped as `\uXXXX`, integers as digits, other
 * numbers as Python float repr (`NaN`, `Infinity` for non-finite), `undefined`
 * → `null`, objects with `toJSON()` rendered through it. Throws `TypeError`
 * for bytes/functions/symbols (`Object of type bytes is not JSON serializable`)
 * and `Error("Circular reference detected")` for cycles, like Python.
 */
export function pyJsonDumps(value: unknown): string {
  const out: string[] = [];
  dumpInto(value, out, new Set());
  return out.join("");
}
