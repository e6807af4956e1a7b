/**
 * The supervisor's end of the control channel (channel.ts): accepts worker connections on the
 * Unix socket and hands each message to a callback. It knows nothing of the pool or the metrics
 * collector; it only acknowledges the message a worker awaits (`bootFailed`) and passes on the
 * supervisor's `drain` to a stopping worker.
 * @module
 */
import { type DrainMessage, LineWriter, readLines, type WorkerMessage } from "./channel.ts";

/** What the supervisor does with each message. */
export interface ControlHandlers {
  /** `pid` loaded the model, which has a `customService()` or not, of class `className`. */
  loaded(pid: number, customService: boolean, className?: string): void;
  /** `pid` cannot load the model: the server stops with `status`. */
  bootFailed(pid: number, status: number, message: string): void;
  ready(pid: number): void;
  beat(pid: number): void;
  recycle(pid: number, reason: string | undefined): void;
  /** `pid`, stopping, closed its listener. */
  closed(pid: number): void;
}

/** The listening control socket. */
export interface ControlServer {
  /** Tells stopping worker `pid` to drain (a no-op when it is not connected). */
  drain(pid: number): void;
  /** Stops accepting connections. */
  close(): void;
}

/** Listens on the Unix socket `path` (throws if it cannot) and serves every connection. */
export function startControlServer(path: string, handlers: ControlHandlers): ControlServer {
  const listener = Deno.listen({ transport: "unix", path });
  const writers = new Map<number, LineWriter>();
  (async () => {
    for await (const conn of listener) serveConnection(conn, handlers, writers).catch(() => {});
  })().catch(() => {});
  return {
    drain: (pid) =>
      void writers.get(pid)?.send({ op: "drain" } satisfies DrainMessage).catch(() => {}),
    close: () => {
      try {
        listener.close();
      } catch { /* already closed */ }
    },
  };
}

async function serveConnection(
  conn: Deno.Conn,
  handlers: ControlHandlers,
  writers: Map<number, LineWriter>,
): Promise<void> {
  const writer = new LineWriter(conn);
  let pid: number | undefined;
  try {
    for await (const raw of readLines(conn)) {
      const msg = raw as WorkerMessage;
      if (pid === undefined) writers.set(pid = msg.pid, writer);
      dispatch(msg, handlers, writer);
    }
  } finally {
    if (pid !== undefined) writers.delete(pid);
  }
}

function dispatch(msg: WorkerMessage, handlers: ControlHandlers, writer: LineWriter): void {
  if (msg.op === "loaded") {
    handlers.loaded(msg.pid, msg.customService, msg.className);
  } else if (msg.op === "bootFailed") {
    handlers.bootFailed(msg.pid, msg.status, msg.message);
    writer.send({ id: msg.id }).catch(() => {});
  } else if (msg.op === "beat") {
    handlers.beat(msg.pid);
  } else if (msg.op === "ready") {
    handlers.ready(msg.pid);
  } else if (msg.op === "recycle") {
    handlers.recycle(msg.pid, msg.reason);
  } else if (msg.op === "closed") {
    handlers.closed(msg.pid);
  }
}
