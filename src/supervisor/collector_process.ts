/**
 * The supervisor's handle on the metrics collector process (role `collector`): started before
 * the workers, restarted at once when it dies (workers keep their own metrics and reconnect, so
 * nothing is lost), told which workers are retired (`clear`: their series vanish from the metrics
 * port while they drain), stopped last.
 * @module
 */
import { logger } from "../logging.ts";
import { LineWriter } from "./channel.ts";
import { COLLECTOR_ENV, ROLE_ENV } from "./self.ts";

const log = logger("supervisor");

/** How to start the collector. */
export interface CollectorSpawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** Its Unix socket. */
  readonly socket: string;
  /** The workers serving now (a restarted collector waits for them at its first scrape). */
  readonly liveWorkers: () => number[];
}

/** Thrown when the collector exits before it serves (e.g. the metrics port is in use). */
export class CollectorFailed extends Error {
  constructor(readonly code: number) {
    super(`the metrics collector exited with status ${code} before it served`);
  }
}

/** A running collector, restarted until {@link CollectorProcess.stop}. */
export class CollectorProcess {
  #child!: Deno.ChildProcess;
  #writer: LineWriter | undefined;
  #conn: Deno.Conn | undefined;
  #stopping = false;
  /** Retired workers that may still be connected to the collector. */
  readonly #cleared = new Set<string>();

  private constructor(private readonly spawn: CollectorSpawn) {}

  /** Starts the collector; resolves once it accepts connections. */
  static async start(spawn: CollectorSpawn): Promise<CollectorProcess> {
    const collector = new CollectorProcess(spawn);
    await collector.#launch();
    return collector;
  }

  /** The collector's pid. */
  get pid(): number {
    return this.#child.pid;
  }

  async #launch(): Promise<void> {
    const child = new Deno.Command(this.spawn.command, {
      args: [...this.spawn.args],
      env: { ...this.spawn.env, [ROLE_ENV]: "collector", [COLLECTOR_ENV]: this.spawn.socket },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    this.#child = child;
    log.info("Booting metrics collector with pid: {pid}", { pid: child.pid });
    const state: { exited?: Deno.CommandStatus } = {};
    child.status.then((status) => {
      state.exited = status;
      this.#writer = undefined;
      if (this.#stopping || this.#child !== child) return;
      log.warning("Metrics collector {pid} exited ({code}); starting a new one", {
        pid: child.pid,
        code: status.signal ?? status.code,
      });
      this.#launch().catch((err) => log.error("Metrics collector not restarted: {err}", { err }));
    });
    while (true) {
      if (state.exited) throw new CollectorFailed(state.exited.code);
      try {
        const conn = await Deno.connect({ transport: "unix", path: this.spawn.socket });
        // A previous collector's socket file may still be there: talk only to this child.
        const writer = new LineWriter(conn);
        await writer.send({ op: "supervisor" });
        const gone = state.exited as Deno.CommandStatus | undefined;
        if (gone) {
          conn.close();
          throw new CollectorFailed(gone.code);
        }
        this.#conn = conn;
        this.#writer = writer;
        if (this.#cleared.size > 0) await writer.send({ op: "clear", pids: [...this.#cleared] });
        const live = this.spawn.liveWorkers().map(String).filter((pid) => !this.#cleared.has(pid));
        if (live.length > 0) await writer.send({ op: "expect", pids: live });
        return;
      } catch (err) {
        if (err instanceof CollectorFailed) throw err;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /** Drops a retired worker's series (it may still be draining). */
  clear(pid: number): void {
    this.#cleared.add(String(pid));
    this.#writer?.send({ op: "clear", pids: [String(pid)] }).catch(() => {});
  }

  /** A worker exited: it can no longer connect, so it need not be remembered. */
  forget(pid: number): void {
    this.#cleared.delete(String(pid));
  }

  /** Stops the collector (SIGTERM, SIGKILL after `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, graceMs);
    await child.status;
    clearTimeout(timer);
    try {
      this.#conn?.close();
    } catch { /* closed */ }
  }
}
