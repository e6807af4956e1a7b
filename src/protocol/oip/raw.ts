/**
 * A tensor's raw bytes, as the binary tensor data extension (REST) and gRPC
 * `raw_input_contents` / `raw_output_contents` carry them: little-endian, row-major, no padding;
 * BOOL one byte; BYTES each element a 4-byte little-endian length and its bytes. Fixed-size
 * tensors decode to typed-array views of the bytes (a copy only when the bytes are not aligned
 * to the element size), and encode to a view of the array's memory when it already holds the
 * datatype's typed array.
 * @module
 */
import { NDArray, type TypedArray } from "../ndarray.ts";
import { dtypeOfDatatype, elementSize, typedArrayOf } from "./datatypes.ts";
import { OipError } from "./errors.ts";
import { bytesArray, bytesElements, elementCount, showShape, type WireTensor } from "./tensor.ts";
import type { Datatype } from "./types.ts";

/** True on a little-endian host (every platform Deno runs on). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * A tensor from its raw bytes: a view of `bytes`' memory when aligned, else a copy. The byte
 * count must be exactly what `shape` needs (BYTES: exactly `shape`'s element count of
 * length-prefixed elements, nothing left over); `where` names the tensor in errors (400).
 */
export function tensorFromBytes(
  where: string,
  datatype: Datatype,
  shape: readonly number[],
  bytes: Uint8Array,
): NDArray {
  if (datatype === "BYTES") {
    return bytesArray(where, shape, splitBytesElements(where, shape, bytes));
  }
  const size = elementSize(datatype);
  const count = elementCount(shape);
  const want = count * size;
  if (bytes.length !== want) {
    throw new OipError(
      400,
      `${where}: ${bytes.length} bytes of data, but shape ${showShape(shape)} of ${datatype} ` +
        `needs ${want} (${count} elements of ${size} bytes)`,
    );
  }
  const Storage = typedArrayOf(datatype)!;
  // Copies through the constructor: a Node Buffer's slice() would be another view. An empty
  // tensor gets a buffer of its own too: its bytes may be a shared empty array, which a model
  // must not be able to detach for every later request.
  let source = bytes;
  if (bytes.byteOffset % size !== 0 || bytes.length === 0) source = new Uint8Array(bytes);
  if (!LITTLE_ENDIAN && size > 1) {
    source = swapBytes(source === bytes ? new Uint8Array(bytes) : source, size);
  }
  const data = new Storage(source.buffer, source.byteOffset, count);
  return new NDArray(data, shape, dtypeOfDatatype(datatype));
}

/** BYTES elements of a raw tensor: views of `bytes`, one per 4-byte length prefix. */
function splitBytesElements(
  where: string,
  shape: readonly number[],
  bytes: Uint8Array,
): Uint8Array[] {
  const count = elementCount(shape);
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos < bytes.length) {
    if (out.length === count) {
      throw new OipError(
        400,
        `${where}: ${bytes.length - pos} bytes left over after the ${count} BYTES elements ` +
          `of shape ${showShape(shape)}`,
      );
    }
    if (pos + 4 > bytes.length) {
      throw new OipError(
        400,
        `${where}: BYTES element ${out.length} is cut short: ${bytes.length - pos} bytes left, ` +
          `its 4-byte length needs 4`,
      );
    }
    const n = view.getUint32(pos, true);
    pos += 4;
    if (pos + n > bytes.length) {
      throw new OipError(
        400,
        `${where}: BYTES element ${out.length} says ${n} bytes but only ${bytes.length - pos} ` +
          `are left`,
      );
    }
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  if (out.length !== count) {
    throw new OipError(
      400,
      `${where}: shape ${showShape(shape)} needs ${count} BYTES elements but the data has ` +
        `${out.length}`,
    );
  }
  return out;
}

/**
 * A tensor's raw bytes: a view of its array's memory when that already holds the datatype's
 * typed array (no copy), else a converted copy.
 */
export function tensorToBytes(tensor: WireTensor): Uint8Array {
  const { datatype, data: array } = tensor;
  if (datatype === "BYTES") {
    const elements = bytesElements(`output '${tensor.name}'`, array);
    let total = 0;
    for (const e of elements) total += 4 + e.length;
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    let pos = 0;
    for (const e of elements) {
      view.setUint32(pos, e.length, true);
      out.set(e, pos + 4);
      pos += 4 + e.length;
    }
    return out;
  }
  const typed = typedValues(datatype, array);
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  return LITTLE_ENDIAN || elementSize(datatype) === 1
    ? bytes
    : swapBytes(new Uint8Array(bytes), elementSize(datatype));
}

/**
 * An array's values in `datatype`'s typed array: its own storage when it is that array, else a
 * converted copy (INT64/UINT64 from numbers, BOOL from booleans, any other numeric dtype).
 */
export function typedValues(datatype: Datatype, array: NDArray): TypedArray {
  const Storage = typedArrayOf(datatype)!;
  const data = array.data;
  if (data.constructor === Storage || (datatype !== "BOOL" && data instanceof Storage)) {
    return data as TypedArray;
  }
  if (datatype === "BOOL" && data instanceof Uint8Array) return data;
  const n = array.size;
  if (datatype === "INT64" || datatype === "UINT64") {
    const out = datatype === "INT64" ? new BigInt64Array(n) : new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const v = data[i] as number | bigint;
      out[i] = typeof v === "bigint"
        ? v
        : Number.isFinite(v as number)
        ? BigInt(Math.trunc(v as number))
        : 0n;
    }
    return out;
  }
  const out = new Storage(n) as Float64Array;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    out[i] = datatype === "BOOL" ? (v ? 1 : 0) : typeof v === "bigint" ? Number(v) : v as number;
  }
  return out;
}

/** Reverses the bytes of each `size`-byte element in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}
