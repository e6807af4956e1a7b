/**
 * A worker's memory: `--max-worker-memory` (the resident set size checked after requests; above
 * the limit the worker asks to be replaced, as max-requests does), and the idle collection of
 * large requests' garbage — V8 collects only when JavaScript allocates, so a worker left idle
 * after big requests would keep their garbage for ever.
 * @module
 */
import { logger } from "../logging.ts";
import { mallocTrim } from "./trim.ts";

const log = logger("worker");

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

/**
 * V8's `gc()` when the supervisor exposed it to this worker (`--expose-gc`). V8 defines it as a
 * non-configurable global, so the model sees it too.
 */
export function takeGc(): ((options?: typeof COMPACTING_GC) => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === "function" ? gc as (options?: typeof COMPACTING_GC) => void : undefined;
}

/** V8's options for `gc()`: a synchronous full collection that also gives memory back. */
export const COMPACTING_GC = { type: "major", execution: "sync", flavor: "last-resort" } as const;

/**
 * One memory-reducing full collection `delayMs` after a worker is ready: start-up (the model's
 * import, proto loading, the servers' set-up) leaves garbage and a grown heap that an idle worker
 * would otherwise keep. Measured on a gRPC worker: ~10 MiB less RSS (bench/footprint.ts).
 * Returns a function that cancels it.
 */
export function compactAfterStart(
  gc: (options?: typeof COMPACTING_GC) => void,
  delayMs = 1000,
): () => void {
  const timer = setTimeout(() => gc(COMPACTING_GC), delayMs);
  Deno.unrefTimer(timer);
  return () => clearTimeout(timer);
}

/** How often the idle collector looks (and how long a worker must be idle first). */
const IDLE_TICK_MS = 1000;
/** The least garbage worth a full collection. */
const MIN_GARBAGE = 64 * 1024 * 1024;
/** The least RSS growth worth a full collection. */
const MIN_RSS_GROWTH = 16 * 1024 * 1024;

/**
 * Runs a full collection once a worker that served requests has been idle for a second and,
 * since the last one, its heap grew by more than 64 MiB or its RSS by more than 16 MiB (bodies
 * are array buffers outside the heap; connections' buffers), and either by more than the heap
 * it kept then (so a model with a big live heap is not collected at every pause); then gives
 * the freed native memory back (`trim`: glibc's `malloc_trim`, see trim.ts). Returns the
 * per-request hook and a stop function. Measured (bench/memory.ts, 8 × 100 MB requests then
 * idle): 1,116 MiB RSS held → 235 MiB after the collection; two 1,000-connection soaks in a row
 * after large requests (bench/soak.ts): tree RSS 314.5 → 316.0 MiB (342 → 365 with the RSS
 * threshold at 64 MiB).
 */
export function idleCollector(
  gc: (options?: typeof COMPACTING_GC) => void,
  trim: () => (() => void) | undefined = mallocTrim,
  usage: () => { heapUsed: number; rss: number } = Deno.memoryUsage,
): { onRequest(): void; stop(): void } {
  let served = 0;
  let seen = 0;
  let busy = false;
  let kept = usage().heapUsed;
  let keptRss = usage().rss;
  const timer = setInterval(() => {
    if (served !== seen) {
      seen = served;
      busy = true;
      return;
    }
    if (!busy) return;
    busy = false;
    const { heapUsed: used, rss } = usage();
    // The heap, or the RSS (large bodies are array buffers outside the heap, freed only when
    // the objects holding them are collected; connections' buffers), grew enough since the
    // last collection: by the least worth one, and by more than the heap kept then.
    if (
      used - kept < Math.max(MIN_GARBAGE, kept) && rss - keptRss < Math.max(MIN_RSS_GROWTH, kept)
    ) return;
    const started = performance.now();
    gc(COMPACTING_GC);
    trim()?.();
    const after = usage();
    log.debug("Idle collection: heap {before} → {after} MiB in {ms} ms, RSS {rss} MiB", {
      before: mib(used),
      after: mib(after.heapUsed),
      ms: (performance.now() - started).toFixed(0),
      rss: mib(after.rss),
    });
    kept = after.heapUsed;
    keptRss = after.rss;
  }, IDLE_TICK_MS);
  Deno.unrefTimer(timer);
  return {
    onRequest: () => {
      served++;
    },
    stop: () => clearInterval(timer),
  };
}
