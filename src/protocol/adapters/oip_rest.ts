/**
 * The V2 REST wire form as an {@link OipAdapter}: the request body (a JSON object, or with
 * Triton's binary tensor extension a JSON object followed by tensor bytes) → the request, and
 * the answer → its body (binary when the request asks for binary outputs).
 * @module
 */
import { OipError } from "../oip/errors.ts";
import { decodeJsonRequest, encodeJsonResponse } from "../oip/stub_codec.ts";
import type { InferenceRequest, InferenceResponse } from "../oip/types.ts";
import { parseJson, stringifyJson } from "../json.ts";
import type { OipAdapter } from "./oip.ts";

/** An infer request's body as the REST transport read it. */
export interface RestInferBody {
  readonly bytes: Uint8Array;
  /** `Inference-Header-Content-Length`: the JSON object's byte length (binary extension). */
  readonly headerLength?: number;
}

/** An infer answer as the REST transport sends it. */
export interface RestInferAnswer {
  readonly body: string | Uint8Array;
  /** Set for a binary answer: its `Inference-Header-Content-Length`. */
  readonly headerLength?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses the JSON object at the start of `bytes` (400 when it is not one). */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(utf8.decode(bytes));
  } catch {
    throw new OipError(400, "The request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new OipError(400, "The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** V2 over REST. */
export const OIP_REST: OipAdapter = {
  decodeInfer(raw: unknown): InferenceRequest {
    const { bytes, headerLength } = raw as RestInferBody;
    if (headerLength !== undefined) {
      throw new OipError(400, "Binary tensor data is not supported yet");
    }
    return decodeJsonRequest(parseJsonObject(bytes));
  },
  encodeInfer(response: InferenceResponse): RestInferAnswer {
    return { body: stringifyJson(encodeJsonResponse(response)) };
  },
};
