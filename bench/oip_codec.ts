/**
 * The V2 codecs alone on a 1,000,000-value FP32 tensor (no sockets): decode a request and encode
 * an answer via REST JSON, the REST binary tensor data extension, gRPC `raw_input_contents` and
 * gRPC `contents`; beside them, copying the 4 MB once. `deno run -A bench/oip_codec.ts [runs]`.
 */
import { parseJson, stringifyJson } from "../src/protocol/json.ts";
import { NDArray } from "../src/protocol/ndarray.ts";
import { decodeBinaryRequest, encodeBinaryResponse } from "../src/protocol/oip/binary.ts";
import { decodeRequestText, encodeResponse } from "../src/protocol/oip/json.ts";
import {
  decodeModelInferRequest,
  encodeModelInferRequest,
  encodeModelInferResponse,
} from "../src/protocol/oip/proto.ts";
import type { InferenceRequest } from "../src/protocol/oip/types.ts";
import { decodeJsonMessage } from "../src/protocol/payload.ts";
import { buildResponse, type ResponseContext } from "../src/protocol/response.ts";

const N = 1_000_000;
const runs = Number(Deno.args[0] ?? 15);
const values = new Float32Array(N);
for (let i = 0; i < N; i++) values[i] = Math.fround(Math.sin(i) * 100);
const tensor = new NDArray(values, [1000, 1000], "float32");
const request: InferenceRequest = {
  inputs: [{ name: "x", datatype: "FP32", shape: [1000, 1000], data: tensor }],
};
const enc = new TextEncoder();

// Wire forms of the request, built once.
const jsonText = stringifyJson({
  inputs: [{ name: "x", datatype: "FP32", shape: [1000, 1000], data: Array.from(values) }],
});
const headerOf = (pad: number) =>
  enc.encode(JSON.stringify({
    inputs: [{
      name: "x",
      datatype: "FP32",
      shape: [1000, 1000],
      parameters: { binary_data_size: N * 4 },
    }],
    parameters: { binary_data_output: true },
    id: "x".repeat(pad),
  }));
/** A binary body whose tensor bytes start at an offset ≡ `mod` (mod 4). */
function binaryBodyAt(mod: number): [Uint8Array, number] {
  let pad = 0;
  while (headerOf(pad).length % 4 !== mod) pad++;
  const header = headerOf(pad);
  const body = new Uint8Array(header.length + N * 4);
  body.set(header);
  body.set(new Uint8Array(values.buffer), header.length);
  return [body, header.length];
}
const [binaryBody, headerLength] = binaryBodyAt(2);
const [alignedBody, alignedLength] = binaryBodyAt(0);
const rawProto = encodeModelInferRequest({ modelName: "m", request }, true);
const contentsProto = encodeModelInferRequest({ modelName: "m", request }, false);

function median(f: () => unknown): number {
  for (let i = 0; i < 3; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const rows: [string, number, number, number][] = [];
const row = (name: string, size: number, decode: () => unknown, encode: () => unknown) =>
  rows.push([name, size, median(decode), median(encode)]);

const answer = { modelName: "m", outputs: [{ name: "y", data: tensor }] };
row(
  "REST JSON",
  jsonText.length,
  () => decodeRequestText(jsonText),
  () => enc.encode(stringifyJson(encodeResponse(answer))),
);
const binReq = decodeBinaryRequest(binaryBody, headerLength);
row(
  "REST binary extension, aligned (a view)",
  alignedBody.length,
  () => decodeBinaryRequest(alignedBody, alignedLength),
  () => encodeBinaryResponse(answer, binReq),
);
row(
  "REST binary extension, misaligned (a copy); encode: one body",
  binaryBody.length,
  () => decodeBinaryRequest(binaryBody, headerLength),
  () => {
    const a = encodeBinaryResponse(answer, binReq);
    const body = new Uint8Array(a.json.length + a.bytes[0].length); // one body, as sent
    body.set(a.json);
    body.set(a.bytes[0], a.json.length);
    return body;
  },
);
row(
  "gRPC raw_input_contents",
  rawProto.length,
  () => decodeModelInferRequest(rawProto),
  () => encodeModelInferResponse(answer, true),
);
row(
  "gRPC contents",
  contentsProto.length,
  () => decodeModelInferRequest(contentsProto),
  () => encodeModelInferResponse(answer, false),
);
// Seldon v1 JSON, the same values as `{"data":{"ndarray":[[…1000…] × 1000]}}`: parse and decode
// to X; build the mirrored answer and write it.
const v1Text = stringifyJson({
  data: {
    ndarray: Array.from(
      { length: 1000 },
      (_, i) => Array.from(values.subarray(i * 1000, (i + 1) * 1000)),
    ),
  },
});
const v1Request = parseJson(v1Text) as Record<string, unknown>;
const v1X = decodeJsonMessage(v1Request).X;
const v1Ctx: ResponseContext = {
  ref: v1Request,
  merge: undefined,
  puid: undefined,
  userTags: undefined,
  runtimeTags: undefined,
  metrics: [],
  ownPath: undefined,
  classNames: (n) => Array.from({ length: n }, (_, i) => `t:${i}`),
};
row(
  "Seldon v1 JSON ndarray (reference)",
  v1Text.length,
  () => decodeJsonMessage(parseJson(v1Text)),
  () => enc.encode(stringifyJson(buildResponse(v1X, v1Ctx, "json"))),
);
row("copy 4 MB (reference)", N * 4, () => new Uint8Array(binaryBody), () => values.slice());

// The decoded values are right, and the aligned ones are views.
const view = decodeBinaryRequest(alignedBody, alignedLength).inputs[0].data.data as Float32Array;
if (view.buffer !== alignedBody.buffer) throw new Error("expected a view");
const copy = decodeBinaryRequest(binaryBody, headerLength).inputs[0].data.data as Float32Array;
if (copy[12345] !== values[12345] || view[12345] !== values[12345]) throw new Error("wrong value");

console.log(`1,000,000 FP32 values, median of ${runs} runs (ms)`);
console.log("| path | request bytes | decode | encode |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name, size, d, e] of rows) {
  console.log(`| ${name} | ${size.toLocaleString("en")} | ${d.toFixed(2)} | ${e.toFixed(2)} |`);
}
