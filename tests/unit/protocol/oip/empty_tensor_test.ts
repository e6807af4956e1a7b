/**
 * A V2 REST body without the binary header shares one empty tensor-bytes array; an empty input
 * still gets a buffer of its own, so a model that detaches it (transfers it) breaks no later
 * request.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { decodeBinaryRequest } from "../../../../src/protocol/oip/binary.ts";

const encoder = new TextEncoder();
const EMPTY_INPUT = encoder.encode(
  '{"inputs":[{"name":"x","datatype":"FP32","shape":[0],"parameters":{"binary_data_size":0}}]}',
);
const PLAIN = encoder.encode('{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}]}');

Deno.test("a detached empty input does not break later requests", () => {
  for (let i = 0; i < 3; i++) {
    const request = decodeBinaryRequest(EMPTY_INPUT, null);
    const data = request.inputs[0].data.data as Float32Array;
    strictEqual(data.length, 0);
    structuredClone(data.buffer, { transfer: [data.buffer as ArrayBuffer] });
    strictEqual(data.buffer.byteLength, 0);
    deepStrictEqual(decodeBinaryRequest(PLAIN, null).inputs[0].data.data, Float32Array.of(1));
    deepStrictEqual(decodeBinaryRequest(PLAIN).inputs[0].data.data, Float32Array.of(1));
  }
});
