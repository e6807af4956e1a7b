/**
 * `NDArray`: the n-dimensional array that hooks receive for ndarray / tensor / tftensor payloads
 * (user-api.md §2), with numpy's visible coercion rules for nested JSON lists (protocol.md §6.1).
 * @module
 */
import { type IntegralFloats, integralFloats, mayBeNumbers } from "./number_tokens.ts";
import { pyFloatRepr } from "../python/float.ts";

/**
 * Element types. Each numeric dtype and `bool` keeps its values in its own typed array
 * ({@link NDData}); `string` and `object` in a plain array.
 */
export type DType =
  | "float64"
  | "float32"
  | "float16"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool"
  | "string"
  | "object";

const NUMERIC: ReadonlySet<string> = new Set([
  "float64",
  "float32",
  "float16",
  "int64",
  "int32",
  "int16",
  "int8",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
]);

/** numpy's dimension limit: deeper nesting is an error, never a stack overflow. */
export const MAX_DIMS = 32;

const BRAND = Symbol.for("seldon.ts.NDArray");

/**
 * Row-major values of an {@link NDArray}, by dtype:
 * - `float64` `Float64Array`, `float32` `Float32Array`, `float16` `Float16Array`;
 * - `int8`/`int16`/`int32` and `uint8`/`uint16`/`uint32`: `Int8Array` … `Uint32Array`;
 * - `int64` / `uint64`: `BigInt64Array` / `BigUint64Array` (exact over the whole range; what
 *   typed inputs such as Open Inference Protocol tensors give), or a `Float64Array` of integral
 *   numbers: what the Seldon v1 decoders give for JSON integers, as before (exact to 2^53), so
 *   `X.data[i]` stays a number there. An array keeps the kind it was built from;
 * - `bool`: `Uint8Array` of 0/1, or a plain array of booleans (Seldon v1 JSON);
 * - `string` / `object`: a plain array.
 */
export type NDData = TypedArray | unknown[];

/** Options of {@link NDArray.from}. */
export interface FromOptions {
  /** Proto mode: every number is a double, so no number makes the array `int64`. */
  numbersAreFloat?: boolean;
}

/** True when `dtype` is an integer, unsigned or float type (protocol.md §6.3). */
export function isNumericDType(dtype: DType): boolean {
  return NUMERIC.has(dtype);
}

/** A flat, row-major n-dimensional array with a shape and a dtype. */
export class NDArray {
  /** Sizes of each axis; `[]` for a 0-d scalar. */
  readonly shape: readonly number[];
  /** Row-major values in the dtype's own storage ({@link NDData}). */
  readonly data: NDData;
  /** Element type. */
  readonly dtype: DType;

  /**
   * Wraps flat `data` with `shape`; the element count must equal the product of `shape`.
   * Data already in the dtype's storage ({@link NDData}) is kept, not copied (a typed array
   * stays a view of its buffer); other data is converted into it. Without `dtype`, a typed
   * array gives its own dtype, anything else `object`.
   */
  constructor(data: NDData, shape: readonly number[], dtype?: DType) {
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new Error(
        `cannot reshape array of size ${data.length} into shape ${pyShape(shape)}`,
      );
    }
    this.dtype = dtype ?? (Array.isArray(data) ? "object" : typedDType(data));
    this.data = toStorage(this.dtype, data);
    this.shape = Object.freeze([...shape]);
  }

  /** True for an NDArray from any copy of this module. */
  static isNDArray(x: unknown): x is NDArray {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  /**
   * Builds an array from nested JS arrays with numpy's rules: the first matching row of
   * protocol.md §6.1 decides the dtype (null/object leaf → object, string → string with every
   * leaf stringified, non-integer number → float64, integers → int64, booleans only → bool).
   * A ragged list becomes a 1-D object array of its top-level items.
   */
  static from(nested: unknown, dtype?: DType, options: FromOptions = {}): NDArray {
    if (NDArray.isNDArray(nested)) return dtype ? nested.astype(dtype) : nested;
    if (isArrayValue(nested)) return NDArray.fromTypedArray(nested as TypedArray);
    // `at(0)`, not `[0]`: an indexed read here, of lists of lists and of doubles alike, would turn
    // the lists of doubles into lists of boxed numbers (number_tokens.ts `listBits`).
    if (Array.isArray(nested) && isArrayValue(nested.at(0))) {
      const stacked = stack(nested);
      if (stacked) return dtype ? stacked.astype(dtype) : stacked;
    }
    const numeric = fromNumbers(nested, options.numbersAreFloat === true);
    if (numeric !== undefined) return dtype ? numeric.astype(dtype) : numeric;
    const shape = inferShape(nested);
    if (shape === null) {
      const items = nested as unknown[];
      return new NDArray(items.slice(), [items.length], "object");
    }
    const flat: unknown[] = [];
    const floats = flatten(nested, shape.length, flat, undefined);
    const arr = fromFlat(flat, shape, options.numbersAreFloat === true, floats);
    return dtype ? arr.astype(dtype) : arr;
  }

  /**
   * An array over a typed array's values with the matching dtype (`Float32Array` → `float32`,
   * `BigInt64Array` → `int64`, …) and `shape` (default: 1-D): a view of the same memory, not a
   * copy (a `Uint8ClampedArray` is viewed as `Uint8Array`). Throws when the element count is not
   * the product of `shape`.
   *
   * ```ts
   * const X = NDArray.fromTypedArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
   * ```
   */
  static fromTypedArray(
    view: TypedArray | Uint8ClampedArray,
    shape: readonly number[] = [view.length],
  ): NDArray {
    const data = view instanceof Uint8ClampedArray
      ? new Uint8Array(view.buffer, view.byteOffset, view.length)
      : view;
    return new NDArray(data, shape, typedDType(data));
  }

  /**
   * The values, row-major, as a `Float32Array`: the storage itself when it is one (no copy),
   * else a converted copy (as numpy's `astype(float32)`).
   */
  toFloat32Array(): Float32Array {
    return this.data instanceof Float32Array
      ? this.data
      : this.astype("float32").data as Float32Array;
  }

  /**
   * The values as a `Float64Array`: the storage itself when it is one (no copy; also an `int64`
   * array decoded from JSON), else a converted copy.
   */
  toFloat64Array(): Float64Array {
    return this.data instanceof Float64Array
      ? this.data
      : this.astype("float64").data as Float64Array;
  }

  /**
   * The values as an `Int32Array`: the storage itself when it is one (no copy), else a copy
   * truncated toward zero and wrapped to 32 bits (as numpy's `astype(int32)`).
   */
  toInt32Array(): Int32Array {
    return this.data instanceof Int32Array ? this.data : this.astype("int32").data as Int32Array;
  }

  /**
   * The values as a `BigInt64Array`: the storage itself when it is one (no copy), else a copy
   * truncated toward zero (non-finite values become 0).
   */
  toBigInt64Array(): BigInt64Array {
    if (this.data instanceof BigInt64Array) return this.data;
    const out = new BigInt64Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = toBigInt(this.scalarAt(i));
    return out;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The element at a full index (`get()` on a 0-d array gives the scalar). */
  get(...index: number[]): unknown {
    if (index.length !== this.shape.length) {
      throw new RangeError(`expected ${this.shape.length} indices, got ${index.length}`);
    }
    let flat = 0;
    for (let i = 0; i < index.length; i++) {
      const n = this.shape[i];
      const k = index[i] < 0 ? index[i] + n : index[i];
      if (k < 0 || k >= n) throw new RangeError(`index ${index[i]} is out of bounds for axis ${i}`);
      flat = flat * n + k;
    }
    return this.scalarAt(flat);
  }

  /**
   * Nested JS arrays (numbers as JS numbers, `bigint`s from a `BigInt64Array` /
   * `BigUint64Array`; a 0-d array gives its scalar).
   */
  tolist(): unknown {
    if (this.shape.length === 0) return this.scalarAt(0);
    const out = { i: 0 };
    return this.build(0, out);
  }

  /** The same data with another shape; one axis may be `-1` (inferred). */
  reshape(shape: readonly number[]): NDArray {
    return new NDArray(this.data, resolveShape(shape, this.size), this.dtype);
  }

  /**
   * Applies `f` to every element. Numbers returned from a numeric array keep its dtype the way
   * numpy arithmetic would (a float array stays float; an int array stays int unless a result
   * is fractional); otherwise the dtype follows the returned values.
   */
  map(f: (v: any, flatIndex: number) => unknown): NDArray {
    const out: unknown[] = new Array(this.size);
    let numbers = isNumericDType(this.dtype);
    let integers = true;
    for (let i = 0; i < this.size; i++) {
      const v = f(this.scalarAt(i), i);
      out[i] = v;
      if (typeof v !== "number") numbers = false;
      else if (!Number.isInteger(v)) integers = false;
    }
    if (!numbers) return fromFlat(out, this.shape, false);
    const dtype = this.dtype.startsWith("float") || integers ? this.dtype : "float64";
    return new NDArray(Float64Array.from(out as number[]), this.shape, dtype);
  }

  /** A copy converted to another dtype (numeric values cast as numpy's `astype` does). */
  astype(dtype: DType): NDArray {
    if (dtype === this.dtype) return this;
    const src = this.data;
    if (
      (dtype === "int64" || dtype === "uint64") &&
      (src instanceof BigInt64Array || src instanceof BigUint64Array)
    ) {
      // Exact, wrapping to 64 bits as numpy does.
      const data = dtype === "int64" ? BigInt64Array.from(src) : BigUint64Array.from(src);
      return new NDArray(data, this.shape, dtype);
    }
    if (isNumericDType(dtype)) {
      const data = new Float64Array(this.size);
      for (let i = 0; i < this.size; i++) data[i] = Number(this.scalarAt(i));
      return new NDArray(castNumbers(data, dtype), this.shape, dtype);
    }
    const data: unknown[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const v = this.scalarAt(i);
      data[i] = dtype === "string" ? pyScalarStr(v, this.dtype.startsWith("float")) : v;
    }
    return new NDArray(data, this.shape, dtype);
  }

  /** The element at flat index `i` (booleans as booleans). */
  private scalarAt(i: number): unknown {
    const v = this.data[i];
    return this.dtype === "bool" && typeof v === "number" ? v !== 0 : v;
  }

  /** Nested lists from `axis` down, consuming elements at `cursor.i`. */
  private build(axis: number, cursor: { i: number }): unknown[] {
    const n = this.shape[axis];
    const out: unknown[] = new Array(n);
    if (axis === this.shape.length - 1) {
      for (let k = 0; k < n; k++) out[k] = this.scalarAt(cursor.i++);
    } else {
      for (let k = 0; k < n; k++) out[k] = this.build(axis + 1, cursor);
    }
    return out;
  }

  /** Readable form for logs and test failures. */
  toString(): string {
    const text = JSON.stringify(
      this.tolist(),
      (_k, v) => typeof v === "bigint" ? v.toString() : v,
    );
    return `NDArray(${text}, dtype=${this.dtype})`;
  }
}
Object.defineProperty(NDArray.prototype, BRAND, { value: true });

/** True for an NDArray or a typed array (not a `DataView`): what numpy would see as an array. */
export function isArrayValue(x: unknown): boolean {
  return NDArray.isNDArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/**
 * A list of equal-shape arrays stacked along a new first axis, as `np.array([a, b])` does
 * (a numeric dtype shared by all is kept); `undefined` when an item is not an array or the
 * shapes differ (the list is then ragged).
 */
function stack(items: readonly unknown[]): NDArray | undefined {
  const parts: NDArray[] = [];
  for (const item of items) {
    if (!isArrayValue(item)) return undefined;
    parts.push(NDArray.isNDArray(item) ? item : NDArray.fromTypedArray(item as TypedArray));
  }
  const shape = parts[0].shape;
  const same = (p: NDArray) => p.ndim === shape.length && p.shape.every((n, i) => n === shape[i]);
  if (!parts.every(same)) return undefined;
  const dtype = parts[0].dtype;
  const Storage = parts[0].data.constructor as new (n: number) => TypedArray;
  if (
    !isNumericDType(dtype) || parts.some((p) => p.dtype !== dtype || p.data.constructor !== Storage)
  ) {
    return NDArray.from(parts.map((p) => p.tolist()));
  }
  const data = new Storage(parts.length * parts[0].size);
  parts.forEach((p, k) =>
    (data.set as (a: ArrayLike<unknown>, o: number) => void)(
      p.data as ArrayLike<unknown>,
      k * p.size,
    )
  );
  return new NDArray(data, [parts.length, ...shape], dtype);
}

/** Constructor of a typed array holding numbers. */
type NumberArrayClass = {
  new (n: number): TypedArray;
  new (values: ArrayLike<number>): TypedArray;
  from(values: ArrayLike<unknown>, map: (v: unknown) => number): TypedArray;
};

/** Storage of each numeric dtype and `bool` (64-bit integers: see {@link NDData}). */
const STORAGE: Readonly<Record<string, NumberArrayClass>> = {
  float64: Float64Array,
  float32: Float32Array,
  float16: Float16Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  bool: Uint8Array,
} as unknown as Record<string, NumberArrayClass>;

/**
 * `data` cast into `dtype` as numpy's `astype` does (§6.6: a float32 array holds float32
 * values, `0.1` → `0.10000000149011612`): floats round to their width, integers truncate
 * toward zero and narrow ones wrap to their width (64-bit ones from numbers stay numbers).
 */
function castNumbers(data: Float64Array, dtype: DType): TypedArray {
  if (dtype === "int64" || dtype === "uint64") return data.map(Math.trunc);
  return new STORAGE[dtype](data);
}

/** A bigint from a number or bigint (truncated; non-finite → 0). */
function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  const n = Number(v);
  return Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
}

function truthy(v: unknown): number {
  return (typeof v === "bigint" ? v !== 0n : Boolean(v)) ? 1 : 0;
}

/** `data` in `dtype`'s storage ({@link NDData}): kept when it already is, else converted. */
function toStorage(dtype: DType, data: NDData): NDData {
  if (dtype === "string" || dtype === "object") {
    return Array.isArray(data) ? data : Array.from(data as ArrayLike<unknown>);
  }
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  if (dtype === "int64" || dtype === "uint64") {
    const Big = dtype === "int64" ? BigInt64Array : BigUint64Array;
    if (data instanceof Big || data instanceof Float64Array) return data;
    if (big || (Array.isArray(data) && data.some((v) => typeof v === "bigint"))) {
      return (Big.from as (a: ArrayLike<unknown>, f: (v: unknown) => bigint) => TypedArray)(
        data as ArrayLike<unknown>,
        toBigInt,
      );
    }
    return Float64Array.from(data as ArrayLike<unknown>, Number);
  }
  if (dtype === "bool") {
    if (data instanceof Uint8Array) return data;
    if (Array.isArray(data) && data.every((v) => typeof v === "boolean")) return data;
    return Uint8Array.from(data as ArrayLike<unknown>, truthy);
  }
  const Own = STORAGE[dtype];
  if (data instanceof (Own as unknown as typeof Float64Array)) return data;
  if (big || Array.isArray(data)) return Own.from(data as ArrayLike<unknown>, Number);
  return new Own(data as ArrayLike<number>);
}

/** The dtype of a typed array's values (`float64` for one of no known kind). */
function typedDType(data: NDData): DType {
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float16Array) return "float16";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return "uint8";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof BigUint64Array) return "uint64";
  return "float64";
}

/**
 * Typed arrays: an NDArray's storage and what a hook may return (a bare `Uint8Array` return
 * means binData instead).
 */
export type TypedArray =
  | Float64Array
  | Float32Array
  | Float16Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Product of a shape's sizes. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** numpy's tuple rendering of a shape, as in its error texts: `(2,2)`, `(3,)`. */
export function pyShape(shape: readonly unknown[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(",")})`;
}

/**
 * Resolves the unknown axis against `size` as numpy 1.x's reshape does: any negative size is
 * the unknown one (`[-2]` is `[-1]`), at most one; throws numpy's texts (`can only specify one
 * unknown dimension`, `cannot reshape array of size N into shape …` with the shape as
 * {@link numpyNewShape} prints it).
 */
export function resolveShape(shape: readonly number[], size: number): number[] {
  const out = [...shape];
  const mismatch = () =>
    new Error(`cannot reshape array of size ${size} into shape ${numpyNewShape(shape)}`);
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (!Number.isInteger(d)) throw mismatch();
    if (d >= 0) known *= d;
    else if (unknown >= 0) throw new Error("can only specify one unknown dimension");
    else unknown = i;
  }
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) throw mismatch();
    out[unknown] = size / known;
  } else if (known !== size) throw mismatch();
  return out;
}

/**
 * A requested shape as numpy's reshape errors print it: unknown (negative) leading sizes left
 * out, later ones as `newaxis`, a trailing comma for one dimension (`(2,)`, `(3)` for `[-2, 3]`,
 * `(0,newaxis)` for `[0, -1]`).
 */
export function numpyNewShape(shape: readonly number[]): string {
  let i = 0;
  while (i < shape.length && shape[i] < 0) i++;
  if (i === shape.length) return "()";
  const parts = [String(shape[i])];
  for (i++; i < shape.length; i++) parts.push(shape[i] < 0 ? "newaxis" : String(shape[i]));
  return shape.length === 1 ? `(${parts[0]},)` : `(${parts.join(",")})`;
}

/**
 * The regular shape of a nested list, or `null` when it is ragged. Throws past
 * {@link MAX_DIMS} levels (numpy's limit), so deep input never exhausts the stack.
 */
function inferShape(value: unknown): number[] | null {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    if (shape.length >= MAX_DIMS) {
      throw new Error(`maximum supported dimension for an ndarray is ${MAX_DIMS}, found more`);
    }
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return isRegular(value, shape, 0) ? shape : null;
}

function isRegular(value: unknown, shape: number[], axis: number): boolean {
  if (axis === shape.length) return !Array.isArray(value);
  if (!Array.isArray(value) || value.length !== shape[axis]) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isRegular(value[i], shape, axis + 1)) return false;
  }
  return true;
}

/**
 * The fast path of {@link NDArray.from} for a regular, non-empty nested list of JS numbers only
 * (a large request's usual payload): the leaves go straight into the `Float64Array` that
 * {@link fromFlat} would build, with the same dtype, without the flat list of leaves and the
 * separate regularity walk. `undefined` for anything else (the general path decides then).
 */
function fromNumbers(nested: unknown, numbersAreFloat: boolean): NDArray | undefined {
  if (!Array.isArray(nested)) return undefined;
  const shape: number[] = [];
  let level: unknown = nested;
  while (Array.isArray(level)) {
    if (shape.length >= MAX_DIMS || level.length === 0) return undefined;
    shape.push(level.length);
    level = level.at(0); // not `level[0]`: see number_tokens.ts `listBits`
  }
  if (typeof level !== "number") return undefined;
  const data = new Float64Array(shapeSize(shape));
  const state = { at: 0, fraction: numbersAreFloat };
  if (!fillNumbers(nested, shape, 0, data, state)) return undefined;
  const float = state.fraction || marksIntegralFloat(nested, shape.length);
  return new NDArray(data, shape, float ? "float64" : "int64");
}

/** Writes the leaves of `list` (axis `axis` of `shape`) to `data`; false when not numbers or ragged. */
function fillNumbers(
  list: unknown[],
  shape: readonly number[],
  axis: number,
  data: Float64Array,
  state: { at: number; fraction: boolean },
): boolean {
  if (list.length !== shape[axis]) return false;
  if (axis === shape.length - 1) {
    // Only lists that look like numbers reach this loop (see number_tokens.ts `listBits`).
    if (!mayBeNumbers(list)) return false;
    let at = state.at, fraction = state.fraction;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (typeof v !== "number") return false;
      if (!fraction && !Number.isInteger(v)) fraction = true;
      data[at++] = v;
    }
    state.at = at;
    state.fraction = fraction;
    return true;
  }
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!Array.isArray(item) || !fillNumbers(item, shape, axis + 1, data, state)) return false;
  }
  return true;
}

/**
 * True when a list of a regular, non-empty all-number tree carries an integral float mark that
 * {@link flatten} would keep and {@link marksNumber} would find: `true` at any depth, indexes
 * on a list of leaves.
 */
function marksIntegralFloat(list: unknown[], depth: number): boolean {
  const marks = integralFloats(list);
  if (marks === true || (depth === 1 && marks !== undefined && marks.length > 0)) return true;
  if (depth === 1) return false;
  for (let i = 0; i < list.length; i++) {
    if (marksIntegralFloat(list[i] as unknown[], depth - 1)) return true;
  }
  return false;
}

/** A list's {@link integralFloats}, over the flat range its leaves took. */
interface FloatSegment {
  readonly offset: number;
  readonly length: number;
  readonly marks: IntegralFloats;
}

/**
 * Appends the leaves of a regular nested list to `out`. Returns `segments` with the lists that
 * carry integral float marks (`2.0`, see {@link integralFloats}) added: a list of leaves with
 * the indexes of its items, any list marked `true` with all its leaves. The list of segments is
 * only created when there are any.
 */
function flatten(
  value: unknown,
  depth: number,
  out: unknown[],
  segments: FloatSegment[] | undefined,
): FloatSegment[] | undefined {
  if (depth === 0) {
    out.push(value);
    return segments;
  }
  const items = value as unknown[];
  const offset = out.length;
  if (depth === 1) {
    for (let i = 0; i < items.length; i++) out.push(items[i]);
  } else {
    for (let i = 0; i < items.length; i++) segments = flatten(items[i], depth - 1, out, segments);
  }
  const marks = integralFloats(items);
  if (marks !== undefined && (depth === 1 || marks === true)) {
    (segments ??= []).push({ offset, length: out.length - offset, marks });
  }
  return segments;
}

/** True when a number of `flat` is marked in `segments`. */
function marksNumber(flat: readonly unknown[], segments: readonly FloatSegment[]): boolean {
  for (const { offset, length, marks } of segments) {
    const indexes = marks === true ? undefined : marks;
    const count = indexes === undefined ? length : indexes.length;
    for (let k = 0; k < count; k++) {
      if (typeof flat[offset + (indexes === undefined ? k : indexes[k])] === "number") return true;
    }
  }
  return false;
}

/** Per flat index, 1 where an integral number was written as a float. */
function floatFlags(segments: readonly FloatSegment[], size: number): Uint8Array {
  const flags = new Uint8Array(size);
  for (const { offset, length, marks } of segments) {
    if (marks === true) flags.fill(1, offset, offset + length);
    else for (const i of marks) flags[offset + i] = 1;
  }
  return flags;
}

/** Classifies flat leaves by the first matching row of protocol.md §6.1. */
function fromFlat(
  flat: unknown[],
  shape: readonly number[],
  numbersAreFloat: boolean,
  segments?: readonly FloatSegment[],
): NDArray {
  let hasString = false, hasFloat = false, hasNumber = false, hasBool = false;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    switch (typeof v) {
      case "number":
        hasNumber = true;
        if (numbersAreFloat || !Number.isInteger(v)) hasFloat = true;
        break;
      case "bigint":
        hasNumber = true;
        break;
      case "string":
        hasString = true;
        break;
      case "boolean":
        hasBool = true;
        break;
      default:
        return new NDArray(flat, shape, "object");
    }
  }
  if (hasString) {
    const floats = segments && floatFlags(segments, flat.length);
    const data = flat.map((v, i) => pyScalarStr(v, numbersAreFloat || floats?.[i] === 1));
    return new NDArray(data, shape, "string");
  }
  if (hasNumber || flat.length === 0) {
    if (!hasFloat && segments !== undefined) hasFloat = marksNumber(flat, segments);
    const data = new Float64Array(flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = Number(flat[i]);
    return new NDArray(data, shape, hasFloat || flat.length === 0 ? "float64" : "int64");
  }
  if (hasBool) return new NDArray(flat, shape, "bool");
  return new NDArray(flat, shape, "float64");
}

/** Python `str()` of a scalar leaf as numpy's string coercion writes it. */
function pyScalarStr(v: unknown, numbersAreFloat: boolean): unknown {
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return v ? "True" : "False";
    case "bigint":
      return v.toString();
    case "number":
      // Python writes integral floats below 1e16 as their digits and `.0` (`-0.0` aside).
      if (!Number.isInteger(v) || Math.abs(v) >= 1e16) return pyFloatRepr(v);
      return !numbersAreFloat ? String(v) : v !== 0 ? String(v) + ".0" : pyFloatRepr(v);
    default:
      return String(v);
  }
}
