/**
 * Triton's binary tensor data extension for V2 REST: a body is a JSON object of
 * `Inference-Header-Content-Length` bytes followed by tensor bytes (inputs with a
 * `binary_data_size` parameter, in input order); outputs asked for as binary (`binary_data` on
 * the output, or `binary_data_output` on the request for every output that does not say
 * otherwise) are answered the same way. Layout in `raw.ts`.
 * @module
 */
import { stringifyJson } from "../json.ts";
import { OipError } from "./errors.ts";
import { BINARY_DATA_SIZE, decodeRequestText, encodeResponse } from "./json.ts";
import { tensorToBytes } from "./raw.ts";
import type { InferenceRequest, InferenceResponse } from "./types.ts";

/** The header giving the JSON object's byte length. */
export const HEADER_LENGTH = "Inference-Header-Content-Length";

/** Request parameter: answer every output as binary data. */
export const BINARY_DATA_OUTPUT = "binary_data_output";

/** Requested-output parameter: answer this output as binary data (or not). */
export const BINARY_DATA = "binary_data";

/** A body split at the header length: the JSON object's bytes and the tensor bytes after it. */
export interface BinaryBody {
  /** The JSON object's bytes. */
  readonly header: Uint8Array;
  /** The bytes after it. */
  readonly tensors: Uint8Array;
}

/**
 * Splits `body` after its first `headerLength` bytes (the header's value as sent, a string, or
 * a number). A value that is not a non-negative integer, or more than the body holds, is a 400.
 */
export function splitBinaryBody(body: Uint8Array, headerLength: string | number): BinaryBody {
  const text = String(headerLength).trim();
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new OipError(400, `${HEADER_LENGTH} must be a non-negative integer, got '${text}'`);
  }
  if (n > body.length) {
    throw new OipError(
      400,
      `${HEADER_LENGTH} is ${n} but the body has only ${body.length} bytes`,
    );
  }
  return { header: body.subarray(0, n), tensors: body.subarray(n) };
}

/** The tensor bytes of a body without the header (shared: a fresh buffer costs ~0.65 µs). */
const NO_TENSORS = new Uint8Array(0);

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const UTF8_LOSSY = new TextDecoder("utf-8");

/**
 * Strict UTF-8 decoding (throws on invalid bytes), fast for valid input: Deno decodes a
 * non-fatal `TextDecoder` in one native call, the fatal one through a slower generic path. Text
 * without U+FFFD is exactly what the strict decoder gives; only then is the strict one needed.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  const text = UTF8_LOSSY.decode(bytes);
  return text.includes("\uFFFD") ? UTF8.decode(bytes) : text;
}

/**
 * A whole V2 infer body into an {@link InferenceRequest}: with `headerLength` (the
 * `Inference-Header-Content-Length` header, when sent) the JSON object is that many bytes and
 * binary inputs read the bytes after it (views, not copies, when aligned); without it, the body
 * is all JSON. Invalid UTF-8 or JSON is a 400.
 */
export function decodeBinaryRequest(
  body: Uint8Array,
  headerLength?: string | number | null,
): InferenceRequest {
  const { header, tensors } = headerLength === undefined || headerLength === null
    ? { header: body, tensors: NO_TENSORS }
    : splitBinaryBody(body, headerLength);
  let text: string;
  try {
    text = decodeUtf8Strict(header);
  } catch {
    throw new OipError(400, "the request's JSON is not valid UTF-8");
  }
  return decodeRequestText(text, tensors);
}

/**
 * Which outputs `request` wants as binary data: an output's own `binary_data` parameter, else
 * the request's `binary_data_output`, else none.
 */
export function binaryOutputWanted(request: InferenceRequest): (name: string) => boolean {
  const all = request.parameters?.[BINARY_DATA_OUTPUT] === true;
  const own = new Map<string, boolean>();
  for (const o of request.outputs ?? []) {
    const v = o.parameters?.[BINARY_DATA];
    if (typeof v === "boolean") own.set(o.name, v);
  }
  return (name) => own.get(name) ?? all;
}

/** A V2 answer body: the JSON object's bytes, then the binary outputs' bytes. */
export interface BinaryAnswer {
  /** The JSON object, UTF-8. */
  readonly json: Uint8Array;
  /** Bytes of the binary outputs, in output order (empty: a plain JSON answer). */
  readonly bytes: readonly Uint8Array[];
  /** `json`'s byte length: the `Inference-Header-Content-Length` to send when `bytes` is not empty. */
  readonly headerLength: number;
}

const ENCODER = new TextEncoder();

/**
 * An {@link InferenceResponse} as the body of a REST answer: outputs `request` wants as binary
 * carry `binary_data_size` and their bytes follow the JSON object in output order (views of the
 * arrays' memory where possible); the others are JSON `data`. With no binary output the body is
 * the JSON object alone (send no header then).
 */
export function encodeBinaryResponse(
  response: InferenceResponse,
  request: InferenceRequest,
): BinaryAnswer {
  const wanted = binaryOutputWanted(request);
  const bytes: Uint8Array[] = [];
  const object = encodeResponse(response, (tensor) => {
    if (!wanted(tensor.name)) return undefined;
    const b = tensorToBytes(tensor);
    bytes.push(b);
    return b;
  });
  const json = ENCODER.encode(stringifyJson(object));
  return { json, bytes, headerLength: json.length };
}

/** Re-exported for the routes: the parameter naming an input's byte count. */
export { BINARY_DATA_SIZE };
