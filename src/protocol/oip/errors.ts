/**
 * The Open Inference Protocol's error value: a status the REST transport answers with
 * (`{"error": message}`) and the gRPC transport maps to a code (see {@link grpcCodeOf}).
 * @module
 */
import { truncateText } from "../../error_text.ts";

/**
 * The longest V2 error text, in characters: the texts repeat parts of the request (names,
 * datatypes, shapes, values), so a huge part must not make a larger answer; kept below what a
 * gRPC status may carry (`grpc-message`, 64 KiB percent-encoded) for ASCII texts.
 */
export const MESSAGE_CAP = 16 * 1024;

const OIP_ERROR = Symbol.for("seldon.ts.OipError");

/**
 * HTTP statuses of V2 errors: a bad request, an unknown model, a body too large, a content
 * coding the server does not decode, a failure.
 */
export type OipStatus = 400 | 404 | 413 | 415 | 500;

/** A V2 error with its HTTP status; thrown by the codecs (400) and the data plane. */
export class OipError extends Error {
  /** HTTP status of the answer. */
  readonly status: OipStatus;

  /**
   * `message` is the answer's `error` text, cut at {@link MESSAGE_CAP} characters (with a
   * ` ... [truncated, N characters]` marker).
   */
  constructor(status: OipStatus, message: string) {
    super(truncateText(message, MESSAGE_CAP));
    this.name = "OipError";
    this.status = status;
    Object.defineProperty(this, OIP_ERROR, { value: true });
  }

  /** True for an OipError from any copy of this module. */
  static isOipError(x: unknown): x is OipError {
    return typeof x === "object" && x !== null &&
      (x as Record<symbol, unknown>)[OIP_ERROR] === true;
  }
}

/** A 400 error: the request is malformed. */
export function badRequest(message: string): OipError {
  return new OipError(400, message);
}

/**
 * gRPC status codes of the statuses (`INVALID_ARGUMENT`, `NOT_FOUND`, `RESOURCE_EXHAUSTED`,
 * `INVALID_ARGUMENT`, `INTERNAL`).
 */
export const GRPC_CODES: Readonly<Record<OipStatus, number>> = {
  400: 3,
  404: 5,
  413: 8,
  415: 3,
  500: 13,
};

/** The gRPC status code of an HTTP status: 400 → 3, 404 → 5, anything else → 13. */
export function grpcCodeOf(status: number): number {
  return status === 400 ? 3 : status === 404 ? 5 : 13;
}
