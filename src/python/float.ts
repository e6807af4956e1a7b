/**
 * Python's numbers as JS holds them: {@link PyFloat} keeps an integral value a `float` (`5.0`),
 * {@link pyFloatRepr} is `repr(float)`, {@link intDigits} the digits of `repr(int)`.
 * @module
 */

/**
 * A number that Python would hold as a `float` even when its value is integral
 * (so it renders as `5.0`, not `5`). Produced by `parseJsonPythonic` (json_loads.ts) for
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
export function intDigits(x: number): string {
  if (Number.isSafeInteger(x)) return String(x === 0 ? 0 : x);
  return BigInt(x).toString();
}
