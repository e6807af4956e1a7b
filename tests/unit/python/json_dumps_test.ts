import { strictEqual, throws } from "node:assert/strict";
import { PyFloat } from "../../../src/python/float.ts";
import { pyJsonDumps } from "../../../src/python/json_dumps.ts";

Deno.test("pyJsonDumps: Python json.dumps defaults", () => {
  strictEqual(
    pyJsonDumps([{ type: "BAD", key: "c", value: 1 }]),
    '[{"type": "BAD", "key": "c", "value": 1}]',
  );
  strictEqual(
    pyJsonDumps([{ type: "GAUGE", key: "load", value: "high" }]),
    '[{"type": "GAUGE", "key": "load", "value": "high"}]',
  );
  strictEqual(
    pyJsonDumps({ a: 1.5, b: [], c: {}, d: null, e: true }),
    '{"a": 1.5, "b": [], "c": {}, "d": null, "e": true}',
  );
  strictEqual(
    pyJsonDumps('é\u2028😀\x7f"\\\n\b\f\x01'),
    '"\\u00e9\\u2028\\ud83d\\ude00\\u007f\\"\\\\\\n\\b\\f\\u0001"',
  );
  strictEqual(
    pyJsonDumps([NaN, Infinity, -Infinity, 1e20, 1e-5, new PyFloat(3), 2n ** 70n]),
    "[NaN, Infinity, -Infinity, 100000000000000000000, 1e-05, 3.0, 1180591620717411303424]",
  );
  strictEqual(pyJsonDumps(undefined), "null");
  throws(
    () => pyJsonDumps({ b: new Uint8Array([1]) }),
    /Object of type bytes is not JSON serializable/,
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  throws(() => pyJsonDumps(cyclic), /Circular reference detected/);
});
