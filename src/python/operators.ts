/**
 * Python's operators on decoded JSON values, with the errors CPython (3.10) raises when a value
 * is not the dict the code expected: `key in x`, `x["key"]`, `x.get(…)`, `{**x}`, truthiness.
 * Upstream applies them to request members without checking their types, so a request of the
 * wrong shape fails (or passes) exactly where they do.
 * @module
 */
import { pyTypeName } from "./repr.ts";

/** True for the value Python decodes a JSON object to (a dict). */
export function isPyDict(x: unknown): x is Record<string, unknown> {
  return pyTypeName(x) === "dict";
}

/**
 * Python's `key in x` for a decoded JSON value: a dict's keys, a substring of a str, an equal
 * element of a list; any other value raises `TypeError: argument of type '<t>' is not iterable`.
 */
export function pyIn(key: string, x: unknown): boolean {
  if (typeof x === "string") return x.includes(key);
  if (Array.isArray(x)) return x.some((item) => item === key);
  if (isPyDict(x)) return Object.hasOwn(x, key);
  throw new TypeError(`argument of type '${pyTypeName(x)}' is not iterable`);
}

/** The `TypeError` of `x["key"]` on a value that is not a dict. */
export function pySubscriptError(x: unknown): TypeError {
  if (typeof x === "string") return new TypeError("string indices must be integers");
  if (Array.isArray(x)) return new TypeError("list indices must be integers or slices, not str");
  return new TypeError(`'${pyTypeName(x)}' object is not subscriptable`);
}

/** The `AttributeError` of `x.<name>` on a value that has no such method (e.g. `get` on a str). */
export function pyAttributeError(x: unknown, name: string): TypeError {
  return new TypeError(`'${pyTypeName(x)}' object has no attribute '${name}'`);
}

/** The `TypeError` of `{**x}` on a value that is not a mapping. */
export function pyMappingError(x: unknown): TypeError {
  return new TypeError(`'${pyTypeName(x)}' object is not a mapping`);
}

/** Python's truthiness of a decoded JSON value (`if x:`). */
export function pyTruthy(x: unknown): boolean {
  if (x === null || x === undefined || x === false) return false;
  if (typeof x === "string" || Array.isArray(x)) return x.length > 0;
  if (typeof x === "number") return x !== 0;
  if (typeof x === "bigint") return x !== 0n;
  if (isPyDict(x)) return Object.keys(x).length > 0;
  return true;
}
