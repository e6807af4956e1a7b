/**
 * Python's `json` reads and writes `NaN`, `Infinity` and `-Infinity` (protocol.md §2.2;
 * tabular clients send missing values so). Reading swaps them for tokens `JSON.parse` takes;
 * writing marks them in a copy and unquotes the marks in the text.
 * @module
 */
import { exactReviver, type ReviverContext, skipSpace, withSourceInfo } from "./number_tokens.ts";

/** A string token (skipped whole) or a non-finite literal. */
const STRING_OR_NON_FINITE = /"[^"\\]*(?:\\.[^"\\]*)*"|-?Infinity|NaN/g;

/** A string token (skipped whole) or a non-finite literal standing alone where a value may. */
const STRING_OR_LONE_NON_FINITE =
  /"[^"\\]*(?:\\.[^"\\]*)*"|(?<=^|[[,:\s])(?:-?Infinity|NaN)(?=$|[\]},\s])/g;

/**
 * The start of a JSON string token, `"\u0000<n>`, that `text` does not hold: tokens made with it
 * cannot be mistaken for the text's own.
 */
function unusedTokenStart(text: string): string {
  for (let n = 0;; n++) {
    const start = `"\\u0000${n}`;
    if (!text.includes(start)) return start;
  }
}

/**
 * Python's reader accepts `NaN`, `Infinity` and `-Infinity` where a value may stand (tabular
 * clients send missing values so). Where they stand alone, they are swapped for number tokens
 * `JSON.parse` reads natively: `±1e999` is ±Infinity, and a random tiny number stands for NaN
 * until a walk puts NaN back — unless as many are not found as were put in (a repeated key
 * dropped one, the text held that number), and then {@link parseWithNonFiniteExactly} decides.
 * A literal where Python refuses one (a key, `-NaN`, `1NaN`) leaves the text invalid, and
 * `error`, the plain parse's, is thrown.
 */
export function parseWithNonFinite(text: string, error: unknown): unknown {
  if (!text.includes("NaN") && !text.includes("Infinity")) throw error;
  const nanToken = `-1.${Math.floor(Math.random() * 1e9).toString().padStart(9, "0")}7e-300`;
  let nans = 0;
  const swapped = text.replace(STRING_OR_LONE_NON_FINITE, (m) => {
    if (m.charCodeAt(0) === 0x22) return m;
    if (m !== "NaN") return m === "Infinity" ? "1e999" : "-1e999";
    nans++;
    return nanToken;
  });
  if (swapped === text) throw error;
  let value: unknown;
  try {
    value = withSourceInfo(swapped, JSON.parse(swapped));
  } catch {
    throw error;
  }
  return nans === 0 || restoreNaN(value, Number(nanToken)) === nans
    ? value
    : parseWithNonFiniteExactly(text, error);
}

/** Replaces every `standIn` number in `value` with NaN, in place: how many there were. */
function restoreNaN(value: unknown, standIn: number): number {
  if (value === standIn) return -1; // a bare top-level NaN is handled by the exact path
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v = node[i];
        if (v === standIn) {
          node[i] = NaN;
          count++;
        } else if (typeof v === "object" && v !== null) stack.push(v);
      }
      continue;
    }
    for (const key in node) {
      const v = node[key];
      if (v === standIn) {
        node[key] = NaN;
        count++;
      } else if (typeof v === "object" && v !== null) stack.push(v);
    }
  }
  return count;
}

/**
 * {@link parseWithNonFinite}, exactly and slowly: the literals are swapped for string tokens the
 * text does not hold and turned back by a reviver.
 */
function parseWithNonFiniteExactly(text: string, error: unknown): unknown {
  const start = unusedTokenStart(text);
  const nan = `${start}NaN"`, inf = `${start}Infinity"`, negInf = `${start}-Infinity"`;
  let found = false, asKey = false;
  const swapped = text.replace(STRING_OR_NON_FINITE, (m, offset: number) => {
    if (m.charCodeAt(0) === 0x22) return m;
    found = true;
    if (text.charCodeAt(skipSpace(text, offset + m.length)) === 0x3a /* : */) asKey = true;
    return m === "NaN" ? nan : m === "Infinity" ? inf : negInf;
  });
  if (!found || asKey) throw error;
  try {
    return JSON.parse(
      swapped,
      function (this: unknown, key, value, ctx?: ReviverContext) {
        if (typeof value !== "string") return exactReviver.call(this, key, value, ctx);
        const src = ctx?.source;
        return src === nan ? NaN : src === inf ? Infinity : src === negInf ? -Infinity : value;
      } as (key: string, value: unknown) => unknown,
    );
  } catch {
    throw error;
  }
}

/**
 * False when `value` certainly holds no non-finite number for `JSON.stringify` to write: only
 * numbers, arrays and plain objects are looked into; anything else (a `toJSON`, a class
 * instance, a typed array) may hide one. Iterative: no depth limit.
 */
export function mayHoldNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "number") {
      if (v - v !== 0) return true;
    } else if (typeof v === "object" && v !== null) {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const item = v[i];
          if (typeof item === "number") {
            if (item - item !== 0) return true;
          } else if (typeof item === "object" && item !== null) stack.push(item);
        }
        continue;
      }
      if (!isPlainRecord(v)) return true;
      for (const key in v) stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return false;
}

function isPlainRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) &&
    typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

/**
 * Sets an own property, `__proto__` included. (An ordinary object, not a null-prototype one:
 * `JSON.stringify` leaves its fast path for those.)
 */
function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(record, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else record[key] = value;
}

/** {@link markNonFinite}'s answer for a value it cannot copy faithfully. */
const NOT_PLAIN = Symbol("not plain");

/** `x`, or `mark` and Python's literal when `x` is a non-finite number. */
function markedNumber(x: unknown, mark: string): unknown {
  if (typeof x !== "number" || x - x === 0) return x;
  return mark + (x !== x ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
}

/**
 * `value` with its non-finite numbers replaced by {@link markedNumber} strings, copying only the
 * arrays and objects that change, or {@link NOT_PLAIN} when it holds anything but numbers,
 * arrays, plain objects and other primitives on the way to one.
 */
function markNonFinite(value: unknown, mark: string): unknown {
  if (typeof value === "number") return markedNumber(value, mark);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const m = typeof v === "number"
        ? markedNumber(v, mark)
        : typeof v === "object" && v !== null
        ? markNonFinite(v, mark)
        : v;
      if (m === NOT_PLAIN) return NOT_PLAIN;
      if (m !== v) (out ??= value.slice())[i] = m;
    }
    return out ?? value;
  }
  if (!isPlainRecord(value)) return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const v = record[keys[i]];
    const m = markNonFinite(v, mark);
    if (m === NOT_PLAIN) return NOT_PLAIN;
    if (m !== v && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j], record[keys[j]]);
    }
    if (out !== undefined) setOwn(out, keys[i], m);
  }
  return out ?? value;
}

/** A `JSON.stringify` replacer. */
export type Replacer = (key: string, value: unknown) => unknown;

/**
 * `text`, the `JSON.stringify` rendering of `value`, with its non-finite numbers (written `null`
 * there) written as Python's literals. They are written as string tokens `text` does not hold,
 * through `stringify` (a copy of `value`, or a replacer for what cannot be copied), then
 * unquoted.
 */
export function stringifyNonFinite(
  value: unknown,
  text: string,
  stringify: (value: unknown, replacer?: Replacer) => string,
): string {
  const start = unusedTokenStart(text);
  const mark = JSON.parse(start + '"') as string;
  const marked = markNonFinite(value, mark);
  const out = marked === NOT_PLAIN
    ? stringify(value, (_key, v) => markedNumber(v, mark))
    : stringify(marked);
  return out.replaceAll(start + 'NaN"', "NaN").replaceAll(start + 'Infinity"', "Infinity")
    .replaceAll(start + '-Infinity"', "-Infinity");
}
