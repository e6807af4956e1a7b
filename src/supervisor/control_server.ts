/**
 * The supervisor's end of the control channel (channel.ts): accepts worker connections on the
 * Unix socket and hands each message to a callback. It knows nothing of the pool or the metrics
 * collector; it only acknowledges the message a worker awaits (`bootFailed`).
 * @module
 */
import { LineWriter, readLines, type WorkerMessage } from "./channel.ts";

/** What the supervisor does with each message. */
export interface ControlHandlers {
  /** `pid` loaded the model, which has a `customService()` or not, of class `className`. */
  loaded(pid: number, customService: boolean, className?: string): void;
  /** `pid` cannot load the model: the server stops with `status`. */
  bootFailed(pid: number, status: number, message: string): void;
  ready(pid: number): void;
  beat(pid: number): void;
  recycle(pid: number, reason: string | undefined): void;
}

/** The listening control socket. */
export interface ControlServer {
  /** Stops accepting connections. */
  close(): void;
}

/** Listens on the Unix socket `path` (throws if it cannot) and serves every connection. */
export function startControlServer(path: string, handlers: ControlHandlers): ControlServer {
  const listener = Deno.listen({ transport: "unix", path });
  (async () => {
    for await (const conn of listener) serveConnection(conn, handlers).catch(() => {});
  })().catch(() => {});
  return {
    close: () => {
      try {
        listener.close();
      } catch { /* already closed */ }
    },
  };
}

async function serveConnection(conn: Deno.Conn, handlers: ControlHandlers): Promise<void> {
  const writer = new LineWriter(conn);
  for await (const raw of readLines(conn)) {
    const msg = raw as WorkerMessage;
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
    }
  }
}
