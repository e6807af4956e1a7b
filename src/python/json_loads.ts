/**
 * Python's `json.loads`: the values it builds (key order, exact integers, floats that stay
 * floats) and its `JSONDecodeError` texts, by a parser that follows CPython's `_json` scanner.
 * @module
 */
import { PyFloat } from "./float.ts";

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
/** What the one-letter escapes of a JSON string (`\n`, `\"`, …) stand for. */
export const JSON_ESCAPES: Readonly<Record<string, string>> = {
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

export { pythonJsonError } from "./json_error.ts";

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
        const escaped = JSON_ESCAPES[s[i]];
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

export { pyStrFromJsonText } from "./json_str.ts";
