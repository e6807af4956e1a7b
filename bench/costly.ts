/**
 * Benchmark model for batching: every call costs a fixed 2 ms of CPU plus 20 µs per row (a busy
 * loop, as inference is CPU work), then answers its input times two, row for row.
 */
import type { NDArray } from "../mod.ts";

/** Busy-waits `ms` milliseconds. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* CPU work */ }
}

/** 2 ms per call + 0.02 ms per row; answers `X * 2`. */
export class Costly {
  predict(X: NDArray): NDArray {
    spin(2 + 0.02 * (X.shape[0] ?? 1));
    return X.map((v) => v * 2);
  }
}
