/**
 * Reading a V2 infer request's body: under the REST size limit and `--body-timeout`, a body over
 * the limit answered 413 with the V2 error body.
 * @module
 */
import { OipError } from "../protocol/oip/errors.ts";
import { type BodyLimits, isTooLarge, readBody } from "./body.ts";

/** The 413 of a body over `limit` bytes. */
export function bodyTooLarge(limit: number): OipError {
  return new OipError(413, `the request body is larger than the server's limit of ${limit} bytes`);
}

/** The body of a V2 infer request (throws an `OipError` 413 over the limit). */
export async function readInferBody(
  req: Request,
  limits: BodyLimits,
): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await readBody(req, limits);
  } catch (err) {
    throw isTooLarge(err) ? bodyTooLarge(limits.limit) : err;
  }
}
