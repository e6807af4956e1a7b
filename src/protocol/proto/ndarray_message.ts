/**
 * A direct codec for the small ndarray gRPC call: a `SeldonMessage` of an empty `meta` and a
 * small `data` of ASCII `names` and an `ndarray` (a `google.protobuf.ListValue`) of numbers
 * and lists of numbers. The encoder writes the bytes the generic codec (`encodeMessage`) writes
 * for the same object into a view of the shared slab (`direct_wire.ts`), without the writer's
 * operation list and its fresh buffers; the decoder gives the object `decodeMessage` gives for
 * such bytes in canonical order. Anything else is left to the generic codec.
 * @module
 */
import {
  decodeEnvelope,
  DOUBLE,
  DOUBLE_BYTES,
  envelopeEnd,
  payloadStart,
  readEnvelope,
  readVarint,
  varintEnd,
  varintSize,
  writeEnvelope,
  writeVarint,
} from "./direct_wire.ts";
import { canonDouble } from "./schema.ts";

/** Most list elements (numbers and lists) and deepest nesting taken. */
const MAX_ELEMENTS = 256;
const MAX_NEST = 8;
/** Longest request decoded here (larger ones have their own paths). */
const MAX_BYTES = 4096;

/** Elements counted by {@link listSize} in the current answer. */
let elements = 0;
/** Body sizes of the nested lists of the current answer, in the order they are written. */
const sizes: number[] = [];
let sizeCount = 0;

/**
 * Bytes of the ListValue body of `list` (numbers and such lists, `depth` levels down), its
 * nested lists' body sizes appended to {@link sizes}; -1 for anything else or too much.
 */
function listSize(list: readonly unknown[], depth: number): number {
  let size = 0;
  for (let i = 0; i < list.length; i++) {
    if (++elements > MAX_ELEMENTS) return -1;
    const v = list[i];
    if (typeof v === "number") size += 11;
    else if (Array.isArray(v) && depth < MAX_NEST) {
      const at = sizeCount++;
      const n = listSize(v, depth + 1);
      if (n < 0) return -1;
      sizes[at] = n;
      const value = 1 + varintSize(n) + n;
      size += 1 + varintSize(value) + value;
    } else return -1;
  }
  return size;
}

/** Writes the ListValue body of `list` (sized by {@link listSize}) at `pos`; returns the end. */
function writeList(out: Uint8Array, pos: number, list: readonly unknown[]): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    out[pos++] = 0x0a;
    if (typeof v === "number") {
      out[pos++] = 9;
      out[pos++] = 0x11;
      DOUBLE[0] = v;
      for (let b = 0; b < 8; b++) out[pos++] = DOUBLE_BYTES[b];
      continue;
    }
    const n = sizes[sizeCount++];
    pos = writeVarint(out, pos, 1 + varintSize(n) + n);
    out[pos++] = 0x32;
    pos = writeVarint(out, pos, n);
    pos = writeList(out, pos, v as unknown[]);
  }
  return pos;
}

/**
 * The wire bytes of `msg` when it is `{meta?: {}, data?: {names?, ndarray?}}` with at most 64
 * names (ASCII strings under 128 characters) and an `ndarray` of numbers and lists of them
 * (at most 256 elements in all, 8 levels deep) and no other key; otherwise `undefined` (the
 * generic codec encodes it, or reports what is wrong).
 */
export function encodeNdarrayMessage(msg: unknown): Uint8Array | undefined {
  const env = readEnvelope(msg, "ndarray");
  if (env === undefined) return undefined;
  const ndarray = env.payload;
  let listBytes = -1;
  if (ndarray !== undefined) {
    if (!Array.isArray(ndarray)) return undefined;
    elements = 0;
    sizeCount = 0;
    listBytes = listSize(ndarray, 0);
    if (listBytes < 0) return undefined;
  }
  const out = writeEnvelope(env, 0x1a, listBytes);
  if (ndarray === undefined) return out;
  sizeCount = 0;
  writeList(out, envelopeEnd, ndarray as unknown[]);
  return out;
}

/**
 * The ListValue body from `pos` to `end` of `b` when its elements are Values holding only a
 * number (`0a 09 11` and 8 bytes) or only a list of such (`depth` levels down); else `undefined`.
 */
function readList(
  b: Uint8Array,
  pos: number,
  end: number,
  depth: number,
): (number | string | unknown[])[] | undefined {
  const out: (number | string | unknown[])[] = [];
  while (pos < end) {
    if (b[pos] !== 0x0a) return undefined;
    if (b[pos + 1] === 9 && b[pos + 2] === 0x11 && pos + 11 <= end) {
      pos += 3;
      for (let i = 0; i < 8; i++) DOUBLE_BYTES[i] = b[pos + i];
      const v = DOUBLE[0];
      out.push(v - v === 0 ? v : canonDouble(v));
      pos += 8;
      continue;
    }
    const valueLength = readVarint(b, pos + 1, end);
    if (valueLength < 0 || varintEnd + valueLength > end) return undefined;
    const valueEnd = varintEnd + valueLength;
    const p = varintEnd;
    if (depth >= MAX_NEST || p >= valueEnd || b[p] !== 0x32) return undefined;
    const listLength = readVarint(b, p + 1, valueEnd);
    if (listLength < 0 || varintEnd + listLength !== valueEnd) return undefined;
    const inner = readList(b, varintEnd, valueEnd, depth + 1);
    if (inner === undefined) return undefined;
    out.push(inner);
    pos = valueEnd;
  }
  return out;
}

/**
 * The message `decodeMessage("SeldonMessage", bytes)` gives, when `bytes` (at most 4 KiB) are
 * exactly an optional empty `meta` (field 2), then `data` (field 3) of ASCII `names` under 128
 * characters and an optional `ndarray` whose elements are Values of only a number or only a
 * list of such (8 levels deep at most), each field once and in this order; otherwise
 * `undefined` (the generic codec decodes them, or reports what is wrong).
 */
export function decodeNdarrayMessage(b: Uint8Array): Record<string, unknown> | undefined {
  if (b.length > MAX_BYTES) return undefined;
  const msg = decodeEnvelope(b, 0x1a);
  if (msg === undefined || payloadStart < 0) return msg;
  const ndarray = readList(b, payloadStart, b.length, 0);
  if (ndarray === undefined) return undefined;
  (msg.data as Record<string, unknown>).ndarray = ndarray;
  return msg;
}
