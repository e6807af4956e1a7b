/**
 * How Python's `json.loads` reads bytes (what Flask's `get_json` hands it): `json.detect_encoding`
 * picks UTF-8, UTF-8 with a BOM, UTF-16 or UTF-32 from a BOM or the NUL bytes of the first
 * characters, then that codec decodes the whole body.
 * @module
 */

/** An encoding `json.detect_encoding` answers. */
export type JsonEncoding =
  | "utf-8"
  | "utf-8-sig"
  | "utf-16"
  | "utf-16-le"
  | "utf-16-be"
  | "utf-32"
  | "utf-32-le"
  | "utf-32-be";

/** `json.detect_encoding(bytes)` (on every request body: plain index reads, no allocation). */
export function detectJsonEncoding(b: Uint8Array): JsonEncoding {
  const b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
  if (
    (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) ||
    (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0)
  ) {
    return "utf-32";
  }
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe)) return "utf-16";
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return "utf-8-sig";
  if (b.length >= 4) {
    if (!b0) return b1 ? "utf-16-be" : "utf-32-be";
    if (!b1) return b2 || b3 ? "utf-16-le" : "utf-32-le";
  } else if (b.length === 2) {
    if (!b0) return "utf-16-be";
    if (!b1) return "utf-16-le";
  }
  return "utf-8";
}

/**
 * `bytes` decoded with `encoding` as Python's codec does (a BOM the codec reads is dropped);
 * throws on bytes the codec cannot decode.
 */
export function decodeJsonBytes(bytes: Uint8Array, encoding: JsonEncoding): string {
  switch (encoding) {
    case "utf-8":
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    case "utf-8-sig":
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(3));
    case "utf-16":
      return utf16(bytes.subarray(2), bytes[0] === 0xff);
    case "utf-16-le":
      return utf16(bytes, true);
    case "utf-16-be":
      return utf16(bytes, false);
    case "utf-32":
      return utf32(bytes.subarray(4), bytes[0] === 0xff);
    case "utf-32-le":
      return utf32(bytes, true);
    case "utf-32-be":
      return utf32(bytes, false);
  }
}

function utf16(bytes: Uint8Array, littleEndian: boolean): string {
  const label = littleEndian ? "utf-16le" : "utf-16be";
  return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
}

function utf32(bytes: Uint8Array, littleEndian: boolean): string {
  if (bytes.length % 4 !== 0) throw new Error("truncated UTF-32 data");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 4) {
    const point = view.getUint32(i, littleEndian);
    if (point > 0x10ffff) throw new Error("code point not in range(0x110000)");
    text += String.fromCodePoint(point);
  }
  return text;
}
