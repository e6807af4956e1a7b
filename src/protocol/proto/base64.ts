/**
 * Base64 for protobuf `bytes` fields, on top of the shared Python-faithful helpers in
 * `../base64.ts`: standard alphabet with padding on output (what Python protobuf prints);
 * on input exactly what json_format does — UTF-8 encode, append `4 - len % 4` `=`, then
 * `base64.urlsafe_b64decode` (standard or URL-safe alphabet, padding optional, characters
 * outside the alphabet ignored).
 * @module
 */
import { decodeBase64Lenient, encodeBase64 } from "../base64.ts";

/** Standard base64 with `=` padding. */
export function toBase64(bytes: Uint8Array): string {
  return encodeBase64(bytes);
}

/** Python's base64 error (`Incorrect padding`, `Invalid base64-encoded string: …`). */
export class Base64Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Base64Error";
  }
}

const CLEAN = /^[A-Za-z0-9+/]*={0,2}$/;

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        i++;
        n += 4;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Decodes a protobuf-JSON `bytes` value like Python json_format: standard or URL-safe base64,
 * padded or not; non-alphabet characters are discarded. Throws {@link Base64Error} with
 * Python's message for undecodable input (e.g. a single trailing data character).
 */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 === 0 && CLEAN.test(text)) {
    try {
      return decodeBase64Lenient(text);
    } catch {
      // fall through to the general path
    }
  }
  // urlsafe_b64decode(value.encode('utf-8') + b'=' * (4 - len % 4))
  const pads = "=".repeat(4 - (utf8Length(text) % 4));
  const ascii = text.replace(/[-_]/g, (c) => (c === "-" ? "+" : "/")).replace(
    /[\u0080-\uffff]/g,
    "",
  );
  try {
    return decodeBase64Lenient(ascii + pads);
  } catch (e) {
    throw new Base64Error((e as Error).message);
  }
}
