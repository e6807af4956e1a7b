/**
 * `--max-worker-memory`: a worker checks its resident set size after requests and asks to be
 * replaced (as max-requests does) once it is above the limit.
 * @module
 */

/** Bytes in MiB, one decimal. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** How often at most the memory check reads the RSS (it costs ~3 µs). */
const MEMORY_CHECK_MS = 250;

/**
 * A check to run after every request: reads the RSS at most every {@link MEMORY_CHECK_MS}
 * (the last request of a burst is checked when that time has passed) and calls `over` once
 * when it exceeds `limit` bytes.
 */
export function memoryCheck(limit: number, over: (rss: number) => void): () => void {
  let last = -Infinity;
  let pending = false;
  let done = false;
  const check = () => {
    pending = false;
    last = performance.now();
    const rss = Deno.memoryUsage().rss;
    if (rss > limit) {
      done = true;
      over(rss);
    }
  };
  return () => {
    if (done || pending) return;
    const wait = last + MEMORY_CHECK_MS - performance.now();
    if (wait <= 0) return check();
    pending = true;
    setTimeout(check, wait);
  };
}
