/**
 * Rows of arrays along the first axis, for batching: a merge key for arrays that can be
 * concatenated (same dtype, storage and trailing shape), the concatenation, and splitting a
 * result back by row. Pure: no model, no transport.
 * @module
 */
import { NDArray, type NDData, type TypedArray } from "./ndarray.ts";

/**
 * What must agree for arrays to be concatenated along the first axis: dtype, storage kind (an
 * `int64` array may hold a `BigInt64Array` or a `Float64Array`) and the shape after the first
 * axis. Undefined for a 0-d array (it has no rows).
 */
export function rowKey(a: NDArray): string | undefined {
  const shape = a.shape;
  if (shape.length === 0) return undefined;
  // The storage a dtype may have more than one of: int64/uint64 (Float64Array or bigints),
  // bool (Uint8Array or booleans); the others have one (NDArray converts into it).
  const data = a.data;
  let key = a.dtype + (Array.isArray(data) ? ":a:" : data instanceof Float64Array ? ":f:" : ":t:");
  for (let i = 1; i < shape.length; i++) key += i === 1 ? shape[i] : "," + shape[i];
  return key;
}

/** The arrays (equal {@link rowKey}s) one after another along the first axis. */
export function concatRows(arrays: readonly NDArray[]): NDArray {
  const first = arrays[0];
  if (arrays.length === 1) return first;
  let rows = 0;
  let length = 0;
  for (const a of arrays) {
    rows += a.shape[0];
    length += a.data.length;
  }
  let data: NDData;
  if (Array.isArray(first.data)) {
    const out: unknown[] = [];
    for (const a of arrays) for (const v of a.data as unknown[]) out.push(v);
    data = out;
  } else {
    const Ctor = first.data.constructor as new (n: number) => TypedArray;
    const out = new Ctor(length);
    let offset = 0;
    for (const a of arrays) {
      (out as Float64Array).set(a.data as Float64Array, offset);
      offset += a.data.length;
    }
    data = out;
  }
  return new NDArray(data, [rows, ...first.shape.slice(1)], first.dtype);
}

/** A row count that does not match the batch's (the error text says what was expected). */
export class RowCountError extends Error {
  constructor(readonly got: string, readonly expected: number) {
    super(
      `Batching: the model answered ${got} for a batch of ${expected} rows; with ` +
        "--max-batch-size above 1 the model's output must have one row per input row",
    );
  }
}

/**
 * Splits `value` into consecutive row ranges of `counts` (their sum is the batch's rows): an
 * NDArray (views of its storage), a nested or flat array, or a typed array (views; a
 * `Uint8Array` only with `bytesAreRows`, since Seldon v1 answers one as `binData`). Throws
 * {@link RowCountError} for anything else or another row count.
 */
export function splitRows(
  value: unknown,
  counts: readonly number[],
  bytesAreRows: boolean,
): unknown[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (NDArray.isNDArray(value)) {
    if (value.shape.length === 0 || value.shape[0] !== total) {
      throw new RowCountError(describe(value), total);
    }
    const rest = value.shape.slice(1);
    const rowSize = value.shape[0] === 0 ? 0 : value.data.length / value.shape[0];
    return ranges(counts, (start, end) =>
      new NDArray(
        sliceData(value.data, start * rowSize, end * rowSize),
        [end - start, ...rest],
        value.dtype,
      ));
  }
  const splittable = Array.isArray(value) ||
    (ArrayBuffer.isView(value) && !(value instanceof DataView) &&
      (bytesAreRows || !(value instanceof Uint8Array)));
  if (!splittable) throw new RowCountError(describe(value), total);
  if ((value as ArrayLike<unknown>).length !== total) {
    throw new RowCountError(`${(value as ArrayLike<unknown>).length} rows`, total);
  }
  return ranges(counts, (start, end) => sliceData(value as NDData, start, end));
}

/**
 * Splits flat row-major `data` of `shape` (a V2 output given as flat values) like
 * {@link splitRows}: each part is `[data, shape]`.
 */
export function splitFlatRows(
  data: ArrayLike<unknown>,
  shape: readonly number[],
  counts: readonly number[],
): [ArrayLike<unknown>, number[]][] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (shape.length === 0 || shape[0] !== total) {
    throw new RowCountError(`shape [${shape.join(", ")}]`, total);
  }
  const rest = shape.slice(1);
  const rowSize = shape[0] === 0 ? 0 : data.length / shape[0];
  return ranges(counts, (start, end) => [
    sliceData(data as NDData, start * rowSize, end * rowSize),
    [end - start, ...rest],
  ]);
}

function ranges<T>(counts: readonly number[], part: (start: number, end: number) => T): T[] {
  const out: T[] = [];
  let start = 0;
  for (const n of counts) {
    out.push(part(start, start + n));
    start += n;
  }
  return out;
}

/** A typed array's view of `[start, end)`, or a plain array's copy of it. */
function sliceData(data: NDData | ArrayLike<unknown>, start: number, end: number): NDData {
  if (Array.isArray(data)) return data.slice(start, end);
  if (ArrayBuffer.isView(data)) return (data as TypedArray).subarray(start, end);
  return Array.prototype.slice.call(data, start, end);
}

function describe(value: unknown): string {
  if (NDArray.isNDArray(value)) {
    return value.shape.length === 0 ? "a scalar" : `${value.shape[0]} rows`;
  }
  if (ArrayBuffer.isView(value)) return `binary data (${value.constructor.name})`;
  return value === null ? "null" : `a ${typeof value}`;
}
