import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { PyFloat } from "../../../src/python/float.ts";
import {
  parseJsonPythonic,
  pyStrFromJsonText,
  pythonJsonError,
} from "../../../src/python/json_loads.ts";
import { pyStr } from "../../../src/python/repr.ts";

Deno.test("pyStrFromJsonText: protocol.md §2.4 examples", () => {
  strictEqual(pyStrFromJsonText('"hello"'), "hello");
  strictEqual(pyStrFromJsonText("3"), "3");
  strictEqual(pyStrFromJsonText('{"colour": 7}'), "{'colour': 7}");
  strictEqual(pyStrFromJsonText("[4, 5.0]"), "[4, 5.0]");
  strictEqual(
    pyStrFromJsonText('{"msg":"it\'s","ok":true,"v":null,"x":[1.5,2.0,1e20,0.00001]}'),
    `{'msg': "it's", 'ok': True, 'v': None, 'x': [1.5, 2.0, 1e+20, 1e-05]}`,
  );
  strictEqual(pyStrFromJsonText("1E2"), "100.0");
  strictEqual(pyStrFromJsonText("-0.0"), "-0.0");
  strictEqual(pyStrFromJsonText("{}"), "{}");
  strictEqual(pyStrFromJsonText("[]"), "[]");
  strictEqual(pyStrFromJsonText("null"), "None");
});

Deno.test("pyStrFromJsonText: exact integers, source key order, duplicates", () => {
  strictEqual(pyStrFromJsonText("[12345678901234567890, -0]"), "[12345678901234567890, 0]");
  strictEqual(pyStrFromJsonText('{"b": 1, "1": 2, "a": 3}'), "{'b': 1, '1': 2, 'a': 3}");
  strictEqual(pyStrFromJsonText('{"a": 1, "b": 2, "a": 3}'), "{'a': 3, 'b': 2}");
  strictEqual(pyStrFromJsonText("[1e400, -1e400]"), "[inf, -inf]");
  strictEqual(
    pyStrFromJsonText('["a\\"b", "x\'y\\"z", "\\t\\n\\\\", "é"]'),
    `['a"b', 'x\\'y"z', '\\t\\n\\\\', 'é']`,
  );
});

Deno.test("parseJsonPythonic: value model", () => {
  const v = parseJsonPythonic('{"i": 1, "f": 1.0, "big": 9007199254740993, "s": "x", "n": NaN}');
  strictEqual(v instanceof Map, true);
  const m = v as Map<string, unknown>;
  strictEqual(m.get("i"), 1);
  deepStrictEqual(m.get("f"), new PyFloat(1));
  strictEqual(m.get("big"), 9007199254740993n);
  strictEqual(m.get("s"), "x");
  strictEqual(Number.isNaN((m.get("n") as PyFloat).value), true);
  throws(() => parseJsonPythonic("[1,]"), SyntaxError);
  throws(() => parseJsonPythonic('{"a" 1}'), SyntaxError);
  throws(() => parseJsonPythonic("01"), SyntaxError);
  throws(() => parseJsonPythonic('"a\nb"'), SyntaxError);
  throws(() => parseJsonPythonic("[1] x"), SyntaxError);
});

/** Inputs and CPython 3.11's answers (`str(json.loads(text))`, or the JSONDecodeError text). */
const CPYTHON_JSON_LOADS: [string, string | null, string | null][] = [
  ["{bad", null, "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
  ["", null, "Expecting value: line 1 column 1 (char 0)"],
  [" ", null, "Expecting value: line 1 column 2 (char 1)"],
  ["[1,]", null, "Expecting value: line 1 column 4 (char 3)"],
  ['{"a":1,}', null, "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"],
  ['{"a" 1}', null, "Expecting ':' delimiter: line 1 column 6 (char 5)"],
  ["[1 2]", null, "Expecting ',' delimiter: line 1 column 4 (char 3)"],
  ['"abc', null, "Unterminated string starting at: line 1 column 1 (char 0)"],
  ['"a\\qb"', null, "Invalid \\escape: line 1 column 3 (char 2)"],
  ['"\\u12"', null, "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
  ['"\\u12G4"', null, "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
  ["tru", null, "Expecting value: line 1 column 1 (char 0)"],
  ["-", null, "Expecting value: line 1 column 1 (char 0)"],
  ["-a", null, "Expecting value: line 1 column 1 (char 0)"],
  ["01", null, "Extra data: line 1 column 2 (char 1)"],
  ["1.", null, "Extra data: line 1 column 2 (char 1)"],
  ["1.5e", null, "Extra data: line 1 column 4 (char 3)"],
  ["[1,2", null, "Expecting ',' delimiter: line 1 column 5 (char 4)"],
  ['{"a":', null, "Expecting value: line 1 column 6 (char 5)"],
  ['"a\u0001b"', null, "Invalid control character at: line 1 column 3 (char 2)"],
  ['["\u00e9", x]', null, "Expecting value: line 1 column 7 (char 6)"],
  ['{"\u00e9":1 "b":2}', null, "Expecting ',' delimiter: line 1 column 8 (char 7)"],
  ["\n\n  [1,\n x]", null, "Expecting value: line 4 column 2 (char 9)"],
  ["nul", null, "Expecting value: line 1 column 1 (char 0)"],
  ["NaN", "nan", null],
  ["-Infinity", "-inf", null],
  ["[Infinity, -0, 0.0, 1e400]", "[inf, 0, 0.0, inf]", null],
  ['{"a":{"b":[1,{"c":}]}}', null, "Expecting value: line 1 column 19 (char 18)"],
  ['"\\ud83d\\ude00"', "\ud83d\ude00", null],
  ['"\\ud83d"', "\ud83d", null],
  ["[1]x", null, "Extra data: line 1 column 4 (char 3)"],
  ["{} {}", null, "Extra data: line 1 column 4 (char 3)"],
  ['["\\"]', null, "Unterminated string starting at: line 1 column 2 (char 1)"],
  ['"\ud83d\ude00\ud83d\ude00" x', null, "Extra data: line 1 column 6 (char 5)"],
  ["1e5", "100000.0", null],
  ["-0", "0", null],
  ["123456789012345678901234567890", "123456789012345678901234567890", null],
  ['{"a":1,"a":2,"b":3}', "{'a': 2, 'b': 3}", null],
  ["[true,false,null]", "[True, False, None]", null],
  ['"\\/\\b\\f\\n\\r\\t"', "/\b\f\n\r\t", null],
  ["[[[[[]]]]]", "[[[[[]]]]]", null],
  ['{"k":"v"}  ', "{'k': 'v'}", null],
  ["\t[1]\r\n", "[1]", null],
  ["[-]", null, "Expecting value: line 1 column 2 (char 1)"],
  ["[.5]", null, "Expecting value: line 1 column 2 (char 1)"],
  ["[1.e3]", null, "Expecting ',' delimiter: line 1 column 3 (char 2)"],
  ["[1e+3, 1E-3]", "[1000.0, 0.001]", null],
  ['"\\u00e9\\u0000"', "\u00e9\u0000", null],
];

Deno.test("parseJsonPythonic: values and errors as CPython 3.11's json.loads", () => {
  for (const [text, value, error] of CPYTHON_JSON_LOADS) {
    if (value !== null) strictEqual(pyStr(parseJsonPythonic(text)), value, text);
    else strictEqual(pythonJsonError(text), error, text);
  }
});
