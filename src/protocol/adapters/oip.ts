/**
 * The seam between a transport and the data plane for the Open Inference Protocol (V2): the
 * transport hands the data plane an {@link OipAdapter} that decodes what it received into an
 * {@link InferenceRequest} and encodes the {@link InferenceResponse} back into its wire form
 * (REST JSON or binary tensors, gRPC `contents` or `raw_*_contents`).
 * @module
 */
import type { InferenceRequest, InferenceResponse } from "../oip/types.ts";

/** One V2 wire form as the data plane sees it. */
export interface OipAdapter {
  /** What the transport received → the request (throws an `OipError` 400 when unusable). */
  decodeInfer(raw: unknown): InferenceRequest;
  /** The answer → as this wire form sends it; `raw` is what {@link decodeInfer} was given. */
  encodeInfer(response: InferenceResponse, request: InferenceRequest, raw: unknown): unknown;
}
