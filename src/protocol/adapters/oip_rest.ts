/**
 * The V2 REST wire form as an {@link OipAdapter}: the request body (a JSON object, or with
 * Triton's binary tensor extension a JSON object followed by tensor bytes) → the request, and
 * the answer → its body (JSON, or JSON followed by the outputs asked for as binary).
 * @module
 */
import { decodeBinaryRequest, encodeBinaryResponse } from "../oip/binary.ts";
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
  /** The JSON object, then (binary answers) each binary output's bytes, in output order. */
  readonly parts: readonly Uint8Array[];
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
    const answer = encodeBinaryResponse(response, request);
    if (answer.bytes.length === 0) return { parts: [answer.json] };
    return { parts: [answer.json, ...answer.bytes], headerLength: answer.headerLength };
  },
};
