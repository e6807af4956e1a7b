/**
 * The worker pool: the table of REST and gRPC workers and their lifecycle rules — start and
 * readiness, restart after a crash, a worker that dies before it is ready stops the server,
 * replacement (recycling, SIGHUP) before draining the old, the REST timeout watchdog, shutdown
 * (metrics-and-processes.md §6). Processes and time come through {@link Spawner} and
 * {@link Clock}, so the rules are unit-tested with fakes.
 * @module
 */
import { logger } from "../logging.ts";
import { type Child, type ChildStatus, type Clock, realClock, type Spawner } from "./child.ts";

const log = logger("supervisor");

/** A worker's role. */
export type Role = "rest" | "grpc";

/** What the pool needs; times in milliseconds. */
export interface PoolOptions {
  /** Starts a worker process. */
  spawn: Spawner<Role>;
  /** `--graceful-timeout`: how long a stopping worker may take before it is killed. */
  graceMs: number;
  /** How long replacements may take to become ready before the old workers are stopped anyway. */
  readyTimeoutMs?: number;
  /** A ready REST worker silent for longer than this is killed (gunicorn's worker timeout). */
  timeoutMs: number;
  /** How often the watchdog looks. */
  watchdogEveryMs: number;
  /** A worker's metrics no longer count: it exited or is being retired (may repeat per pid). */
  onDrop?: (pid: number) => void;
  /**
   * Tells stopping worker `pid` to drain: every worker stopped with it has closed its listener
   * (or exited), or {@link DRAIN_WAIT_MS} (at most half the grace) passed.
   */
  onDrain?: (pid: number) => void;
  clock?: Clock;
}

/**
 * How long workers stopped together wait at most for each other's listeners to close before
 * they drain anyway (a worker that never reports, e.g. stuck in synchronous code).
 */
export const DRAIN_WAIT_MS = 10_000;

interface Worker {
  readonly role: Role;
  readonly child: Child;
  readonly ready: Promise<void>;
  markReady(): void;
  isReady: boolean;
  /** Being replaced: its exit is expected. */
  retiring: boolean;
  /** When its last heartbeat arrived. */
  lastBeat: number;
  /** Settles when, stopping, it closed its listener, or when it exited. */
  readonly closed: Promise<void>;
  markClosed(): void;
}

/** Owns the workers; see the module doc for its rules. */
export class Pool {
  readonly #opts: PoolOptions;
  readonly #clock: Clock;
  readonly #workers = new Map<number, Worker>();
  #stopping = false;
  #exitCode = 0;
  #resolveDone!: (code: number) => void;
  /** Settles with the exit status once shutdown began and every worker has exited. */
  readonly done: Promise<number>;

  constructor(opts: PoolOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  /** True once shutdown began. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The pids of the workers alive now, retiring ones included. */
  get pids(): number[] {
    return [...this.#workers.keys()];
  }

  /**
   * Starts `roles` in order and the watchdog, then `later` once its `after` settles (unless the
   * server stops first); true once all are ready, false if the server stops first. Called once.
   */
  async start(
    roles: readonly Role[],
    later?: { readonly roles: readonly Role[]; readonly after: Promise<unknown> },
  ): Promise<boolean> {
    const stopWatchdog = this.#clock.every(this.#opts.watchdogEveryMs, () => this.#watch());
    this.done.then(stopWatchdog);
    const spawnAll = (list: readonly Role[]) =>
      Promise.all(list.map((role) => this.#spawn(role).ready));
    const spawnLater = () => this.#stopping ? undefined : spawnAll(later!.roles);
    const laterReady = later?.after.then(spawnLater, spawnLater);
    await Promise.race([Promise.all([spawnAll(roles), laterReady]), this.done]);
    return !this.#stopping;
  }

  /** Whether `pid`'s metrics count: a worker of the pool, not retiring. */
  accepts(pid: number): boolean {
    const worker = this.#workers.get(pid);
    return worker !== undefined && !worker.retiring;
  }

  /** `pid` serves (its readiness is also a heartbeat). */
  ready(pid: number): void {
    const worker = this.#workers.get(pid);
    if (!worker) return;
    worker.lastBeat = this.#clock.now();
    worker.markReady();
  }

  /** `pid`'s event loop is alive. */
  beat(pid: number): void {
    const worker = this.#workers.get(pid);
    if (worker) worker.lastBeat = this.#clock.now();
  }

  /** Stopping worker `pid` closed its listener. */
  listenerClosed(pid: number): void {
    this.#workers.get(pid)?.markClosed();
  }

  /** `pid` asks to be replaced (max requests, stuck, memory). */
  recycle(pid: number, reason = "max requests"): Promise<void> {
    const worker = this.#workers.get(pid);
    if (!worker) return Promise.resolve();
    log.info("Replacing worker {pid} at its request ({reason})", { pid, reason });
    return this.#replace([worker]);
  }

  /** Replaces every worker of `role` (SIGHUP: the REST workers). */
  replaceAll(role: Role): Promise<void> {
    return this.#replace([...this.#workers.values()].filter((w) => w.role === role));
  }

  /** SIGTERM to every worker, SIGKILL to those left after the grace; `done` settles with `code`. */
  shutdown(code: number): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#exitCode = code;
    log.info("Shutting down: Master");
    if (this.#workers.size === 0) this.#resolveDone(code);
    this.#stopTogether([...this.#workers.values()]);
    this.#clock.after(this.#opts.graceMs, () => {
      for (const [pid, worker] of this.#workers) {
        log.warning("Worker {pid} did not stop in time: killing it", { pid });
        worker.child.kill("SIGKILL");
      }
    });
  }

  #spawn(role: Role): Worker {
    const child = this.#opts.spawn(role);
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    let markClosed!: () => void;
    const closed = new Promise<void>((r) => (markClosed = r));
    const worker: Worker = {
      role,
      child,
      ready,
      markReady: () => {
        worker.isReady = true;
        markReady();
      },
      isReady: false,
      retiring: false,
      lastBeat: this.#clock.now(),
      closed,
      markClosed,
    };
    this.#workers.set(child.pid, worker);
    log.info("Booting {role} worker with pid: {pid}", { role, pid: child.pid });
    child.status.then((status) => this.#onExit(worker, status));
    return worker;
  }

  #onExit(worker: Worker, status: ChildStatus): void {
    const pid = worker.child.pid;
    this.#workers.delete(pid);
    worker.markClosed();
    this.#opts.onDrop?.(pid);
    if (this.#stopping || worker.retiring) {
      if (this.#workers.size === 0 && this.#stopping) this.#resolveDone(this.#exitCode);
      return;
    }
    if (!worker.isReady) {
      log.error("Worker failed to boot (pid {pid}, exit {code}).", { pid, code: status.code });
      // 1: the model could not be imported or constructed (upstream fails in its main process)
      // or the port is held by another program; otherwise load() failed, gunicorn's "Worker
      // failed to boot" status 3.
      this.shutdown(status.code === 1 ? 1 : 3);
      return;
    }
    log.warning("{role} worker {pid} exited ({code}); starting a replacement", {
      role: worker.role,
      pid,
      code: status.signal ?? status.code,
    });
    this.#spawn(worker.role);
  }

  /**
   * Starts replacements first, then drains the old workers (no gap with one worker). They are
   * told to stop together: a listener closing while a sibling's clients reconnect would reset
   * the connections queued on it. A worker still running after the grace is killed (it
   * answers what it could not finish shortly before, see worker.ts).
   */
  async #replace(olds: Worker[]): Promise<void> {
    olds = olds.filter((old) => !old.retiring);
    if (olds.length === 0 || this.#stopping) return;
    for (const old of olds) old.retiring = true;
    const fresh = olds.map((old) => this.#spawn(old.role).ready);
    let cancel!: () => void;
    const timeout = new Promise<void>((r) => {
      cancel = this.#clock.after(this.#opts.readyTimeoutMs ?? 60_000, r);
    });
    await Promise.race([Promise.all(fresh), timeout]);
    cancel();
    for (const old of olds) {
      this.#opts.onDrop?.(old.child.pid);
      const cancelKill = this.#clock.after(this.#opts.graceMs, () => old.child.kill("SIGKILL"));
      old.child.status.then(cancelKill);
    }
    this.#stopTogether(olds);
  }

  /**
   * SIGTERM to `workers`; once all of them closed their listeners (or exited), each is told to
   * drain, so no client is sent to reconnect while a listener it may land on is still closing.
   */
  #stopTogether(workers: readonly Worker[]): void {
    for (const worker of workers) worker.child.kill("SIGTERM");
    let cancel!: () => void;
    // A worker that never reports (stuck) holds the others back, but they drain well before
    // the grace runs out.
    const waitMs = Math.min(DRAIN_WAIT_MS, this.#opts.graceMs / 2);
    const cap = new Promise<void>((r) => (cancel = this.#clock.after(waitMs, r)));
    Promise.race([Promise.all(workers.map((w) => w.closed)), cap]).then(() => {
      cancel();
      for (const worker of workers) {
        if (this.#workers.has(worker.child.pid)) this.#opts.onDrain?.(worker.child.pid);
      }
    });
  }

  /** Kills a ready REST worker silent for longer than the timeout (replaced as after a crash). */
  #watch(): void {
    const now = this.#clock.now();
    for (const [pid, worker] of this.#workers) {
      if (worker.role !== "rest" || !worker.isReady || worker.retiring) continue;
      if (now - worker.lastBeat > this.#opts.timeoutMs) {
        log.error("WORKER TIMEOUT (pid:{pid})", { pid });
        worker.lastBeat = Infinity;
        worker.child.kill("SIGKILL");
      }
    }
  }
}
