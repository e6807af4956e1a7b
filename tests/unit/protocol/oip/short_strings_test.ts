/**
 * The V2 gRPC decoder reads short ASCII strings without the UTF-8 decoder: every string field
 * (model name, id, input names) decodes to what was encoded, ASCII or not, at lengths around the
 * short-string bound, and invalid UTF-8 is the same 400 as before.
 */
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { NDArray } from "../../../../src/protocol/ndarray.ts";
import { OipError } from "../../../../src/protocol/oip/errors.ts";
import {
  decodeModelInferRequest,
  encodeModelInferRequest,
} from "../../../../src/protocol/oip/proto.ts";
import { seededRandom } from "../../../_helpers/random.ts";

const ALPHABET = ["a", "Z", "0", " ", "\u0000", "\u007f", "é", "☃", "😀", "\u0080", "\ud7ff"];

function randomString(r: () => number): string {
  const n = Math.floor(r() * 80);
  const ascii = r() < 0.7;
  let s = "";
  for (let i = 0; i < n; i++) {
    s += ascii
      ? String.fromCharCode(Math.floor(r() * 128))
      : ALPHABET[Math.floor(r() * ALPHABET.length)];
  }
  return s;
}

Deno.test("string fields decode to what was encoded (2,000 random requests)", () => {
  const r = seededRandom(151);
  const data = new NDArray(Float64Array.of(1, 2), [1, 2], "float64");
  for (let i = 0; i < 2000; i++) {
    const modelName = randomString(r), id = randomString(r), name = randomString(r);
    const bytes = encodeModelInferRequest({
      modelName,
      modelVersion: randomString(r),
      request: { id, inputs: [{ name, datatype: "FP64", shape: [1, 2], data }] },
    }, r() < 0.5);
    const decoded = decodeModelInferRequest(bytes);
    strictEqual(decoded.modelName, modelName);
    strictEqual(decoded.request.id, id === "" ? undefined : id);
    strictEqual(decoded.request.inputs[0].name, name);
    deepStrictEqual(decoded.request.inputs[0].data.data, Float64Array.of(1, 2));
  }
});

Deno.test("invalid UTF-8 in a short or long string field is a 400", () => {
  for (const body of [[0xff], [0x61, 0x62, 0xc3], [...new Array(70).fill(0x61), 0xff]]) {
    const bytes = Uint8Array.of(0x0a, body.length, ...body);
    throws(
      () => decodeModelInferRequest(bytes),
      (err) =>
        err instanceof OipError && err.status === 400 &&
        err.message === "the message is not valid protobuf: a string field is not valid UTF-8",
    );
  }
});
