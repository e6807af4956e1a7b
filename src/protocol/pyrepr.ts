/**
 * Python-compatible text rendering of JSON-like values.
 *
 * Upstream (Python) error messages embed values rendered with `str()` / `repr()`
 * (e.g. `Invalid request data type: {'colour': 7}`) or `json.dumps()` (e.g.
 * `Bad metric created during request: [{"type": "BAD", "key": "c", "value": 1}]`).
 * This module reproduces those renderings (protocol.md §2.4), and Python's `json.loads`
 * (values and error messages), without any HTTP types.
 *
 * Value model used by {@link pyStr} / {@link pyRepr} / {@link pyJsonDumps}:
 *
 * | JS value | Python analogue |
 * | --- | --- |
 * | `string` | `str` |
 * | `number` with an integral value (except `-0`) | `int` |
 * | other `number` (incl. `NaN`, `±Infinity`, `-0`) | `float` |
 * | {@link PyFloat} | `float` (use it to keep `5.0` a float) |
 * | `bigint` | `int` |
 * | `boolean` | `bool` |
 * | `null` / `undefined` | `None` |
 * | `Array`, non-byte typed arrays, `Set` (rendered as a list / set) | `list` / `set` |
 * | `Map` (any keys, insertion order) and plain objects | `dict` |
 * | `Uint8Array` / `ArrayBuffer` | `bytes` |
 *
 * @module
 */
import { parseJson } from "./json.ts";

/**
 * A number that Python would hold as a `float` even when its value is integral
 * (so it renders as `5.0`, not `5`). Produced by {@link parseJsonPythonic} for
 * number tokens containing `.`, `e` or `E`.
 */
export class PyFloat {
  /** @param value the double value */
  constructor(readonly value: number) {}
  /** Python `repr(float)` of the value. */
  toString(): string {
    return pyFloatRepr(this.value);
  }
  /** Plain JSON number (so `JSON.stringify` keeps working). */
  toJSON(): number {
    return this.value;
  }
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/**
 * Python `repr(float)` (also `str(float)`): shortest round-trip digits, `.0`
 * appended when integral, exponent form (`1e+16`, `1e-05`, at least two exponent
 * digits) when the decimal exponent is ≥ 16 or < −4; `inf`, `-inf`, `nan`, `-0.0`.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument yields the shortest round-trip digits.
  const exp = Math.abs(x).toExponential();
  const eAt = exp.indexOf("e");
  const digits = exp.slice(0, eAt).replace(".", "");
  const e10 = Number(exp.slice(eAt + 1));
  const decpt = e10 + 1; // value = 0.<digits> * 10^decpt
  if (decpt <= -4 || decpt > 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absE = Math.abs(e10);
    return `${sign}${mant}e${e10 < 0 ? "-" : "+"}${absE < 10 ? "0" : ""}${absE}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** Digits of an integral JS number (exact, no exponent form), `-0` → `0`. */
function intDigits(x: number): string {
  if (Number.isSafeInteger(x)) return String(x === 0 ? 0 : x);
  return BigInt(x).toString();
}

/** Python `str()` of a JS number: integral → int digits, otherwise float repr. */
function pyNumber(x: number): string {
  if (Number.isInteger(x) && !Object.is(x, -0)) return intDigits(x);
  return pyFloatRepr(x);
}

// ---------------------------------------------------------------------------
// Strings and bytes
// ---------------------------------------------------------------------------

/** Characters Python's `str.isprintable()` rejects (besides ASCII controls). */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
/** Strings needing no escaping at all (printable ASCII without quote/backslash). */
const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * Python `repr(str)`: single quotes, or double quotes when the text contains `'`
 * and no `"`; escapes `\\`, the chosen quote, `\t`, `\n`, `\r`; other control
 * characters as `\xNN`; non-printable non-ASCII as `\xNN` / `\uNNNN` /
 * `\UNNNNNNNN`; printable non-ASCII kept.
 */
export function pyStrRepr(s: string): string {
  if (PLAIN_ASCII.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + hex(c, 2);
    else if (c < 0x7f) out += ch;
    else if (!NON_PRINTABLE.test(ch)) out += ch;
    else if (c <= 0xff) out += "\\x" + hex(c, 2);
    else if (c <= 0xffff) out += "\\u" + hex(c, 4);
    else out += "\\U" + hex(c, 8);
  }
  return out + quote;
}

/**
 * Python `repr(bytes)`: `b'...'` (or `b"..."` when the bytes contain `'` and no
 * `"`), escaping `\\`, the quote, `\t`, `\n`, `\r`, and any byte outside
 * 0x20–0x7e as `\xNN`.
 */
export function pyBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? 0x22 : 0x27;
  const parts: string[] = [];
  let run = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === quote || b === 0x5c) run += "\\" + String.fromCharCode(b);
    else if (b === 0x09) run += "\\t";
    else if (b === 0x0a) run += "\\n";
    else if (b === 0x0d) run += "\\r";
    else if (b < 0x20 || b >= 0x7f) run += "\\x" + hex(b, 2);
    else run += String.fromCharCode(b);
    if (run.length > 8192) {
      parts.push(run);
      run = "";
    }
  }
  parts.push(run);
  const q = String.fromCharCode(quote);
  return `b${q}${parts.join("")}${q}`;
}

// ---------------------------------------------------------------------------
// Generic str()/repr()
// ---------------------------------------------------------------------------

/** Bytes view of a `Uint8Array`/`ArrayBuffer`, else `undefined`. */
function asBytes(v: object): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return undefined;
}

function reprInto(value: unknown, out: string[], seen: Set<object>): void {
  switch (typeof value) {
    case "string":
      out.push(pyStrRepr(value));
      return;
    case "number":
      out.push(pyNumber(value));
      return;
    case "bigint":
      out.push(value.toString());
      return;
    case "boolean":
      out.push(value ? "True" : "False");
      return;
    case "undefined":
      out.push("None");
      return;
    case "symbol":
      out.push(pyStrRepr(value.toString()));
      return;
    case "function":
      out.push(`<function ${value.name || "<anonymous>"}>`);
      return;
  }
  if (value === null) {
    out.push("None");
    return;
  }
  reprObject(value as object, out, seen);
}

function reprObject(value: object, out: string[], seen: Set<object>): void {
  if (value instanceof PyFloat) {
    out.push(pyFloatRepr(value.value));
    return;
  }
  const bytes = asBytes(value);
  if (bytes) {
    out.push(pyBytesRepr(bytes));
    return;
  }
  if (value instanceof Date) {
    out.push(pyStrRepr(isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()));
    return;
  }
  const isList = Array.isArray(value) || ArrayBuffer.isView(value);
  if (seen.has(value)) {
    out.push(isList ? "[...]" : "{...}");
    return;
  }
  seen.add(value);
  if (isList) reprSequence(value as ArrayLike<unknown>, "[", "]", out, seen);
  else if (value instanceof Set) {
    if (value.size === 0) out.push("set()");
    else reprSequence([...value], "{", "}", out, seen);
  } else if (value instanceof Map) reprEntries(value.entries(), true, out, seen);
  else reprEntries(Object.entries(value), false, out, seen);
  seen.delete(value);
}

function reprSequence(
  items: ArrayLike<unknown>,
  open: string,
  close: string,
  out: string[],
  seen: Set<object>,
): void {
  out.push(open);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.push(", ");
    reprInto(items[i], out, seen);
  }
  out.push(close);
}

function reprEntries(
  entries: Iterable<[unknown, unknown]>,
  reprKeys: boolean,
  out: string[],
  seen: Set<object>,
): void {
  out.push("{");
  let first = true;
  for (const [k, v] of entries) {
    if (!first) out.push(", ");
    first = false;
    if (reprKeys) reprInto(k, out, seen);
    else out.push(pyStrRepr(k as string));
    out.push(": ");
    reprInto(v, out, seen);
  }
  out.push("}");
}

/**
 * Python `repr()` of a JSON-like value (strings quoted at every level).
 * Recursive containers print `[...]` / `{...}` like Python.
 */
export function pyRepr(value: unknown): string {
  const out: string[] = [];
  reprInto(value, out, new Set());
  return out.join("");
}

/**
 * Python `str()` of a JSON-like value: a top-level string is returned bare,
 * everything else as {@link pyRepr} (`{'k': [1, 2.5, None, True]}`).
 * Object keys keep JS enumeration order (which moves integer-like keys first; use
 * {@link pyStrFromJsonText} to keep the order of a JSON text).
 */
export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/**
 * Python's type name of a value as its error messages print it (`int`, `float`, `str`, `bool`,
 * `NoneType`, `list`, `dict`, `bytes`; a class instance by its constructor's name).
 */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  switch (typeof value) {
    case "string":
      return "str";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "bigint":
      return "int";
    case "function":
      return "function";
  }
  if (value instanceof PyFloat) return "float";
  if (Array.isArray(value)) return "list";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof Map) return "dict";
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null
    ? "dict"
    : (value as object).constructor?.name || "object";
}

// ---------------------------------------------------------------------------
// JSON text → Python-faithful value
// ---------------------------------------------------------------------------

/**
 * Python's `json.JSONDecodeError`: `msg` at a code-point position of the document, rendered as
 * Python renders it (`Expecting value: line 1 column 1 (char 0)`).
 */
export class PyJsonDecodeError extends SyntaxError {
  constructor(readonly msg: string, doc: readonly string[], pos: number) {
    const before = doc.slice(0, pos);
    const line = before.filter((c) => c === "\n").length + 1;
    super(`${msg}: line ${line} column ${pos - before.lastIndexOf("\n")} (char ${pos})`);
  }
}

const JSON_WS = new Set([" ", "\t", "\n", "\r"]);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const HEX_DIGIT = /^[0-9a-fA-F]$/;
const NUMBER_CHAR = /^[-+0-9.eE]$/;
const NUMBER = /^(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?/;

/**
 * Parse JSON text the way Python's `json.loads` builds values, keeping what
 * `JSON.parse` loses: objects become `Map`s in source key order (duplicate keys:
 * last value wins, first position kept), integer tokens become `number` (safe)
 * or `bigint` (exact digits), and float tokens (with `.`/`e`/`E`) become
 * {@link PyFloat}. Also accepts Python's `NaN`, `Infinity`, `-Infinity`.
 * Invalid JSON throws {@link PyJsonDecodeError} with CPython's message and position.
 */
export function parseJsonPythonic(text: string): unknown {
  return new PyJsonParser(text).decode();
}

/**
 * Python's `json.loads` message for `text` (`<msg>: line L column C (char N)`), or undefined
 * when Python accepts it (e.g. `NaN`, which `JSON.parse` refuses).
 */
export function pythonJsonError(text: string): string | undefined {
  try {
    parseJsonPythonic(text);
    return undefined;
  } catch (err) {
    if (err instanceof PyJsonDecodeError) return err.message;
    throw err;
  }
}

/**
 * `JSON.parse` (big-integer safe, {@link parseJson}) failing like Python's `json.loads`: the
 * error's message is CPython's `JSONDecodeError` text, where upstream shows it to clients (an
 * invalid `json` parameter or multipart field, server.md §2.3).
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

/**
 * A recursive-descent parser over code points (Python counts positions in code points) that
 * follows CPython's `_json` C scanner step by step, so its errors carry the same message and
 * position. Used off the request's fast path: for parameters and error texts.
 */
class PyJsonParser {
  readonly s: string[];
  constructor(text: string) {
    this.s = Array.from(text);
  }

  fail(msg: string, pos: number): never {
    throw new PyJsonDecodeError(msg, this.s, pos);
  }

  ws(i: number): number {
    while (i < this.s.length && JSON_WS.has(this.s[i])) i++;
    return i;
  }

  /** A whole document (`JSONDecoder.decode`): one value, then only whitespace. */
  decode(): unknown {
    const [value, next] = this.value(this.ws(0));
    const end = this.ws(next);
    if (end !== this.s.length) this.fail("Extra data", end);
    return value;
  }

  /** The value at `i` (`scan_once`) and the index after it. */
  value(i: number): [unknown, number] {
    const c = this.s[i];
    if (c === '"') return this.string(i + 1);
    if (c === "{") return this.object(i + 1);
    if (c === "[") return this.array(i + 1);
    for (const [word, value] of LITERALS) {
      if (this.s.slice(i, i + word.length).join("") === word) return [value, i + word.length];
    }
    return this.number(i);
  }

  number(i: number): [unknown, number] {
    let end = i;
    while (end < this.s.length && NUMBER_CHAR.test(this.s[end])) end++;
    const m = NUMBER.exec(this.s.slice(i, end).join(""));
    if (!m) return this.fail("Expecting value", i);
    const tok = m[0];
    if (m[2] !== undefined || m[3] !== undefined) return [new PyFloat(Number(tok)), i + tok.length];
    const n = Number(tok);
    return [Number.isSafeInteger(n) ? (n === 0 ? 0 : n) : BigInt(tok), i + tok.length];
  }

  /** A string whose opening quote is at `start - 1`; the index after the closing quote. */
  string(start: number): [string, number] {
    const s = this.s;
    let out = "";
    let i = start;
    for (;;) {
      const from = i;
      while (i < s.length && s[i] !== '"' && s[i] !== "\\") {
        if (s[i].codePointAt(0)! <= 0x1f) this.fail("Invalid control character at", i);
        i++;
      }
      out += s.slice(from, i).join("");
      if (i >= s.length) this.fail("Unterminated string starting at", start - 1);
      if (s[i] === '"') return [out, i + 1];
      i++; // the backslash
      if (i >= s.length) this.fail("Unterminated string starting at", start - 1);
      if (s[i] !== "u") {
        const escaped = SIMPLE_ESCAPES[s[i]];
        if (escaped === undefined) this.fail("Invalid \\escape", i - 1);
        out += escaped;
        i++;
        continue;
      }
      let unit = this.hex4(i);
      i += 5;
      // A high surrogate followed by an escaped low one is one code point (else kept alone).
      if (
        unit >= 0xd800 && unit <= 0xdbff && i + 6 < s.length && s[i] === "\\" && s[i + 1] === "u"
      ) {
        const low = this.hex4(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
          i += 6;
        }
      }
      out += String.fromCodePoint(unit);
    }
  }

  /** The four hex digits after the `u` at `u`. */
  hex4(u: number): number {
    const end = u + 5;
    if (end >= this.s.length) this.fail("Invalid \\uXXXX escape", u);
    const digits = this.s.slice(u + 1, end);
    if (!digits.every((d) => HEX_DIGIT.test(d))) this.fail("Invalid \\uXXXX escape", u);
    return parseInt(digits.join(""), 16);
  }

  object(i: number): [Map<string, unknown>, number] {
    const s = this.s;
    const out = new Map<string, unknown>();
    i = this.ws(i);
    if (s[i] === "}") return [out, i + 1];
    for (;;) {
      if (s[i] !== '"') this.fail("Expecting property name enclosed in double quotes", i);
      const [key, afterKey] = this.string(i + 1);
      i = this.ws(afterKey);
      if (s[i] !== ":") this.fail("Expecting ':' delimiter", i);
      const [value, afterValue] = this.value(this.ws(i + 1));
      out.set(key, value);
      i = this.ws(afterValue);
      if (s[i] === "}") return [out, i + 1];
      if (s[i] !== ",") this.fail("Expecting ',' delimiter", i);
      i = this.ws(i + 1);
    }
  }

  array(i: number): [unknown[], number] {
    const s = this.s;
    const out: unknown[] = [];
    i = this.ws(i);
    if (s[i] === "]") return [out, i + 1];
    for (;;) {
      const [value, next] = this.value(i);
      out.push(value);
      i = this.ws(next);
      if (s[i] === "]") return [out, i + 1];
      if (s[i] !== ",") this.fail("Expecting ',' delimiter", i);
      i = this.ws(i + 1);
    }
  }
}

const LITERALS: ReadonlyArray<[string, unknown]> = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["NaN", new PyFloat(NaN)],
  ["Infinity", new PyFloat(Infinity)],
  ["-Infinity", new PyFloat(-Infinity)],
];

/**
 * Python `str()` of the value that `json.loads(text)` would produce — the
 * `<value>` of `Invalid request data type: <value>` (protocol.md §2.4).
 * Keeps source key order, renders float tokens as Python floats (`5.0` → `5.0`,
 * `1E2` → `100.0`, `1e20` → `1e+20`, `0.00001` → `1e-05`) and integer tokens
 * with their exact digits (even beyond 2^53). If the text is not valid JSON
 * (should not happen: callers parsed it already) it falls back to `pyStr` of
 * `JSON.parse`, and finally to the text itself.
 */
export function pyStrFromJsonText(text: string): string {
  try {
    return pyStr(parseJsonPythonic(text));
  } catch {
    try {
      return pyStr(JSON.parse(text));
    } catch {
      return text;
    }
  }
}

// ---------------------------------------------------------------------------
// json.dumps
// ---------------------------------------------------------------------------

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
