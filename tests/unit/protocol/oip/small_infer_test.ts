/**
 * The direct encoder of small `ModelInferResponse`s (`small_infer.ts`) writes the general
 * encoder's bytes for every response it takes (random outputs of every datatype it accepts,
 * extreme integers, special floats, long varints, raw and contents modes, headers present,
 * absent or empty), leaves every other response to it, and answers written in turn (across the
 * slab) stay intact.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { NDArray } from "../../../../src/protocol/ndarray.ts";
import {
  encodeInferResponseGeneral,
  encodeModelInferResponse,
} from "../../../../src/protocol/oip/proto.ts";
import { encodeSmallInferResponse, MAX_BYTES } from "../../../../src/protocol/oip/small_infer.ts";
import { outputTensor, type WireTensor } from "../../../../src/protocol/oip/tensor.ts";
import type { Datatype, InferenceResponse } from "../../../../src/protocol/oip/types.ts";
import { seededRandom } from "../../../_helpers/random.ts";

const DIMS = [0, 1, 2, 3, 4, 127, 128, 16383, 16384];
const FLOATS = [NaN, Infinity, -Infinity, -0, 0, 5e-324, 1e308, 0.1, -2.5, 3.4e38];
const BIGS = [
  0n,
  1n,
  -1n,
  127n,
  128n,
  -128n,
  2n ** 31n,
  -(2n ** 31n),
  2n ** 32n,
  -(2n ** 32n) - 1n,
  2n ** 53n - 1n,
  -(2n ** 53n) + 1n,
  2n ** 53n,
  -(2n ** 53n),
  2n ** 63n - 1n,
  -(2n ** 63n),
];
const UBIGS = [0n, 1n, 127n, 128n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];
const RANGES: Record<string, [number, number]> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
};
const TYPES: Datatype[] = [
  "BOOL",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "FP32",
  "FP64",
];

function randomValues(r: () => number, datatype: Datatype, n: number): unknown[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, () => {
    switch (datatype) {
      case "BOOL":
        return r() < 0.5;
      case "INT64":
        return r() < 0.5 ? pick(BIGS) : BigInt(Math.floor((r() - 0.5) * 2 ** 40));
      case "UINT64":
        return r() < 0.5 ? pick(UBIGS) : BigInt(Math.floor(r() * 2 ** 40));
      case "FP32":
      case "FP64":
        return r() < 0.3 ? pick(FLOATS) : (r() - 0.5) * 10 ** Math.floor(r() * 20);
      default: {
        const [lo, hi] = RANGES[datatype];
        return r() < 0.3 ? pick([lo, hi, 0, -1 < lo ? 0 : -1]) : lo + Math.floor(r() * (hi - lo));
      }
    }
  });
}

function randomName(r: () => number): string {
  const n = Math.floor(r() * 3) === 0 ? Math.floor(r() * 200) : Math.floor(r() * 8);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(32 + Math.floor(r() * 95));
  return s;
}

function randomResponse(r: () => number): InferenceResponse {
  const outputs = Array.from({ length: Math.floor(r() * 4) }, () => {
    const datatype = TYPES[Math.floor(r() * TYPES.length)];
    const dims = Math.floor(r() * 4);
    const shape: number[] = [];
    let count = 1;
    for (let i = 0; i < dims; i++) {
      const d = count > 64 ? 1 : DIMS[Math.floor(r() * 6)];
      shape.push(d);
      count *= d;
    }
    if (r() < 0.1 && count === 1) shape.push(DIMS[5 + Math.floor(r() * 4)]);
    const values = randomValues(r, datatype, shape.reduce((a, b) => a * b, 1));
    const asArray = r() < 0.5;
    return {
      name: randomName(r),
      datatype,
      shape,
      data: asArray ? values : (outputTensor({ name: "v", datatype, shape, data: values }).data),
      ...(r() < 0.1 ? { parameters: r() < 0.5 ? {} : null as never } : {}),
    };
  });
  const header = (no: number) => {
    const x = r();
    return x < 0.3 ? undefined : x < 0.4 ? "" : x < 0.5 ? `v${no}` : randomName(r);
  };
  return {
    modelName: header(1),
    modelVersion: header(2),
    id: header(3),
    ...(r() < 0.1 ? { parameters: {} } : {}),
    outputs,
  };
}

function tensorsOf(response: InferenceResponse): WireTensor[] {
  return response.outputs.map(outputTensor);
}

Deno.test("the direct encoder writes the general encoder's bytes (3,000 random responses)", () => {
  const r = seededRandom(15);
  let taken = 0;
  const kept: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < 3000; i++) {
    const response = randomResponse(r);
    const tensors = tensorsOf(response);
    const raw = r() < 0.3;
    const general = encodeInferResponseGeneral(response, tensors, raw);
    const direct = encodeSmallInferResponse(response, tensors, raw);
    if (direct === undefined) {
      ok(general.length > MAX_BYTES, `not taken: ${i}`);
      continue;
    }
    taken++;
    deepStrictEqual(direct, general, `response ${i}`);
    deepStrictEqual(encodeModelInferResponse(response, raw), general);
    kept.push([direct, general.slice()]);
  }
  ok(taken > 2900, `taken ${taken}`);
  // Answers written later (into the same slab, or a new one) leave the earlier ones intact.
  for (const [direct, general] of kept) deepStrictEqual(direct, general);
});

Deno.test("the direct encoder leaves other responses to the general one", () => {
  const x = new NDArray(Float64Array.of(1, 2), [1, 2], "float64");
  const cases: [string, InferenceResponse, boolean][] = [
    ["non-ASCII output name", { outputs: [{ name: "é", data: x }] }, false],
    ["non-ASCII model name", { modelName: "modèle", outputs: [{ name: "y", data: x }] }, false],
    ["non-ASCII id", { id: "☃", outputs: [{ name: "y", data: x }] }, true],
    ["response parameters", { parameters: { a: 1 }, outputs: [{ name: "y", data: x }] }, false],
    ["output parameters", { outputs: [{ name: "y", data: x, parameters: { b: true } }] }, false],
    ["FP16", { outputs: [{ name: "y", datatype: "FP16", data: [1, 2] }] }, true],
    ["BYTES", { outputs: [{ name: "y", data: ["a", "b"] }] }, false],
    [
      "too large",
      { outputs: [{ name: "y", data: new NDArray(new Float64Array(3000), [3000], "float64") }] },
      false,
    ],
    ["a model name that is no string", {
      modelName: 5 as never,
      outputs: [{ name: "y", data: x }],
    }, false],
  ];
  for (const [what, response, raw] of cases) {
    const tensors = tensorsOf(response);
    strictEqual(encodeSmallInferResponse(response, tensors, raw), undefined, what);
    const useRaw = raw || tensors.some((t) => t.datatype === "FP16");
    deepStrictEqual(
      encodeModelInferResponse(response, raw),
      encodeInferResponseGeneral(response, tensors, useRaw),
      what,
    );
  }
});
