/**
 * Python's built-in conversions of text: `int(s)`, `float(s)` (surrounding whitespace, `_`
 * between digits, Unicode decimal digits), `str.strip()` / `str.rstrip()`, and
 * `distutils.util.strtobool`.
 * @module
 */

/** Characters Python's `str.strip()` removes (`str.isspace()`). */
const PY_SPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");
/** Whitespace `int()`/`float()` ignore around a number: as above minus `\x1c`–`\x1f`. */
const NUM_SPACE = PY_SPACE.replace("\\x1c-\\x20", "\\x20");
const NUM_STRIP = new RegExp(`^[${NUM_SPACE}]+|[${NUM_SPACE}]+$`, "g");
const UNICODE_DIGIT = /\p{Nd}/u;

const PY_RSTRIP = new RegExp(`[${PY_SPACE}]+$`);

/** Python `str.strip()` with no argument. */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, "");
}

/** Python `str.rstrip()` with no argument. */
export function pyRstrip(s: string): string {
  return s.replace(PY_RSTRIP, "");
}

/**
 * Replace non-ASCII Unicode decimal digits (category Nd, e.g. `٣`) by their
 * ASCII value, as Python's `int()`/`float()` do. Nd digits come in runs of ten
 * consecutive code points starting at zero.
 */
function asciiDigits(s: string): string {
  if (!/[\u0080-\uffff]/.test(s)) return s;
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0x7f && UNICODE_DIGIT.test(ch)) {
      let zero = cp;
      while (UNICODE_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
      out += String((cp - zero) % 10);
    } else out += ch;
  }
  return out;
}

const INT_RE = /^[+-]?[0-9]+(?:_[0-9]+)*$/;

/**
 * Python `int(s)` for a string (base 10): surrounding whitespace, a sign, `_`
 * between digits and Unicode decimal digits are accepted. Returns a `number`
 * when the value is a safe integer, a `bigint` otherwise, or `null` when Python
 * would raise `ValueError`.
 */
export function parsePythonInt(s: string): number | bigint | null {
  const t = asciiDigits(s.replace(NUM_STRIP, ""));
  if (!INT_RE.test(t)) return null;
  const digits = t.replaceAll("_", "");
  const n = Number(digits);
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  return BigInt(digits);
}

const FLOAT_RE = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)$/i;

/**
 * Python `float(s)` for a string: whitespace, sign, `_` between digits,
 * `nan`/`inf`/`infinity` (any case). Returns `null` where Python raises `ValueError`.
 */
export function parsePythonFloat(s: string): number | null {
  const t = asciiDigits(s.replace(NUM_STRIP, ""));
  if (/_(?![0-9])|(?<![0-9])_/.test(t)) return null;
  const u = t.replaceAll("_", "");
  if (!FLOAT_RE.test(u)) return null;
  const body = u.replace(/^[+-]/, "").toLowerCase();
  const neg = u.startsWith("-");
  if (body === "nan") return NaN;
  if (body === "inf" || body === "infinity") return neg ? -Infinity : Infinity;
  return Number(u);
}

const TRUE_WORDS = new Set(["y", "yes", "t", "true", "on", "1"]);
const FALSE_WORDS = new Set(["n", "no", "f", "false", "off", "0"]);

/**
 * `distutils.util.strtobool` (case-insensitive). Returns `null` for any other
 * string (upstream: `ValueError: invalid truth value '<value>'`).
 */
export function strtobool(s: string): boolean | null {
  const v = s.toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return null;
}
