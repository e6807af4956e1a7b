/**
 * The Seldon error values. A thrown {@link SeldonMicroserviceException} carries the HTTP status
 * and the reason that the REST transport renders as
 * `{"status":{"code":-1,"info":<message>,"reason":<reason>,"status":1}}`; gRPC maps every one of
 * them to `UNKNOWN` (server.md §5). Any other thrown value is an internal error (HTTP 500,
 * reason `MICROSERVICE_INTERNAL_ERROR`).
 *
 * Brands use `Symbol.for` so that two copies of this module (a user importing `mod.ts` by URL
 * and the server by path) still recognise each other's errors.
 * @module
 */

const SELDON_ERROR = Symbol.for("seldon.ts.SeldonMicroserviceException");
const NOT_IMPLEMENTED = Symbol.for("seldon.ts.SeldonNotImplementedError");

/** Options of {@link SeldonMicroserviceException}. */
export interface SeldonErrorOptions {
  /** HTTP status of the REST answer (default 400). */
  statusCode?: number;
  /** `reason` of the error body (default `MICROSERVICE_BAD_DATA`). */
  reason?: string;
}

/** An error with an HTTP status and a Seldon reason; throw it from a hook to answer with it. */
export class SeldonMicroserviceException extends Error {
  /** HTTP status code of the REST response. */
  readonly statusCode: number;
  /** The `reason` string of the error body. */
  readonly reason: string;

  /** `message` becomes the body's `info`; `statusCode` defaults to 400, `reason` to `MICROSERVICE_BAD_DATA`. */
  constructor(message: string, options: SeldonErrorOptions = {}) {
    super(message);
    this.name = "SeldonMicroserviceException";
    this.statusCode = options.statusCode ?? 400;
    this.reason = options.reason ?? "MICROSERVICE_BAD_DATA";
    Object.defineProperty(this, SELDON_ERROR, { value: true });
  }

  /** True for any Seldon exception, from any copy of this module. */
  static isSeldonError(x: unknown): x is SeldonMicroserviceException {
    try {
      return typeof x === "object" && x !== null &&
        (x as Record<symbol, unknown>)[SELDON_ERROR] === true;
    } catch {
      return false; // a proxy whose `get` throws is not a Seldon error
    }
  }
}

/**
 * "This hook is absent": thrown by {@link BaseComponent}'s stubs; where server.md says so the
 * server then behaves as if the hook were not defined.
 */
export class SeldonNotImplementedError extends SeldonMicroserviceException {
  /** Status 400, reason `MICROSERVICE_BAD_DATA`, like upstream's `SeldonNotImplementedError`. */
  constructor(message = "not implemented") {
    super(message, { statusCode: 400, reason: "MICROSERVICE_BAD_DATA" });
    this.name = "SeldonNotImplementedError";
    Object.defineProperty(this, NOT_IMPLEMENTED, { value: true });
  }

  /** True for a not-implemented error from any copy of this module. */
  static isNotImplemented(x: unknown): x is SeldonNotImplementedError {
    try {
      return typeof x === "object" && x !== null &&
        (x as Record<symbol, unknown>)[NOT_IMPLEMENTED] === true;
    } catch {
      return false;
    }
  }
}

/** Shorthand for the common 400 `MICROSERVICE_BAD_DATA` error. */
export function badData(message: string): SeldonMicroserviceException {
  return new SeldonMicroserviceException(message);
}

/** A raw hook's result that cannot be turned into the response message (gRPC `INTERNAL`). */
export class SerializeError extends Error {
  constructor(message = "Failed to serialize response!") {
    super(message);
  }
}
