/**
 * Flask `jsonify` writes object keys sorted at every level (`JSON_SORT_KEYS`, server.md §2.2).
 * {@link sortKeysDeep} gives a value whose objects enumerate their keys in sorted order, copying
 * only the objects (and the arrays holding them) that are not sorted already, so a response that
 * is built in order — and every numeric array — goes through without allocation.
 *
 * Known limit: JS objects always enumerate integer-like keys (`"9"`, `"10"`) first, in numeric
 * order, so such keys cannot follow Python's string order.
 * @module
 */
import { isObjectFree } from "../protocol/object_free.ts";

const isRawJSON = (JSON as unknown as { isRawJSON?: (x: unknown) => boolean }).isRawJSON ??
  (() => false);

/** `value` with the keys of every nested plain object in sorted order (same value if already). */
export function sortKeysDeep(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return sortArray(value);
  if (ArrayBuffer.isView(value) || isRawJSON(value)) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return sortKeysDeep(toJSON.call(value, ""));
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let ordered = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      ordered = false;
      break;
    }
  }
  if (!ordered) keys.sort();
  // Null-prototype copies keep a `__proto__` key an ordinary own property.
  let out: Record<string, unknown> | undefined = ordered ? undefined : Object.create(null);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = record[key];
    const sorted = sortKeysDeep(item);
    if (out === undefined && sorted !== item) {
      out = Object.create(null) as Record<string, unknown>;
      for (let j = 0; j < i; j++) out[keys[j]] = record[keys[j]];
    }
    if (out !== undefined) out[key] = sorted;
  }
  return out ?? value;
}

function sortArray(array: unknown[]): unknown[] {
  if (isObjectFree(array)) return array;
  let out: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (typeof item !== "object" || item === null) continue;
    const sorted = sortKeysDeep(item);
    if (sorted !== item) {
      out ??= array.slice();
      out[i] = sorted;
    }
  }
  return out ?? array;
}
