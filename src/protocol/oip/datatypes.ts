/**
 * The V2 tensor datatypes against {@link NDArray} dtypes: which dtype holds each, the byte size
 * of one element on the wire (little-endian, BOOL one byte), and the typed array the values live
 * in. BYTES has no fixed size: each element travels as a 4-byte length and its bytes.
 * @module
 */
import type { DType, TypedArray } from "../ndarray.ts";
import type { Datatype } from "./types.ts";

/** Every datatype of the spec, in its table's order. */
export const DATATYPES: readonly Datatype[] = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
];

const DATATYPE_SET: ReadonlySet<string> = new Set(DATATYPES);

/** True for one of the spec's datatype names (upper case, as the spec writes them). */
export function isDatatype(x: unknown): x is Datatype {
  return typeof x === "string" && DATATYPE_SET.has(x);
}

const DTYPE_OF: Readonly<Record<Datatype, DType>> = {
  BOOL: "bool",
  UINT8: "uint8",
  UINT16: "uint16",
  UINT32: "uint32",
  UINT64: "uint64",
  INT8: "int8",
  INT16: "int16",
  INT32: "int32",
  INT64: "int64",
  FP16: "float16",
  FP32: "float32",
  FP64: "float64",
  BYTES: "string",
};

/**
 * The NDArray dtype a tensor of `datatype` decodes to. BYTES gives `string` (elements decoded
 * as UTF-8) — or `object` with `Uint8Array` elements when an element is not valid UTF-8.
 */
export function dtypeOfDatatype(datatype: Datatype): DType {
  return DTYPE_OF[datatype];
}

const DATATYPE_OF: Readonly<Record<DType, Datatype>> = {
  bool: "BOOL",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  float16: "FP16",
  float32: "FP32",
  float64: "FP64",
  string: "BYTES",
  object: "BYTES",
};

/** The datatype an array of `dtype` is answered as (`string` and `object` → BYTES). */
export function datatypeOfDType(dtype: DType): Datatype {
  return DATATYPE_OF[dtype];
}

const SIZES: Readonly<Record<Datatype, number>> = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
  BYTES: 0,
};

/** Bytes of one element on the wire; 0 for BYTES (variable: 4-byte length + bytes). */
export function elementSize(datatype: Datatype): number {
  return SIZES[datatype];
}

/** A typed array class: from a length, or as a view of a buffer. */
export interface TypedArrayClass {
  /** A zero-filled array of `length` elements. */
  new (length: number): TypedArray;
  /** A view of `length` elements of `buffer` from `byteOffset` (which must be aligned). */
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  /** Bytes per element. */
  readonly BYTES_PER_ELEMENT: number;
}

const ARRAYS: Readonly<Record<Exclude<Datatype, "BYTES">, TypedArrayClass>> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Float16Array,
  FP32: Float32Array,
  FP64: Float64Array,
} as unknown as Record<Exclude<Datatype, "BYTES">, TypedArrayClass>;

/**
 * The typed array a tensor of `datatype` keeps its values in (BOOL: `Uint8Array` of 0/1,
 * INT64/UINT64: `BigInt64Array`/`BigUint64Array`, FP16: `Float16Array`); `undefined` for BYTES.
 */
export function typedArrayOf(datatype: Datatype): TypedArrayClass | undefined {
  return datatype === "BYTES" ? undefined : ARRAYS[datatype];
}

/** True for INT64 and UINT64 (values are `bigint`s). */
export function isBigIntDatatype(datatype: Datatype): boolean {
  return datatype === "INT64" || datatype === "UINT64";
}

/** The field of `InferTensorContents` each datatype's values travel in (FP16: `fp32_contents`). */
export const CONTENTS_FIELD: Readonly<Record<Datatype, number>> = {
  BOOL: 1,
  INT8: 2,
  INT16: 2,
  INT32: 2,
  INT64: 3,
  UINT8: 4,
  UINT16: 4,
  UINT32: 4,
  UINT64: 5,
  FP16: 6,
  FP32: 6,
  FP64: 7,
  BYTES: 8,
};
