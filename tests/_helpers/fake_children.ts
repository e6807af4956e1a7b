/**
 * Fakes for the supervisor's seams (src/supervisor/child.ts): children that exit when a test
 * says so, and a clock that moves only when a test advances it. No process, no real waiting.
 */
import type { Child, ChildStatus, Clock } from "../../src/supervisor/child.ts";

/** Lets every pending promise chain run (one real macrotask). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A child that records the signals it gets and exits on {@link exit}. */
export class FakeChild implements Child {
  readonly signals: Deno.Signal[] = [];
  readonly status: Promise<ChildStatus>;
  exited = false;
  #resolve!: (status: ChildStatus) => void;

  constructor(readonly pid: number, readonly role: string) {
    this.status = new Promise((resolve) => (this.#resolve = resolve));
  }

  kill(signal: Deno.Signal): void {
    if (!this.exited) this.signals.push(signal);
  }

  /** Exits with `code` (or by `signal`). */
  exit(code = 0, signal: Deno.Signal | null = null): void {
    if (this.exited) return;
    this.exited = true;
    this.#resolve({ code, signal });
  }
}

/** Hands out {@link FakeChild}ren with pids 101, 102, … */
export class FakeSpawner {
  readonly children: FakeChild[] = [];
  /** The spawner function the code under test calls. */
  readonly spawn = (role: string): FakeChild => {
    const child = new FakeChild(101 + this.children.length, role);
    this.children.push(child);
    return child;
  };

  /** Children not exited, of `role` if given. */
  alive(role?: string): FakeChild[] {
    return this.children.filter((c) => !c.exited && (role === undefined || c.role === role));
  }
}

interface Timer {
  at: number;
  fn: () => void;
  every?: number;
}

/** A clock whose time moves only in {@link advance}, firing due timers in order. */
export class FakeClock implements Clock {
  #now = 0;
  #timers = new Set<Timer>();

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.#now + ms, fn };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  every(ms: number, fn: () => void): () => void {
    const timer = { at: this.#now + ms, fn, every: ms };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Pending timers (repeating ones included). */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time by `ms`, firing each due timer at its time and letting promises settle after. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    while (true) {
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.at <= target && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.#now = next.at;
      if (next.every) next.at += next.every;
      else this.#timers.delete(next);
      next.fn();
      await flush();
    }
    this.#now = target;
    await flush();
  }
}
