/**
 * The supervisor's line to the metrics collector process (role `collector`, an auxiliary child
 * restarted at once when it dies): it connects to each new collector, tells it which workers are
 * retired (`clear`: their series vanish while they drain) and which serve (`expect`, then
 * `synced`: a new collector's scrapes wait for this and for those workers to reconnect, so the
 * first one after a restart shows every cumulative value).
 * Its connection closing tells the collector that the supervisor is gone.
 * @module
 */
import type { Child } from "./child.ts";
import { LineWriter } from "./channel.ts";

/** The workers as the collector must know them. */
export interface CollectorView {
  /** Workers being retired: not shown. */
  readonly retired: readonly number[];
  /** Workers serving. */
  readonly live: readonly number[];
}

/** Why the first collector could not start. */
export interface AttachResult {
  readonly ok: boolean;
  /** Its exit status, when it exited before accepting connections. */
  readonly code?: number;
}

/** The supervisor's end of the collector socket. */
export class CollectorControl {
  #conn: Deno.Conn | undefined;
  #writer: LineWriter | undefined;
  #served = false;

  constructor(private readonly socket: string, private readonly view: () => CollectorView) {}

  /** True once some collector accepted the supervisor's connection. */
  get served(): boolean {
    return this.#served;
  }

  /** Connects to `child` (a new collector) once it listens; fails if it exits first. */
  async attach(child: Child): Promise<AttachResult> {
    let exited: number | undefined;
    child.status.then((status) => (exited = status.code));
    while (true) {
      if (exited !== undefined) return { ok: false, code: exited };
      let conn: Deno.Conn;
      try {
        conn = await Deno.connect({ transport: "unix", path: this.socket });
      } catch {
        // Not listening yet (or a dead collector's socket file): try again shortly.
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      try {
        this.#conn?.close();
      } catch { /* closed */ }
      const writer = new LineWriter(conn);
      const { retired, live } = this.view();
      try {
        await writer.send({ op: "supervisor" });
        if (retired.length > 0) await writer.send({ op: "clear", pids: retired.map(String) });
        if (live.length > 0) await writer.send({ op: "expect", pids: live.map(String) });
        await writer.send({ op: "synced" });
      } catch {
        conn.close();
        continue;
      }
      this.#conn = conn;
      this.#writer = writer;
      this.#served = true;
      return { ok: true };
    }
  }

  /** Drops a retired or exited worker's series. */
  clear(pid: number): void {
    this.#writer?.send({ op: "clear", pids: [String(pid)] }).catch(() => {});
  }

  /** Closes the connection (the collector then stops, if it still runs). */
  close(): void {
    try {
      this.#conn?.close();
    } catch { /* closed */ }
  }
}
