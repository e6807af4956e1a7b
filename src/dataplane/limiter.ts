/**
 * A FIFO semaphore: at most `max` tasks run at once, the rest wait in order (never rejected).
 * Maps `--threads` / `--single-threaded` / `--grpc-threads` (server.md §6.3).
 * @module
 */
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  /** `max` ≤ 0 or `Infinity` means unlimited. */
  constructor(readonly max: number) {}

  /**
   * Runs `task` when a slot is free (no extra promise when unlimited or a slot is free). If
   * `signal` aborts while the task still waits, it leaves the queue without running and the
   * promise rejects with the signal's reason; a task already running is not affected.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.max <= 0 || this.max === Infinity) return task();
    if (this.#active < this.max) {
      this.#active++;
      return this.#track(task);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener("abort", leave);
        resolve();
      };
      const leave = () => {
        this.#waiting.splice(this.#waiting.indexOf(start), 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", leave, { once: true });
      this.#waiting.push(start);
    }).then(() => this.#track(task));
  }

  #track<T>(task: () => Promise<T>): Promise<T> {
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (err) {
      this.#release();
      return Promise.reject(err);
    }
    return promise.then(
      (value) => {
        this.#release();
        return value;
      },
      (err) => {
        this.#release();
        throw err;
      },
    );
  }

  /** Hands the slot to the next waiter, or frees it. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active--;
  }
}
