import { strictEqual } from "node:assert/strict";
import { PyFloat } from "../../../src/python/float.ts";
import { pyRepr, pyStr, pyStrRepr } from "../../../src/python/repr.ts";

Deno.test("pyStr: JS values", () => {
  strictEqual(pyStr("bare"), "bare");
  strictEqual(pyStr(["nested"]), "['nested']");
  strictEqual(pyStr(undefined), "None");
  strictEqual(pyStr(null), "None");
  strictEqual(pyStr(7), "7");
  strictEqual(pyStr(1e21), "1000000000000000000000");
  strictEqual(pyStr(2.5), "2.5");
  strictEqual(pyStr(-0), "-0.0");
  strictEqual(pyStr(new PyFloat(5)), "5.0");
  strictEqual(pyStr(10n ** 20n), "100000000000000000000");
  strictEqual(pyStr({ a: [true, false, null], b: {} }), "{'a': [True, False, None], 'b': {}}");
  strictEqual(pyStr(new Map<unknown, unknown>([[1, "x"], ["k", 2]])), "{1: 'x', 'k': 2}");
  strictEqual(
    pyStr(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x20, 0x31, 0x7d])),
    `b'{"a": 1}'`,
  );
  strictEqual(pyStr(new Uint8Array([0x27])), `b"'"`);
  strictEqual(
    pyStr(new Uint8Array([0x27, 0x22, 0x5c, 0, 9, 10, 13, 0x7f, 0xff])),
    `b'\\'"\\\\\\x00\\t\\n\\r\\x7f\\xff'`,
  );
  const cyclic: unknown[] = [1];
  cyclic.push(cyclic);
  strictEqual(pyStr(cyclic), "[1, [...]]");
});

Deno.test("pyStrRepr: quotes and escapes", () => {
  strictEqual(pyStrRepr("plain"), "'plain'");
  strictEqual(pyStrRepr("it's"), `"it's"`);
  strictEqual(pyStrRepr(`both ' and "`), `'both \\' and "'`);
  strictEqual(pyStrRepr('say "hi"'), `'say "hi"'`);
  strictEqual(pyStrRepr("a\\b\tc\nd\re"), "'a\\\\b\\tc\\nd\\re'");
  strictEqual(pyStrRepr("\x00\x1f\x7f"), "'\\x00\\x1f\\x7f'");
  strictEqual(pyStrRepr("é中😀"), "'é中😀'");
  strictEqual(pyStrRepr("\xa0\xad\u2028\ufeff"), "'\\xa0\\xad\\u2028\\ufeff'");
  strictEqual(pyStrRepr("\u{e0001}"), "'\\U000e0001'");
  strictEqual(pyRepr("x"), "'x'");
});
