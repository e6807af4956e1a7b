/**
 * Base64 helpers reproducing Python's `base64.b64decode(s)` (non-validating
 * `binascii.a2b_base64`, CPython 3.11 semantics) as used for JSON-mode `binData`
 * (protocol.md §3.1), plus standard padded encoding.
 *
 * Errors are plain `Error`s carrying Python's exact messages; callers map them to
 * HTTP 500 `MICROSERVICE_INTERNAL_ERROR`.
 *
 * @module
 */

/** Message of Python's `ValueError` for a `str` argument with non-ASCII characters. */
export const NON_ASCII_MESSAGE = "string argument should contain only ASCII characters";
/** Message of `binascii.Error` when data characters are missing padding. */
export const INCORRECT_PADDING_MESSAGE = "Incorrect padding";

type FromBase64 = (s: string, o?: { lastChunkHandling?: string }) => Uint8Array;
type ToBase64 = (this: Uint8Array) => string;

const nativeFrom = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
const nativeTo = (Uint8Array.prototype as unknown as { toBase64?: ToBase64 }).toBase64;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** ASCII code → 6-bit value, or 255 for characters outside the alphabet. */
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d; // "="

/** Message for a data-character count that is 1 more than a multiple of 4. */
function badLengthMessage(n: number): string {
  return `Invalid base64-encoded string: number of data characters (${n}) cannot be 1 more than a multiple of 4`;
}

/**
 * Decode base64 like Python's `base64.b64decode(s)` with default arguments:
 *
 * * a non-ASCII character → `Error("string argument should contain only ASCII characters")`;
 * * characters outside `A–Z a–z 0–9 + /` and `=` are discarded;
 * * `=` before the third data character of a quartet is ignored; once a quartet
 *   with ≥2 data characters is completed by padding, decoding stops and the rest
 *   of the input is ignored (`"YQ==garbage"` → `a`); non-zero leftover bits are
 *   dropped (`"YR=="` → `a`);
 * * a final partial quartet with 1 data character →
 *   `Error("Invalid base64-encoded string: number of data characters (<n>) cannot be 1 more than a multiple of 4")`;
 *   with 2 or 3 data characters and no (or too little) padding → `Error("Incorrect padding")`.
 *
 * Clean, canonically padded input is decoded with the native
 * `Uint8Array.fromBase64` when available.
 */
export function decodeBase64Lenient(s: string): Uint8Array {
  if (nativeFrom) {
    try {
      // Strict mode accepts only input whose result is identical to Python's
      // (alphabet + ASCII whitespace, proper final padding, zero leftover bits).
      return nativeFrom(s, { lastChunkHandling: "strict" });
    } catch {
      // fall through to the Python-faithful decoder
    }
  }
  return decodeSlow(s);
}

/** Port of CPython 3.11 `binascii.a2b_base64(s, strict_mode=False)`. */
function decodeSlow(s: string): Uint8Array {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4) + 3);
  let n = 0;
  let quadPos = 0;
  let leftchar = 0;
  let pads = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code > 0x7f) throw new Error(NON_ASCII_MESSAGE);
    if (code === PAD) {
      if (quadPos >= 2 && quadPos + ++pads >= 4) {
        if (/[\u0080-\uffff]/.test(s.slice(i + 1))) throw new Error(NON_ASCII_MESSAGE);
        return out.slice(0, n);
      }
      continue;
    }
    const v = DECODE[code];
    if (v === 255) continue;
    pads = 0;
    switch (quadPos) {
      case 0:
        quadPos = 1;
        leftchar = v;
        break;
      case 1:
        quadPos = 2;
        out[n++] = (leftchar << 2) | (v >> 4);
        leftchar = v & 0x0f;
        break;
      case 2:
        quadPos = 3;
        out[n++] = (leftchar << 4) | (v >> 2);
        leftchar = v & 0x03;
        break;
      default:
        quadPos = 0;
        out[n++] = (leftchar << 6) | v;
        leftchar = 0;
    }
  }
  if (quadPos === 1) throw new Error(badLengthMessage(Math.floor(n / 3) * 4 + 1));
  if (quadPos !== 0) throw new Error(INCORRECT_PADDING_MESSAGE);
  return out.slice(0, n);
}

/** Standard base64 with `=` padding (Python `base64.b64encode(...).decode()`). */
export function encodeBase64(bytes: Uint8Array): string {
  if (nativeTo) return nativeTo.call(bytes);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}
