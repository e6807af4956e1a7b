/**
 * Every concrete input→output example of user-api.md, one test each, named
 * `user-api.md §<section> <what>`.
 */
// deno-lint-ignore-file no-explicit-any
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../mod.ts";
import { parseParameters } from "../../src/config/parameters.ts";

import { err, ex, identity, rest, U } from "../_helpers/spec_examples.ts";

ex(
  U,
  "§3",
  "plain object {shape, data} → jsonData",
  rest(
    { predict: () => ({ shape: [1], data: [1] }) },
    "/predict",
    { data: { ndarray: [1] } },
    200,
    { jsonData: { shape: [1], data: [1] }, meta: {} },
  ),
);

ex(
  U,
  "§3",
  "class instance / undefined → 400 Unknown data type",
  () =>
    withServer({ predict: (X: NDArray) => (X.size === 1 ? new Map() : undefined) }, async (s) => {
      let r = await s.post("/predict", { data: { ndarray: [1] } });
      assertEquals(r.status, 400);
      assert(
        r.json.status.info.startsWith(
          "Unknown data type returned as payload (must be list or np array):",
        ),
      );
      r = await s.post("/predict", { data: { ndarray: [1, 2] } });
      assertEquals(
        r.json,
        err("Unknown data type returned as payload (must be list or np array):None"),
      );
    }),
);

ex(
  U,
  "§3",
  "typed arrays: Int32Array → tensor ints; Uint8Array → binData",
  () =>
    withServer({
      predict: (X: NDArray) => (X.size === 1 ? Int32Array.of(1, 2) : Uint8Array.of(0, 1, 2)),
    }, async (s) => {
      let r = await s.post("/predict", { strData: "x", data: { ndarray: [1] } });
      assertEquals(r.json.data, { names: [], ndarray: [1, 2] });
      r = await s.post("/predict", { data: { ndarray: [1, 2] } });
      assertEquals(r.json, { binData: "AAEC", meta: {} });
    }),
);

ex(
  U,
  "§5",
  '{"jsonData":{"n":9007199254740993}} echoes unchanged',
  () =>
    withServer(identity, async (s) => {
      const r = await s.post("/predict", '{"jsonData":{"n":9007199254740993}}');
      assert(r.text.includes('"n":9007199254740993'), r.text);
    }),
);

ex(U, "§5", "big ints in meta tags and INT parameters round-trip", async () => {
  await withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.post(
      "/predict",
      '{"meta":{"tags":{"id":9007199254740993}},"data":{"ndarray":[1]}}',
    );
    assert(r.text.includes('"id":9007199254740993'), r.text);
  });
  const p = parseParameters('[{"name":"a","value":"9007199254740993","type":"INT"}]').a;
  assertEquals(String(p), "9007199254740993");
});

ex(U, "§2", "ragged → 1-D object array X", async () => {
  let seen: any;
  await withServer({
    predict: (X: NDArray) => {
      seen = [X.dtype, X.shape];
      return X;
    },
  }, async (s) => {
    await s.post("/predict", { data: { ndarray: [[1, 2], [3]] } });
  });
  assertEquals(seen, ["object", [2]]);
});

ex(U, "§2", "X dtype int64 for all-integer values, float64 otherwise", async () => {
  const seen: unknown[] = [];
  await withServer({
    predict: (X: NDArray) => {
      seen.push(X.dtype);
      return X;
    },
  }, async (s) => {
    await s.post("/predict", { data: { ndarray: [1, 2] } });
    await s.post("/predict", '{"data":{"ndarray":[1, 2.5]}}');
  });
  assertEquals(seen, ["int64", "float64"]);
});
