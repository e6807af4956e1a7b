/**
 * The V2 gRPC messages (`proto/inference.proto`, package `inference`) on the wire, hand-written
 * for speed like the Seldon codec: `ModelInferRequest` bytes straight into an
 * {@link InferenceRequest} (typed `contents` or `raw_input_contents`; raw tensors and packed
 * `fp32_contents` / `fp64_contents` become views of the message's memory when aligned), an
 * {@link InferenceResponse} into `ModelInferResponse` bytes (`raw_output_contents` when asked,
 * else `contents`), and the small health and metadata messages. The client halves (encode a
 * request, decode an answer) serve tests and benchmarks. Malformed requests are {@link OipError}
 * 400s.
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { NDArray, type TypedArray } from "../ndarray.ts";
import { CONTENTS_FIELD, dtypeOfDatatype, typedArrayOf } from "./datatypes.ts";
import { OipError } from "./errors.ts";
import { tensorFromBytes, tensorToBytes, typedValues } from "./raw.ts";
import { encodeSmallInferResponse } from "./small_infer.ts";
import {
  bytesArray,
  bytesElements,
  checkCount,
  checkDatatype,
  checkDistinctOutputs,
  checkRequestedOutput,
  checkShape,
  outputTensor,
  type WireTensor,
} from "./tensor.ts";
import type {
  Datatype,
  InferenceInput,
  InferenceOutput,
  InferenceRequest,
  InferenceResponse,
  ModelMetadata,
  Parameters,
  ParameterValue,
  RequestedOutput,
  ServerMetadata,
  TensorMetadata,
} from "./types.ts";

// ---------------------------------------------------------------------------------------
// Reading

interface Reader {
  readonly buf: Uint8Array;
  pos: number;
}

function malformed(detail: string): OipError {
  return new OipError(400, `the message is not valid protobuf: ${detail}`);
}

/** Low and high 32 bits of the last {@link readVarint64}. */
let LO = 0;
let HI = 0;

/** A varint into {@link LO} / {@link HI} (unsigned 32-bit halves). */
function readVarint64(r: Reader, end: number): void {
  const b = r.buf;
  let p = r.pos;
  let lo = 0, hi = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (p >= end) throw malformed("truncated varint");
    const c = b[p++];
    const bits = c & 0x7f;
    if (shift < 28) lo |= bits << shift;
    else if (shift === 28) {
      lo |= bits << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (shift - 32);
    if (c < 0x80) {
      r.pos = p;
      LO = lo >>> 0;
      HI = hi >>> 0;
      return;
    }
  }
  throw malformed("varint longer than 10 bytes");
}

/** A varint as a number (tags, lengths, bools; exact up to 2^53). */
function readVarint(r: Reader, end: number): number {
  const c = r.buf[r.pos];
  if (c < 0x80 && r.pos < end) {
    r.pos++;
    return c;
  }
  readVarint64(r, end);
  return HI * 4294967296 + LO;
}

function bigOf(signed: boolean): bigint {
  const u = (BigInt(HI) << 32n) | BigInt(LO);
  return signed ? BigInt.asIntN(64, u) : u;
}

/** An int64 / uint64 varint as a number when safe, else a bigint. */
function readInt64Value(r: Reader, end: number, signed: boolean): number | bigint {
  readVarint64(r, end);
  if (HI === 0 && LO <= 0x7fffffff) return LO;
  const b = bigOf(signed);
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

function readLength(r: Reader, end: number): number {
  const n = readVarint(r, end);
  if (n > end - r.pos) throw malformed("length-delimited field runs past its message");
  return n;
}

function readBytes(r: Reader, end: number): Uint8Array {
  const n = readLength(r, end);
  const out = r.buf.subarray(r.pos, r.pos + n);
  r.pos += n;
  return out;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strings up to this many bytes are read without the decoder when they are ASCII. */
const SHORT_STRING = 64;

function readString(r: Reader, end: number): string {
  const n = readLength(r, end);
  if (n <= SHORT_STRING) {
    // ASCII is its own UTF-8: names and datatypes skip the decoder's native call (~0.3 µs each).
    const b = r.buf;
    const stop = r.pos + n;
    let s = "";
    let i = r.pos;
    while (i < stop && b[i] < 0x80) s += String.fromCharCode(b[i++]);
    if (i === stop) {
      r.pos = stop;
      return s;
    }
  }
  const b = r.buf.subarray(r.pos, r.pos + n);
  r.pos += n;
  try {
    return UTF8.decode(b);
  } catch {
    throw malformed("a string field is not valid UTF-8");
  }
}

function skip(r: Reader, wireType: number, end: number): void {
  switch (wireType) {
    case 0:
      readVarint64(r, end);
      return;
    case 1:
      r.pos += 8;
      break;
    case 2:
      r.pos += readLength(r, end);
      return;
    case 5:
      r.pos += 4;
      break;
    default:
      throw malformed(`wire type ${wireType}`);
  }
  if (r.pos > end) throw malformed("truncated field");
}

/** One `InferParameter`. */
function readParameter(r: Reader, end: number): ParameterValue {
  let value: ParameterValue = false; // an empty oneof: proto3's default
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (no === 1 && wt === 0) value = readVarint(r, end) !== 0;
    else if (no === 2 && wt === 0) value = readInt64Value(r, end, true);
    else if (no === 3 && wt === 2) value = readString(r, end);
    else if (no === 4 && wt === 1) {
      if (r.pos + 8 > end) throw malformed("truncated double");
      value = new DataView(r.buf.buffer, r.buf.byteOffset).getFloat64(r.pos, true);
      r.pos += 8;
    } else if (no === 5 && wt === 0) value = readInt64Value(r, end, false);
    else skip(r, wt, end);
  }
  return value;
}

/** One `map<string, InferParameter>` entry into `into`. */
function readParameterEntry(r: Reader, end: number, into: Record<string, ParameterValue>): void {
  let key = "";
  let value: ParameterValue = false;
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (no === 1 && wt === 2) key = readString(r, end);
    else if (no === 2 && wt === 2) {
      const n = readLength(r, end);
      value = readParameter(r, r.pos + n);
    } else skip(r, wt, end);
  }
  into[key] = value;
}

/** A tensor as it arrives (input or output tensor: the same fields). */
interface TensorParts {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: Record<string, ParameterValue>;
  /** Per `InferTensorContents` field number: packed chunks (1–7) or elements (8). */
  contents?: Uint8Array[][];
}

/** `repeated int64 shape` element(s), packed or not. */
function readShape(r: Reader, wt: number, end: number, shape: number[]): void {
  const one = () => {
    const v = readInt64Value(r, end, true);
    shape.push(typeof v === "bigint" ? -1 : v); // absurd sizes fail the shape check
  };
  if (wt === 0) return one();
  const n = readLength(r, end);
  const stop = r.pos + n;
  while (r.pos < stop) one();
}

const FIXED_SIZE: Readonly<Record<number, number>> = { 6: 4, 7: 8 };

function readContents(r: Reader, end: number, out: Uint8Array[][]): void {
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (no < 1 || no > 8) {
      skip(r, wt, end);
      continue;
    }
    const list = out[no] ??= [];
    if (wt === 2) list.push(readBytes(r, end)); // packed chunk, or one bytes element
    else if (no <= 5 && wt === 0) {
      const start = r.pos;
      readVarint64(r, end);
      list.push(r.buf.subarray(start, r.pos));
    } else if ((no === 6 && wt === 5) || (no === 7 && wt === 1)) {
      const size = FIXED_SIZE[no];
      if (r.pos + size > end) throw malformed("truncated fixed-size value");
      list.push(r.buf.subarray(r.pos, r.pos + size));
      r.pos += size;
    } else skip(r, wt, end);
  }
}

function readTensor(r: Reader, end: number): TensorParts {
  const t: TensorParts = { name: "", datatype: "", shape: [] };
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (no === 1 && wt === 2) t.name = readString(r, end);
    else if (no === 2 && wt === 2) t.datatype = readString(r, end);
    else if (no === 3 && (wt === 0 || wt === 2)) readShape(r, wt, end, t.shape);
    else if (no === 4 && wt === 2) {
      const n = readLength(r, end);
      readParameterEntry(r, r.pos + n, t.parameters ??= {});
    } else if (no === 5 && wt === 2) {
      const n = readLength(r, end);
      readContents(r, r.pos + n, t.contents ??= []);
    } else skip(r, wt, end);
  }
  return t;
}

function readRequestedOutput(r: Reader, end: number): RequestedOutput {
  let name = "";
  let parameters: Record<string, ParameterValue> | undefined;
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (no === 1 && wt === 2) name = readString(r, end);
    else if (no === 2 && wt === 2) {
      const n = readLength(r, end);
      readParameterEntry(r, r.pos + n, parameters ??= {});
    } else skip(r, wt, end);
  }
  checkRequestedOutput(name, parameters);
  return parameters ? { name, parameters } : { name };
}

const CONTENTS_NAMES = [
  "",
  "bool_contents",
  "int_contents",
  "int64_contents",
  "uint_contents",
  "uint64_contents",
  "fp32_contents",
  "fp64_contents",
  "bytes_contents",
];

/** The chunks as one buffer; a single chunk as it is. */
function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks);
}

const INT_RANGES: Partial<Record<Datatype, readonly [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  UINT8: [0, 255],
  UINT16: [0, 65535],
};

/** A tensor's values from its `contents` (a wrong field or count is a 400). */
function tensorFromContents(
  where: string,
  datatype: Datatype,
  shape: readonly number[],
  contents: Uint8Array[][] | undefined,
): NDArray {
  const field = CONTENTS_FIELD[datatype];
  if (contents) {
    for (let no = 1; no <= 8; no++) {
      if (no !== field && contents[no]?.length) {
        throw new OipError(
          400,
          `${where}: ${datatype} values go in ${CONTENTS_NAMES[field]}, not ` +
            CONTENTS_NAMES[no],
        );
      }
    }
  }
  const chunks = contents?.[field] ?? [];
  if (datatype === "BYTES") return bytesArray(where, shape, chunks);
  if (field === 6 || field === 7) {
    const size = field === 6 ? 4 : 8;
    const bytes = concat(chunks);
    if (bytes.length % size !== 0) {
      throw malformed(`${where}: packed ${CONTENTS_NAMES[field]} of ${bytes.length} bytes`);
    }
    checkCount(where, datatype, shape, bytes.length / size);
    if (datatype !== "FP16") return tensorFromBytes(where, datatype, shape, bytes);
    // No FP16 field exists: fp32_contents are accepted and rounded to half precision.
    const f32 = tensorFromBytes(where, "FP32", shape, bytes);
    return new NDArray(Float16Array.from(f32.data as Float32Array), shape, "float16");
  }
  // Varints: count the last bytes (high bit clear), then decode.
  let count = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++) if (c[i] < 0x80) count++;
  checkCount(where, datatype, shape, count);
  const out = new (typedArrayOf(datatype)!)(count) as TypedArray;
  const range = INT_RANGES[datatype];
  let k = 0;
  for (const c of chunks) {
    const r: Reader = { buf: c, pos: 0 };
    while (r.pos < c.length) {
      readVarint64(r, c.length);
      switch (field) {
        case 1:
          (out as Uint8Array)[k] = LO !== 0 || HI !== 0 ? 1 : 0;
          break;
        case 3:
        case 5:
          (out as BigInt64Array)[k] = bigOf(field === 3);
          break;
        default: {
          const v = field === 2 ? LO | 0 : LO;
          if (range && (v < range[0] || v > range[1])) {
            throw new OipError(
              400,
              `${where}: ${datatype} element ${k} must be an integer in ${range.join("..")}, ` +
                `got ${v}`,
            );
          }
          (out as Int32Array)[k] = v;
        }
      }
      k++;
    }
  }
  return new NDArray(out, shape, dtypeOfDatatype(datatype));
}

/** Tensors with their values: from `raw[i]` when raw contents are given, else `contents`. */
function tensorsOf(
  kind: "input" | "output",
  parts: readonly TensorParts[],
  raw: readonly Uint8Array[],
): InferenceInput[] {
  if (raw.length > 0 && raw.length !== parts.length) {
    throw new OipError(
      400,
      `${raw.length} raw_${kind}_contents for ${parts.length} ${kind}s: give one per ${kind}, ` +
        `in ${kind} order`,
    );
  }
  const names = new Set<string>();
  return parts.map((t, i) => {
    const where = `${kind} '${t.name}'`;
    if (kind === "input" && names.has(t.name)) throw new OipError(400, `${where} is given twice`);
    names.add(t.name);
    const datatype = checkDatatype(where, t.datatype);
    const shape = checkShape(where, t.shape);
    let data: NDArray;
    if (raw.length > 0) {
      if (t.contents?.some((c) => c?.length > 0)) {
        throw new OipError(400, `${where} has both contents and raw_${kind}_contents`);
      }
      data = tensorFromBytes(where, datatype, shape, raw[i]);
    } else data = tensorFromContents(where, datatype, shape, t.contents);
    return t.parameters
      ? { name: t.name, datatype, shape, parameters: t.parameters, data }
      : { name: t.name, datatype, shape, data };
  });
}

/** A decoded `ModelInferRequest`: the model it names and the request. */
export interface DecodedInferRequest {
  /** `model_name` (empty when not set). */
  readonly modelName: string;
  /** `model_version` (empty when not set). */
  readonly modelVersion: string;
  /** The request, inputs decoded. */
  readonly request: InferenceRequest;
  /** True when the inputs came as `raw_input_contents` (answer with `raw_output_contents`). */
  readonly raw: boolean;
}

/**
 * `ModelInferRequest` bytes into an {@link InferenceRequest}: shapes and datatypes checked,
 * values from `raw_input_contents` (one per input, views of `bytes` when aligned) or from each
 * input's typed `contents` (FP16 inputs may use `fp32_contents`). Unknown fields are skipped.
 */
export function decodeModelInferRequest(bytes: Uint8Array): DecodedInferRequest {
  const r: Reader = { buf: bytes, pos: 0 };
  const end = bytes.length;
  let modelName = "", modelVersion = "", id: string | undefined;
  let parameters: Record<string, ParameterValue> | undefined;
  const parts: TensorParts[] = [];
  const outputs: RequestedOutput[] = [];
  const raw: Uint8Array[] = [];
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (wt !== 2) {
      skip(r, wt, end);
      continue;
    }
    switch (no) {
      case 1:
        modelName = readString(r, end);
        break;
      case 2:
        modelVersion = readString(r, end);
        break;
      case 3:
        id = readString(r, end);
        break;
      case 4: {
        const n = readLength(r, end);
        readParameterEntry(r, r.pos + n, parameters ??= {});
        break;
      }
      case 5: {
        const n = readLength(r, end);
        parts.push(readTensor(r, r.pos + n));
        break;
      }
      case 6: {
        const n = readLength(r, end);
        outputs.push(readRequestedOutput(r, r.pos + n));
        break;
      }
      case 7:
        raw.push(readBytes(r, end));
        break;
      default:
        skip(r, wt, end);
    }
  }
  const request: { -readonly [K in keyof InferenceRequest]: InferenceRequest[K] } = {
    inputs: tensorsOf("input", parts, raw),
  };
  if (id !== undefined && id !== "") request.id = id;
  if (parameters) request.parameters = parameters;
  if (outputs.length > 0) {
    checkDistinctOutputs(outputs);
    request.outputs = outputs;
  }
  return { modelName, modelVersion, request, raw: raw.length > 0 };
}

// ---------------------------------------------------------------------------------------
// Writing

/** Bytes written in parts: small fields into a scratch chunk, big ones appended as views. */
class Sink {
  readonly parts: Uint8Array[] = [];
  length = 0;
  private cur = new Uint8Array(256);
  private n = 0;

  byte(b: number): void {
    if (this.n === this.cur.length) this.flush(this.cur.length * 2);
    this.cur[this.n++] = b;
    this.length++;
  }

  varint(v: number): void {
    while (v >= 128) {
      this.byte((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  varint64(lo: number, hi: number): void {
    while (hi !== 0 || lo > 127) {
      this.byte((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    this.byte(lo);
  }

  /** A signed or unsigned 64-bit integer (number or bigint), two's complement. */
  int64(v: number | bigint): void {
    if (typeof v === "number" && v >= 0 && v <= Number.MAX_SAFE_INTEGER) return this.varint(v);
    const u = BigInt.asUintN(64, typeof v === "bigint" ? v : BigInt(Math.trunc(v)));
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  tag(no: number, wt: number): void {
    this.byte((no << 3) | wt);
  }

  bytes(b: Uint8Array): void {
    if (b.length <= 64) {
      for (let i = 0; i < b.length; i++) this.byte(b[i]);
      return;
    }
    this.flush(256);
    this.parts.push(b);
    this.length += b.length;
  }

  /** `no` as a length-delimited field holding `b`. */
  field(no: number, b: Uint8Array): void {
    this.tag(no, 2);
    this.varint(b.length);
    this.bytes(b);
  }

  string(no: number, s: string): void {
    this.field(no, ENCODER.encode(s));
  }

  /** `no` as a length-delimited field holding what `child` wrote. */
  message(no: number, child: Sink): void {
    child.flush(0);
    this.tag(no, 2);
    this.varint(child.length);
    this.flush(256);
    for (const p of child.parts) this.parts.push(p);
    this.length += child.length;
  }

  private flush(next: number): void {
    if (this.n > 0) this.parts.push(this.cur.subarray(0, this.n));
    if (next > 0 && (this.n > 0 || this.cur.length < next)) this.cur = new Uint8Array(next);
    this.n = 0;
  }

  finish(): Uint8Array {
    this.flush(0);
    return concat(this.parts);
  }
}

const ENCODER = new TextEncoder();

function writeParameter(s: Sink, v: ParameterValue): void {
  switch (typeof v) {
    case "boolean":
      s.tag(1, 0);
      s.byte(v ? 1 : 0);
      return;
    case "string":
      s.string(3, v);
      return;
    case "bigint":
      if (v > 0x7fffffffffffffffn) {
        s.tag(5, 0);
      } else s.tag(2, 0);
      s.int64(v);
      return;
    default:
      if (Number.isSafeInteger(v)) {
        s.tag(2, 0);
        s.int64(v);
      } else {
        s.tag(4, 1);
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v as number, true);
        s.bytes(b);
      }
  }
}

function writeParameters(s: Sink, no: number, params: Parameters | undefined): void {
  if (!params) return;
  for (const [k, v] of Object.entries(params)) {
    const entry = new Sink();
    entry.string(1, k);
    const value = new Sink();
    writeParameter(value, v);
    entry.message(2, value);
    s.message(no, entry);
  }
}

function writeShape(s: Sink, shape: readonly number[]): void {
  if (shape.length === 0) return;
  const packed = new Sink();
  for (const d of shape) packed.int64(d);
  s.message(3, packed);
}

/** `InferTensorContents` of a tensor (FP16 is written as fp32_contents). */
function writeContents(t: WireTensor): Sink {
  const c = new Sink();
  const field = CONTENTS_FIELD[t.datatype];
  if (t.datatype === "BYTES") {
    for (const e of bytesElements(`output '${t.name}'`, t.data)) c.field(8, e);
    return c;
  }
  if (t.data.size === 0) return c;
  if (field === 6 || field === 7) {
    const values = t.datatype === "FP16"
      ? Float32Array.from(t.data.data as Float16Array)
      : typedValues(t.datatype, t.data);
    c.field(field, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return c;
  }
  const values = typedValues(t.datatype, t.data);
  const packed = new Sink();
  if (field === 3 || field === 5) {
    for (let i = 0; i < values.length; i++) packed.int64(values[i] as bigint);
  } else if (field === 2) {
    const v = values as Int32Array;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x >= 0) packed.varint(x);
      else packed.varint64(x >>> 0, 0xffffffff);
    }
  } else {
    const v = values as Uint32Array;
    for (let i = 0; i < v.length; i++) packed.varint(field === 1 ? (v[i] ? 1 : 0) : v[i]);
  }
  c.message(field, packed);
  return c;
}

/** One tensor message (InferInputTensor / InferOutputTensor: the same fields). */
function writeTensor(t: WireTensor, raw: boolean): Sink {
  const s = new Sink();
  s.string(1, t.name);
  s.string(2, t.datatype);
  writeShape(s, t.shape);
  writeParameters(s, 4, t.parameters);
  if (!raw) s.message(5, writeContents(t));
  return s;
}

/**
 * An {@link InferenceResponse} (model name and id filled) into `ModelInferResponse` bytes.
 * Outputs are checked and normalised (a wrong one is a 500); their values go in
 * `raw_output_contents` when `raw` (the request used raw inputs) or when an output is FP16
 * (which has no `contents` field), else in each output's `contents`.
 */
export function encodeModelInferResponse(response: InferenceResponse, raw: boolean): Uint8Array {
  if (!Array.isArray(response.outputs)) {
    throw new OipError(500, "the model's answer has no 'outputs' list");
  }
  const tensors = response.outputs.map(outputTensor);
  const useRaw = raw || tensors.some((t) => t.datatype === "FP16");
  return encodeSmallInferResponse(response, tensors, useRaw) ??
    encodeInferResponseGeneral(response, tensors, useRaw);
}

/**
 * The general encoder of {@link encodeModelInferResponse} (`tensors`: the checked outputs;
 * `useRaw`: values in `raw_output_contents`); exported to test the direct one against it.
 */
export function encodeInferResponseGeneral(
  response: InferenceResponse,
  tensors: readonly WireTensor[],
  useRaw: boolean,
): Uint8Array {
  const s = new Sink();
  if (response.modelName) s.string(1, response.modelName);
  if (response.modelVersion) s.string(2, response.modelVersion);
  if (response.id) s.string(3, response.id);
  writeParameters(s, 4, response.parameters);
  for (const t of tensors) s.message(5, writeTensor(t, useRaw));
  if (useRaw) { for (const t of tensors) s.field(6, tensorToBytes(t)); }
  return s.finish();
}

/** What a client sends: the model and the request. */
export interface InferRequestMessage {
  /** `model_name`. */
  readonly modelName: string;
  /** `model_version` (not sent when absent). */
  readonly modelVersion?: string;
  /** The request; its inputs are checked like outputs. */
  readonly request: InferenceRequest;
}

/**
 * An inference request into `ModelInferRequest` bytes (client side: tests, benchmarks), its
 * inputs' values in `raw_input_contents` when `raw`, else in `contents`.
 */
export function encodeModelInferRequest(message: InferRequestMessage, raw: boolean): Uint8Array {
  const { request } = message;
  const s = new Sink();
  if (message.modelName) s.string(1, message.modelName);
  if (message.modelVersion) s.string(2, message.modelVersion);
  if (request.id) s.string(3, request.id);
  writeParameters(s, 4, request.parameters);
  const tensors = request.inputs.map((i) => outputTensor(i as InferenceOutput));
  for (const t of tensors) s.message(5, writeTensor(t, raw));
  for (const o of request.outputs ?? []) {
    const out = new Sink();
    out.string(1, o.name);
    writeParameters(out, 2, o.parameters);
    s.message(6, out);
  }
  if (raw) { for (const t of tensors) s.field(7, tensorToBytes(t)); }
  return s.finish();
}

/** A decoded `ModelInferResponse`: outputs with their datatype, shape and values. */
export interface DecodedInferResponse extends InferenceResponse {
  /** The outputs with their values decoded. */
  readonly outputs: readonly InferenceInput[];
}

/**
 * `ModelInferResponse` bytes into an {@link InferenceResponse} with decoded outputs (client
 * side: tests, benchmarks), values from `raw_output_contents` or `contents`.
 */
export function decodeModelInferResponse(bytes: Uint8Array): DecodedInferResponse {
  const r: Reader = { buf: bytes, pos: 0 };
  const end = bytes.length;
  let modelName = "", modelVersion = "", id = "";
  let parameters: Record<string, ParameterValue> | undefined;
  const parts: TensorParts[] = [];
  const raw: Uint8Array[] = [];
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (wt !== 2) skip(r, wt, end);
    else if (no === 1) modelName = readString(r, end);
    else if (no === 2) modelVersion = readString(r, end);
    else if (no === 3) id = readString(r, end);
    else if (no === 4) {
      const n = readLength(r, end);
      readParameterEntry(r, r.pos + n, parameters ??= {});
    } else if (no === 5) {
      const n = readLength(r, end);
      parts.push(readTensor(r, r.pos + n));
    } else if (no === 6) raw.push(readBytes(r, end));
    else skip(r, wt, end);
  }
  const out: { -readonly [K in keyof DecodedInferResponse]: DecodedInferResponse[K] } = {
    modelName,
    outputs: tensorsOf("output", parts, raw),
  };
  if (modelVersion) out.modelVersion = modelVersion;
  if (id) out.id = id;
  if (parameters) out.parameters = parameters;
  return out;
}

// ---------------------------------------------------------------------------------------
// Health and metadata

/** `ModelReadyRequest` / `ModelMetadataRequest`: the model's name and version. */
export interface ModelRef {
  /** The model's name. */
  readonly name: string;
  /** Its version (empty when not given). */
  readonly version: string;
}

/** `ModelReadyRequest` / `ModelMetadataRequest` bytes (name 1, version 2). */
export function decodeModelRef(bytes: Uint8Array): ModelRef {
  const r: Reader = { buf: bytes, pos: 0 };
  let name = "", version = "";
  while (r.pos < bytes.length) {
    const tag = readVarint(r, bytes.length);
    const no = tag >>> 3, wt = tag & 7;
    if (no === 1 && wt === 2) name = readString(r, bytes.length);
    else if (no === 2 && wt === 2) version = readString(r, bytes.length);
    else skip(r, wt, bytes.length);
  }
  return { name, version };
}

/** A `ModelReadyRequest` / `ModelMetadataRequest` (client side). */
export function encodeModelRef(ref: { name: string; version?: string }): Uint8Array {
  const s = new Sink();
  if (ref.name) s.string(1, ref.name);
  if (ref.version) s.string(2, ref.version);
  return s.finish();
}

/** `ServerLiveResponse` / `ServerReadyResponse` / `ModelReadyResponse`: one bool, field 1. */
export function encodeFlagResponse(flag: boolean): Uint8Array {
  return flag ? Uint8Array.of(0x08, 0x01) : new Uint8Array(0);
}

/** The bool of a `ServerLiveResponse` / `ServerReadyResponse` / `ModelReadyResponse`. */
export function decodeFlagResponse(bytes: Uint8Array): boolean {
  const r: Reader = { buf: bytes, pos: 0 };
  let flag = false;
  while (r.pos < bytes.length) {
    const tag = readVarint(r, bytes.length);
    if (tag === 0x08) flag = readVarint(r, bytes.length) !== 0;
    else skip(r, tag & 7, bytes.length);
  }
  return flag;
}

/** `ServerMetadataResponse` bytes (name 1, version 2, extensions 3). */
export function encodeServerMetadataResponse(meta: ServerMetadata): Uint8Array {
  const s = new Sink();
  if (meta.name) s.string(1, meta.name);
  if (meta.version) s.string(2, meta.version);
  for (const e of meta.extensions) s.string(3, e);
  return s.finish();
}

/** `ServerMetadataResponse` bytes into {@link ServerMetadata} (client side). */
export function decodeServerMetadataResponse(bytes: Uint8Array): ServerMetadata {
  const r: Reader = { buf: bytes, pos: 0 };
  let name = "", version = "";
  const extensions: string[] = [];
  while (r.pos < bytes.length) {
    const tag = readVarint(r, bytes.length);
    const no = tag >>> 3, wt = tag & 7;
    if (wt !== 2) skip(r, wt, bytes.length);
    else if (no === 1) name = readString(r, bytes.length);
    else if (no === 2) version = readString(r, bytes.length);
    else if (no === 3) extensions.push(readString(r, bytes.length));
    else skip(r, wt, bytes.length);
  }
  return { name, version, extensions };
}

function writeTensorMetadata(s: Sink, no: number, t: TensorMetadata): void {
  const m = new Sink();
  m.string(1, t.name);
  m.string(2, t.datatype);
  writeShape(m, t.shape);
  s.message(no, m);
}

/**
 * `ModelMetadataResponse` bytes (name 1, versions 2, platform 3, inputs 4, outputs 5,
 * properties 6). The proto has no parameters: model-level `parameters` are sent as
 * `properties`, their values as strings; tensor-level parameters are not carried.
 */
export function encodeModelMetadataResponse(meta: ModelMetadata): Uint8Array {
  const s = new Sink();
  if (meta.name) s.string(1, meta.name);
  for (const v of meta.versions ?? []) s.string(2, v);
  if (meta.platform) s.string(3, meta.platform);
  for (const t of meta.inputs ?? []) writeTensorMetadata(s, 4, t);
  for (const t of meta.outputs ?? []) writeTensorMetadata(s, 5, t);
  for (const [k, v] of Object.entries(meta.parameters ?? {})) {
    const entry = new Sink();
    entry.string(1, k);
    entry.string(2, String(v));
    s.message(6, entry);
  }
  return s.finish();
}

/** `ModelMetadataResponse` bytes into {@link ModelMetadata} (client side; properties as parameters). */
export function decodeModelMetadataResponse(bytes: Uint8Array): ModelMetadata {
  const r: Reader = { buf: bytes, pos: 0 };
  const end = bytes.length;
  let name = "", platform = "";
  const versions: string[] = [], inputs: TensorMetadata[] = [], outputs: TensorMetadata[] = [];
  let parameters: Record<string, string> | undefined;
  while (r.pos < end) {
    const tag = readVarint(r, end);
    const no = tag >>> 3, wt = tag & 7;
    if (wt !== 2) skip(r, wt, end);
    else if (no === 1) name = readString(r, end);
    else if (no === 2) versions.push(readString(r, end));
    else if (no === 3) platform = readString(r, end);
    else if (no === 4 || no === 5) {
      const n = readLength(r, end);
      const t = readTensor(r, r.pos + n);
      (no === 4 ? inputs : outputs).push({
        name: t.name,
        datatype: t.datatype as Datatype,
        shape: t.shape,
      });
    } else if (no === 6) {
      const n = readLength(r, end);
      const stop = r.pos + n;
      let k = "", v = "";
      while (r.pos < stop) {
        const t = readVarint(r, stop);
        if (t === 0x0a) k = readString(r, stop);
        else if (t === 0x12) v = readString(r, stop);
        else skip(r, t & 7, stop);
      }
      (parameters ??= {})[k] = v;
    } else skip(r, wt, end);
  }
  const out: { -readonly [K in keyof ModelMetadata]: ModelMetadata[K] } = { name, platform };
  if (versions.length > 0) out.versions = versions;
  if (inputs.length > 0) out.inputs = inputs;
  if (outputs.length > 0) out.outputs = outputs;
  if (parameters) out.parameters = parameters;
  return out;
}
