/**
 * Binary protobuf codec for the Seldon messages, table-driven over `schema.ts` and built on
 * protobufjs's low-level `Reader` / `Writer` (`protobufjs/minimal`: no reflection, no `.proto`
 * parser).
 *
 * The in-memory form on both sides is the **canonical proto3 JSON form** (what Python
 * protobuf 3.20 `MessageToDict` gives): JSON field names, default values omitted, set-but-empty
 * sub-messages as `{}`, enums as names, 64-bit integers as decimal strings, `float` fields as
 * the shortest decimal that round-trips the float32, bytes as padded standard base64,
 * NaN/±Infinity as `"NaN"` / `"Infinity"` / `"-Infinity"`, `google.protobuf.Value` /
 * `Struct` / `ListValue` as plain JSON, `google.protobuf.Any` as
 * `{"@type": url, "value": base64}` (either key omitted when empty; an empty Any is `{}`).
 *
 * Decoding is tolerant like upstream's decoder: unknown fields and fields whose wire type does
 * not match the schema are skipped; repeated numeric fields are read packed or unpacked;
 * a repeated singular message field is merged. Truncated or malformed input throws
 * {@link ProtoDecodeError}.
 * @module
 */
import { errorText } from "../../error_text.ts";
import protobuf from "npm:protobufjs@7.6.6/minimal.js";
import { isPlainObject, setKey } from "../plain_object.ts";
import { fromBase64, toBase64 } from "./base64.ts";
import { LITTLE_ENDIAN, varintSize } from "./direct_wire.ts";
import {
  canonDouble,
  type EnumDef,
  type FieldDef,
  fieldMessage,
  isDefaultCanon,
  lookupMessage,
  type MessageDef,
  type MessageName,
  shortestFloat32,
} from "./schema.ts";

export { float32, type MessageName, shortestFloat32 } from "./schema.ts";
export { fromBase64, toBase64 } from "./base64.ts";

type Reader = protobuf.Reader;
type Writer = protobuf.Writer;

/** A message in canonical proto3 JSON form. */
export type ProtoObject = Record<string, unknown>;

/** Thrown when bytes cannot be decoded as the requested message. */
export class ProtoDecodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtoDecodeError";
  }
}

/** Thrown when an object cannot be encoded as the requested message. */
export class ProtoEncodeError extends Error {
  /** Field path below the top-level message, innermost last. */
  readonly path: string[] = [];
  /** Message text without the path. */
  readonly detail: string;

  constructor(detail: string) {
    super(detail);
    this.name = "ProtoEncodeError";
    this.detail = detail;
  }
}

/** Nesting limit of messages (protobuf's default recursion limit). */
const MAX_DEPTH = 100;
/** Nesting limit when encoding (guards against cyclic objects). */
const MAX_ENCODE_DEPTH = 1000;

const VALUE = "google.protobuf.Value";
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const TWO32 = 4294967296;

// =======================================================================================
// Decoding
// =======================================================================================

/** Canonical JSON of a float32 read from the wire. */
function canonFloat(v: number): number | string {
  return v - v === 0 ? shortestFloat32(v) : canonDouble(v);
}

/** Reads a length prefix and returns the end offset of the delimited bytes. */
function subEnd(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new ProtoDecodeError(`truncated input: length ${len} at offset ${r.pos}`);
  return end;
}

function checkEnd(r: Reader, end: number): void {
  if (r.pos !== end) {
    throw new ProtoDecodeError(`malformed input: field overruns its message at offset ${end}`);
  }
}

function skip(r: Reader, tag: number): void {
  if (tag >>> 3 === 0) throw new ProtoDecodeError(`invalid field number 0 at offset ${r.pos}`);
  r.skipType(tag & 7);
}

function readString(r: Reader): string {
  const end = subEnd(r);
  const start = r.pos;
  const buf = r.buf;
  r.pos = end;
  if (end - start < 32) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return decodeUtf8(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(buf, start, end);
}

function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  try {
    return UTF8.decode(buf.subarray(start, end));
  } catch {
    throw new ProtoDecodeError(`invalid UTF-8 in string field at offset ${start}`);
  }
}

function readBytes(r: Reader): string {
  const end = subEnd(r);
  const start = r.pos;
  r.pos = end;
  return toBase64(r.buf.subarray(start, end));
}

let LO = 0;
let HI = 0;

/** Reads a varint of up to 64 bits into LO / HI (both unsigned 32-bit). */
function readVarint64(r: Reader): void {
  const buf = r.buf;
  const len = r.len;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= len) throw new ProtoDecodeError("truncated varint");
    b = buf[pos++];
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) return setVarint(r, pos, lo, 0);
  }
  if (pos >= len) throw new ProtoDecodeError("truncated varint");
  b = buf[pos++];
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b < 0x80) return setVarint(r, pos, lo, hi);
  for (let shift = 3; shift < 32; shift += 7) {
    if (pos >= len) throw new ProtoDecodeError("truncated varint");
    b = buf[pos++];
    hi |= (b & 0x7f) << shift;
    if (b < 0x80) return setVarint(r, pos, lo, hi);
  }
  throw new ProtoDecodeError("malformed varint");
}

function setVarint(r: Reader, pos: number, lo: number, hi: number): void {
  r.pos = pos;
  LO = lo >>> 0;
  HI = hi >>> 0;
}

/** Decimal string of the 64-bit value in LO / HI. */
function int64String(signed: boolean): string {
  const lo = LO;
  const hi = HI;
  if (hi === 0) return String(lo);
  if (signed && hi === 0xffffffff && lo >= 0x80000000) return String(lo | 0);
  if (hi < 0x200000) return String(hi * TWO32 + lo);
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  return (signed ? BigInt.asIntN(64, v) : v).toString();
}

function enumName(e: EnumDef, n: number): string | number {
  return e.names.get(n) ?? n;
}

/** Reads one non-length-delimited scalar (or a string / bytes) in canonical form. */
function readScalar(f: FieldDef, r: Reader): unknown {
  switch (f.kind) {
    case "double":
      return canonDouble(r.double());
    case "float":
      return canonFloat(r.float());
    case "int32":
      return r.int32();
    case "uint32":
      return r.uint32();
    case "int64":
      readVarint64(r);
      return int64String(true);
    case "uint64":
      readVarint64(r);
      return int64String(false);
    case "bool":
      readVarint64(r);
      return (LO | HI) !== 0;
    case "enum":
      return enumName(f.enumDef as EnumDef, r.int32());
    case "string":
      return readString(r);
    case "bytes":
      return readBytes(r);
    default:
      throw new ProtoDecodeError(`internal: ${f.kind} is not a scalar`);
  }
}

/** Copies a packed fixed-width region into an aligned typed array (or views it in place). */
function alignedBytes(r: Reader, end: number, width: number): ArrayBuffer | null {
  const n = end - r.pos;
  if (n % width !== 0) {
    throw new ProtoDecodeError(`malformed packed field: ${n} bytes is not a multiple of ${width}`);
  }
  if (!LITTLE_ENDIAN) return null;
  const copy = new Uint8Array(n);
  copy.set(r.buf.subarray(r.pos, end));
  return copy.buffer;
}

/** From this many unaligned packed doubles on, the region is copied to be read aligned. */
const COPY_DOUBLES_MIN = 64;

function readPackedDoubles(r: Reader, end: number, prev: unknown[] | undefined): unknown[] {
  const buf = r.buf;
  const off = buf.byteOffset + r.pos;
  const n = (end - r.pos) / 8;
  const aligned = off % 8 === 0;
  let out: unknown[];
  if (LITTLE_ENDIAN && (aligned || n >= COPY_DOUBLES_MIN) && (end - r.pos) % 8 === 0) {
    // Many unaligned doubles (a large tensor in a grpc-js buffer): one copy of the region into
    // an aligned buffer beats reading each byte-wise (1e6 values: ~25 → ~10 ms with the list
    // allocated at its size).
    const arr = aligned
      ? new Float64Array(buf.buffer, off, n)
      : new Float64Array(alignedBytes(r, end, 8) as ArrayBuffer, 0, n);
    if (prev === undefined && n >= COPY_DOUBLES_MIN) {
      out = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = arr[i];
        out[i] = v - v === 0 ? v : canonDouble(v);
      }
    } else {
      out = prev ?? [];
      for (let i = 0; i < n; i++) {
        const v = arr[i];
        out.push(v - v === 0 ? v : canonDouble(v));
      }
    }
  } else {
    if ((end - r.pos) % 8 !== 0) alignedBytes(r, end, 8); // throws the malformed-length error
    // Unaligned (the usual case in a grpc-js buffer): read byte-wise rather than copy the
    // region into a new ArrayBuffer (one allocation less per packed field).
    out = prev ?? [];
    for (let i = 0, p = r.pos; i < n; i++, p += 8) {
      const v = readF64(buf, p);
      out.push(v - v === 0 ? v : canonDouble(v));
    }
  }
  r.pos = end;
  return out;
}

function readPackedFloats(r: Reader, end: number, out: unknown[]): void {
  const buf = r.buf;
  const off = buf.byteOffset + r.pos;
  const n = (end - r.pos) / 4;
  let arr: Float32Array | null = null;
  if (LITTLE_ENDIAN && off % 4 === 0 && (end - r.pos) % 4 === 0) {
    arr = new Float32Array(buf.buffer, off, n);
  } else {
    const ab = alignedBytes(r, end, 4);
    if (ab !== null) arr = new Float32Array(ab);
  }
  if (arr !== null) {
    for (let i = 0; i < n; i++) out.push(canonFloat(arr[i]));
  } else {
    const dv = new DataView(buf.buffer, off, end - r.pos);
    for (let i = 0; i < n; i++) out.push(canonFloat(dv.getFloat32(i * 4, true)));
  }
  r.pos = end;
}

/** Reads a packed field, appending to `prev` (the values of earlier occurrences). */
function readPacked(f: FieldDef, r: Reader, prev: unknown[] | undefined): unknown[] {
  const end = subEnd(r);
  if (f.kind === "double") return readPackedDoubles(r, end, prev);
  const out = prev ?? [];
  if (f.kind === "float") readPackedFloats(r, end, out);
  else {
    while (r.pos < end) out.push(readScalar(f, r));
    checkEnd(r, end);
  }
  return out;
}

/** Decodes the body of a message of any type (dispatching the well-known types). */
function decodeBody(def: MessageDef, r: Reader, end: number, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ProtoDecodeError("message nesting too deep");
  switch (def.wellKnown) {
    case "Value":
      return decodeValue(r, end, depth, null);
    case "ListValue":
      return decodeList(r, end, depth, []);
    case "Struct":
      return decodeStruct(r, end, depth, {});
    case "Any":
      return decodeAnyMsg(r, end);
    default:
      return decodeFields(def, r, end, depth);
  }
}

function decodeFields(def: MessageDef, r: Reader, end: number, depth: number): ProtoObject {
  const slots: unknown[] = [];
  const byNo = def.byNo;
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const f = no < byNo.length ? byNo[no] : undefined;
    if (f === undefined) skip(r, tag);
    else readField(def, f, r, tag & 7, slots, depth);
  }
  checkEnd(r, end);
  const out: ProtoObject = {};
  for (const f of def.fields) {
    const v = slots[f.no];
    if (v === undefined) continue;
    if (f.repeated && (v as unknown[]).length === 0) continue;
    out[f.json] = v;
  }
  return out;
}

function clearOneof(def: MessageDef, f: FieldDef, slots: unknown[]): void {
  for (const o of def.fields) if (o.oneof === f.oneof && o !== f) slots[o.no] = undefined;
}

function readField(
  def: MessageDef,
  f: FieldDef,
  r: Reader,
  wt: number,
  slots: unknown[],
  depth: number,
): void {
  if (f.map || f.kind === "message") {
    if (wt !== 2) {
      r.skipType(wt);
      return;
    }
    if (f.map) return readMapEntry(f, r, (slots[f.no] ??= {}) as ProtoObject, depth + 1);
    const sub = fieldMessage(f);
    const end = subEnd(r);
    if (f.repeated) {
      ((slots[f.no] ??= []) as unknown[]).push(decodeBody(sub, r, end, depth + 1));
      return;
    }
    const prev = slots[f.no];
    slots[f.no] = prev === undefined
      ? decodeBody(sub, r, end, depth + 1)
      : mergeInto(sub, prev, r, end, depth + 1);
    if (f.oneof !== undefined) clearOneof(def, f, slots);
    return;
  }
  if (wt === f.wireType) {
    const v = readScalar(f, r);
    if (f.repeated) ((slots[f.no] ??= []) as unknown[]).push(v);
    else if (f.oneof !== undefined) {
      slots[f.no] = v;
      clearOneof(def, f, slots);
    } else slots[f.no] = isDefaultCanon(f, v) ? undefined : v;
    return;
  }
  if (f.packed && wt === 2) {
    slots[f.no] = readPacked(f, r, slots[f.no] as unknown[] | undefined);
    return;
  }
  r.skipType(wt);
}

/** Decodes a second occurrence of a singular message field, merging into the first. */
function mergeInto(def: MessageDef, prev: unknown, r: Reader, end: number, depth: number): unknown {
  switch (def.wellKnown) {
    case "Value":
      return decodeValue(r, end, depth, prev);
    case "ListValue":
      return decodeList(r, end, depth, prev as unknown[]);
    case "Struct":
      return decodeStruct(r, end, depth, prev as ProtoObject);
    case "Any": {
      const next = decodeAnyMsg(r, end);
      return { ...(prev as ProtoObject), ...next };
    }
  }
  return mergeCanon(def, prev as ProtoObject, decodeFields(def, r, end, depth));
}

/** Protobuf merge semantics on canonical objects: `b` merged into `a`. */
function mergeCanon(def: MessageDef, a: ProtoObject, b: ProtoObject): ProtoObject {
  const out: ProtoObject = { ...a };
  for (const f of def.fields) {
    if (!(f.json in b)) continue;
    const bv = b[f.json];
    const av = out[f.json];
    if (f.oneof !== undefined) {
      for (const o of def.fields) if (o.oneof === f.oneof && o !== f) delete out[o.json];
    }
    if (av === undefined) out[f.json] = bv;
    else if (f.map) out[f.json] = { ...(av as ProtoObject), ...(bv as ProtoObject) };
    else if (f.repeated) out[f.json] = [...(av as unknown[]), ...(bv as unknown[])];
    else if (f.kind === "message") out[f.json] = mergeMessageValue(fieldMessage(f), av, bv);
    else out[f.json] = bv;
  }
  return out;
}

function mergeMessageValue(def: MessageDef, a: unknown, b: unknown): unknown {
  switch (def.wellKnown) {
    case "Value":
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (isPlainObject(a) && isPlainObject(b)) return { ...a, ...b };
      return b;
    case "ListValue":
      return [...(a as unknown[]), ...(b as unknown[])];
    case "Struct":
    case "Any":
      return { ...(a as ProtoObject), ...(b as ProtoObject) };
  }
  return mergeCanon(def, a as ProtoObject, b as ProtoObject);
}

function defaultOf(f: FieldDef): unknown {
  switch (f.kind) {
    case "message":
      return f.typeName === VALUE ? null : {};
    case "string":
    case "bytes":
      return "";
    case "bool":
      return false;
    case "int64":
    case "uint64":
      return "0";
    case "enum":
      return enumName(f.enumDef as EnumDef, 0);
    default:
      return 0;
  }
}

/** Reads one map entry (key = field 1 string, value = field 2) into `target`. */
function readMapEntry(f: FieldDef, r: Reader, target: ProtoObject, depth: number): void {
  if (depth > MAX_DEPTH) throw new ProtoDecodeError("message nesting too deep");
  const end = subEnd(r);
  let key = "";
  let value: unknown = undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1 && wt === 2) key = readString(r);
    else if (no === 2 && wt === f.wireType) {
      if (f.kind === "message") {
        const sub = fieldMessage(f);
        const vEnd = subEnd(r);
        value = value === undefined
          ? decodeBody(sub, r, vEnd, depth + 1)
          : mergeInto(sub, value, r, vEnd, depth + 1);
      } else value = readScalar(f, r);
    } else skip(r, tag);
  }
  checkEnd(r, end);
  setKey(target, key, value === undefined ? defaultOf(f) : value);
}

/** google.protobuf.Value → plain JSON value (unset kind → null). */
function decodeValue(r: Reader, end: number, depth: number, prev: unknown): unknown {
  if (depth > MAX_DEPTH) throw new ProtoDecodeError("message nesting too deep");
  let v: unknown = prev;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x08: // null_value
        r.int32();
        v = null;
        break;
      case 0x11: // number_value
        v = canonDouble(r.double());
        break;
      case 0x1a: // string_value
        v = readString(r);
        break;
      case 0x20: // bool_value
        v = r.bool();
        break;
      case 0x2a: { // struct_value
        const e = subEnd(r);
        v = decodeStruct(r, e, depth + 1, isPlainObject(v) ? v : {});
        break;
      }
      case 0x32: { // list_value
        const e = subEnd(r);
        v = decodeList(r, e, depth + 1, Array.isArray(v) ? v : []);
        break;
      }
      default:
        skip(r, tag);
    }
  }
  checkEnd(r, end);
  return v;
}

/** google.protobuf.ListValue → array (appending to `out`). */
function decodeList(r: Reader, end: number, depth: number, out: unknown[]): unknown[] {
  if (depth > MAX_DEPTH) throw new ProtoDecodeError("message nesting too deep");
  const buf = r.buf;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== 0x0a) {
      skip(r, tag);
      continue;
    }
    // Fast path for the common element: a Value holding only number_value (9 bytes). The
    // element is a message one level down, so it obeys the nesting limit like any other.
    const p = r.pos;
    if (buf[p] === 9 && buf[p + 1] === 0x11 && p + 10 <= end && depth < MAX_DEPTH) {
      const v = readF64(buf, p + 2);
      out.push(v - v === 0 ? v : canonDouble(v));
      r.pos = p + 10;
      continue;
    }
    const e = subEnd(r);
    out.push(decodeValue(r, e, depth + 1, null));
  }
  checkEnd(r, end);
  return out;
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** Little-endian double at `p` (bounds checked by the caller). */
function readF64(buf: Uint8Array, p: number): number {
  const b = F64_BYTES;
  if (LITTLE_ENDIAN) {
    b[0] = buf[p];
    b[1] = buf[p + 1];
    b[2] = buf[p + 2];
    b[3] = buf[p + 3];
    b[4] = buf[p + 4];
    b[5] = buf[p + 5];
    b[6] = buf[p + 6];
    b[7] = buf[p + 7];
  } else {
    for (let i = 0; i < 8; i++) b[7 - i] = buf[p + i];
  }
  return F64[0];
}

/** google.protobuf.Struct → plain object (adding to `out`). */
function decodeStruct(r: Reader, end: number, depth: number, out: ProtoObject): ProtoObject {
  if (depth > MAX_DEPTH) throw new ProtoDecodeError("message nesting too deep");
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== 0x0a) {
      skip(r, tag);
      continue;
    }
    // Each entry is a message one level down (checked even when it holds no value).
    if (depth >= MAX_DEPTH) throw new ProtoDecodeError("message nesting too deep");
    const eEnd = subEnd(r);
    let key = "";
    let value: unknown = null;
    while (r.pos < eEnd) {
      const t = r.uint32();
      if (t === 0x0a) key = readString(r);
      else if (t === 0x12) {
        const vEnd = subEnd(r);
        value = decodeValue(r, vEnd, depth + 2, null);
      } else skip(r, t);
    }
    checkEnd(r, eEnd);
    setKey(out, key, value);
  }
  checkEnd(r, end);
  return out;
}

/** google.protobuf.Any → `{"@type": url, "value": base64}` (empty parts omitted). */
function decodeAnyMsg(r: Reader, end: number): ProtoObject {
  let url = "";
  let value = "";
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) url = readString(r);
    else if (tag === 0x12) value = readBytes(r);
    else skip(r, tag);
  }
  checkEnd(r, end);
  const out: ProtoObject = {};
  if (url !== "" || value !== "") out["@type"] = url;
  if (value !== "") out.value = value;
  return out;
}

/**
 * Decodes `bytes` as the message type `type` (simple or fully qualified name) into canonical
 * proto3 JSON form. Throws {@link ProtoDecodeError} for truncated or malformed input.
 */
export function decodeMessage(type: MessageName | string, bytes: Uint8Array): ProtoObject {
  const def = lookupMessage(type);
  return decodeWith(def, bytes) as ProtoObject;
}

function decodeWith(def: MessageDef, bytes: Uint8Array): unknown {
  try {
    const r = protobuf.Reader.create(bytes);
    return decodeBody(def, r, r.len, 0);
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw e;
    const msg = errorText(e);
    throw new ProtoDecodeError(`cannot decode ${def.fullName}: ${msg}`, { cause: e });
  }
}

// =======================================================================================
// Encoding
// =======================================================================================

function fail(detail: string): never {
  throw new ProtoEncodeError(detail);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "object") return v.constructor?.name ?? "object";
  return `${typeof v} ${String(v)}`;
}

/** A double from a number, bigint, or "NaN" / "Infinity" / "-Infinity" / numeric string. */
function toDouble(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    if (v === "NaN") return NaN;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    const t = v.trim();
    const n = Number(t);
    if (t !== "" && !Number.isNaN(n)) return n;
  }
  if (typeof v === "bigint") return Number(v);
  return fail(`expected a number, got ${describe(v)}`);
}

function toInteger(v: unknown, min: number, max: number): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "bigint") n = Number(v);
  else if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) n = Number(v);
  else return fail(`expected an integer, got ${describe(v)}`);
  if (!Number.isInteger(n)) fail(`expected an integer, got ${describe(v)}`);
  if (n < min || n > max) fail(`integer out of range: ${String(v)}`);
  return n;
}

const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/** Writes an int64 / uint64 from a decimal string, number or bigint. */
function writeInt64(w: Writer, v: unknown, signed: boolean): void {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) {
    w.uint64(v);
    return;
  }
  let b: bigint;
  try {
    if (typeof v === "bigint") b = v;
    else if (typeof v === "number" && Number.isInteger(v)) b = BigInt(v);
    else if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) b = BigInt(v.trim());
    else throw 0;
  } catch {
    return fail(`expected a 64-bit integer, got ${describe(v)}`);
  }
  if (signed ? b < INT64_MIN || b > UINT64_MAX >> 1n : b < 0n || b > UINT64_MAX) {
    fail(`integer out of range: ${String(v)}`);
  }
  const u = BigInt.asUintN(64, b);
  const bits = { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: true };
  w.uint64(bits as unknown as number);
}

function toEnum(e: EnumDef, v: unknown): number {
  if (typeof v === "string") {
    const n = e.numbers.get(v);
    if (n !== undefined) return n;
    return fail(`unknown value ${JSON.stringify(v)} of enum ${e.fullName}`);
  }
  return toInteger(v, -0x80000000, 0x7fffffff);
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") {
    try {
      return fromBase64(v);
    } catch (e) {
      return fail(`invalid base64: ${(e as Error).message}`);
    }
  }
  return fail(`expected base64 text or Uint8Array, got ${describe(v)}`);
}

/** True when an input scalar equals its field's proto3 default (not written). */
function isDefaultInput(f: FieldDef, v: unknown): boolean {
  switch (f.kind) {
    case "string":
      return v === "";
    case "bytes":
      return v === "" || (v instanceof Uint8Array && v.length === 0);
    case "bool":
      return v === false;
    case "int64":
    case "uint64":
      return v === "0" || v === 0 || v === 0n;
    case "enum":
      return v === 0 || (typeof v === "string" && (f.enumDef as EnumDef).numbers.get(v) === 0);
    default:
      return v === 0 || v === 0n;
  }
}

/** Writes one scalar value (no tag). */
function writeScalar(f: FieldDef, v: unknown, w: Writer): void {
  switch (f.kind) {
    case "double":
      w.double(toDouble(v));
      return;
    case "float":
      w.float(toDouble(v));
      return;
    case "int32":
      w.int32(toInteger(v, -0x80000000, 0x7fffffff));
      return;
    case "uint32":
      w.uint32(toInteger(v, 0, 0xffffffff));
      return;
    case "int64":
      return writeInt64(w, v, true);
    case "uint64":
      return writeInt64(w, v, false);
    case "bool":
      if (typeof v !== "boolean") fail(`expected a boolean, got ${describe(v)}`);
      w.bool(v);
      return;
    case "enum":
      w.int32(toEnum(f.enumDef as EnumDef, v));
      return;
    case "string":
      if (typeof v !== "string") fail(`expected a string, got ${describe(v)}`);
      w.string(v);
      return;
    case "bytes":
      w.bytes(toBytes(v));
      return;
  }
}

function writePacked(f: FieldDef, arr: readonly unknown[], w: Writer): void {
  const n = arr.length;
  if (f.kind === "double" || f.kind === "float") {
    const wide = f.kind === "double";
    const data = wide ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = arr[i];
      data[i] = typeof v === "number" ? v : toDouble(v);
    }
    const bytes = new Uint8Array(data.buffer);
    if (!LITTLE_ENDIAN) {
      const dv = new DataView(data.buffer);
      for (let i = 0; i < n; i++) {
        if (wide) dv.setFloat64(i * 8, data[i], true);
        else dv.setFloat32(i * 4, data[i], true);
      }
    }
    w.uint32((f.no << 3) | 2).bytes(bytes);
    return;
  }
  w.uint32((f.no << 3) | 2).fork();
  for (let i = 0; i < n; i++) writeScalar(f, arr[i], w);
  w.ldelim();
}

/** Writes a length-delimited sub-message for field `f` (tag included). */
function writeSubMessage(f: FieldDef, v: unknown, w: Writer, depth: number): void {
  const sub = fieldMessage(f);
  const tag = (f.no << 3) | 2;
  switch (sub.wellKnown) {
    case "Value":
      w.uint32(tag).bytes(encodeValueBody(v));
      return;
    case "ListValue":
      if (!Array.isArray(v)) {
        fail(`expected an array for google.protobuf.ListValue, got ${describe(v)}`);
      }
      w.uint32(tag).bytes(encodeListBody(v));
      return;
    case "Struct":
      if (!isPlainObject(v)) {
        fail(`expected an object for google.protobuf.Struct, got ${describe(v)}`);
      }
      w.uint32(tag).bytes(encodeStructBody(v));
      return;
  }
  w.uint32(tag).fork();
  if (sub.wellKnown === "Any") encodeAny(v, w);
  else encodeFields(sub, v, w, depth + 1);
  w.ldelim();
}

function encodeAny(v: unknown, w: Writer): void {
  if (!isPlainObject(v)) fail(`expected an object for google.protobuf.Any, got ${describe(v)}`);
  for (const k of Object.keys(v)) {
    if (k !== "@type" && k !== "value" && v[k] !== undefined) {
      fail(`google.protobuf.Any: unsupported key ${JSON.stringify(k)} (expected "@type", "value")`);
    }
  }
  const url = v["@type"];
  if (url !== undefined && url !== null) {
    if (typeof url !== "string") fail(`expected a string for "@type", got ${describe(url)}`);
    if (url !== "") w.uint32(0x0a).string(url);
  }
  const value = v.value;
  if (value !== undefined && value !== null) {
    const bytes = toBytes(value);
    if (bytes.length > 0) w.uint32(0x12).bytes(bytes);
  }
}

function writeField(f: FieldDef, v: unknown, w: Writer, depth: number): void {
  if (f.map) {
    if (!isPlainObject(v)) fail(`expected an object for map field, got ${describe(v)}`);
    for (const key of Object.keys(v)) {
      const val = v[key];
      if (val === undefined) continue;
      try {
        w.uint32((f.no << 3) | 2).fork();
        w.uint32(0x0a).string(key);
        if (f.kind === "message") writeSubMessage({ ...f, no: 2 }, val, w, depth + 1);
        else if (val === null) fail("null is not a valid map value");
        else {
          w.uint32((2 << 3) | f.wireType);
          writeScalar(f, val, w);
        }
        w.ldelim();
      } catch (e) {
        if (e instanceof ProtoEncodeError) e.path.unshift(`[${key}]`);
        throw e;
      }
    }
    return;
  }
  if (f.repeated) {
    if (!Array.isArray(v)) fail(`expected an array for repeated field, got ${describe(v)}`);
    if (v.length === 0) return;
    if (f.packed) return writePacked(f, v, w);
    if (f.kind === "string" && v.length >= RAW_STRINGS_MIN) {
      const raw = stringsBlock(f.no, v);
      if (raw !== undefined) return pushRaw(w, raw);
    }
    for (let i = 0; i < v.length; i++) {
      const el = v[i];
      try {
        if (f.kind === "message") {
          if ((el === null || el === undefined) && f.typeName !== VALUE) {
            fail("null is not allowed as an element of a repeated message field");
          }
          writeSubMessage(f, el, w, depth);
        } else {
          w.uint32((f.no << 3) | f.wireType);
          writeScalar(f, el, w);
        }
      } catch (e) {
        if (e instanceof ProtoEncodeError) e.path.unshift(`[${i}]`);
        throw e;
      }
    }
    return;
  }
  if (f.kind === "message") return writeSubMessage(f, v, w, depth);
  if (f.oneof === undefined && isDefaultInput(f, v)) return;
  w.uint32((f.no << 3) | f.wireType);
  writeScalar(f, v, w);
}

/** Repeated string fields at least this long are tried as one block (e.g. generated names). */
const RAW_STRINGS_MIN = 64;

/**
 * The blocks of frozen lists, by field number: a frozen list of strings cannot change, so its
 * bytes are written once (the server's generated names of a wide answer are one such list,
 * shared by every answer of that width).
 */
const FROZEN_BLOCKS = new WeakMap<readonly unknown[], { no: number; bytes: Uint8Array }>();

/** {@link shortAsciiStrings}, kept for a frozen list. */
function stringsBlock(no: number, arr: readonly unknown[]): Uint8Array | undefined {
  if (!Object.isFrozen(arr)) return shortAsciiStrings(no, arr);
  const known = FROZEN_BLOCKS.get(arr);
  if (known !== undefined && known.no === no) return known.bytes;
  const bytes = shortAsciiStrings(no, arr);
  if (bytes !== undefined) FROZEN_BLOCKS.set(arr, { no, bytes });
  return bytes;
}

/**
 * The wire bytes of repeated string field `no` when every element is an ASCII string shorter
 * than 128 characters (one-byte length): tag, length and characters each, written in one
 * buffer instead of three writer operations per element (a million names: millions of objects
 * for the garbage collector). Otherwise `undefined` (the general path writes, or fails).
 */
function shortAsciiStrings(no: number, arr: readonly unknown[]): Uint8Array | undefined {
  const tag = (no << 3) | 2;
  if (tag >= 0x80) return undefined;
  // The size if every element qualifies (lengths only); the characters are then read once,
  // checked as they are written.
  let total = 0;
  for (let i = 0; i < arr.length; i++) {
    const s = arr[i];
    if (typeof s !== "string" || s.length >= 0x80) return undefined;
    total += 2 + s.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < arr.length; i++) {
    const s = arr[i] as string;
    out[pos++] = tag;
    out[pos++] = s.length;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c >= 0x80) return undefined;
      out[pos++] = c;
    }
  }
  return out;
}

/** protobufjs's writer operation list, to append bytes already in wire form. */
interface RawWriter {
  _push(
    fn: (val: Uint8Array, buf: Uint8Array, pos: number) => void,
    len: number,
    val: Uint8Array,
  ): unknown;
}

/** Appends `bytes` as they are (no tag, no length). */
function pushRaw(w: Writer, bytes: Uint8Array): void {
  (w as unknown as RawWriter)._push(copyRaw, bytes.length, bytes);
}

function copyRaw(val: Uint8Array, buf: Uint8Array, pos: number): void {
  buf.set(val, pos);
}

/** Writes the fields of `obj` (a message of type `def`, not a well-known type). */
function encodeFields(def: MessageDef, obj: unknown, w: Writer, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) fail("message nesting too deep (cyclic object?)");
  if (!isPlainObject(obj)) fail(`expected an object for ${def.fullName}, got ${describe(obj)}`);
  let oneofs: string[] | undefined;
  for (const f of def.fields) {
    let v = obj[f.json];
    if (v === undefined && f.name !== f.json) v = obj[f.name];
    if (v === undefined) continue;
    if (v === null && (f.typeName !== VALUE || f.repeated || f.map)) continue;
    if (f.oneof !== undefined) {
      if (oneofs?.includes(f.oneof)) continue;
      (oneofs ??= []).push(f.oneof);
    }
    try {
      writeField(f, v, w, depth);
    } catch (e) {
      if (e instanceof ProtoEncodeError) e.path.unshift(f.json);
      throw e;
    }
  }
}

// ---- google.protobuf.Value / ListValue / Struct: sized two-pass writer ----------------

const utf8 = protobuf.util.utf8;

/** Pass 1: size of a Value body; pushes string lengths and composite body sizes (pre-order). */
function sizeValue(v: unknown, s: number[], depth: number): number {
  switch (typeof v) {
    case "number":
    case "bigint":
      return 9;
    case "boolean":
    case "undefined":
      return 2;
    case "string": {
      const n = utf8.length(v);
      s.push(n);
      return 1 + varintSize(n) + n;
    }
    case "object": {
      if (v === null) return 2;
      if (depth > MAX_ENCODE_DEPTH) fail("JSON value nesting too deep (cyclic object?)");
      const i = s.length;
      s.push(0);
      let n: number;
      if (Array.isArray(v)) n = sizeListBody(v, s, depth + 1);
      else if (isPlainObject(v)) n = sizeStructBody(v, s, depth + 1);
      else return fail(`cannot encode ${describe(v)} as google.protobuf.Value`);
      s[i] = n;
      return 1 + varintSize(n) + n;
    }
    default:
      return fail(`cannot encode ${describe(v)} as google.protobuf.Value`);
  }
}

function sizeListBody(arr: readonly unknown[], s: number[], depth: number): number {
  let total = 0;
  for (let i = 0; i < arr.length; i++) {
    const n = sizeValue(arr[i], s, depth);
    total += 1 + varintSize(n) + n;
  }
  return total;
}

function sizeStructBody(obj: ProtoObject, s: number[], depth: number): number {
  let total = 0;
  for (const key of Object.keys(obj)) {
    const val = obj[key];
    if (val === undefined) continue;
    const k = utf8.length(key);
    s.push(k);
    const n = sizeValue(val, s, depth);
    const entry = 1 + varintSize(k) + k + 1 + varintSize(n) + n;
    total += 1 + varintSize(entry) + entry;
  }
  return total;
}

/** Pass-2 state: output, position, cursor into the sizes array. */
interface VState {
  buf: Uint8Array;
  dv: DataView;
  pos: number;
  c: number;
  s: number[];
}

/** Size of a Value body during pass 2, from its type and the next size entry. */
function valueSizeAt(v: unknown, st: VState, c: number): number {
  switch (typeof v) {
    case "number":
    case "bigint":
      return 9;
    case "string":
      break;
    case "object":
      if (v !== null) break;
      return 2;
    default:
      return 2;
  }
  const n = st.s[c];
  return 1 + varintSize(n) + n;
}

function putVarint(st: VState, n: number): void {
  const buf = st.buf;
  while (n > 127) {
    buf[st.pos++] = (n & 127) | 128;
    n >>>= 7;
  }
  buf[st.pos++] = n;
}

function putString(st: VState, str: string, n: number): void {
  putVarint(st, n);
  if (n === str.length) {
    const buf = st.buf;
    let p = st.pos;
    for (let i = 0; i < n; i++) buf[p++] = str.charCodeAt(i);
  } else utf8.write(str, st.buf, st.pos);
  st.pos += n;
}

function writeValue(v: unknown, st: VState): void {
  const buf = st.buf;
  switch (typeof v) {
    case "number":
    case "bigint":
      buf[st.pos] = 0x11;
      st.dv.setFloat64(st.pos + 1, Number(v), true);
      st.pos += 9;
      return;
    case "boolean":
      buf[st.pos++] = 0x20;
      buf[st.pos++] = v ? 1 : 0;
      return;
    case "string":
      buf[st.pos++] = 0x1a;
      putString(st, v, st.s[st.c++]);
      return;
  }
  if (v === null || v === undefined) {
    buf[st.pos++] = 0x08;
    buf[st.pos++] = 0;
    return;
  }
  const n = st.s[st.c++];
  if (Array.isArray(v)) {
    buf[st.pos++] = 0x32;
    putVarint(st, n);
    writeListBody(v, st);
  } else {
    buf[st.pos++] = 0x2a;
    putVarint(st, n);
    writeStructBody(v as ProtoObject, st);
  }
}

function writeListBody(arr: readonly unknown[], st: VState): void {
  for (let i = 0; i < arr.length; i++) {
    const el = arr[i];
    st.buf[st.pos++] = 0x0a;
    putVarint(st, valueSizeAt(el, st, st.c));
    writeValue(el, st);
  }
}

function writeStructBody(obj: ProtoObject, st: VState): void {
  for (const key of Object.keys(obj)) {
    const val = obj[key];
    if (val === undefined) continue;
    const k = st.s[st.c];
    const n = valueSizeAt(val, st, st.c + 1);
    st.buf[st.pos++] = 0x0a;
    putVarint(st, 1 + varintSize(k) + k + 1 + varintSize(n) + n);
    st.buf[st.pos++] = 0x0a;
    st.c++;
    putString(st, key, k);
    st.buf[st.pos++] = 0x12;
    putVarint(st, n);
    writeValue(val, st);
  }
}

function runWriter(size: number, s: number[], body: (st: VState) => void): Uint8Array {
  const buf = new Uint8Array(size);
  const st: VState = { buf, dv: new DataView(buf.buffer), pos: 0, c: 0, s };
  body(st);
  if (st.pos !== size) throw new Error(`internal: Value writer size mismatch ${st.pos}/${size}`);
  return buf;
}

/** Encodes a plain JSON value as the body of a google.protobuf.Value. */
function encodeValueBody(v: unknown): Uint8Array {
  const s: number[] = [];
  return runWriter(sizeValue(v, s, 0), s, (st) => writeValue(v, st));
}

/** Encodes an array as the body of a google.protobuf.ListValue. */
function encodeListBody(arr: readonly unknown[]): Uint8Array {
  const s: number[] = [];
  return runWriter(sizeListBody(arr, s, 0), s, (st) => writeListBody(arr, st));
}

/** Encodes a plain object as the body of a google.protobuf.Struct. */
function encodeStructBody(obj: ProtoObject): Uint8Array {
  const s: number[] = [];
  return runWriter(sizeStructBody(obj, s, 0), s, (st) => writeStructBody(obj, st));
}

function finish(w: Writer): Uint8Array {
  return w.finish();
}

/**
 * Encodes `msg` (canonical proto3 JSON form; also accepted: numbers / bigints for 64-bit
 * integers, enum numbers, proto field names, `Uint8Array` for bytes, omitted / undefined /
 * null fields) as the message type `type`. Throws {@link ProtoEncodeError} for values of the
 * wrong type. For a `oneof`, the first member present (in field-number order) is written.
 */
export function encodeMessage(type: MessageName | string, msg: unknown): Uint8Array {
  const def = lookupMessage(type);
  const w = new protobuf.Writer();
  try {
    switch (def.wellKnown) {
      case "Value":
        return encodeValueBody(msg);
      case "ListValue":
        if (!Array.isArray(msg)) fail(`expected an array, got ${describe(msg)}`);
        return encodeListBody(msg);
      case "Struct":
        if (!isPlainObject(msg)) fail(`expected an object, got ${describe(msg)}`);
        return encodeStructBody(msg);
      case "Any":
        encodeAny(msg, w);
        break;
      default:
        encodeFields(def, msg, w, 0);
    }
  } catch (e) {
    if (e instanceof ProtoEncodeError) {
      e.message = e.path.length === 0
        ? `${e.detail} at ${def.name}`
        : `${e.detail} at ${def.name}.${e.path.join(".").replace(/\.\[/g, "[")}`;
    }
    throw e;
  }
  return finish(w);
}
