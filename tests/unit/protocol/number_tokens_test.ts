/** The pre-check that spares the token walk when no integral float token (`2.0`, `1e2`) is there. */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { parseJson } from "../../../src/protocol/json.ts";
import { integralFloats, mayHoldIntegralFloat } from "../../../src/protocol/number_tokens.ts";

Deno.test("mayHoldIntegralFloat: finds every integral float token", () => {
  for (
    const text of [
      "[2.0]",
      "[1,-3.00]",
      "[1e2]",
      "[1E+2]",
      "[1.5e1]",
      "[0.0]",
      "[-0.0]",
      "[100000000000000000000.5]",
      "[1.00000000000000001]",
      "[1,4.000000]",
      '{"shape":[1,4],"values":[5.1,3.5,1.4,2.0]}',
      "[" + Array.from({ length: 100 }, (_, i) => `${i}.5`).join(",") + "]", // past the cap
    ]
  ) assert(mayHoldIntegralFloat(text), text);
});

Deno.test("mayHoldIntegralFloat: false without one", () => {
  for (
    const text of [
      "[1,4]",
      '{"data":{"tensor":{"shape":[1,4],"values":[5.1,3.5,1.4,0.2]}}}',
      "[1e-7,2.5e-1,-0.5]",
      "[123456789012345.6]",
      '{"names":["e1x"]}',
    ]
  ) assert(!mayHoldIntegralFloat(text), text);
});

/** Every list in `value` with its marks, in walk order. */
function marks(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    out.push(integralFloats(value) ?? null);
    for (const v of value) marks(v, out);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) marks(v, out);
  }
  return out;
}

Deno.test("parseJson: the same marks with the pre-check as with the full token walk", () => {
  const tokens = [
    "1",
    "4",
    "-2",
    "5.1",
    "2.0",
    "1e2",
    "3.5e-1",
    "0",
    "-0.0",
    '"x.0"',
    '"a"',
    "1.5e1",
  ];
  let random = 11;
  const next = (n: number) => (random = (random * 1103515245 + 12345) % 2 ** 31) % n;
  const list = (): string => {
    const n = 1 + next(4);
    return "[" + Array.from({ length: n }, () => tokens[next(tokens.length)]).join(",") + "]";
  };
  for (let k = 0; k < 500; k++) {
    const shape = `[${next(3) + 1},${next(5)}]`;
    const body = next(2) === 0
      ? `{"data":{"tensor":{"shape":${shape},"values":${list()}}}}`
      : `{"data":{"names":${list()},"ndarray":[${list()},${list()}]}}`;
    // A string holding `0.0` makes the pre-check answer "maybe": the walk then runs, and marks
    // nothing more for a string.
    const walked = body.slice(0, -1) + ',"zz":"0.0"}';
    assert(mayHoldIntegralFloat(walked));
    const value = parseJson(body) as Record<string, unknown>;
    const reference = parseJson(walked) as Record<string, unknown>;
    delete reference.zz;
    assertEquals(value, reference, body);
    assertEquals(marks(value), marks(reference), body);
  }
});
