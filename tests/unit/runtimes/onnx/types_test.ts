/** OnnxServer's conversions between NDArray and runtime tensor data (src/runtimes/onnx/types.ts). */
import { assertEquals, assertThrows } from "../../../_helpers/assert.ts";
import { NDArray } from "../../../../mod.ts";
import {
  fromTensor,
  isOrtType,
  tensorData,
  v2Datatype,
} from "../../../../src/runtimes/onnx/types.ts";

Deno.test("onnx types: v1 numbers are cast to the input's element type (truncated like numpy)", () => {
  const x = NDArray.from([[1.5, -2.7], [3, 4]]);
  assertEquals(tensorData(x, "float32", "in"), Float32Array.of(1.5, -2.7, 3, 4));
  assertEquals(tensorData(x, "int64", "in"), BigInt64Array.of(1n, -2n, 3n, 4n));
  assertEquals(tensorData(x, "int32", "in"), Int32Array.of(1, -2, 3, 4));
  assertEquals(tensorData(NDArray.from([[true, false]]), "bool", "in"), Uint8Array.of(1, 0));
  // Already the right storage: used as is, not copied.
  const f32 = new NDArray(Float32Array.of(1, 2), [1, 2]);
  assertEquals(tensorData(f32, "float32", "in") === f32.data, true);
});

Deno.test("onnx types: strings for numbers (and numbers for strings) are a 400", () => {
  const err = assertThrows(() => tensorData(NDArray.from([["a", "b"]]), "float32", "input 'x'"));
  assertEquals(err.message, "input 'x': the model expects float32 values, got string values");
  assertEquals(err.statusCode, 400);
  const err2 = assertThrows(() => tensorData(NDArray.from([[1, 2]]), "string", "input 'x'"));
  assertEquals(err2.message, "input 'x': the model expects strings, got int64 values");
  assertEquals(tensorData(NDArray.from([["a"]]), "string", "in"), ["a"]);
});

Deno.test("onnx types: runtime outputs become NDArrays; datatypes map to V2 names", () => {
  const labels = fromTensor("int64", BigInt64Array.of(2n, 8n), [2]);
  assertEquals([labels.dtype, labels.shape, [...labels.data as BigInt64Array]], [
    "int64",
    [2],
    [2n, 8n],
  ]);
  assertEquals(fromTensor("bool", Uint8Array.of(1, 0), [2]).dtype, "bool");
  assertEquals(fromTensor("string", ["a", "b"], [2]).tolist(), ["a", "b"]);
  assertEquals(v2Datatype("float32"), "FP32");
  assertEquals(v2Datatype("string"), "BYTES");
  assertEquals([isOrtType("int64"), isOrtType("int4"), isOrtType("toString")], [
    true,
    false,
    false,
  ]);
});
