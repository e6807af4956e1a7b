import { assertEquals } from "../../_helpers/assert.ts";
import { decodeJsonBytes, detectJsonEncoding } from "../../../src/python/json_bytes.ts";

/** Bytes (hex) and what CPython 3's `json.detect_encoding` answers for them. */
const CPYTHON: [string, string][] = [
  ["7b2261223a317d", "utf-8"], // '{"a":1}' in utf-8
  ["efbbbf7b2261223a317d", "utf-8-sig"], // '{"a":1}' in utf-8-sig
  ["fffe7b002200610022003a0031007d00", "utf-16"], // '{"a":1}' in utf-16
  ["7b002200610022003a0031007d00", "utf-16-le"], // '{"a":1}' in utf-16-le
  ["007b002200610022003a0031007d", "utf-16-be"], // '{"a":1}' in utf-16-be
  ["fffe00007b0000002200000061000000220000003a000000310000007d000000", "utf-32"], // '{"a":1}' in utf-32
  ["7b0000002200000061000000220000003a000000310000007d000000", "utf-32-le"], // '{"a":1}' in utf-32-le
  ["0000007b0000002200000061000000220000003a000000310000007d", "utf-32-be"], // '{"a":1}' in utf-32-be
  ["5b315d", "utf-8"], // '[1]' in utf-8
  ["efbbbf5b315d", "utf-8-sig"], // '[1]' in utf-8-sig
  ["fffe5b0031005d00", "utf-16"], // '[1]' in utf-16
  ["5b0031005d00", "utf-16-le"], // '[1]' in utf-16-le
  ["005b0031005d", "utf-16-be"], // '[1]' in utf-16-be
  ["fffe00005b000000310000005d000000", "utf-32"], // '[1]' in utf-32
  ["5b000000310000005d000000", "utf-32-le"], // '[1]' in utf-32-le
  ["0000005b000000310000005d", "utf-32-be"], // '[1]' in utf-32-be
  ["31", "utf-8"], // '1' in utf-8
  ["efbbbf31", "utf-8-sig"], // '1' in utf-8-sig
  ["fffe3100", "utf-16"], // '1' in utf-16
  ["3100", "utf-16-le"], // '1' in utf-16-le
  ["0031", "utf-16-be"], // '1' in utf-16-be
  ["fffe000031000000", "utf-32"], // '1' in utf-32
  ["31000000", "utf-32-le"], // '1' in utf-32-le
  ["00000031", "utf-32-be"], // '1' in utf-32-be
  ["7b", "utf-8"], // '{' in utf-8
  ["efbbbf7b", "utf-8-sig"], // '{' in utf-8-sig
  ["fffe7b00", "utf-16"], // '{' in utf-16
  ["7b00", "utf-16-le"], // '{' in utf-16-le
  ["007b", "utf-16-be"], // '{' in utf-16-be
  ["fffe00007b000000", "utf-32"], // '{' in utf-32
  ["7b000000", "utf-32-le"], // '{' in utf-32-le
  ["0000007b", "utf-32-be"], // '{' in utf-32-be
  ["3132", "utf-8"], // '12' in utf-8
  ["efbbbf3132", "utf-8-sig"], // '12' in utf-8-sig
  ["fffe31003200", "utf-16"], // '12' in utf-16
  ["31003200", "utf-16-le"], // '12' in utf-16-le
  ["00310032", "utf-16-be"], // '12' in utf-16-be
  ["fffe00003100000032000000", "utf-32"], // '12' in utf-32
  ["3100000032000000", "utf-32-le"], // '12' in utf-32-le
  ["0000003100000032", "utf-32-be"], // '12' in utf-32-be
];

const bytes = (hex: string) => new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));

Deno.test("detectJsonEncoding answers as json.detect_encoding", () => {
  for (const [hex, expected] of CPYTHON) {
    assertEquals(detectJsonEncoding(bytes(hex)), expected, hex);
  }
});

Deno.test("decodeJsonBytes reads every encoding back to the text", () => {
  const texts = ['{"a":1}', "[1]", "1", "{", "12"];
  for (const [i, [hex]] of CPYTHON.entries()) {
    const text = texts[Math.floor(i / 8)];
    assertEquals(decodeJsonBytes(bytes(hex), detectJsonEncoding(bytes(hex))), text, hex);
  }
});
