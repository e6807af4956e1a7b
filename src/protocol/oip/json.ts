/**
 * The V2 REST JSON forms (inference_rest.md): an inference request object, already parsed (with
 * `parseJson`, so integers beyond ±2^53 are exact `bigint`s), into an {@link InferenceRequest};
 * an {@link InferenceResponse} into the answer object (write it with `stringifyJson`, which
 * writes `bigint`s as exact integer tokens). Inputs using the binary tensor data extension
 * (`binary_data_size`) read their bytes from `binary` (see `binary.ts`).
 * @module
 */
import { parseJson } from "../json.ts";
import type { NDArray } from "../ndarray.ts";
import { OipError } from "./errors.ts";
import { tensorFromBytes } from "./raw.ts";
import {
  checkDatatype,
  checkDistinctOutputs,
  checkRequestedOutput,
  checkShape,
  flattenData,
  outputTensor,
  tensorFromValues,
  type WireTensor,
} from "./tensor.ts";
import type {
  InferenceInput,
  InferenceRequest,
  InferenceResponse,
  ModelMetadata,
  Parameters,
  ParameterValue,
  RequestedOutput,
} from "./types.ts";

/** The parameter giving an input's (or output's) byte count in the binary data. */
export const BINARY_DATA_SIZE = "binary_data_size";

const EMPTY = new Uint8Array(0);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** A `parameters` object checked: values string, number, boolean (or exact big integer). */
export function decodeParameters(where: string, value: unknown): Parameters | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new OipError(400, `${where}: parameters must be an object`);
  for (const [k, v] of Object.entries(value)) {
    const t = typeof v;
    if (t !== "string" && t !== "number" && t !== "boolean" && t !== "bigint") {
      throw new OipError(
        400,
        `${where}: parameter '${k}' must be a string, number or boolean, got ` +
          (v === null ? "null" : Array.isArray(v) ? "a list" : t),
      );
    }
  }
  return value as Record<string, ParameterValue>;
}

/**
 * A V2 inference request object into an {@link InferenceRequest}: inputs checked (name,
 * datatype, shape against the element count, every value against the datatype); `data` flat or
 * nested (row-major); inputs with a `binary_data_size` parameter take that many bytes of
 * `binary`, in input order, and every byte must be used. Throws {@link OipError} 400.
 */
export function decodeRequest(value: unknown, binary: Uint8Array = EMPTY): InferenceRequest {
  if (!isObject(value)) throw new OipError(400, "the request must be a JSON object");
  const id = value.id;
  if (id !== undefined && id !== null && typeof id !== "string") {
    throw new OipError(400, "the request's id must be a string");
  }
  const parameters = decodeParameters("the request", value.parameters);
  const rawInputs = value.inputs;
  if (!Array.isArray(rawInputs)) {
    throw new OipError(400, "the request must have 'inputs', a list of tensors");
  }
  const inputs: InferenceInput[] = [];
  const names = new Set<string>();
  let pos = 0;
  for (let i = 0; i < rawInputs.length; i++) {
    const t = rawInputs[i];
    if (!isObject(t)) throw new OipError(400, `input ${i} must be an object`);
    if (typeof t.name !== "string") throw new OipError(400, `input ${i} must have a string 'name'`);
    const where = `input '${t.name}'`;
    if (names.has(t.name)) throw new OipError(400, `${where} is given twice`);
    names.add(t.name);
    const datatype = checkDatatype(where, t.datatype);
    const shape = checkShape(where, t.shape);
    let params = decodeParameters(where, t.parameters);
    const size = params?.[BINARY_DATA_SIZE];
    let data: NDArray;
    if (size !== undefined) {
      if (t.data !== undefined) {
        throw new OipError(400, `${where} has both 'data' and '${BINARY_DATA_SIZE}'`);
      }
      if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
        throw new OipError(400, `${where}: ${BINARY_DATA_SIZE} must be a non-negative integer`);
      }
      if (pos + size > binary.length) {
        throw new OipError(
          400,
          `${where}: ${BINARY_DATA_SIZE} is ${size} but only ${binary.length - pos} bytes of ` +
            `binary data are left after the JSON header`,
        );
      }
      data = tensorFromBytes(where, datatype, shape, binary.subarray(pos, pos + size));
      pos += size;
      const { [BINARY_DATA_SIZE]: _, ...rest } = params!;
      params = Object.keys(rest).length > 0 ? rest : undefined;
    } else {
      if (t.data === undefined) throw new OipError(400, `${where} has no 'data'`);
      data = tensorFromValues(where, datatype, shape, flattenData(where, t.data));
    }
    inputs.push(
      params === undefined
        ? { name: t.name, datatype, shape, data }
        : { name: t.name, datatype, shape, parameters: params, data },
    );
  }
  if (pos !== binary.length) {
    throw new OipError(
      400,
      `${binary.length} bytes of binary data follow the JSON header but the inputs' ` +
        `${BINARY_DATA_SIZE} add up to ${pos}`,
    );
  }
  const out: { -readonly [K in keyof InferenceRequest]: InferenceRequest[K] } = { inputs };
  if (typeof id === "string") out.id = id;
  if (parameters !== undefined) out.parameters = parameters;
  const outputs = decodeRequestedOutputs(value.outputs);
  if (outputs !== undefined) out.outputs = outputs;
  return out;
}

/**
 * A V2 request body's JSON text into an {@link InferenceRequest} (see {@link decodeRequest};
 * `binary`: the bytes after the JSON header). The native `JSON.parse` does the work; the text is
 * parsed again with `parseJson` (exact big integers, `NaN` / `Infinity`) only when it fails or
 * when an INT64/UINT64 value or a parameter is an integer beyond ±2^53. Invalid JSON is a 400.
 */
export function decodeRequestText(text: string, binary: Uint8Array = EMPTY): InferenceRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value === undefined || needsExactIntegers(value)) {
    try {
      value = parseJson(text);
    } catch (err) {
      throw new OipError(400, `the request's JSON is not valid: ${(err as Error).message}`);
    }
  }
  return decodeRequest(value, binary);
}

const unsafe = (v: unknown) =>
  typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v);

function unsafeParameter(p: unknown): boolean {
  return isObject(p) && Object.values(p).some(unsafe);
}

/** True when a parsed request holds an integer `JSON.parse` may have rounded where it matters. */
function needsExactIntegers(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (unsafeParameter(value.parameters)) return true;
  for (const list of [value.inputs, value.outputs]) {
    if (!Array.isArray(list)) continue;
    for (const t of list) {
      if (!isObject(t)) continue;
      if (unsafeParameter(t.parameters)) return true;
      if ((t.datatype === "INT64" || t.datatype === "UINT64") && anyUnsafe(t.data, 0)) return true;
    }
  }
  return false;
}

function anyUnsafe(data: unknown, depth: number): boolean {
  if (!Array.isArray(data)) return unsafe(data);
  if (depth > 32) return false;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Array.isArray(v) ? anyUnsafe(v, depth + 1) : unsafe(v)) return true;
  }
  return false;
}

function decodeRequestedOutputs(value: unknown): RequestedOutput[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new OipError(400, "the request's 'outputs' must be a list");
  const outputs = value.map((o, i): RequestedOutput => {
    if (!isObject(o) || typeof o.name !== "string") {
      throw new OipError(400, `requested output ${i} must be an object with a string 'name'`);
    }
    const parameters = decodeParameters(`requested output '${o.name}'`, o.parameters);
    checkRequestedOutput(o.name, parameters);
    return parameters === undefined ? { name: o.name } : { name: o.name, parameters };
  });
  checkDistinctOutputs(outputs);
  return outputs;
}

const UTF8 = new TextDecoder();

/**
 * A tensor's values as a flat JSON list: numbers, booleans for BOOL, INT64/UINT64 as numbers
 * when within ±2^53 and exact `bigint`s beyond, BYTES as strings (bytes decoded as UTF-8).
 */
export function jsonValues(tensor: WireTensor): unknown[] {
  const data = tensor.data.data;
  const n = data.length;
  const out: unknown[] = new Array(n);
  switch (tensor.datatype) {
    case "BOOL":
      for (let i = 0; i < n; i++) out[i] = Boolean(data[i]);
      return out;
    case "BYTES":
      for (let i = 0; i < n; i++) {
        const v = data[i];
        out[i] = typeof v === "string" ? v : UTF8.decode(v as Uint8Array);
      }
      return out;
    case "INT64":
    case "UINT64":
      for (let i = 0; i < n; i++) {
        const v = data[i] as number | bigint;
        out[i] = typeof v === "bigint" && v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
      }
      return out;
    default:
      for (let i = 0; i < n; i++) out[i] = data[i];
      return out;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * Gives the raw bytes of an output answered as binary data, or `undefined` to answer it in
 * JSON.
 */
export type BinaryOutputs = (tensor: WireTensor, index: number) => Uint8Array | undefined;

/**
 * An {@link InferenceResponse} (model name and id already filled) into the V2 answer object:
 * `model_name`, `model_version`, `id`, `parameters`, `outputs[{name, datatype, shape,
 * parameters, data}]`. Each output is checked and normalised (`outputTensor`: a wrong one is a
 * 500). An output `binary` gives bytes for carries `binary_data_size` instead of `data`.
 */
export function encodeResponse(
  response: InferenceResponse,
  binary?: BinaryOutputs,
): Record<string, unknown> {
  const out: Record<string, unknown> = { model_name: response.modelName ?? "" };
  if (response.modelVersion !== undefined) out.model_version = response.modelVersion;
  if (response.id !== undefined) out.id = response.id;
  if (response.parameters !== undefined) out.parameters = response.parameters;
  if (!Array.isArray(response.outputs)) {
    throw new OipError(500, "the model's answer has no 'outputs' list");
  }
  out.outputs = response.outputs.map((o, i) => {
    const t = outputTensor(o);
    // A plain copy of the shape: a frozen array sends JSON.stringify down its slow path (3× on 1M values).
    const tensor: Record<string, unknown> = {
      name: t.name,
      datatype: t.datatype,
      shape: [...t.shape],
    };
    const bytes = binary?.(t, i);
    if (bytes !== undefined) {
      tensor.parameters = { ...t.parameters, [BINARY_DATA_SIZE]: bytes.length };
    } else {
      if (t.parameters !== undefined) tensor.parameters = t.parameters;
      tensor.data = jsonValues(t);
    }
    return tensor;
  });
  return out;
}

/**
 * Model metadata as `GET /v2/models/{name}` answers it: model-level parameters also as
 * `properties`, the name open_inference_rest.yaml (and gRPC's `ModelMetadataResponse`) gives
 * them, values as strings; `parameters` stays for clients that read MLServer's name.
 */
export function encodeModelMetadata(meta: ModelMetadata): Record<string, unknown> {
  const { parameters, ...rest } = meta;
  if (parameters === undefined) return rest;
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(parameters)) properties[k] = String(v);
  return { ...rest, properties, parameters };
}
