/**
 * Errors of V2 calls as each transport answers them: REST an HTTP status with
 * `{"error": "<message>"}` (inference_rest.md), gRPC a status code with the message.
 * @module
 */
import { errorText } from "../../error_text.ts";
import { SeldonMicroserviceException } from "../errors.ts";
import { OipError } from "../oip/errors.ts";
import type { GrpcErrorAnswer, HttpErrorAnswer } from "./adapter.ts";

/**
 * The HTTP status of an error: an `OipError`'s, a user exception's own `statusCode`, else 500
 * (a model failure).
 */
export function oipStatus(err: unknown): number {
  if (OipError.isOipError(err)) return err.status;
  if (SeldonMicroserviceException.isSeldonError(err)) return err.statusCode;
  return 500;
}

/** An error as a V2 REST answer. */
export function oipHttpError(err: unknown): HttpErrorAnswer {
  return { status: oipStatus(err), body: { error: errorText(err) } };
}

/** gRPC status codes (grpc's `StatusCode` numbers). */
export const GRPC_CODE = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNKNOWN: 2,
} as const;

/**
 * An error as a V2 gRPC status: 400 → `INVALID_ARGUMENT`, 404 → `NOT_FOUND`, 503 →
 * `UNAVAILABLE`, the server's own failures (`OipError` 500) → `INTERNAL`, anything else a
 * model threw → `UNKNOWN` (as grpcio answers an exception of a servicer).
 */
export function oipGrpcError(err: unknown): GrpcErrorAnswer {
  const details = errorText(err);
  const status = oipStatus(err);
  if (status === 400) return { code: GRPC_CODE.INVALID_ARGUMENT, details };
  if (status === 404) return { code: GRPC_CODE.NOT_FOUND, details };
  if (status === 503) return { code: GRPC_CODE.UNAVAILABLE, details };
  if (OipError.isOipError(err)) return { code: GRPC_CODE.INTERNAL, details };
  return { code: GRPC_CODE.UNKNOWN, details };
}
