/**
 * Regression tests from the second fidelity audit (protocol.md §2–§5, server.md §2–§3), each
 * against a real server on an ephemeral loopback port or on the unit it fixes.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { pythonJsonError } from "../../src/protocol/pyrepr.ts";

const INTERNAL = "MICROSERVICE_INTERNAL_ERROR";

Deno.test("audit 2nd pass: an invalid `json` parameter is a 500 with Python's json.loads text", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const query = await s.fetch("/predict?json=" + encodeURIComponent("{bad"));
    assertEquals(query.status, 500);
    assertEquals(
      query.text,
      '{"status":{"code":-1,"info":"Expecting property name enclosed in double quotes: ' +
        'line 1 column 2 (char 1)","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n',
    );
    const form = await s.fetch("/transform-input", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "json=" + encodeURIComponent('{"data":{"ndarray":[1,2}}'),
    });
    assertEquals([form.status, form.json.status.reason], [500, INTERNAL]);
    assertEquals(form.json.status.info, "Expecting ',' delimiter: line 1 column 24 (char 23)");
    const fd = new FormData();
    fd.set("data", "");
    const multipart = await s.fetch("/predict", { method: "POST", body: fd });
    assertEquals([multipart.status, multipart.json.status.reason], [500, INTERNAL]);
    assertEquals(multipart.json.status.info, "Expecting value: line 1 column 1 (char 0)");
  }));

Deno.test("audit 2nd pass: pythonJsonError follows CPython's scanner (checked against 3.11)", () => {
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
  ];
  for (const [text, message] of cases) assertEquals(pythonJsonError(text), message, text);
});
