import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { ParameterError, parseParameters } from "../../../src/config/parameters.ts";

const p = (name: string, value: unknown, type: unknown) => JSON.stringify([{ name, value, type }]);

function expectError(json: string, kind: ParameterError["kind"], message?: string | RegExp) {
  try {
    parseParameters(json);
  } catch (e) {
    ok(e instanceof ParameterError, String(e));
    strictEqual(e.reason, "MICROSERVICE_BAD_PARAMETER");
    strictEqual(e.kind, kind, e.message);
    if (typeof message === "string") strictEqual(e.message, message);
    else if (message) ok(message.test(e.message), e.message);
    return;
  }
  throw new Error(`expected ParameterError for ${json}`);
}

Deno.test("parseParameters: server.md §4.2 example", () => {
  deepStrictEqual(
    parseParameters(
      '[{"name":"alpha","value":"0.5","type":"FLOAT"},{"name":"layers","value":"3","type":"INT"},{"name":"tag","value":"v2","type":"STRING"},{"name":"verbose","value":"yes","type":"BOOL"}]',
    ),
    { alpha: 0.5, layers: 3, tag: "v2", verbose: true },
  );
  deepStrictEqual(parseParameters("[]"), {});
});

Deno.test("parseParameters: INT", () => {
  strictEqual(parseParameters(p("a", "42", "INT")).a, 42);
  strictEqual(parseParameters(p("a", " -7 ", "INT")).a, -7);
  strictEqual(parseParameters(p("a", "1_000", "INT")).a, 1000);
  strictEqual(parseParameters(p("a", 2.9, "INT")).a, 2);
  strictEqual(parseParameters(p("a", -2.9, "INT")).a, -2);
  strictEqual(parseParameters(p("a", true, "INT")).a, 1);
  strictEqual(parseParameters(p("a", "12345678901234567890", "INT")).a, 12345678901234567890n);
  strictEqual(
    parseParameters('[{"name":"a","value":12345678901234567890,"type":"INT"}]').a,
    12345678901234567890n,
  );
  strictEqual(
    parseParameters('[{"name":"a","value":1e20,"type":"INT"}]').a,
    100000000000000000000n,
  );
  for (const bad of ["1.5", "abc", "", "1__0", "_1"]) {
    expectError(
      p("n", bad, "INT"),
      "value",
      `Bad model parameter: n with value ${bad} can't be parsed as a INT`,
    );
  }
  expectError(p("n", [1], "INT"), "malformed");
  expectError(p("n", null, "INT"), "malformed");
});

Deno.test("parseParameters: FLOAT / DOUBLE", () => {
  strictEqual(parseParameters(p("a", "0.5", "FLOAT")).a, 0.5);
  strictEqual(parseParameters(p("a", "1e-3", "DOUBLE")).a, 0.001);
  strictEqual(parseParameters(p("a", " 2 ", "FLOAT")).a, 2);
  ok(Number.isNaN(parseParameters(p("a", "nan", "FLOAT")).a));
  strictEqual(parseParameters(p("a", "inf", "FLOAT")).a, Infinity);
  strictEqual(parseParameters(p("a", "-Infinity", "DOUBLE")).a, -Infinity);
  strictEqual(parseParameters(p("a", "INF", "FLOAT")).a, Infinity);
  strictEqual(parseParameters(p("a", 3, "FLOAT")).a, 3);
  strictEqual(parseParameters(p("a", 1.25, "DOUBLE")).a, 1.25);
  expectError(
    p("alpha", "abc", "FLOAT"),
    "value",
    "Bad model parameter: alpha with value abc can't be parsed as a FLOAT",
  );
  expectError(
    p("alpha", "", "DOUBLE"),
    "value",
    "Bad model parameter: alpha with value  can't be parsed as a DOUBLE",
  );
  expectError(p("a", {}, "FLOAT"), "malformed");
});

Deno.test("parseParameters: STRING renders non-strings Python-style", () => {
  const s = (raw: string) => parseParameters(`[{"name":"a","value":${raw},"type":"STRING"}]`).a;
  strictEqual(s('"v2"'), "v2");
  strictEqual(s("5"), "5");
  strictEqual(s("1.5"), "1.5");
  strictEqual(s("5.0"), "5.0");
  strictEqual(s("true"), "True");
  strictEqual(s("null"), "None");
  strictEqual(s('{"b": 1, "1": [2.0, "x"]}'), "{'b': 1, '1': [2.0, 'x']}");
  strictEqual(parseParameters('[{"name":"a","type":"STRING"}]').a, "None");
});

Deno.test("parseParameters: BOOL via strtobool", () => {
  for (const t of ["y", "yes", "t", "true", "on", "1", "TRUE", "Yes"]) {
    strictEqual(parseParameters(p("b", t, "BOOL")).b, true, t);
  }
  for (const f of ["n", "no", "f", "false", "off", "0", "OFF"]) {
    strictEqual(parseParameters(p("b", f, "BOOL")).b, false, f);
  }
  expectError(p("b", "maybe", "BOOL"), "malformed", /invalid truth value 'maybe'/);
  expectError(p("b", true, "BOOL"), "malformed");
  expectError(p("b", 1, "BOOL"), "malformed");
});

Deno.test("parseParameters: unknown type → error B", () => {
  for (const t of ["FOO", "JSON", "int"]) {
    expectError(
      p("foo", "abc", t),
      "type",
      `Bad model parameter type: ${t} valid are INT, FLOAT, DOUBLE, STRING, BOOL`,
    );
  }
});

Deno.test("parseParameters: malformed input", () => {
  expectError("not json", "malformed");
  expectError("[1]", "malformed");
  expectError('["x"]', "malformed");
  expectError('{"name": "a"}', "malformed");
  expectError('[{"name":"a","value":"1"}]', "malformed"); // missing type
  expectError('[{"name":"a","value":"1","type":5}]', "malformed");
  expectError('[{"value":"1","type":"INT"}]', "malformed"); // missing name
  deepStrictEqual(parseParameters("{}"), {});
});

Deno.test("parseParameters: duplicate names, last wins", () => {
  deepStrictEqual(
    parseParameters(
      '[{"name":"a","value":"1","type":"INT"},{"name":"a","value":"2","type":"INT"}]',
    ),
    { a: 2 },
  );
  const r = parseParameters('[{"name":"__proto__","value":"x","type":"STRING"}]');
  strictEqual(Object.getOwnPropertyDescriptor(r, "__proto__")?.value, "x");
});
