/** NDArray from a typed array and a shape, and the typed-array accessors (views, not copies, where possible). */
import { assert, assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { NDArray } from "../../../mod.ts";

Deno.test("ndarray: fromTypedArray with a shape views the same memory", () => {
  const values = new Float32Array([1, 2, 3, 4, 5, 6]);
  const X = NDArray.fromTypedArray(values, [2, 3]);
  assertEquals([X.dtype, X.shape], ["float32", [2, 3]]);
  assertEquals(X.tolist(), [[1, 2, 3], [4, 5, 6]]);
  assert(X.toFloat32Array() === values);
  values[0] = 9;
  assertEquals(X.get(0, 0), 9);
  assertThrows(() => NDArray.fromTypedArray(values, [4, 2]), /cannot reshape array of size 6/);
  assertEquals(NDArray.fromTypedArray(new BigInt64Array([1n, 2n])).shape, [2]);
});

Deno.test("ndarray: typed-array accessors convert as numpy's astype", () => {
  const X = NDArray.from([[1.5, -2.7], [0.1, 3]]);
  assertEquals(X.dtype, "float64");
  assert(X.toFloat64Array() === X.data);
  assertEquals([...X.toFloat32Array()], [1.5, -2.700000047683716, 0.10000000149011612, 3]);
  assertEquals([...X.toInt32Array()], [1, -2, 0, 3]);
  assertEquals([...X.toBigInt64Array()], [1n, -2n, 0n, 3n]);
  const ints = NDArray.from([[1, 2]]);
  assertEquals(ints.dtype, "int64");
  assertEquals([...ints.toBigInt64Array()], [1n, 2n]);
  const big = NDArray.fromTypedArray(new BigInt64Array([2n ** 40n, -1n]));
  assert(big.toBigInt64Array() === big.data);
  assertEquals([...big.toFloat64Array()], [2 ** 40, -1]);
  assertEquals([...NDArray.from([true, false]).toInt32Array()], [1, 0]);
  assertEquals([...NDArray.from(["1.5", "2"]).toFloat64Array()], [1.5, 2]);
});
