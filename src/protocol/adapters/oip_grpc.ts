/**
 * The V2 gRPC wire form as an {@link OipAdapter}: a `ModelInferRequest` decoded (`contents` or
 * `raw_input_contents`) → the request; the answer → `ModelInferResponse` bytes, with
 * `raw_output_contents` when the request used raw inputs, else `contents`.
 * @module
 */
import { OipError } from "../oip/errors.ts";
import type { InferenceRequest } from "../oip/types.ts";
import type { OipAdapter } from "./oip.ts";

/** A decoded `ModelInferRequest`: the model named and the request. */
export interface GrpcInferMessage {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly request: InferenceRequest;
  /** The request carried `raw_input_contents`. */
  readonly raw: boolean;
}

/** `ModelInferRequest` bytes → the message (OipError 400 when they do not decode). */
export function decodeInferMessage(_bytes: Uint8Array): GrpcInferMessage {
  throw new OipError(500, "ModelInfer is not available yet");
}

/** V2 over gRPC. */
export const OIP_GRPC: OipAdapter = {
  decodeInfer(raw: unknown): InferenceRequest {
    return (raw as GrpcInferMessage).request;
  },
  encodeInfer(): Uint8Array {
    throw new OipError(500, "ModelInfer is not available yet");
  },
};
