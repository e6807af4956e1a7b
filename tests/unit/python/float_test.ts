import { strictEqual } from "node:assert/strict";
import { pyFloatRepr } from "../../../src/python/float.ts";

Deno.test("pyFloatRepr: Python float repr", () => {
  const cases: [number, string][] = [
    [1.5, "1.5"],
    [2, "2.0"],
    [100, "100.0"],
    [1e16, "1e+16"],
    [1e15, "1000000000000000.0"],
    [1e20, "1e+20"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [0.1 + 0.2, "0.30000000000000004"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-2.5, "-2.5"],
    [-0, "-0.0"],
    [0, "0.0"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
    [123456789.125, "123456789.125"],
  ];
  for (const [x, want] of cases) strictEqual(pyFloatRepr(x), want, String(x));
});
