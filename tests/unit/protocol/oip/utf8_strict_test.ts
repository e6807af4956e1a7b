/**
 * The V2 REST body's strict UTF-8 decoding (lossy decoder first, the fatal one only when the
 * text holds U+FFFD) gives the fatal decoder's text or its error on random byte strings: valid
 * and invalid sequences, a BOM, a genuine U+FFFD, truncated and overlong forms, surrogates.
 */
import { strictEqual } from "node:assert/strict";
import { decodeUtf8Strict } from "../../../../src/protocol/oip/binary.ts";
import { seededRandom } from "../../../_helpers/random.ts";

const PIECES = [
  [0x61],
  [0x7b, 0x22],
  [0xef, 0xbb, 0xbf], // BOM
  [0xef, 0xbf, 0xbd], // U+FFFD itself
  [0xc3, 0xa9],
  [0xe2, 0x98, 0x83],
  [0xf0, 0x9f, 0x98, 0x80],
  [0xc3], // truncated
  [0xe2, 0x98],
  [0x80], // lone continuation
  [0xc0, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // surrogate
  [0xff],
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
];
const FATAL = new TextDecoder("utf-8", { fatal: true });

function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (err) {
    return `error ${(err as Error).name}`;
  }
}

Deno.test("decodeUtf8Strict is the fatal decoder (3,000 random byte strings)", () => {
  const r = seededRandom(8);
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    const bytes: number[] = [];
    const n = Math.floor(r() * 6);
    for (let k = 0; k < n; k++) {
      bytes.push(...(r() < 0.6 ? PIECES[Math.floor(r() * 7)] : PIECES[Math.floor(r() * 14)]));
    }
    const b = Uint8Array.from(bytes);
    const expected = outcome(() => FATAL.decode(b));
    if (expected.startsWith("error")) errors++;
    strictEqual(outcome(() => decodeUtf8Strict(b)), expected, `bytes ${bytes}`);
  }
  strictEqual(errors > 300 && errors < 2700, true, `errors ${errors}`);
});
