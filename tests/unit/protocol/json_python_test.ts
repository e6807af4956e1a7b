/**
 * `protocol/json.ts` (and the `number_tokens.ts` / `non_finite.ts` under it) against Python's `json` (the CPython-faithful parser in `src/python/json_loads.ts`) and
 * numpy's §6.1 rules, on generated documents: what is accepted, what numpy would make of the
 * numbers, small bodies and large alike.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { parseJson, stringifyJson } from "../../../src/protocol/json.ts";
import { integralFloats } from "../../../src/protocol/number_tokens.ts";
import { NDArray } from "../../../src/protocol/ndarray.ts";
import { parseJsonPythonic, pythonJsonError } from "../../../src/python/json_loads.ts";
import { PyFloat, pyFloatRepr } from "../../../src/python/float.ts";
import { seededRandom as random } from "../../_helpers/random.ts";

/** Python's value as plain JS: dicts as objects, floats as numbers. */
function plain(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

Deno.test("json: parseJson accepts exactly what Python's json.loads accepts, NaN and Infinity included", () => {
  const pieces = [
    "NaN",
    "-",
    "Infinity",
    "-Infinity",
    "[",
    "]",
    "{",
    "}",
    '"a"',
    '"NaN"',
    ":",
    ",",
    "1",
    " ",
    "0.5",
    "true",
    "nan",
  ];
  const chosen = [
    '{"a": NaN, "b": [Infinity, -Infinity], "NaN": "NaN"}',
    "{NaN: 1}",
    "{Infinity :1}",
    '{"a": -NaN}',
    "[- Infinity]",
    "[--Infinity]",
    "[1NaN]",
    "[NaN1]",
    "[1.NaN]",
    "[Infinity]]",
    '["x", NaN, "NaN]"]',
    "NaN",
    " -Infinity ",
  ];
  const next = random(7);
  let accepted = 0;
  for (let n = 0; n < 20000 + chosen.length; n++) {
    let text = chosen[n - 20000] ?? "";
    const length = text === "" ? 1 + Math.floor(next() * 7) : 0;
    for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
    const python = pythonJsonError(text);
    let ours: unknown;
    let error: unknown;
    try {
      ours = parseJson(text);
    } catch (err) {
      error = err;
    }
    assertEquals(error === undefined, python === undefined, `${text}: ${python}`);
    if (error === undefined) {
      accepted++;
      assertEquals(ours, plain(parseJsonPythonic(text)), text);
    }
  }
  assert(accepted > 500, `only ${accepted} documents were valid`);
});

type Leaf = { token: string; python: unknown };

/** What numpy makes of a regular nested list of Python values (§6.1): dtype and string data. */
function numpyView(flat: unknown[]): { dtype: string; strings?: unknown[] } {
  if (flat.some((v) => typeof v === "string")) {
    const str = (v: unknown) =>
      v instanceof PyFloat
        ? pyFloatRepr(v.value)
        : typeof v === "boolean"
        ? (v ? "True" : "False")
        : String(v);
    return { dtype: "string", strings: flat.map(str) };
  }
  if (flat.some((v) => v instanceof PyFloat)) return { dtype: "float64" };
  if (flat.some((v) => typeof v === "number")) return { dtype: "int64" };
  return { dtype: "bool" };
}

Deno.test("json: list items keep Python's int/float distinction for numpy at every body size", () => {
  const leaves: Leaf[] = [
    ...["0", "-3", "42"].map((token) => ({ token, python: Number(token) })),
    ...["2.0", "-0.0", "1e2", "1E0", "3.000", "0.5", "-1.25", "2.5e-1"].map((token) => ({
      token,
      python: new PyFloat(Number(token)),
    })),
    { token: '"a"', python: "a" },
    { token: '"1.0"', python: "1.0" },
    { token: '"x]\\""', python: 'x]"' },
    { token: "true", python: true },
    { token: "false", python: false },
  ];
  const next = random(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  for (let n = 0; n < 600; n++) {
    // A column type per column, so that all-number, all-string and mixed arrays all occur.
    const rows = 1 + Math.floor(next() * 3), cols = 1 + Math.floor(next() * 4);
    const kinds = Array.from({ length: cols }, () => leaves.filter(() => next() < 0.4));
    const grid = Array.from(
      { length: rows },
      () => kinds.map((kind) => pick(kind.length > 0 ? kind : leaves)),
    );
    const ndarray = "[" + grid.map((r) =>
      "[" + r.map((l) => l.token).join(", ") + "]"
    ).join(",\n") +
      "]";
    const pad = n % 3 === 0 ? `"pad": "${"p".repeat(40_000)}", ` : "";
    const meta = pick(['{"v": 1.0}', '{"k": [1, "s", 2.0]}', "{}", '{"a": {"a": 1}}']);
    const text = `{${pad}"meta": ${meta}, "data": {"names": ["x", "y"], "ndarray": ${ndarray}}}`;
    const parsed = parseJson(text) as { data: { ndarray: unknown[][] } };
    const array = NDArray.from(parsed.data.ndarray);
    const expected = numpyView(grid.flat().map((l) => l.python));
    assertEquals(array.dtype, expected.dtype, text.slice(-200));
    if (expected.strings) assertEquals([...array.data], expected.strings, text.slice(-200));
  }
});

Deno.test("json: NaN literals among other values, repeated keys and float tokens", () => {
  // A repeated key drops a NaN: the stand-ins no longer add up, the exact path decides.
  assertEquals(parseJson('{"a": NaN, "a": 1, "b": [NaN, 2.0]}'), { a: 1, b: [NaN, 2] });
  assertEquals(parseJson('{"a": 1, "a": NaN}'), { a: NaN });
  // The number standing in for NaN is random; one the text holds itself is left alone.
  const random = Math.random;
  Math.random = () => 0;
  try {
    assertEquals(parseJson("[-1.0000000007e-300, NaN]"), [-1.0000000007e-300, NaN]);
  } finally {
    Math.random = random;
  }
  const rows = parseJson('[["a", NaN, 2.0, Infinity], ["b", -Infinity, 3, 1e2]]') as unknown[][];
  assertEquals(NDArray.from(rows).data, ["a", "nan", "2.0", "inf", "b", "-inf", "3", "100.0"]);
  const numbers = parseJson('{"x": [[1.0, NaN], [2, 3]], "y": [1, 2]}') as Record<
    string,
    unknown[]
  >;
  assertEquals([NDArray.from(numbers.x).dtype, NDArray.from(numbers.y).dtype], [
    "float64",
    "int64",
  ]);
});

Deno.test("json: a repeated key keeps the last value and its tokens", () => {
  const v = parseJson('{"a": [1, 2.0], "a": [3, 4.0], "b": [5]}') as Record<string, number[]>;
  assertEquals(v, { a: [3, 4], b: [5] });
  assertEquals(NDArray.from(v.a).dtype, "float64");
  assertEquals(NDArray.from(["s", ...v.a]).data, ["s", "3", "4"]);
  assertEquals(NDArray.from(v.b).dtype, "int64");
  const w = parseJson('{"a": [1.0, 2.0], "a": [3, 4]}') as Record<string, number[]>;
  assertEquals(NDArray.from(w.a).dtype, "int64");
});

Deno.test("json: integers beyond 2^53 stay exact next to floats in any body", () => {
  const pad = "p".repeat(40_000);
  const v = parseJson(`{"pad":"${pad}","n":12345678901234567890,"x":[2.0,"a"]}`) as {
    n: bigint;
    x: unknown[];
  };
  assertEquals(v.n, 12345678901234567890n);
  assertEquals(integralFloats(v.x), [0]);
  // 1e20 is a float token: no bigint.
  assertEquals(parseJson('{"n": 1e20}'), { n: 1e20 });
});

Deno.test("json: stringifyJson writes non-finite numbers as Python's json.dumps does", () => {
  assertEquals(
    stringifyJson([NaN, Infinity, -Infinity, null, 1.5]),
    "[NaN,Infinity,-Infinity,null,1.5]",
  );
  assertEquals(stringifyJson({ a: null, b: [null] }), '{"a":null,"b":[null]}');
  // A string that looks like the marks used inside is kept as it is.
  assertEquals(
    stringifyJson({ s: "\u00000NaN", t: '"\u00000Infinity', n: NaN }),
    '{"s":"\\u00000NaN","t":"\\"\\u00000Infinity","n":NaN}',
  );
  assertEquals(
    stringifyJson({ big: 2n ** 70n, n: -Infinity }),
    '{"big":1180591620717411303424,"n":-Infinity}',
  );
  // Objects copied on the way keep their keys, `__proto__` included.
  const withProto = parseJson('{"__proto__": [NaN], "k": {"v": -Infinity}, "b": [1]}');
  assertEquals(stringifyJson(withProto), '{"__proto__":[NaN],"k":{"v":-Infinity},"b":[1]}');
  // Behind a toJSON, in a class instance, in a typed array.
  assertEquals(stringifyJson({ x: { toJSON: () => NaN } }), '{"x":NaN}');
  assertEquals(
    stringifyJson([
      new (class {
        v = Infinity;
      })(),
    ]),
    '[{"v":Infinity}]',
  );
  assertEquals(stringifyJson(Float64Array.of(NaN)), '{"0":NaN}');
  assertEquals(stringifyJson({ a: [NaN] }, { pretty: true }), '{\n  "a": [\n    NaN\n  ]\n}');
  // What is written is what Python reads back.
  const back = parseJsonPythonic(stringifyJson({ v: [NaN, -Infinity] })) as Map<string, PyFloat[]>;
  assert(Number.isNaN(back.get("v")![0].value));
  assertEquals(back.get("v")![1].value, -Infinity);
});
