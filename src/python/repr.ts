/**
 * Python `repr()` / `str()` and type names of JS values. Upstream (Python) error messages embed
 * values rendered with `str()` / `repr()` (e.g. `Invalid request data type: {'colour': 7}`);
 * this module reproduces those renderings (protocol.md §2.4).
 *
 * Value model used by {@link pyStr} / {@link pyRepr} (and `pyJsonDumps`, json_dumps.ts):
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
import { intDigits, PyFloat, pyFloatRepr } from "./float.ts";

/** Python `str()` of a JS number: integral → int digits, otherwise float repr. */
function pyNumber(x: number): string {
  if (Number.isInteger(x) && !Object.is(x, -0)) return intDigits(x);
  return pyFloatRepr(x);
}

/** Characters Python's `str.isprintable()` rejects (besides ASCII controls). */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
/** Strings needing no escaping at all (printable ASCII without quote/backslash). */
const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

/** `n` in lower-case hex, zero-padded to `width` digits. */
export function hex(n: number, width: number): string {
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
  return quote + escapeStr(s, quote) + quote;
}

/** The body of `repr(str)` between the quotes. */
function escapeStr(s: string, quote: string): string {
  let out = "";
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
  return out;
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

/** Bytes view of a `Uint8Array`/`ArrayBuffer`, else `undefined`. */
export function asBytes(v: object): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return undefined;
}

/** The longest echo of a request (or of any value) in an error text or log line, in characters. */
export const ECHO_CAP = 64 * 1024;

/** The marker after a cut echo: ` ... [truncated]`, with the request's size when known. */
export function truncationMarker(size?: number): string {
  return size === undefined
    ? " ... [truncated]"
    : ` ... [truncated, the request has ${size} bytes]`;
}

const FULL = Symbol("full");

/** Where a repr is written; past `limit` characters it stops (throws {@link FULL}). */
class Out {
  readonly parts: string[] = [];
  length = 0;
  constructor(readonly limit = Infinity) {}

  push(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length > this.limit) throw FULL;
  }

  /** What may still be written before the limit, plus one (to pass it). */
  get room(): number {
    return this.limit - this.length + 1;
  }
}

function reprInto(value: unknown, out: Out, seen: Set<object>): void {
  switch (typeof value) {
    case "string":
      // A cut string is quoted as its start would be (scanning it all would cost its size).
      out.push(pyStrRepr(value.length <= out.room ? value : value.slice(0, out.room)));
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

function reprObject(value: object, out: Out, seen: Set<object>): void {
  if (value instanceof PyFloat) {
    out.push(pyFloatRepr(value.value));
    return;
  }
  const bytes = asBytes(value);
  if (bytes) {
    out.push(pyBytesRepr(bytes.length <= out.room ? bytes : bytes.subarray(0, out.room)));
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
  out: Out,
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
  out: Out,
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
  const out = new Out();
  reprInto(value, out, new Set());
  return out.parts.join("");
}

/**
 * Python `str()` of a JSON-like value: a top-level string is returned bare,
 * everything else as {@link pyRepr} (`{'k': [1, 2.5, None, True]}`).
 * Object keys keep JS enumeration order (which moves integer-like keys first; use
 * `pyStrFromJsonText` (json_loads.ts) to keep the order of a JSON text).
 */
export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/**
 * {@link pyStr} cut at `cap` characters (default {@link ECHO_CAP}) with a
 * {@link truncationMarker}; only about `cap` characters are ever rendered, however large the
 * value. For echoes of requests and results in error texts and logs.
 */
export function pyStrBounded(value: unknown, cap = ECHO_CAP, size?: number): string {
  if (typeof value === "string") {
    return value.length <= cap ? value : value.slice(0, cap) + truncationMarker(size);
  }
  const out = new Out(cap);
  try {
    reprInto(value, out, new Set());
    return out.parts.join("");
  } catch (err) {
    if (err !== FULL) throw err;
    return out.parts.join("").slice(0, cap) + truncationMarker(size);
  }
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
