/**
 * Shared pieces of the direct codecs of small messages (`tensor_message.ts`,
 * `ndarray_message.ts`): a slab that answers are written into, varints, ASCII names, and the
 * message envelope (an empty `meta`, `data` with names and one payload) they read and write. The
 * generic codec (`codec.ts`) uses its varint sizes and byte-order check too.
 * @module
 */
import { isEmptyObject, isPlainObject } from "../plain_object.ts";

/** True on little-endian hosts (the direct codecs copy doubles' bytes as they are). */
export const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
/** Each double is stored here and its bytes copied: the generic codec's own conversion. */
export const DOUBLE = new Float64Array(1);
/** The bytes of {@link DOUBLE}. */
export const DOUBLE_BYTES = new Uint8Array(DOUBLE.buffer);

/**
 * Answers are views into a shared slab: a fresh `ArrayBuffer` costs ~0.65 µs under Deno 2.9
 * (any size), a view ~0.03 µs. A view keeps its slab alive only while grpc-js holds it.
 */
const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/** `size` (at most 64 KiB) zeroed bytes of the shared slab, 8-byte aligned. */
export function take(size: number): Uint8Array {
  if (used + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const view = slab.subarray(used, used + size);
  used = (used + size + 7) & ~7;
  return view;
}

/** Bytes of `n` (< 2^32) as a varint. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes `n` (< 2^32) as a varint at `pos` of `out`; returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[pos++] = n;
  return pos;
}

/** Where the last {@link readVarint} ended. */
export let varintEnd = 0;

/**
 * The varint of at most 5 bytes at `pos` of `b` (ending before `end`) when below 2^31, its end
 * left in {@link varintEnd}; otherwise -1.
 */
export function readVarint(b: Uint8Array, pos: number, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) return -1;
    const c = b[pos++];
    value += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) {
      varintEnd = pos;
      return value > 0x7fffffff ? -1 : value;
    }
  }
  return -1;
}

/** True when plain object `obj` has no enumerable key but `a` and `b`. */
export function onlyKeys(obj: Record<string, unknown>, a: string, b: string): boolean {
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) if (keys[i] !== a && keys[i] !== b) return false;
  return true;
}

/** Bytes of `names` as field 1 (each: ASCII, under 128 characters), or -1. */
function namesSize(names: readonly unknown[]): number {
  let size = 0;
  for (let i = 0; i < names.length; i++) {
    const s = names[i];
    if (typeof s !== "string" || s.length >= 0x80) return -1;
    for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) >= 0x80) return -1;
    size += 2 + s.length;
  }
  return size;
}

/** Writes `names` (checked by {@link namesSize}) as field 1 at `pos`; returns the end. */
function writeNames(out: Uint8Array, pos: number, names: readonly unknown[]): number {
  for (let i = 0; i < names.length; i++) {
    const s = names[i] as string;
    out[pos++] = 0x0a;
    out[pos++] = s.length;
    for (let j = 0; j < s.length; j++) out[pos++] = s.charCodeAt(j);
  }
  return pos;
}

/** Where the last {@link readNames} ended, or -1 when it found a name it does not take. */
let namesEnd = 0;

/**
 * The ASCII names under 128 characters of field 1 at `pos` of `b` (before `end`), `undefined`
 * when there is none; their end in {@link namesEnd} (-1 for a name of another kind).
 */
function readNames(b: Uint8Array, pos: number, end: number): string[] | undefined {
  let names: string[] | undefined;
  while (pos < end && b[pos] === 0x0a) {
    const n = b[pos + 1];
    if (n === undefined || n >= 0x80 || pos + 2 + n > end) {
      namesEnd = -1;
      return undefined;
    }
    pos += 2;
    let s = "";
    for (let i = 0; i < n; i++) {
      const c = b[pos++];
      if (c >= 0x80) {
        namesEnd = -1;
        return undefined;
      }
      s += String.fromCharCode(c);
    }
    (names ??= []).push(s);
  }
  namesEnd = pos;
  return names;
}

/** Most names a direct encoder takes. */
const MAX_NAMES = 64;

/** A `SeldonMessage` the direct encoders take, `{meta?: {}, data?: {names?, <payload>?}}`. */
export interface Envelope {
  readonly meta: boolean;
  readonly data: boolean;
  readonly names: readonly unknown[] | undefined;
  /** Bytes of {@link Envelope.names} as field 1 (0 when absent). */
  readonly namesBytes: number;
  /** `data[payload]`, which the encoder checks and writes itself. */
  readonly payload: unknown;
}

/**
 * `msg` as an {@link Envelope} whose data's other key is `payload`, when `msg` has only an
 * empty `meta`, and a `data` of at most 64 ASCII names under 128 characters and `payload`;
 * otherwise `undefined`.
 */
export function readEnvelope(msg: unknown, payload: string): Envelope | undefined {
  if (!LITTLE_ENDIAN || !isPlainObject(msg) || !onlyKeys(msg, "meta", "data")) return undefined;
  const meta = msg.meta;
  if (meta !== undefined && (!isPlainObject(meta) || !isEmptyObject(meta))) return undefined;
  const data = msg.data;
  if (data !== undefined && (!isPlainObject(data) || !onlyKeys(data, "names", payload))) {
    return undefined;
  }
  const names = data?.names;
  let namesBytes = 0;
  if (names !== undefined) {
    if (!Array.isArray(names) || names.length > MAX_NAMES) return undefined;
    namesBytes = namesSize(names);
    if (namesBytes < 0) return undefined;
  }
  return {
    meta: meta !== undefined,
    data: data !== undefined,
    names,
    namesBytes,
    payload: data?.[payload],
  };
}

/** Where the last {@link writeEnvelope} stopped: the payload's content starts here. */
export let envelopeEnd = 0;

/**
 * A slab view sized for `env` with a payload of `payloadBytes` content bytes as field `tag`
 * of `data` (-1: no payload), written up to that content (its start in {@link envelopeEnd}).
 * A set sub-message is written even when empty, as the generic codec does.
 */
export function writeEnvelope(env: Envelope, tag: number, payloadBytes: number): Uint8Array {
  const dataBytes = env.namesBytes +
    (payloadBytes < 0 ? 0 : 1 + varintSize(payloadBytes) + payloadBytes);
  const out = take(
    (env.meta ? 2 : 0) + (env.data ? 1 + varintSize(dataBytes) + dataBytes : 0),
  );
  let pos = 0;
  if (env.meta) {
    out[pos++] = 0x12;
    out[pos++] = 0;
  }
  if (env.data) {
    out[pos++] = 0x1a;
    pos = writeVarint(out, pos, dataBytes);
    if (env.names !== undefined) pos = writeNames(out, pos, env.names);
    if (payloadBytes >= 0) {
      out[pos++] = tag;
      pos = writeVarint(out, pos, payloadBytes);
    }
  }
  envelopeEnd = pos;
  return out;
}

/** Where the payload's content starts after {@link decodeEnvelope} (-1: no payload). */
export let payloadStart = -1;

/**
 * `{meta?: {}, data: {names?}}` of `b` when `b` is exactly an optional empty `meta` (field 2),
 * then `data` (field 3) to the end of `b`: ASCII names under 128 characters, then optionally
 * field `tag` of `data` to the end (its content from {@link payloadStart}, which the decoder reads
 * and adds to `data`); otherwise `undefined`.
 */
export function decodeEnvelope(b: Uint8Array, tag: number): Record<string, unknown> | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const end = b.length;
  let pos = 0;
  const msg: Record<string, unknown> = {};
  if (b[0] === 0x12 && b[1] === 0) {
    msg.meta = {};
    pos = 2;
  }
  if (pos >= end || b[pos++] !== 0x1a) return undefined;
  const dataLength = readVarint(b, pos, end);
  if (dataLength < 0 || varintEnd + dataLength !== end) return undefined;
  const data: Record<string, unknown> = {};
  msg.data = data;
  const names = readNames(b, varintEnd, end);
  if (namesEnd < 0) return undefined;
  if (names !== undefined) data.names = names;
  pos = namesEnd;
  payloadStart = -1;
  if (pos === end) return msg;
  if (b[pos++] !== tag) return undefined;
  const payloadLength = readVarint(b, pos, end);
  if (payloadLength < 0 || varintEnd + payloadLength !== end) return undefined;
  payloadStart = varintEnd;
  return msg;
}
