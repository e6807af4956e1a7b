/**
 * The V2 gRPC wire form as an {@link OipAdapter}: a decoded `ModelInferRequest` (`contents`
 * or `raw_input_contents`) → the request; the answer → `ModelInferResponse` bytes, with
 * `raw_output_contents` when the request used raw inputs, else `contents`.
 * @module
 */
import { type DecodedInferRequest, encodeModelInferResponse } from "../oip/proto.ts";
import type { InferenceRequest, InferenceResponse } from "../oip/types.ts";
import type { OipAdapter } from "./oip.ts";

/** V2 over gRPC; `raw` is the {@link DecodedInferRequest} the transport decoded. */
export const OIP_GRPC: OipAdapter = {
  decodeInfer(raw: unknown): InferenceRequest {
    return (raw as DecodedInferRequest).request;
  },
  encodeInfer(response: InferenceResponse, _request: InferenceRequest, raw: unknown): Uint8Array {
    return encodeModelInferResponse(response, (raw as DecodedInferRequest).raw);
  },
};
