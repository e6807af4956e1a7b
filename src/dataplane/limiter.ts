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

  /** Runs `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.max <= 0 || this.max === Infinity) return await task();
    if (this.#active < this.max) this.#active++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
