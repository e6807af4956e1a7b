import { assert, assertEquals } from "../../_helpers/assert.ts";

const assertStrictEquals = (a: unknown, b: unknown) => assert(a === b, "not the same object");
import { NDArray } from "../../../src/protocol/ndarray.ts";
import { ndarrayToTftensor } from "../../../src/protocol/tftensor.ts";
import { buildResponse } from "../../../src/protocol/response.ts";
import { stringifyJson } from "../../../src/protocol/json.ts";
import { decodeMessage, encodeMessage } from "../../../src/protocol/proto/codec.ts";

Deno.test("NDArray: each dtype keeps its values in its own typed array", () => {
  const cases: [string, unknown][] = [
    ["float64", Float64Array],
    ["float32", Float32Array],
    ["float16", Float16Array],
    ["int8", Int8Array],
    ["int16", Int16Array],
    ["int32", Int32Array],
    ["uint8", Uint8Array],
    ["uint16", Uint16Array],
    ["uint32", Uint32Array],
    ["bool", Uint8Array],
  ];
  for (const [dtype, ctor] of cases) {
    const a = NDArray.from([[1, 0], [3, 1]], dtype as never);
    assertEquals(a.data.constructor, ctor, dtype);
    assertEquals(a.shape, [2, 2]);
  }
  assertEquals(NDArray.from([[true, false]], "bool").tolist(), [[true, false]]);
  assertEquals(NDArray.from([0.1], "float32").tolist(), [Math.fround(0.1)]);
  assertEquals(NDArray.from([0.1], "float16").tolist(), [0.0999755859375]);
  assertEquals(NDArray.from([300, -1], "uint8").tolist(), [44, 255]);
});

Deno.test("NDArray: 64-bit integers from bigints stay exact; v1 JSON integers stay numbers", () => {
  const big = 2n ** 60n + 1n;
  const a = new NDArray(BigInt64Array.of(big, -3n), [2], "int64");
  assertEquals(a.tolist(), [big, -3n]);
  assertEquals(a.get(0), big);
  assertEquals(a.astype("uint64").tolist(), [big, 2n ** 64n - 3n]);
  assertEquals(a.astype("float64").tolist(), [Number(big), -3]);
  assertEquals(new NDArray([1n, 2], [2], "uint64").data.constructor, BigUint64Array);
  assert(a.toString().includes("1152921504606846977"));
  // numpy's rules for JSON integers are unchanged: int64, values as JS numbers.
  const v1 = NDArray.from([[1, 2]]);
  assertEquals([v1.dtype, v1.data.constructor, v1.tolist()], ["int64", Float64Array, [[1, 2]]]);
  assertEquals(ndarrayToTftensor(a).tensorContent, "AQAAAAAAABD9/////////w==");
  assertEquals(ndarrayToTftensor(new NDArray(BigInt64Array.of(big), [1], "int64")).int64Val, [
    "1152921504606846977",
  ]);
});

Deno.test("NDArray: typed arrays are viewed, not copied", () => {
  const buf = new ArrayBuffer(32);
  const f32 = new Float32Array(buf, 8, 4);
  const a = NDArray.from(f32);
  assertEquals(a.dtype, "float32");
  assertStrictEquals(a.data, f32);
  const r = a.reshape([2, 2]);
  assertStrictEquals((r.data as Float32Array).buffer, buf);
  const clamped = NDArray.from(new Uint8ClampedArray(buf, 4, 2));
  assertEquals(clamped.dtype, "uint8");
  assertStrictEquals((clamped.data as Uint8Array).buffer, buf);
  // Stacking keeps the storage kind.
  const s = NDArray.from([Int16Array.of(1, 2), Int16Array.of(3, 4)]);
  assertEquals([s.dtype, s.data.constructor, s.tolist()], ["int16", Int16Array, [[1, 2], [3, 4]]]);
  const b = NDArray.from([BigInt64Array.of(1n), BigInt64Array.of(2n ** 62n)]);
  assertEquals([b.dtype, b.tolist()], ["int64", [[1n], [2n ** 62n]]]);
});

Deno.test("NDArray: map on typed storage", () => {
  const a = new NDArray(Int32Array.of(1, 2, 3), [3], "int32");
  assertEquals(a.map((v) => v * 2).tolist(), [2, 4, 6]);
  assertEquals(a.map((v) => v * 2).dtype, "int32");
  assertEquals(a.map((v) => v / 2).dtype, "float64");
  const f = new NDArray(Float32Array.of(1.5), [1], "float32");
  assertEquals(f.map((v) => v + 1).tolist(), [2.5]);
});

Deno.test("NDArray: v1 answers from typed storage (JSON and proto, ndarray and tensor)", () => {
  const ctx = (ref: Record<string, unknown>) => ({
    ref,
    merge: undefined,
    puid: undefined,
    userTags: undefined,
    runtimeTags: undefined,
    metrics: [],
    ownPath: undefined,
    classNames: (n: number) => Array.from({ length: n }, (_, i) => `t:${i}`),
  });
  const big = new NDArray(BigInt64Array.of(2n ** 60n + 1n, 2n), [1, 2], "int64");
  const json = buildResponse(big, ctx({ data: { ndarray: [] } }), "json");
  assert(stringifyJson(json).includes('"ndarray":[[1152921504606846977,2]]'));
  const tensor = buildResponse(big, ctx({ data: { tensor: {} } }), "json");
  assertEquals((tensor.data as any).tensor.values, [2 ** 60, 2]);
  const proto = buildResponse(big, ctx({ data: { ndarray: [] } }), "proto");
  const back = decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", proto));
  assertEquals((back.data as any).ndarray, [[2 ** 60, 2]]);
  const f32 = buildResponse(new Float32Array([0.5, 0.25]), ctx({ data: { tensor: {} } }), "proto");
  assertEquals((f32.data as any).tensor.values, [0.5, 0.25]);
});
