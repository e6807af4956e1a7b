/**
 * The V2 REST adapter answers a request that asks for no binary output with the JSON text itself
 * (not encoded to bytes): the same text the binary-extension encoder writes, on random requests
 * and responses of every datatype; any request that may want a binary output still takes the
 * binary encoder.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  mayWantBinary,
  OIP_REST,
  type RestInferAnswer,
} from "../../../../src/protocol/adapters/oip_rest.ts";
import { binaryOutputWanted, encodeBinaryResponse } from "../../../../src/protocol/oip/binary.ts";
import { outputTensor } from "../../../../src/protocol/oip/tensor.ts";
import type {
  InferenceRequest,
  InferenceResponse,
  Parameters,
} from "../../../../src/protocol/oip/types.ts";
import { seededRandom } from "../../../_helpers/random.ts";
import { SAMPLES } from "./_samples.ts";

const PARAMS: (Parameters | undefined)[] = [
  undefined,
  {},
  { binary_data_output: true },
  { binary_data_output: false },
  { binary_data_output: "true" },
  { binary_data_output: 1 },
  { other: true },
];
const OUTPUT_PARAMS: (Parameters | undefined)[] = [
  undefined,
  { binary_data: true },
  { binary_data: false },
  { binary_data: 1 },
  { x: "y" },
];

function randomPair(r: () => number): [InferenceRequest, InferenceResponse] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const outputs = Array.from({ length: Math.floor(r() * 4) }, (_, i) => {
    const s = pick(SAMPLES);
    const t = outputTensor({ name: `o${i}`, datatype: s.datatype, shape: s.shape, data: s.values });
    return { name: t.name, data: t.data, ...(r() < 0.2 ? { parameters: { p: i } } : {}) };
  });
  const asked = r() < 0.5 ? undefined : outputs.filter(() => r() < 0.7).map((o) => {
    const parameters = pick(OUTPUT_PARAMS);
    return parameters === undefined ? { name: o.name } : { name: o.name, parameters };
  });
  const parameters = pick(PARAMS);
  const request: InferenceRequest = {
    inputs: [],
    ...(parameters === undefined ? {} : { parameters }),
    ...(asked === undefined ? {} : { outputs: asked }),
  };
  const response: InferenceResponse = {
    modelName: "m",
    ...(r() < 0.5 ? { id: pick(["", "id", "é☃"]) } : {}),
    ...(r() < 0.3 ? { modelVersion: "2" } : {}),
    ...(r() < 0.2 ? { parameters: { tag: "x", n: 1.5 } } : {}),
    outputs,
  };
  return [request, response];
}

Deno.test("a JSON-only answer is the binary encoder's text (2,000 random pairs)", () => {
  const r = seededRandom(1515);
  const decoder = new TextDecoder();
  let texts = 0;
  for (let i = 0; i < 2000; i++) {
    const [request, response] = randomPair(r);
    const general = encodeBinaryResponse(response, request);
    const answer = OIP_REST.encodeInfer(response, request, undefined) as RestInferAnswer;
    if (!mayWantBinary(request)) {
      const wanted = binaryOutputWanted(request);
      ok(response.outputs.every((o) => !wanted(o.name)), `pair ${i}`);
    }
    if (answer.text !== undefined) {
      texts++;
      strictEqual(general.bytes.length, 0, `pair ${i}`);
      strictEqual(answer.text, decoder.decode(general.json), `pair ${i}`);
      deepStrictEqual(answer.parts, []);
      strictEqual(answer.headerLength, undefined);
    } else {
      ok(mayWantBinary(request), `pair ${i}`);
      deepStrictEqual(
        answer.parts,
        general.bytes.length === 0 ? [general.json] : [
          general.json,
          ...general.bytes,
        ],
      );
    }
  }
  ok(texts > 800 && texts < 1900, `texts ${texts}`);
});
