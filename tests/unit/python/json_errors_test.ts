/** `pythonJsonError`: the texts of CPython's `json.JSONDecodeError`, as upstream answers them. */
import { assertEquals } from "../../_helpers/assert.ts";
import { pythonJsonError } from "../../../src/python/json_loads.ts";

Deno.test("pythonJsonError follows CPython's scanner (checked against 3.11)", () => {
  const cases: [string, string | undefined][] = [
    ["", "Expecting value: line 1 column 1 (char 0)"],
    ["[1,]", "Expecting value: line 1 column 4 (char 3)"],
    ['{"a":1,}', "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"],
    ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
    ["[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"],
    ['"abc', "Unterminated string starting at: line 1 column 1 (char 0)"],
    ['"a\\qb"', "Invalid \\escape: line 1 column 3 (char 2)"],
    ['"\\u12zz"', "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
    ['"a\tb"', "Invalid control character at: line 1 column 3 (char 2)"],
    ["01", "Extra data: line 1 column 2 (char 1)"],
    ['{\n"a":\n}', "Expecting value: line 3 column 1 (char 7)"],
    ['"é" x', "Extra data: line 1 column 5 (char 4)"],
    ["[NaN, -Infinity]", undefined],
    ["\ufeff{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"],
    ["\ufeff", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"],
    [" \ufeff{}", "Expecting value: line 1 column 2 (char 1)"],
  ];
  for (const [text, message] of cases) assertEquals(pythonJsonError(text), message, text);
});
