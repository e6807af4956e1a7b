/** CPython's `bytes.decode("utf-8")` error text (multipart file parts, server.md §2.3). */
import { assertEquals } from "../../_helpers/assert.ts";
import { decodeUtf8Python, utf8ErrorText } from "../../../src/python/utf8.ts";

const b = (...bytes: number[]) => new Uint8Array(bytes);
const PREFIX = "'utf-8' codec can't decode";

Deno.test("utf-8 errors: CPython's text for each kind of bad sequence", () => {
  const cases: [Uint8Array, string][] = [
    [b(0xff, 0xfe, 0x61), `${PREFIX} byte 0xff in position 0: invalid start byte`],
    [b(0x61, 0x80), `${PREFIX} byte 0x80 in position 1: invalid start byte`],
    [b(0xc1, 0x81), `${PREFIX} byte 0xc1 in position 0: invalid start byte`],
    [b(0xf5, 0x80), `${PREFIX} byte 0xf5 in position 0: invalid start byte`],
    [b(0xc3, 0x41), `${PREFIX} byte 0xc3 in position 0: invalid continuation byte`],
    [b(0x61, 0xc3), `${PREFIX} byte 0xc3 in position 1: unexpected end of data`],
    [b(0xe4, 0xb8), `${PREFIX} bytes in position 0-1: unexpected end of data`],
    [b(0xe4, 0xb8, 0x41), `${PREFIX} bytes in position 0-1: invalid continuation byte`],
    [b(0xe4, 0x41, 0x41), `${PREFIX} byte 0xe4 in position 0: invalid continuation byte`],
    // Overlong and surrogate forms fail at their second byte.
    [b(0xe0, 0x80, 0x80), `${PREFIX} byte 0xe0 in position 0: invalid continuation byte`],
    [b(0xed, 0xa0, 0x80), `${PREFIX} byte 0xed in position 0: invalid continuation byte`],
    [b(0xf0, 0x8f, 0x80, 0x80), `${PREFIX} byte 0xf0 in position 0: invalid continuation byte`],
    [b(0xf4, 0x90, 0x80, 0x80), `${PREFIX} byte 0xf4 in position 0: invalid continuation byte`],
    [b(0xf0, 0x9f, 0x98), `${PREFIX} bytes in position 0-2: unexpected end of data`],
    [b(0xf0, 0x9f, 0x98, 0x41), `${PREFIX} bytes in position 0-2: invalid continuation byte`],
    [b(0xe0, 0x9f), `${PREFIX} byte 0xe0 in position 0: invalid continuation byte`],
  ];
  for (const [bytes, text] of cases) assertEquals(utf8ErrorText(bytes), text, String(bytes));
});

Deno.test("utf-8 errors: valid text decodes; invalid text throws CPython's message", () => {
  assertEquals(decodeUtf8Python(b(0x68, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80)), "hé😀");
  let message = "";
  try {
    decodeUtf8Python(b(0x61, 0xff));
  } catch (err) {
    message = (err as Error).message;
  }
  assertEquals(message, `${PREFIX} byte 0xff in position 1: invalid start byte`);
});
