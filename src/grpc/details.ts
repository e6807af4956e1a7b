/**
 * A status's details as grpc-js can send them. grpc-js writes them percent-encoded
 * (`encodeURI`) in the `grpc-message` trailer: a lone surrogate makes `encodeURI` throw inside
 * grpc-js, an unhandled rejection that ends the process, and a trailer of more than ~75 KB is
 * not sent at all (the client's whole connection is reset, every call on it `CANCELLED`). Both
 * can come from a model's exception text or from a request a text repeats.
 * @module
 */
import { truncateText } from "../error_text.ts";

/** The longest `grpc-message` sent, in bytes once percent-encoded. */
export const MAX_DETAILS_BYTES = 64 * 1024;

/** `encodeURI` writes one UTF-16 unit as at most this many characters (`%E2%82%AC`). */
const MAX_EXPANSION = 9;

/**
 * `details` as they can be sent: lone surrogates replaced by U+FFFD, and cut (never inside a
 * surrogate pair) with a ` ... [truncated, N characters]` marker when the percent-encoded text
 * would pass {@link MAX_DETAILS_BYTES}. Anything shorter is returned unchanged.
 */
export function sendableDetails(details: string): string {
  const text = details.isWellFormed() ? details : details.toWellFormed();
  if (text.length * MAX_EXPANSION <= MAX_DETAILS_BYTES) return text;
  if (encodeURI(text).length <= MAX_DETAILS_BYTES) return text;
  // The longest cut whose encoding fits (the encoded length grows with the cut).
  let lo = 0;
  let hi = Math.min(text.length - 1, MAX_DETAILS_BYTES);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encodeURI(truncateText(text, mid)).length <= MAX_DETAILS_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return truncateText(text, lo);
}

/** A status with its details made {@link sendableDetails}. */
export function sendableStatus<T extends { details?: string }>(status: T): T {
  return status.details === undefined
    ? status
    : { ...status, details: sendableDetails(status.details) };
}
