/**
 * The direct codecs of the commonest small `SeldonMessage`s, tried before the generic codec:
 * a small `tensor` (`tensor_message.ts`) or `ndarray` (`ndarray_message.ts`) with ASCII names
 * and an empty `meta`. Each gives exactly what the generic codec gives, or `undefined`.
 * @module
 */
import { decodeNdarrayMessage, encodeNdarrayMessage } from "./ndarray_message.ts";
import { decodeTensorMessage, encodeTensorMessage } from "./tensor_message.ts";

/** The wire bytes of a small tensor or ndarray `SeldonMessage`, or `undefined`. */
export function encodeSmallMessage(msg: unknown): Uint8Array | undefined {
  return encodeTensorMessage(msg) ?? encodeNdarrayMessage(msg);
}

/** The `SeldonMessage` of a small tensor or ndarray message's canonical bytes, or `undefined`. */
export function decodeSmallMessage(bytes: Uint8Array): Record<string, unknown> | undefined {
  return decodeTensorMessage(bytes) ?? decodeNdarrayMessage(bytes);
}
