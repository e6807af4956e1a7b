/**
 * An auxiliary child of the supervisor: a process beside the workers (the `customService()`
 * process; the metrics collector) started on demand, optionally restarted when it dies, and
 * stopped with the server after the workers.
 * @module
 */
import { logger } from "../logging.ts";
import { type Child, type Clock, realClock, stopChild } from "./child.ts";

const log = logger("supervisor");

/** How an auxiliary child is run; times in milliseconds. */
export interface AuxiliaryOptions {
  /** Its name in the logs ("custom service"). */
  name: string;
  /** Starts the process. */
  spawn: () => Child;
  /** Restart it this long after it died (absent: never restart). */
  restartAfterMs?: number;
  /** True while an exit is expected (the server is stopping): not logged, not restarted. */
  expected?: () => boolean;
  /** Called with each new process once it started (a restart included). */
  onStart?: (child: Child) => void;
  clock?: Clock;
}

/** One auxiliary child; {@link start} is idempotent. */
export class Auxiliary {
  readonly #opts: AuxiliaryOptions;
  readonly #clock: Clock;
  #child: Child | undefined;
  #started = false;
  #stopped = false;
  #cancelRestart: (() => void) | undefined;

  constructor(opts: AuxiliaryOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
  }

  /** The running process, if any. */
  get child(): Child | undefined {
    return this.#child;
  }

  /** Starts the process unless it was started (or stopped) before. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#run();
  }

  /** Stops it (SIGTERM, SIGKILL after `graceMs`); resolves once it has exited. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    this.#cancelRestart?.();
    if (this.#child) await stopChild(this.#child, graceMs, this.#clock);
  }

  #run(): void {
    const child = this.#opts.spawn();
    this.#child = child;
    log.info("Starting {name} with pid: {pid}", { name: this.#opts.name, pid: child.pid });
    this.#opts.onStart?.(child);
    child.status.then((status) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#stopped || this.#opts.expected?.()) return;
      const restartAfterMs = this.#opts.restartAfterMs;
      const name = this.#opts.name;
      log.warning(
        `{name} {pid} exited ({code})${restartAfterMs === undefined ? "" : "; restarting"}`,
        {
          name: name[0].toUpperCase() + name.slice(1),
          pid: child.pid,
          code: status.signal ?? status.code,
        },
      );
      if (restartAfterMs === undefined) return;
      this.#cancelRestart = this.#clock.after(restartAfterMs, () => {
        this.#cancelRestart = undefined;
        if (!this.#stopped) this.#run();
      });
    });
  }
}
