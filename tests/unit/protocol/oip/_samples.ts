/** One sample tensor per V2 datatype (values exactly representable in the datatype). */
import type { Datatype } from "../../../../src/protocol/oip/types.ts";

export interface Sample {
  readonly datatype: Datatype;
  readonly shape: number[];
  /** Flat values as JSON carries them (bigints beyond ±2^53). */
  readonly values: unknown[];
}

const B = (x: bigint) => x;

export const SAMPLES: readonly Sample[] = [
  { datatype: "BOOL", shape: [2, 2], values: [true, false, false, true] },
  { datatype: "UINT8", shape: [2, 2], values: [0, 255, 7, 1] },
  { datatype: "UINT16", shape: [4], values: [0, 65535, 300, 1] },
  { datatype: "UINT32", shape: [2, 2], values: [0, 4294967295, 70000, 1] },
  {
    datatype: "UINT64",
    shape: [2, 2],
    values: [0, B(2n ** 64n - 1n), B(2n ** 53n + 1n), 5],
  },
  { datatype: "INT8", shape: [2, 2], values: [-128, 127, 0, -1] },
  { datatype: "INT16", shape: [2, 2], values: [-32768, 32767, 0, -1] },
  { datatype: "INT32", shape: [2, 2], values: [-2147483648, 2147483647, 0, -1] },
  {
    datatype: "INT64",
    shape: [2, 2],
    values: [B(-(2n ** 63n)), B(2n ** 63n - 1n), B(-(2n ** 53n) - 1n), -3],
  },
  { datatype: "FP16", shape: [2, 2], values: [0.5, -2, 65504, 0.0999755859375] },
  { datatype: "FP32", shape: [2, 2], values: [Math.fround(0.1), -2.5, 3.4028234663852886e38, 0] },
  { datatype: "FP64", shape: [2, 2], values: [0.1, 1e300, -5e-324, 7] },
  { datatype: "BYTES", shape: [2, 2], values: ["a", "héllo ✓", "", "x y"] },
];

/** What `tolist()` gives back flat for a sample: 64-bit integers as bigints. */
export function expectedList(s: Sample): unknown[] {
  return s.datatype === "INT64" || s.datatype === "UINT64"
    ? s.values.map((v) => BigInt(v as number | bigint))
    : s.values;
}

/** Nested row-major lists of `flat` in `shape`. */
export function nest(flat: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return [...flat];
  const step = flat.length / shape[0];
  return Array.from(
    { length: shape[0] },
    (_, i) => nest(flat.slice(i * step, (i + 1) * step), shape.slice(1)),
  );
}

/** A flat list of an NDArray's `tolist()`. */
export function flatList(x: unknown): unknown[] {
  return Array.isArray(x) ? x.flatMap(flatList) : [x];
}
