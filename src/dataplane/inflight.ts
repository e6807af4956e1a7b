/**
 * The unanswered calls of a server, oldest first. Each call is answered by its own work, or by a
 * deadline (`seldon.io/rest-timeout`), or by {@link InFlight.answerAll} when a stopping worker's
 * grace period runs out — whichever comes first; the work left behind is abandoned (a call
 * still waiting for a `--threads` slot leaves the queue without running). Every call shares the
 * same timeout, so the list is also in deadline order and one timer serves all of them: a call
 * costs one small object and no timer of its own.
 * @module
 */
import type { Ticket } from "./limiter.ts";

/** The longest delay `setTimeout` honours (longer ones fire at once). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** One unanswered call (a doubly linked list node; also the call's limiter ticket). */
class Entry implements Ticket {
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;
  linked = true;
  cancelled = false;
  reason: unknown = undefined;
  leave: ((reason: unknown) => void) | undefined = undefined;
  /** Started when the deadline answered and the work still runs (see `onStuck`). */
  stuck: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(readonly due: number, readonly reject: (reason: unknown) => void) {}
}

/** Settings of an {@link InFlight}. */
export interface InFlightOptions {
  /** The deadline of every call, from its start; unset: none. */
  readonly timeoutMs?: number;
  /** The error a call that missed its deadline rejects with. */
  readonly timeoutError?: (ms: number) => unknown;
  /**
   * Called once a call that missed its deadline has still not settled two timeouts later: its
   * work cannot be stopped and may hold a `--threads` slot for ever.
   */
  readonly onStuck?: () => void;
}

/** The unanswered calls of a server (see the module). */
export class InFlight {
  readonly #timeoutMs: number | undefined;
  readonly #timeoutError: (ms: number) => unknown;
  readonly #onStuck: (() => void) | undefined;
  #head: Entry | undefined = undefined;
  #tail: Entry | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #idleWaiters: (() => void)[] = [];
  /** Set by {@link answerAll}: later calls are answered with it at once. */
  #closed: (() => unknown) | undefined = undefined;

  constructor(options: InFlightOptions = {}) {
    this.#timeoutMs = options.timeoutMs;
    this.#timeoutError = options.timeoutError ??
      ((ms) => new Error(`Request timed out after ${ms / 1000} s`));
    this.#onStuck = options.onStuck;
  }

  /**
   * Runs `start` as a call: the promise settles with its work, or rejects with the timeout
   * error at the deadline or with `answerAll`'s error. `start` gets the call's ticket to hand
   * to the limiter.
   */
  run<T>(start: (ticket: Ticket) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed());
    const ms = this.#timeoutMs;
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const entry = new Entry(ms === undefined ? Infinity : performance.now() + ms, reject);
    this.#link(entry);
    let work: Promise<T>;
    try {
      work = start(entry);
    } catch (err) {
      work = Promise.reject(err);
    }
    work.then(
      (value) => {
        if (this.#settled(entry)) resolve(value);
      },
      (err) => {
        if (this.#settled(entry)) entry.reject(err);
      },
    );
    return promise;
  }

  /**
   * Answers every unanswered call with `error()` (their work is abandoned, queued ones never
   * run), and every later call at once; returns how many were answered.
   */
  answerAll(error: () => unknown): number {
    this.#closed = error;
    let count = 0;
    for (let entry = this.#head; entry; entry = this.#head) {
      this.#cancel(entry, error());
      count++;
    }
    return count;
  }

  /** True while there is no unanswered call. */
  get idle(): boolean {
    return this.#head === undefined;
  }

  /** Resolves once there is no unanswered call (at once when there is none). */
  whenIdle(): Promise<void> {
    if (this.#head === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #link(entry: Entry): void {
    if (this.#tail) {
      this.#tail.next = entry;
      entry.prev = this.#tail;
    } else {
      this.#head = entry;
      // The timer keeps the process alive only while a call waits for it.
      if (this.#timer !== undefined) Deno.refTimer(this.#timer);
    }
    this.#tail = entry;
    if (this.#timer === undefined && entry.due !== Infinity) this.#arm(entry.due);
  }

  #unlink(entry: Entry): void {
    entry.linked = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.#head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.#tail = entry.prev;
    entry.prev = entry.next = undefined;
    if (this.#head === undefined) {
      if (this.#timer !== undefined) Deno.unrefTimer(this.#timer);
      if (this.#idleWaiters.length > 0) {
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
      }
    }
  }

  /** The work settled: true if it answers the call (no deadline or `answerAll` came first). */
  #settled(entry: Entry): boolean {
    if (entry.linked) {
      this.#unlink(entry);
      return true;
    }
    if (entry.stuck !== undefined) clearTimeout(entry.stuck);
    return false;
  }

  /** Answers `entry` with `reason`, leaving its work behind. */
  #cancel(entry: Entry, reason: unknown): void {
    this.#unlink(entry);
    entry.cancelled = true;
    entry.reason = reason;
    entry.reject(reason);
    entry.leave?.(reason);
  }

  /** One timer for the oldest call's deadline; a call that settled early leaves it armed. */
  #arm(due: number): void {
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, Math.ceil(due - performance.now())));
    this.#timer = setTimeout(() => this.#expire(), delay);
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const ms = this.#timeoutMs!;
    for (let entry = this.#head; entry && entry.due <= now; entry = this.#head) {
      this.#cancel(entry, this.#timeoutError(ms));
      // Cleared when the work settles (a queued call's work rejects at once).
      if (this.#onStuck) {
        entry.stuck = setTimeout(this.#onStuck, Math.min(MAX_DELAY_MS, 2 * ms));
      }
    }
    if (this.#head) this.#arm(this.#head.due);
  }
}
