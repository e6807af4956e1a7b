/**
 * The V2 REST wire form as an {@link OipAdapter}: the request body (a JSON object, or with
 * Triton's binary tensor extension a JSON object followed by tensor bytes) → the request, and
 * the answer → its body (JSON, or JSON followed by the outputs asked for as binary).
 * @module
 */
import {
  BINARY_DATA,
  BINARY_DATA_OUTPUT,
  decodeBinaryRequest,
  encodeBinaryResponse,
} from "../oip/binary.ts";
import { encodeResponse } from "../oip/json.ts";
import { stringifyJson } from "../json.ts";
import type { InferenceRequest, InferenceResponse } from "../oip/types.ts";
import type { OipAdapter } from "./oip.ts";

/** An infer request's body as the REST transport read it. */
export interface RestInferBody {
  readonly bytes: Uint8Array;
  /** `Inference-Header-Content-Length` as sent (binary extension), else `null`. */
  readonly headerLength: string | null;
}

/** An infer answer as the REST transport sends it. */
export interface RestInferAnswer {
  /**
   * The JSON object, then (binary answers) each binary output's bytes, in output order; empty
   * when {@link text} is the answer.
   */
  readonly parts: readonly Uint8Array[];
  /** A JSON-only answer (no output asked for as binary): its text, not encoded to bytes. */
  readonly text?: string;
  /** Set for a binary answer: its `Inference-Header-Content-Length`. */
  readonly headerLength?: number;
}

/** V2 over REST. */
export const OIP_REST: OipAdapter = {
  decodeInfer(raw: unknown): InferenceRequest {
    const { bytes, headerLength } = raw as RestInferBody;
    return decodeBinaryRequest(bytes, headerLength);
  },
  encodeInfer(response: InferenceResponse, request: InferenceRequest): RestInferAnswer {
    if (!mayWantBinary(request)) {
      return { parts: [], text: stringifyJson(encodeResponse(response)) };
    }
    const answer = encodeBinaryResponse(response, request);
    if (answer.bytes.length === 0) return { parts: [answer.json] };
    return { parts: [answer.json, ...answer.bytes], headerLength: answer.headerLength };
  },
};

/**
 * False when no output can be answered as binary data (neither `binary_data_output` nor an
 * output's `binary_data` is `true`): the answer is then the JSON object alone.
 */
export function mayWantBinary(request: InferenceRequest): boolean {
  if (request.parameters?.[BINARY_DATA_OUTPUT] === true) return true;
  const outputs = request.outputs;
  if (outputs === undefined) return false;
  for (let i = 0; i < outputs.length; i++) {
    if (outputs[i].parameters?.[BINARY_DATA] === true) return true;
  }
  return false;
}
