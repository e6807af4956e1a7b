/**
 * A FIFO semaphore: at most `max` tasks run at once, the rest wait in order (never rejected).
 * Maps `--threads` / `--single-threaded` / `--grpc-threads` (server.md §6.3).
 * @module
 */
import { isThenable } from "./hooks.ts";

/**
 * A task's handle, through which its caller can give up on it (a deadline passed, the worker
 * is stopping): a cancelled task never starts, and one waiting for a slot leaves the queue.
 */
export interface Ticket {
  /** True once the caller gave up: the task does not start and rejects with `reason`. */
  cancelled: boolean;
  /** Why the caller gave up. */
  reason: unknown;
  /** Set by the limiter while the task waits for a slot: leaves the queue, rejecting. */
  leave: ((reason: unknown) => void) | undefined;
}

/** A FIFO semaphore (see the module). */
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  /** `max` ≤ 0 or `Infinity` means unlimited. */
  constructor(readonly max: number) {}

  /**
   * Runs `task` when a slot is free (no extra promise when unlimited or a slot is free). A task
   * whose `ticket` is cancelled does not start; cancelled while it waits, it leaves the queue
   * and the promise rejects with the ticket's reason. A task already running is not affected.
   */
  run<T>(task: () => Promise<T>, ticket?: Ticket): Promise<T> {
    if (ticket?.cancelled) return Promise.reject(ticket.reason);
    if (this.max <= 0 || this.max === Infinity) return task();
    if (this.#active < this.max) {
      this.#active++;
      return this.#track(task);
    }
    return new Promise<void>((resolve, reject) => {
      const start = () => {
        if (ticket) ticket.leave = undefined;
        resolve();
      };
      if (ticket) {
        ticket.leave = (reason) => {
          ticket.leave = undefined;
          this.#waiting.splice(this.#waiting.indexOf(start), 1);
          reject(reason);
        };
      }
      this.#waiting.push(start);
    }).then(() => this.#track(task));
  }

  /**
   * {@link run} for a task that may answer at once: when a slot is free and `task` returns a
   * value (not a promise), the slot is freed and the value returned as is, without a promise.
   * A task that throws at once throws (its slot freed). Otherwise as {@link run}.
   */
  runNow<T>(task: () => T | Promise<T>, ticket?: Ticket): T | Promise<T> {
    if (ticket?.cancelled) return Promise.reject(ticket.reason);
    if (this.max <= 0 || this.max === Infinity) return task();
    if (this.#active >= this.max) {
      return this.run(() => {
        const result = task();
        return isThenable(result) ? result : Promise.resolve(result);
      }, ticket);
    }
    this.#active++;
    let result: T | Promise<T>;
    try {
      result = task();
    } catch (err) {
      this.#release();
      throw err;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(this.#passValue, this.#passError) as Promise<T>;
    }
    this.#release();
    return result;
  }

  #track<T>(task: () => Promise<T>): Promise<T> {
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (err) {
      this.#release();
      return Promise.reject(err);
    }
    return promise.then(this.#passValue, this.#passError) as Promise<T>;
  }

  /** Frees the slot, then settles as the task did (one pair for all tasks: no closures per task). */
  readonly #passValue = <T>(value: T): T => {
    this.#release();
    return value;
  };
  readonly #passError = (err: unknown): never => {
    this.#release();
    throw err;
  };

  /** Hands the slot to the next waiter, or frees it. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active--;
  }
}
