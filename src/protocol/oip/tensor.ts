/**
 * Tensor checks every V2 codec shares: shapes, element counts, JSON-like values into an
 * {@link NDArray} of the datatype's dtype (with a clear 400 for a wrong value), and a model's
 * outputs normalised to name, datatype, shape and array (a wrong output is the model's fault:
 * 500).
 * @module
 */
import { MAX_DIMS, NDArray, type TypedArray } from "../ndarray.ts";
import { datatypeOfDType, dtypeOfDatatype, isDatatype, typedArrayOf } from "./datatypes.ts";
import { OipError, type OipStatus } from "./errors.ts";
import type {
  Datatype,
  InferenceOutput,
  InferenceRequest,
  InferenceResponse,
  Parameters,
} from "./types.ts";

/** A tensor ready for a wire: checked name, datatype and shape, values in `data`. */
export interface WireTensor {
  /** The tensor's name. */
  readonly name: string;
  /** Its datatype (`data` holds that datatype's dtype). */
  readonly datatype: Datatype;
  /** Its shape (the element count of `data`). */
  readonly shape: readonly number[];
  /** Its parameters, as the model gave them. */
  readonly parameters?: Parameters;
  /** Values in the datatype's dtype (BYTES: `string` or `object` of `Uint8Array`s). */
  readonly data: NDArray;
}

/** `[2, 3]` as error texts write shapes. */
export function showShape(shape: readonly unknown[]): string {
  return `[${shape.join(", ")}]`;
}

/** A dimension as sent: numbers as they are, anything else as JSON (`"1"` keeps its quotes). */
function showDimension(d: unknown): string {
  return typeof d === "number" || typeof d === "bigint"
    ? String(d)
    : JSON.stringify(d) ?? String(d);
}

/** Product of the dimensions. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A tensor's `shape` checked: a list of at most 32 non-negative integers (`where` names the
 * tensor in the message, e.g. `input 'x'`).
 */
export function checkShape(where: string, shape: unknown, status: OipStatus = 400): number[] {
  if (!Array.isArray(shape)) {
    throw new OipError(status, `${where}: shape must be a list of integers`);
  }
  if (shape.length > MAX_DIMS) {
    throw new OipError(
      status,
      `${where}: shape has ${shape.length} dimensions (at most ${MAX_DIMS})`,
    );
  }
  const out: number[] = new Array(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw new OipError(
        status,
        `${where}: shape ${showShape(shape.map(showDimension))} must hold non-negative integers`,
      );
    }
    out[i] = d;
  }
  return out;
}

/** Throws when `count` elements do not fill `shape`. */
export function checkCount(
  where: string,
  datatype: Datatype,
  shape: readonly number[],
  count: number,
  status: OipStatus = 400,
): void {
  const want = elementCount(shape);
  if (want !== count) {
    throw new OipError(
      status,
      `${where}: shape ${showShape(shape)} needs ${want} ${datatype} elements but the data ` +
        `has ${count}`,
    );
  }
}

/** A tensor's `datatype` checked. */
export function checkDatatype(where: string, datatype: unknown, status: OipStatus = 400): Datatype {
  if (isDatatype(datatype)) return datatype;
  throw new OipError(
    status,
    `${where}: unsupported datatype ${JSON.stringify(datatype) ?? String(datatype)} ` +
      `(BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES)`,
  );
}

/**
 * Row-major leaves of `data`: a flat list as it is, nested lists flattened (at most 32 levels).
 * A scalar is one element.
 */
export function flattenData(
  where: string,
  data: unknown,
  status: OipStatus = 400,
): ArrayLike<unknown> {
  if (!Array.isArray(data)) return ArrayBuffer.isView(data) ? data as TypedArray : [data];
  let nested = false;
  for (let i = 0; i < data.length; i++) {
    if (Array.isArray(data[i])) {
      nested = true;
      break;
    }
  }
  if (!nested) return data;
  const out: unknown[] = [];
  const walk = (v: unknown[], depth: number) => {
    if (depth > MAX_DIMS) {
      throw new OipError(status, `${where}: data is nested more than ${MAX_DIMS} levels deep`);
    }
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Array.isArray(x)) walk(x, depth + 1);
      else out.push(x);
    }
  };
  walk(data, 1);
  return out;
}

const RANGES: Partial<Record<Datatype, readonly [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
};
const BIG_RANGES: Partial<Record<Datatype, readonly [bigint, bigint]>> = {
  INT64: [-(1n << 63n), (1n << 63n) - 1n],
  UINT64: [0n, (1n << 64n) - 1n],
};

function describe(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (Array.isArray(v)) return "a list";
  if (v instanceof Uint8Array) return "bytes";
  return JSON.stringify(v) ?? String(v);
}

function badValue(
  where: string,
  datatype: Datatype,
  i: number,
  v: unknown,
  status: OipStatus,
): OipError {
  const what = datatype === "BOOL"
    ? "true or false"
    : datatype === "BYTES"
    ? "a string"
    : datatype.startsWith("FP")
    ? "a number"
    : `an integer in ${RANGES[datatype]?.join("..") ?? BIG_RANGES[datatype]?.join("..")}`;
  return new OipError(
    status,
    `${where}: ${datatype} element ${i} must be ${what}, got ${describe(v)}`,
  );
}

/**
 * Flat values (JSON leaves, proto contents) into an NDArray of `datatype`'s dtype and `shape`,
 * checking each value: BOOL booleans, integers in range (INT64/UINT64 exact as `bigint`), FP
 * numbers, BYTES strings or `Uint8Array`s.
 */
export function tensorFromValues(
  where: string,
  datatype: Datatype,
  shape: readonly number[],
  flat: ArrayLike<unknown>,
  status: OipStatus = 400,
): NDArray {
  checkCount(where, datatype, shape, flat.length, status);
  const n = flat.length;
  const dtype = dtypeOfDatatype(datatype);
  if (datatype === "BYTES") return bytesArray(where, shape, flat, status);
  const Storage = typedArrayOf(datatype)!;
  const out = new Storage(n);
  if (datatype === "BOOL") {
    const o = out as Uint8Array;
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      if (typeof v !== "boolean") throw badValue(where, datatype, i, v, status);
      o[i] = v ? 1 : 0;
    }
  } else if (datatype === "FP16" || datatype === "FP32" || datatype === "FP64") {
    const o = out as Float64Array;
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      if (typeof v === "number") o[i] = v;
      else if (typeof v === "bigint") o[i] = Number(v);
      else throw badValue(where, datatype, i, v, status);
    }
  } else if (datatype === "INT64" || datatype === "UINT64") {
    const o = out as BigInt64Array;
    const [lo, hi] = BIG_RANGES[datatype]!;
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      let b: bigint;
      if (typeof v === "number" && Number.isInteger(v)) b = BigInt(v);
      else if (typeof v === "bigint") b = v;
      else throw badValue(where, datatype, i, v, status);
      if (b < lo || b > hi) throw badValue(where, datatype, i, v, status);
      o[i] = b;
    }
  } else {
    const o = out as Int32Array;
    const [lo, hi] = RANGES[datatype]!;
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
        throw badValue(where, datatype, i, v, status);
      }
      o[i] = v;
    }
  }
  return new NDArray(out, shape, dtype);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * BYTES elements into an array: `string` dtype when every element is a string or valid UTF-8
 * bytes (decoded), else `object` with every element a `Uint8Array` (strings UTF-8 encoded).
 */
export function bytesArray(
  where: string,
  shape: readonly number[],
  flat: ArrayLike<unknown>,
  status: OipStatus = 400,
): NDArray {
  checkCount(where, "BYTES", shape, flat.length, status);
  const strings: string[] = new Array(flat.length);
  let binary = false;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v === "string") strings[i] = v;
    else if (v instanceof Uint8Array) {
      if (binary) continue;
      try {
        strings[i] = UTF8.decode(v);
      } catch {
        binary = true;
      }
    } else throw badValue(where, "BYTES", i, v, status);
  }
  if (!binary) return new NDArray(strings, shape, "string");
  const encoder = new TextEncoder();
  const bytes = Array.from(flat, (v) => typeof v === "string" ? encoder.encode(v) : v);
  return new NDArray(bytes, shape, "object");
}

/** BYTES elements as bytes: strings UTF-8 encoded, `Uint8Array`s as they are. */
export function bytesElements(where: string, array: NDArray): Uint8Array[] {
  const encoder = new TextEncoder();
  const data = array.data as ArrayLike<unknown>;
  const out: Uint8Array[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === "string") out[i] = encoder.encode(v);
    else if (v instanceof Uint8Array) out[i] = v;
    else {
      throw new OipError(
        500,
        `${where}: BYTES element ${i} must be a string or bytes, got ${describe(v)}`,
      );
    }
  }
  return out;
}

/**
 * A model's output checked and normalised: datatype from the array's dtype unless given
 * (the array is then cast to it), shape from the array unless given (the element count must
 * match), flat values with a `shape` accepted. A wrong output is a 500.
 */
export function outputTensor(out: InferenceOutput): WireTensor {
  if (typeof out?.name !== "string") {
    throw new OipError(500, `model output has no name (outputs need a string 'name')`);
  }
  const where = `output '${out.name}'`;
  const given = out.datatype === undefined ? undefined : checkDatatype(where, out.datatype, 500);
  const givenShape = out.shape === undefined ? undefined : checkShape(where, out.shape, 500);
  let array: NDArray;
  const data = out.data;
  if (NDArray.isNDArray(data)) array = data;
  else if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    array = NDArray.fromTypedArray(data as TypedArray);
  } else if (given !== undefined) {
    const flat = flattenData(where, data, 500);
    array = tensorFromValues(where, given, givenShape ?? [flat.length], flat, 500);
  } else {
    try {
      array = NDArray.from(data);
    } catch (err) {
      throw new OipError(500, `${where}: ${(err as Error).message}`);
    }
  }
  const datatype = given ?? datatypeOfDType(array.dtype);
  if (datatype === "BYTES") {
    if (array.dtype !== "string" && array.dtype !== "object") {
      array = array.astype("string");
    } else checkBytesElements(where, array.data as unknown[]);
  } else if (array.dtype !== dtypeOfDatatype(datatype)) {
    if (array.dtype === "string" || array.dtype === "object") {
      array = tensorFromValues(where, datatype, array.shape, array.data as unknown[], 500);
    } else array = array.astype(dtypeOfDatatype(datatype));
  }
  const shape = givenShape ?? array.shape;
  checkCount(where, datatype, shape, array.size, 500);
  return { name: out.name, datatype, shape, parameters: out.parameters, data: array };
}

/** Every BYTES element is a string or a `Uint8Array` (else the model's answer is a 500). */
function checkBytesElements(where: string, data: readonly unknown[]): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== "string" && !(v instanceof Uint8Array)) {
      throw new OipError(
        500,
        `${where}: BYTES element ${i} must be a string or bytes, got ${describe(v)}`,
      );
    }
  }
}

/**
 * The outputs the request asked for, in its order (all of them when it names none); asking for
 * an output the model did not give is a 400.
 */
export function selectOutputs(
  response: InferenceResponse,
  request: InferenceRequest,
): InferenceResponse {
  const asked = request.outputs;
  if (asked === undefined || asked.length === 0) return response;
  const byName = new Map(response.outputs.map((o) => [o.name, o]));
  const outputs = asked.map((r) => {
    const o = byName.get(r.name);
    if (o === undefined) {
      throw new OipError(
        400,
        `output '${r.name}' was requested but the model has no such output ` +
          `(it gave: ${[...byName.keys()].join(", ") || "none"})`,
      );
    }
    return o;
  });
  return { ...response, outputs };
}

/** Requested-output parameter of Triton's classification extension (top-k as BYTES labels). */
export const CLASSIFICATION = "classification";

/**
 * A requested output's parameters checked for what the server cannot honour: Triton's
 * `classification` (a class count other than 0) would change the output's datatype and shape,
 * so answering the raw tensor would mislead the client; it is a 400.
 */
export function checkRequestedOutput(name: string, parameters: Parameters | undefined): void {
  const count = parameters?.[CLASSIFICATION];
  if (count === undefined || count === 0 || count === 0n || count === false) return;
  throw new OipError(
    400,
    `requested output '${name}': parameter '${CLASSIFICATION}' (Triton's top-k classification ` +
      "extension) is not supported",
  );
}

/**
 * Throws (400) when a request names an output twice, as an input given twice is: the answer
 * would repeat the tensor once per mention (a few bytes of request each).
 */
export function checkDistinctOutputs(outputs: readonly { readonly name: string }[]): void {
  if (outputs.length < 2) return;
  const seen = new Set<string>();
  for (const o of outputs) {
    if (seen.has(o.name)) throw new OipError(400, `requested output '${o.name}' is given twice`);
    seen.add(o.name);
  }
}
