/**
 * STUB until wt-oipcore's errors.ts lands: the Open Inference Protocol's error value.
 * @module
 */

/** An Open Inference Protocol error: the HTTP status it is answered with and its message. */
export class OipError extends Error {
  /** 400 bad request, 404 unknown model, 500 server or model failure. */
  readonly status: 400 | 404 | 500;

  /** `message` becomes `{"error": message}` (REST) or the gRPC status details. */
  constructor(status: 400 | 404 | 500, message: string) {
    super(message);
    this.name = "OipError";
    this.status = status;
  }
}
