/**
 * Comparing a direct protobuf codec with the generic one (`src/protocol/proto/codec.ts`): the
 * decoded message as text, a message placed at any offset, the generic decoder's answer.
 * @module
 */
import { decodeMessage } from "../../src/protocol/proto/codec.ts";

/** A decoded message as text that keeps key order and tells -0 from 0. */
export function messageText(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (Object.is(x, -0) ? "-0!" : x));
}

/** `bytes` copied to offset `at` of a larger buffer (a grpc-js message sits anywhere). */
export function placed(bytes: Uint8Array, at: number): Uint8Array {
  const room = new Uint8Array(bytes.length + at + 3);
  room.set(bytes, at);
  return room.subarray(at, at + bytes.length);
}

/** The generic decoder's `SeldonMessage` of `bytes` as {@link messageText}, or "throws". */
export function genericText(bytes: Uint8Array): string {
  try {
    return messageText(decodeMessage("SeldonMessage", bytes));
  } catch {
    return "throws";
  }
}
