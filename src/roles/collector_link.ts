/**
 * A worker's link to the metrics collector process. The worker keeps its own cumulative metrics
 * (custom series, feedback counters, built-in metrics); the collector asks every connected
 * worker for a snapshot when it is scraped. Nothing is sent per request, so a request never
 * waits on the collector, and a restarted collector (the link reconnects within ~100 ms) shows
 * the same cumulative values at its first scrape.
 * @module
 */
import { LineWriter, readLines } from "../supervisor/channel.ts";
import { seriesToWire, type Snapshot } from "../metrics/wire.ts";

/**
 * How long the link waits before connecting again: every 10 ms until it first connects (the
 * collector boots beside the worker), then doubling up to {@link MAX_RETRY_MS} after a loss.
 */
const FIRST_RETRY_MS = 10;
const MAX_RETRY_MS = 100;

/** The worker's end: answers `collect` requests with `snapshot()`. */
export class CollectorLink {
  #conn: Deno.Conn | undefined;
  #closed = false;
  #markConnected!: () => void;
  /** Settles once the link first connects: the collector's metrics port is then listening. */
  readonly connected: Promise<void> = new Promise((resolve) => (this.#markConnected = resolve));

  constructor(
    private readonly path: string,
    private readonly role: "rest" | "grpc",
    private readonly snapshot: () => Promise<Snapshot>,
  ) {
    this.#run().catch(() => {});
  }

  async #run(): Promise<void> {
    let wait = FIRST_RETRY_MS;
    let everConnected = false;
    while (!this.#closed) {
      try {
        this.#conn = await Deno.connect({ transport: "unix", path: this.path });
      } catch {
        await new Promise((r) => setTimeout(r, wait));
        if (everConnected) wait = Math.min(wait * 2, MAX_RETRY_MS);
        continue;
      }
      wait = FIRST_RETRY_MS;
      everConnected = true;
      this.#markConnected();
      if (this.#closed) break;
      const writer = new LineWriter(this.#conn);
      await writer.send({ op: "hello", pid: Deno.pid, role: this.role }).catch(() => {});
      for await (const raw of readLines(this.#conn)) {
        const msg = raw as { op?: string; id?: number };
        if (msg.op !== "collect") continue;
        const { series, builtin } = await this.snapshot();
        writer.send({ op: "snapshot", id: msg.id, series: seriesToWire(series), builtin })
          .catch(() => {});
      }
      this.#conn = undefined;
    }
  }

  /** Disconnects for good: the collector drops this worker's series (a draining worker). */
  close(): void {
    this.#closed = true;
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
  }
}
