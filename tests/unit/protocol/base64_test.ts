import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { decodeBase64Lenient, encodeBase64 } from "../../../src/protocol/base64.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("decodeBase64Lenient: clean input", () => {
  strictEqual(text(decodeBase64Lenient("MTIz")), "123");
  strictEqual(text(decodeBase64Lenient("MTIzNA==")), "1234");
  strictEqual(text(decodeBase64Lenient("YmluYXJ5")), "binary");
  deepStrictEqual(decodeBase64Lenient(""), new Uint8Array());
});

Deno.test("decodeBase64Lenient: non-alphabet characters are discarded", () => {
  strictEqual(text(decodeBase64Lenient("MT Iz\n")), "123");
  strictEqual(text(decodeBase64Lenient("M!T-I_z")), "123");
  strictEqual(text(decodeBase64Lenient("MTIz\r\nNA\n==")), "1234");
});

Deno.test("decodeBase64Lenient: Python padding rules", () => {
  strictEqual(text(decodeBase64Lenient("YR==")), "a"); // non-zero leftover bits dropped
  strictEqual(text(decodeBase64Lenient("YQ==garbage")), "a"); // stops after padding
  strictEqual(text(decodeBase64Lenient("YWI=YWI=")), "ab");
  strictEqual(text(decodeBase64Lenient("=YWJj")), "abc"); // '=' at quartet start ignored
  strictEqual(text(decodeBase64Lenient("YW=Jj")), "abc"); // lone '=' then data: ignored
  strictEqual(text(decodeBase64Lenient("MTIz====")), "123");
  deepStrictEqual(decodeBase64Lenient("===="), new Uint8Array());
});

Deno.test("decodeBase64Lenient: Python error texts", () => {
  throws(
    () => decodeBase64Lenient("ab cde!"),
    {
      message:
        "Invalid base64-encoded string: number of data characters (5) cannot be 1 more than a multiple of 4",
    },
  );
  throws(
    () => decodeBase64Lenient("a"),
    {
      message:
        "Invalid base64-encoded string: number of data characters (1) cannot be 1 more than a multiple of 4",
    },
  );
  throws(() => decodeBase64Lenient("abc"), { message: "Incorrect padding" });
  throws(() => decodeBase64Lenient("ab"), { message: "Incorrect padding" });
  throws(() => decodeBase64Lenient("ab="), { message: "Incorrect padding" });
  throws(() => decodeBase64Lenient("MTIzé"), {
    message: "string argument should contain only ASCII characters",
  });
});

Deno.test("encodeBase64: standard padded", () => {
  strictEqual(encodeBase64(bytes("binary")), "YmluYXJ5");
  strictEqual(encodeBase64(bytes("1234")), "MTIzNA==");
  strictEqual(encodeBase64(new Uint8Array()), "");
  strictEqual(encodeBase64(new Uint8Array([0xfb, 0xff])), "+/8=");
});

Deno.test("base64: large round trip (clean and MIME-wrapped)", () => {
  const big = new Uint8Array(3_000_001);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const enc = encodeBase64(big);
  deepStrictEqual(decodeBase64Lenient(enc), big);
  deepStrictEqual(decodeBase64Lenient(enc.replace(/(.{76})/g, "$1\n")), big);
});
