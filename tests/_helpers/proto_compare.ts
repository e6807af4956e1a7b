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

/**
 * A random `SeldonMessage` the direct codecs take: maybe an empty `meta`, maybe a `data` with
 * up to 64 ASCII names (some frozen), whose payload `payload` adds (nine times in ten).
 */
export function randomSmallMessage(
  r: () => number,
  payload: (data: Record<string, unknown>) => void,
): Record<string, unknown> {
  const pick = (n: number) => Math.floor(r() * n);
  const msg: Record<string, unknown> = {};
  if (r() < 0.8) msg.meta = {};
  if (r() < 0.05) return msg;
  const data: Record<string, unknown> = {};
  msg.data = data;
  if (r() < 0.8) {
    const n = r() < 0.1 ? 64 : pick(10);
    data.names = Array.from(
      { length: n },
      (_, i) =>
        r() < 0.7
          ? `t:${i}`
          : String.fromCharCode(...Array.from({ length: pick(128) }, () => pick(128))),
    );
    if (r() < 0.3) Object.freeze(data.names);
  }
  if (r() < 0.9) payload(data);
  return msg;
}
