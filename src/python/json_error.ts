/**
 * CPython's `json.loads` error text for invalid JSON, found by a scanner that builds no values:
 * it follows the `_json` scanner's steps over UTF-16 code units (no code-point array, no
 * substrings per token) and converts the failing index to Python's code-point position once, so
 * it is linear and fast on texts of many megabytes (an error path must not block the server).
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LITERALS = ["null", "true", "false", "NaN", "Infinity", "-Infinity"];
/** The characters of `\b \f \n \r \t \" \\ \/` after a backslash. */
const SIMPLE_ESCAPE = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/** A failure at a UTF-16 index, thrown through the scanner. */
class Failure {
  constructor(readonly msg: string, readonly index: number) {}
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The index after the run of digits starting at `i`. */
function digits(s: string, i: number): number {
  while (isDigit(s.charCodeAt(i))) i++;
  return i;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

class Scanner {
  constructor(readonly s: string) {}

  ws(i: number): number {
    const s = this.s;
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    return i;
  }

  value(i: number): number {
    const s = this.s;
    const c = s.charCodeAt(i);
    if (c === QUOTE) return this.string(i + 1);
    if (c === 0x7b) return this.object(i + 1);
    if (c === 0x5b) return this.array(i + 1);
    if (!isDigit(c)) {
      for (const word of LITERALS) {
        if (s.startsWith(word, i)) return i + word.length;
      }
    }
    return this.number(i);
  }

  /** The end of the number at `i` (`-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`). */
  number(i: number): number {
    const s = this.s;
    let j = s.charCodeAt(i) === 0x2d ? i + 1 : i;
    const first = s.charCodeAt(j);
    if (first === 0x30) j++;
    else if (first >= 0x31 && first <= 0x39) j = digits(s, j + 1);
    else throw new Failure("Expecting value", i);
    if (s.charCodeAt(j) === 0x2e && isDigit(s.charCodeAt(j + 1))) j = digits(s, j + 2);
    const e = s.charCodeAt(j);
    if (e === 0x65 || e === 0x45) {
      let k = j + 1;
      const sign = s.charCodeAt(k);
      if (sign === 0x2b || sign === 0x2d) k++;
      if (isDigit(s.charCodeAt(k))) j = digits(s, k + 1);
    }
    return j;
  }

  /** A string whose opening quote is at `start - 1`; the index after the closing quote. */
  string(start: number): number {
    const s = this.s;
    let i = start;
    for (;;) {
      let c = s.charCodeAt(i);
      while (i < s.length && c !== QUOTE && c !== BACKSLASH) {
        if (c <= 0x1f) throw new Failure("Invalid control character at", i);
        c = s.charCodeAt(++i);
      }
      if (i >= s.length) throw new Failure("Unterminated string starting at", start - 1);
      if (c === QUOTE) return i + 1;
      i++; // the backslash
      if (i >= s.length) throw new Failure("Unterminated string starting at", start - 1);
      if (s.charCodeAt(i) !== 0x75) {
        if (!SIMPLE_ESCAPE.has(s.charCodeAt(i))) throw new Failure("Invalid \\escape", i - 1);
        i++;
        continue;
      }
      const unit = this.hex4(i);
      i += 5;
      // A high surrogate followed by an escaped low one is one code point (else kept alone).
      if (
        unit >= 0xd800 && unit <= 0xdbff && i + 6 < s.length && s.charCodeAt(i) === BACKSLASH &&
        s.charCodeAt(i + 1) === 0x75
      ) {
        const low = this.hex4(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) i += 6;
      }
    }
  }

  /** The four hex digits after the `u` at `u`. */
  hex4(u: number): number {
    const s = this.s;
    if (u + 5 >= s.length) throw new Failure("Invalid \\uXXXX escape", u);
    for (let k = u + 1; k < u + 5; k++) {
      if (!isHex(s.charCodeAt(k))) throw new Failure("Invalid \\uXXXX escape", u);
    }
    return parseInt(s.slice(u + 1, u + 5), 16);
  }

  object(i: number): number {
    const s = this.s;
    i = this.ws(i);
    if (s.charCodeAt(i) === 0x7d) return i + 1;
    for (;;) {
      if (s.charCodeAt(i) !== QUOTE) {
        throw new Failure("Expecting property name enclosed in double quotes", i);
      }
      i = this.ws(this.string(i + 1));
      if (s.charCodeAt(i) !== 0x3a) throw new Failure("Expecting ':' delimiter", i);
      i = this.ws(this.value(this.ws(i + 1)));
      if (s.charCodeAt(i) === 0x7d) return i + 1;
      if (s.charCodeAt(i) !== 0x2c) throw new Failure("Expecting ',' delimiter", i);
      i = this.ws(i + 1);
    }
  }

  array(i: number): number {
    const s = this.s;
    i = this.ws(i);
    if (s.charCodeAt(i) === 0x5d) return i + 1;
    for (;;) {
      i = this.ws(this.value(i));
      if (s.charCodeAt(i) === 0x5d) return i + 1;
      if (s.charCodeAt(i) !== 0x2c) throw new Failure("Expecting ',' delimiter", i);
      i = this.ws(i + 1);
    }
  }
}

/** How many surrogate pairs (one Python code point, two UTF-16 units) start before `end`. */
function pairsBefore(s: string, end: number): number {
  let pairs = 0;
  for (let i = 0; i < end - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return pairs;
}

/** Python's rendering of a `JSONDecodeError` at UTF-16 index `index`. */
function render(s: string, msg: string, index: number): string {
  const hasAstral = /[\ud800-\udbff]/.test(s);
  const pos = hasAstral ? index - pairsBefore(s, index) : index;
  let line = 1;
  for (let k = s.indexOf("\n"); k >= 0 && k < index; k = s.indexOf("\n", k + 1)) line++;
  const newline = index > 0 ? s.lastIndexOf("\n", index - 1) : -1;
  const lineStart = newline < 0 ? -1 : hasAstral ? newline - pairsBefore(s, newline) : newline;
  return `${msg}: line ${line} column ${pos - lineStart} (char ${pos})`;
}

/**
 * Python's `json.loads` message for the str `text` (`<msg>: line L column C (char N)`; a leading
 * BOM is refused as `Unexpected UTF-8 BOM …`), or undefined when Python accepts it (e.g. `NaN`,
 * which `JSON.parse` refuses). Nesting deeper than the JS
 * stack throws a `RangeError`, as the value-building parser does.
 */
export function pythonJsonError(text: string): string | undefined {
  // `json.loads` refuses a str that starts with a BOM before it scans anything.
  if (text.startsWith("\ufeff")) {
    return render(text, "Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
  }
  const scanner = new Scanner(text);
  try {
    const end = scanner.ws(scanner.value(scanner.ws(0)));
    if (end !== text.length) throw new Failure("Extra data", end);
    return undefined;
  } catch (err) {
    if (err instanceof Failure) return render(text, err.msg, err.index);
    throw err;
  }
}
