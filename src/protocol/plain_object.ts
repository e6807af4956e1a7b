/**
 * Plain JSON objects: telling them from class instances, arrays and `null`, and writing any key
 * into them (even `__proto__`, which a plain assignment would turn into a prototype change).
 * @module
 */

/** True for `{…}` objects (prototype `Object.prototype` or `null`): not arrays, not instances. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Assigns `obj[key] = value` as an own enumerable property, also for the key `__proto__`. */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else obj[key] = value;
}

/** True when plain object `obj` has no enumerable key (no array of keys is made). */
export function isEmptyObject(obj: Record<string, unknown>): boolean {
  for (const _ in obj) return false;
  return true;
}
