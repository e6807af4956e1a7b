/**
 * `tftensor` payloads: TensorFlow `TensorProto` (in its canonical proto3-JSON form) to
 * {@link NDArray} with `make_ndarray` rules (protocol.md §6.4), and back with
 * `make_tensor_proto` rules (§6.5). Pure: no HTTP or gRPC types.
 * @module
 */
import { decodeBase64Lenient, encodeBase64 } from "./base64.ts";
import { type DType, NDArray, resolveShape, shapeSize } from "./ndarray.ts";
import { checkShape } from "./shape.ts";
import { shortestFloat32 } from "./proto/schema.ts";

/** One TensorFlow dtype: our dtype, bytes per element in `tensor_content`, the typed field. */
interface TfType {
  readonly dtype: DType;
  readonly bytes: number;
  readonly field: string;
  /** Reads element `i` of little-endian packed content. */
  readonly read: (view: DataView, i: number) => number;
  /** Writes element `i` into little-endian packed content. */
  readonly write: (view: DataView, i: number, v: number) => void;
  /** Writes a bigint element (64-bit integer types only). */
  readonly writeBig?: (view: DataView, i: number, v: bigint) => void;
}

const TF_TYPES: Record<string, TfType> = {
  DT_FLOAT: {
    dtype: "float32",
    bytes: 4,
    field: "floatVal",
    read: (v, i) => v.getFloat32(i * 4, true),
    write: (v, i, x) => v.setFloat32(i * 4, x, true),
  },
  DT_DOUBLE: {
    dtype: "float64",
    bytes: 8,
    field: "doubleVal",
    read: (v, i) => v.getFloat64(i * 8, true),
    write: (v, i, x) => v.setFloat64(i * 8, x, true),
  },
  DT_INT32: {
    dtype: "int32",
    bytes: 4,
    field: "intVal",
    read: (v, i) => v.getInt32(i * 4, true),
    write: (v, i, x) => v.setInt32(i * 4, x, true),
  },
  DT_UINT8: {
    dtype: "uint8",
    bytes: 1,
    field: "intVal",
    read: (v, i) => v.getUint8(i),
    write: (v, i, x) => v.setUint8(i, x),
  },
  DT_INT16: {
    dtype: "int16",
    bytes: 2,
    field: "intVal",
    read: (v, i) => v.getInt16(i * 2, true),
    write: (v, i, x) => v.setInt16(i * 2, x, true),
  },
  DT_INT8: {
    dtype: "int8",
    bytes: 1,
    field: "intVal",
    read: (v, i) => v.getInt8(i),
    write: (v, i, x) => v.setInt8(i, x),
  },
  DT_INT64: {
    dtype: "int64",
    bytes: 8,
    field: "int64Val",
    read: (v, i) => Number(v.getBigInt64(i * 8, true)),
    write: (v, i, x) => v.setBigInt64(i * 8, BigInt(Math.trunc(x)), true),
    writeBig: (v, i, x) => v.setBigInt64(i * 8, x, true),
  },
  DT_BOOL: {
    dtype: "bool",
    bytes: 1,
    field: "boolVal",
    read: (v, i) => v.getUint8(i),
    write: (v, i, x) => v.setUint8(i, x ? 1 : 0),
  },
  DT_UINT16: {
    dtype: "uint16",
    bytes: 2,
    field: "intVal",
    read: (v, i) => v.getUint16(i * 2, true),
    write: (v, i, x) => v.setUint16(i * 2, x, true),
  },
  DT_UINT32: {
    dtype: "uint32",
    bytes: 4,
    field: "uint32Val",
    read: (v, i) => v.getUint32(i * 4, true),
    write: (v, i, x) => v.setUint32(i * 4, x, true),
  },
  DT_UINT64: {
    dtype: "uint64",
    bytes: 8,
    field: "uint64Val",
    read: (v, i) => Number(v.getBigUint64(i * 8, true)),
    write: (v, i, x) => v.setBigUint64(i * 8, BigInt(Math.trunc(x)), true),
    writeBig: (v, i, x) => v.setBigUint64(i * 8, x, true),
  },
  DT_HALF: {
    dtype: "float16",
    bytes: 2,
    field: "halfVal",
    read: (v, i) => halfToNumber(v.getUint16(i * 2, true)),
    write: (v, i, x) => v.setUint16(i * 2, numberToHalf(x), true),
  },
  DT_BFLOAT16: {
    dtype: "float32",
    bytes: 2,
    field: "halfVal",
    read: (v, i) => bfloat16ToNumber(v.getUint16(i * 2, true)),
    write: () => {
      throw new Error("bfloat16 output is not supported");
    },
  },
};

const DT_BY_NUMBER = [
  "DT_INVALID",
  "DT_FLOAT",
  "DT_DOUBLE",
  "DT_INT32",
  "DT_UINT8",
  "DT_INT16",
  "DT_INT8",
  "DT_STRING",
  "DT_COMPLEX64",
  "DT_INT64",
  "DT_BOOL",
  "DT_QINT8",
  "DT_QUINT8",
  "DT_QINT32",
  "DT_BFLOAT16",
  "DT_QINT16",
  "DT_QUINT16",
  "DT_UINT16",
  "DT_COMPLEX128",
  "DT_HALF",
  "DT_RESOURCE",
  "DT_VARIANT",
  "DT_UINT32",
  "DT_UINT64",
];

const TF_BY_DTYPE = new Map<DType, string>(
  Object.entries(TF_TYPES).filter(([name]) => name !== "DT_BFLOAT16").map((
    [name, t],
  ) => [t.dtype, name]),
);

/**
 * Dtypes TensorFlow never packs into `tensor_content` (not in `make_tensor_proto`'s
 * `_TENSOR_CONTENT_TYPES`): every element goes to the typed field.
 */
const NEVER_PACKED = new Set(["DT_UINT16", "DT_BOOL"]);

/** The typed-value fields that hold their numbers as decimal strings (64-bit). */
const STRING_FIELDS = new Set(["int64Val", "uint64Val"]);

function dtypeName(dtype: unknown): string {
  if (typeof dtype === "number") return DT_BY_NUMBER[dtype] ?? `DT_${dtype}`;
  return typeof dtype === "string" ? dtype : "DT_INVALID";
}

function tensorShape(proto: Record<string, unknown>): number[] {
  const shape = proto.tensorShape as { dim?: { size?: string | number }[] } | undefined;
  const dims = (shape?.dim ?? []).map((d) => {
    const n = Number(d.size ?? 0);
    return Number.isSafeInteger(n) ? n : BigInt(d.size!); // int64 digits, kept for the error
  });
  // Negative sizes keep make_ndarray's own errors; absurd ones are refused before sizing.
  checkShape(dims.map((d) => d < 0 ? -d : d));
  return dims as number[];
}

/**
 * Converts a canonical proto3-JSON `TensorProto` to an NDArray (TensorFlow `make_ndarray`).
 * Throws a plain `Error` (HTTP 500) for unsupported dtypes and inconsistent sizes.
 */
export function tftensorToNDArray(proto: Record<string, unknown>): NDArray {
  const name = dtypeName(proto.dtype);
  const shape = tensorShape(proto);
  const n = shapeSize(shape);
  if (name === "DT_STRING") return stringTensor(proto, shape, n);
  const tf = TF_TYPES[name];
  if (!tf) throw new Error(`Unsupported tftensor dtype ${name}`);
  const content = typeof proto.tensorContent === "string" && proto.tensorContent.length > 0
    ? decodeBase64Lenient(proto.tensorContent)
    : undefined;
  if (content) {
    // numpy `frombuffer(content, dtype).reshape(shape)`: one `-1` axis is inferred.
    if (content.length % tf.bytes !== 0) {
      throw new Error("buffer size must be a multiple of element size");
    }
    const count = content.length / tf.bytes;
    const data = new Float64Array(count);
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    for (let i = 0; i < count; i++) data[i] = tf.read(view, i);
    return new NDArray(data, resolveShape(shape, count), tf.dtype);
  }
  const raw = (proto[tf.field] as unknown[] | undefined) ?? [];
  const values = raw.map((v) => toNumber(v, name));
  if (n < 0) {
    // `np.zeros(shape)` / `np.pad(values, (0, n - size))` with a negative element count.
    throw new Error(
      values.length === 0
        ? "negative dimensions are not allowed"
        : "index can't contain negative values",
    );
  }
  checkPadding(n, values.length);
  const data = new Float64Array(n);
  fillPadded(data, values);
  return new NDArray(data, resolveShape(shape, n), tf.dtype);
}

/**
 * Most elements a tftensor may be padded to from fewer given values (16 Mi: 128 MB of float64).
 * make_ndarray fills a shape from one value (or none), so a 100-byte request naming a shape of
 * 10^9 elements would otherwise allocate gigabytes or crash the worker. A tensor whose values are
 * all given is bounded by the request size instead.
 */
const MAX_PADDED_ELEMENTS = 1 << 24;

function checkPadding(n: number, given: number): void {
  if (n > given && n > MAX_PADDED_ELEMENTS) {
    throw new Error(
      `tftensor shape has ${n} elements but only ${given} values are given ` +
        `(at most ${MAX_PADDED_ELEMENTS} elements are filled in)`,
    );
  }
}

function toNumber(v: unknown, name: string): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  // Canonical proto3 JSON writes non-finite floats as "NaN" / "Infinity" / "-Infinity".
  const x = Number(v);
  if (name === "DT_HALF") return halfToNumber(x);
  if (name === "DT_BFLOAT16") return bfloat16ToNumber(x);
  // `float_val` holds float32 values: canonical JSON prints their shortest decimal (0.1).
  if (name === "DT_FLOAT") return Math.fround(x);
  return x;
}

/**
 * make_ndarray: empty → zeros; shorter → pad with the last value (`np.pad(..., "edge")`);
 * longer → numpy's error for the negative pad width.
 */
function fillPadded(data: Float64Array | unknown[], values: unknown[]): void {
  const n = data.length;
  if (values.length > n) throw new Error("index can't contain negative values");
  for (let i = 0; i < values.length; i++) data[i] = values[i];
  if (values.length > 0) {
    const last = values[values.length - 1];
    for (let i = values.length; i < n; i++) data[i] = last;
  }
}

/** DT_STRING: pad to the element count with the last value (or `""`), then reshape. */
function stringTensor(proto: Record<string, unknown>, shape: number[], n: number): NDArray {
  const decoder = new TextDecoder();
  const values: unknown[] = ((proto.stringVal as string[] | undefined) ?? []).map((b) =>
    decoder.decode(decodeBase64Lenient(b))
  );
  const last = values.length > 0 ? values[values.length - 1] : "";
  checkPadding(n, values.length);
  while (values.length < n) values.push(last);
  return new NDArray(values, resolveShape(shape, values.length), "string");
}

/**
 * Converts a numeric NDArray to a canonical proto3-JSON `TensorProto` (`make_tensor_proto`):
 * more than one element → packed little-endian `tensorContent` (except uint16, never packed by
 * TensorFlow); otherwise the typed field. Non-finite floats are written `"NaN"` / `"Infinity"` /
 * `"-Infinity"` and `floatVal` items as their shortest float32 decimal, as protobuf prints them.
 */
export function ndarrayToTftensor(array: NDArray): Record<string, unknown> {
  const name = TF_BY_DTYPE.get(array.dtype);
  if (!name) throw new Error(`Unsupported dtype for tftensor: ${array.dtype}`);
  const tf = TF_TYPES[name];
  const dim = array.shape.map((size) => (size === 0 ? {} : { size: String(size) }));
  // A 0-d array has a set but empty shape: printed `{}` (empty repeated fields are omitted).
  const out: Record<string, unknown> = { dtype: name, tensorShape: dim.length > 0 ? { dim } : {} };
  const values = array.data as ArrayLike<number | bigint>;
  if (values.length > 1 && !NEVER_PACKED.has(name)) {
    const bytes = new Uint8Array(values.length * tf.bytes);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === "bigint") tf.writeBig!(view, i, v);
      else tf.write(view, i, v);
    }
    out.tensorContent = encodeBase64(bytes);
  } else if (values.length > 0) {
    out[tf.field] = Array.from(values, (v) => typedValue(tf, name, v));
  }
  return out;
}

function typedValue(tf: TfType, name: string, v: number | bigint): unknown {
  if (typeof v === "bigint") return v.toString(); // int64Val / uint64Val
  if (name === "DT_BOOL") return v !== 0;
  if (name === "DT_HALF") return numberToHalf(v);
  if (STRING_FIELDS.has(tf.field)) return String(Math.trunc(v));
  if (v - v !== 0) return v !== v ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return name === "DT_FLOAT" ? shortestFloat32(v) : v;
}

/** IEEE 754 half-precision bits → number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → IEEE 754 half-precision bits (round to nearest). */
export function numberToHalf(x: number): number {
  const f32 = new Float32Array([x]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  const frac = bits & 0x7fffff;
  if (Number.isNaN(x)) return 0x7e00;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = (frac | 0x800000) >> (1 - exp);
    return sign | ((m + 0x1000) >> 13);
  }
  return (sign | (exp << 10) | (frac >> 13)) + ((frac >> 12) & 1);
}

function bfloat16ToNumber(bits: number): number {
  const buf = new Uint32Array([bits << 16]);
  return new Float32Array(buf.buffer)[0];
}
