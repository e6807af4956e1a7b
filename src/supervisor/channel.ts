/**
 * The control channel between the supervisor and its workers: newline-delimited JSON over a
 * Unix socket in a private temporary folder (metrics-and-processes.md §7.4). Workers report the
 * model they loaded (or why they could not), announce readiness, beat, ask to be recycled and,
 * stopping, report their listener closed; the supervisor then tells them when to drain.
 * Metrics go to the collector process instead (`src/roles/collector_link.ts`). The line reader
 * and writer serve both sockets.
 * @module
 */

/** Where a worker failed to load the model (`--parameters`, the module import, the constructor). */
export type BootStage = "parameters" | "import" | "construct";

/** Messages a worker sends. */
export type WorkerMessage =
  /**
   * The model is imported and constructed; whether it has a `customService()`, and its class
   * name (the supervisor never imports the model; the start-up banner names it).
   */
  | { op: "loaded"; pid: number; customService: boolean; className?: string }
  /**
   * The model could not be loaded: the server stops with `status`, printing `message`
   * (acknowledged, so the worker exits only once the supervisor knows).
   */
  | { op: "bootFailed"; id: number; pid: number; stage: BootStage; status: number; message: string }
  | { op: "ready"; role: "rest" | "grpc"; pid: number; port: number }
  /** Replace this worker; `reason` is logged (max requests, REST timeout, memory). */
  | { op: "recycle"; pid: number; reason?: string }
  | { op: "beat"; pid: number }
  /** A stopping worker closed its listener (it drains once told `drain`). */
  | { op: "closed"; pid: number };

/**
 * The supervisor's message to a stopping worker: every worker stopped with it has closed its
 * listener, so its clients may now be told to reconnect (a connection queued on a listener as it
 * closes is reset by the kernel; none is queued on a closed one).
 */
export interface DrainMessage {
  op: "drain";
}

/**
 * How often a REST worker beats (and the supervisor's watchdog looks) for a worker timeout of
 * `timeoutMs`: a quarter of it, at most once a second. Beating only once per timeout would let
 * ordinary scheduling jitter (a beat a few milliseconds late) kill a healthy worker; gunicorn's
 * workers likewise notify well within the timeout.
 */
export function heartbeatMs(timeoutMs: number): number {
  return Math.min(1000, Math.floor(timeoutMs / 4));
}

/** The supervisor's answer to a `bootFailed` message. */
export interface MetricsAck {
  id: number;
  error?: string;
}

const encoder = new TextEncoder();

/** Reads newline-delimited JSON values from a connection until it closes. */
export async function* readLines(conn: Deno.Conn): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffered = "";
  const chunk = new Uint8Array(64 * 1024);
  while (true) {
    let n: number | null;
    try {
      n = await conn.read(chunk);
    } catch {
      return;
    }
    if (n === null) return;
    buffered += decoder.decode(chunk.subarray(0, n), { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.length > 0) yield JSON.parse(line);
    }
  }
}

/** Writes one JSON value as a line; writes are serialised per connection. */
export class LineWriter {
  #queue: Promise<void> = Promise.resolve();
  constructor(private readonly conn: Deno.Conn) {}

  /** Queues `value`; the promise settles when it is written. */
  send(value: unknown): Promise<void> {
    const bytes = encoder.encode(JSON.stringify(value) + "\n");
    this.#queue = this.#queue.then(async () => {
      let offset = 0;
      while (offset < bytes.length) offset += await this.conn.write(bytes.subarray(offset));
    });
    return this.#queue;
  }
}

/** A worker's end of the channel: boot report, readiness, heartbeats, recycling. */
export class WorkerChannel {
  readonly #writer: LineWriter;
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #closed = false;
  /**
   * Settles when the supervisor's end closes (the supervisor exited or was killed): the worker
   * then stops, so no orphan keeps serving the port.
   */
  readonly closed: Promise<void>;
  /**
   * Settles when the supervisor says `drain` (see {@link DrainMessage}) or is gone, whichever
   * comes first.
   */
  readonly drain: Promise<void>;
  #drain!: () => void;

  private constructor(private readonly conn: Deno.Conn) {
    this.#writer = new LineWriter(conn);
    this.drain = new Promise((resolve) => (this.#drain = resolve));
    this.closed = this.#readAcks().catch(() => {}).finally(() => this.#drain());
  }

  /** Connects to the supervisor's socket. */
  static async connect(path: string): Promise<WorkerChannel> {
    return new WorkerChannel(await Deno.connect({ transport: "unix", path }));
  }

  async #readAcks(): Promise<void> {
    for await (const msg of readLines(this.conn)) {
      if ((msg as DrainMessage).op === "drain") {
        this.#drain();
        continue;
      }
      const ack = msg as MetricsAck;
      const waiter = this.#pending.get(ack.id);
      if (!waiter) continue;
      this.#pending.delete(ack.id);
      if (ack.error) waiter.reject(new Error(ack.error));
      else waiter.resolve();
    }
    this.#closed = true;
    for (const waiter of this.#pending.values()) {
      waiter.reject(new Error("the supervisor is gone"));
    }
    this.#pending.clear();
  }

  /**
   * Tells the supervisor the model is loaded, whether it has a `customService()` and its class
   * name.
   */
  loaded(customService: boolean, className?: string): Promise<void> {
    return this.#writer.send(
      { op: "loaded", pid: Deno.pid, customService, className } satisfies WorkerMessage,
    );
  }

  /**
   * Tells the supervisor the model could not be loaded; settles once it acknowledged (or is
   * gone), so the supervisor reports the failure before it sees this worker exit.
   */
  bootFailed(stage: BootStage, status: number, message: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const id = this.#nextId++;
    return this.#request(
      id,
      { op: "bootFailed", id, pid: Deno.pid, stage, status, message } satisfies WorkerMessage,
    );
  }

  /** Tells the supervisor this worker serves on `port`. */
  ready(role: "rest" | "grpc", port: number): Promise<void> {
    return this.#writer.send({ op: "ready", role, pid: Deno.pid, port } satisfies WorkerMessage);
  }

  /** Tells the supervisor this worker's event loop is alive (the timeout watchdog). */
  beat(): Promise<void> {
    return this.#writer.send({ op: "beat", pid: Deno.pid } satisfies WorkerMessage);
  }

  /** Asks the supervisor for a replacement (max-requests reached, stuck, too much memory). */
  recycle(reason: string): Promise<void> {
    return this.#writer.send({ op: "recycle", pid: Deno.pid, reason } satisfies WorkerMessage);
  }

  /** Tells the supervisor this stopping worker closed its listener. */
  listenerClosed(): Promise<void> {
    return this.#writer.send({ op: "closed", pid: Deno.pid } satisfies WorkerMessage);
  }

  /** Sends `message` and waits for the acknowledgement of `id`. */
  #request(id: number, message: WorkerMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#writer.send(message).catch((err) => {
        this.#pending.delete(id);
        reject(err);
      });
    });
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}
