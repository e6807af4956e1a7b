/**
 * `Deno.serve` with the guards a server on an open port needs and `Deno.serve` lacks: a cap on
 * open connections, a header timeout, an idle keep-alive timeout, an accept loop that survives
 * running out of file descriptors, and a drain that loses no request from keep-alive clients.
 *
 * Our own accept loop (`Deno.listen`) hands each connection to Deno's HTTP engine on its own
 * (`serveHttpOnConnection`, the per-connection form of `Deno.serve`'s internals, same native
 * fast path: ~3% slower than `Deno.serve` on a bare echo, BENCHMARKS.md), with an abort signal
 * that closes just that connection. A request is active from its head's arrival until Deno
 * reports its response fully written (`info.completed`), so slow readers are not cut.
 * @module
 */
import { logger } from "../logging.ts";
import { acceptLoop } from "./accept.ts";
import { listenTcp } from "../listen.ts";
import {
  gunicornAcceptsMethod,
  invalidMethod,
  requestLineLength,
  requestLineTooLong,
} from "./gunicorn.ts";

const log = logger("http");

/**
 * Connection guards of one listening port (each process counts its own connections). At the
 * cap, a new connection replaces the connection idle the longest (as nginx reuses idle
 * keep-alive connections), or is closed when every connection has a request in flight.
 */
export interface ConnectionLimits {
  /** Open connections beyond this are closed as soon as accepted. */
  readonly maxConnections: number;
  /** A new connection must deliver a complete request head within this (0: no limit). */
  readonly headerTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; 0 closes after every response. */
  readonly keepAliveMs: number;
  /**
   * Request lines longer than this are answered as gunicorn answers them (a 400 page, the
   * connection closed) without calling the handler; 0 or absent: no limit.
   */
  readonly maxRequestLine?: number;
  /**
   * Methods are checked as gunicorn's parser checks them: one it refuses (`get`, `Post`) is
   * answered with gunicorn's 400 page without calling the handler.
   */
  readonly gunicornMethods?: boolean;
}

/** Options of {@link guardedServe}. */
export interface GuardedServeOptions extends ConnectionLimits {
  readonly port: number;
  readonly hostname: string;
  /** Share the port with sibling processes (SO_REUSEPORT; needs `--unstable-net`). */
  readonly reusePort?: boolean;
  /** What listens, named in the error of a port in use (default `HTTP`). */
  readonly name?: string;
  /** Answers a request whose handler threw. */
  readonly onError?: (error: unknown) => Response | Promise<Response>;
}

/** A running guarded server. */
export interface GuardedServer {
  readonly addr: Deno.NetAddr;
  /** Resolves when the server has stopped (after {@link GuardedServer.shutdown}). */
  readonly finished: Promise<void>;
  /** Connections open now. */
  readonly connections: number;
  /**
   * Settles once the listener is closed for good (after {@link GuardedServer.shutdown}): its
   * pending accept has ended, so no connection can be queued on it any more.
   */
  readonly listenerClosed: Promise<void>;
  /**
   * Stops accepting (the listener's handle is closed before this returns, the socket once
   * {@link GuardedServer.listenerClosed} settles) and drains: a response written
   * from now on carries `connection: close`, a connection idle for a moment is closed, and the
   * promise resolves when none is left. Draining starts once `siblingsClosed` settles — the
   * listeners of the processes stopping with this one are closed — or, without it, after a fixed
   * wait when the port is shared.
   */
  shutdown(siblingsClosed?: Promise<void>): Promise<void>;
}

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: Handler,
  onError: (error: unknown) => Response | Promise<Response>,
  onListen: () => void,
) => { finished: Promise<void> };

/** Deno's per-connection server (the internals `Deno.serve` is built on; Deno is pinned). */
const serveOnConnection = (Deno as unknown as Record<symbol, Record<string, unknown>>)[
  (Deno as unknown as { internal: symbol }).internal
]?.serveHttpOnConnection as ServeOnConnection | undefined;

/** How often idle connections are looked for; timeouts are exact to within one tick. */
const TICK_MS = 250;
/** How often a draining server looks for idle connections. */
const DRAIN_TICK_MS = 50;
/** Looks (every {@link DRAIN_TICK_MS}) a draining server sees a connection idle before closing it. */
const DRAIN_IDLE_LOOKS = 20;
/**
 * How long a draining server sharing its port waits, listener closed, before telling clients to
 * reconnect, when nobody tells it that its siblings' listeners are closed (`shutdown()` without
 * `siblingsClosed`).
 */
const LISTENERS_CLOSE_MS = 1_000;

/** One open connection. */
interface Connection {
  readonly close: AbortController;
  /** Requests whose responses are not fully written yet. */
  active: number;
  /** Requests seen (0: still waiting for its first request head). */
  served: number;
  /** The tick at which the connection last became idle. */
  idleSince: number;
  /** An answer was marked with {@link closeAfterAnswer}: the sweeper closes it once idle. */
  closing: boolean;
}

const defaultOnError = () => new Response("Internal Server Error", { status: 500 });

/** Requests whose connection is closed once their answer is written. */
const closeRequested = new WeakSet<Request>();

/**
 * Closes `req`'s connection once its answer is written. For answers that refuse the rest of a
 * body (a timed-out upload): Deno would otherwise keep the connection open to read it. Say
 * `connection: close` in the answer too.
 */
export function closeAfterAnswer(req: Request): void {
  closeRequested.add(req);
}

/** Serves `handler` on `options.port` with the connection guards of `options`. */
export function guardedServe(options: GuardedServeOptions, handler: Handler): GuardedServer {
  if (serveOnConnection === undefined) throw new Error("this Deno has no serveHttpOnConnection");
  const serve = serveOnConnection;
  const listener = listenTcp({
    name: options.name ?? "HTTP",
    port: options.port,
    hostname: options.hostname,
    reusePort: options.reusePort,
  });
  const onError = options.onError ?? defaultOnError;
  const maxLine = options.maxRequestLine ?? 0;
  const checkMethods = options.gunicornMethods === true;
  const open = new Set<Connection>();
  let tick = 0;
  let accepting = true;
  let draining = false;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  let stopped = false;
  const stop = () => {
    if (stopped || !draining || open.size > 0) return;
    stopped = true;
    clearInterval(sweeper);
    resolveFinished();
  };

  /** `response`, telling the client to close the connection (draining, or no keep-alive). */
  const closeAfter = (response: Response): Response => {
    try {
      response.headers.set("connection", "close");
      return response;
    } catch { // immutable headers (e.g. `Response.error()`)
      const copy = new Response(response.body, response);
      copy.headers.set("connection", "close");
      return copy;
    }
  };

  /** Closes the connection idle the longest; false when every connection is busy. */
  function evictIdle(): boolean {
    let oldest: Connection | undefined;
    for (const connection of open) {
      if (connection.active === 0 && !connection.close.signal.aborted) {
        if (oldest === undefined || connection.idleSince < oldest.idleSince) oldest = connection;
      }
    }
    oldest?.close.abort();
    if (oldest) open.delete(oldest);
    return oldest !== undefined;
  }

  function accept(conn: Deno.Conn): void {
    if (!accepting || (open.size >= options.maxConnections && !evictIdle())) {
      conn.close();
      return;
    }
    const connection: Connection = {
      close: new AbortController(),
      active: 0,
      served: 0,
      idleSince: tick,
      closing: false,
    };
    open.add(connection);
    const answered = (req: Request) => {
      if (--connection.active === 0) connection.idleSince = tick;
      if (closeRequested.has(req)) connection.closing = true;
    };
    const serveOne: Handler = (req, info) => {
      connection.active++;
      connection.served++;
      const done = () => answered(req);
      info.completed.then(done, done);
      // Cheap first: the line (method, target, 10 bytes) is shorter than method + URL + 3.
      if (maxLine > 0 && req.url.length + req.method.length + 3 > maxLine) {
        const length = requestLineLength(req);
        if (length > maxLine) {
          closeRequested.add(req);
          return requestLineTooLong(length, maxLine);
        }
      }
      if (checkMethods) {
        const method = req.method;
        if (method !== "POST" && method !== "GET" && !gunicornAcceptsMethod(method)) {
          closeRequested.add(req);
          return invalidMethod(method);
        }
      }
      const response = handler(req, info);
      if (!draining && options.keepAliveMs > 0) return response;
      return response instanceof Response ? closeAfter(response) : response.then(closeAfter);
    };
    let server: { finished: Promise<void> };
    try {
      server = serve(conn, connection.close.signal, serveOne, onError, () => {});
    } catch (err) {
      open.delete(connection);
      conn.close();
      log.debug("Could not serve a connection: {error}", { error: String(err) });
      return;
    }
    // A peer that resets its connection rejects `finished`: nothing to do but forget it.
    server.finished.catch(() => {}).finally(() => {
      open.delete(connection);
      seen.delete(connection);
      stop();
    });
  }

  /** Closes connections idle longer than their limit. */
  function sweep(): void {
    tick++;
    for (const connection of open) {
      if (connection.active > 0) continue;
      const idleMs = (tick - connection.idleSince) * TICK_MS;
      const limit = connection.closing
        ? TICK_MS
        : connection.served === 0
        ? options.headerTimeoutMs
        : options.keepAliveMs;
      if (limit > 0 && idleMs >= limit + TICK_MS) connection.close.abort();
    }
  }
  let sweeper = setInterval(sweep, TICK_MS);

  /**
   * While draining: a connection answered since the drain began was told `connection: close`
   * and is closed once idle; one that stays idle without that is closed after `idleLooks` looks
   * in a row. A worker stopping beside others whose clients can move to them waits
   * {@link DRAIN_IDLE_LOOKS}, so a keep-alive client's next request — sent soon after its last
   * response, even by a client starved of CPU for a while — is still served (and told to close)
   * rather than lost to a closing socket; a server stopping alone closes idle connections at the
   * second look.
   */
  let idleLooks = 1;
  const seen = new Map<Connection, { served: number; idleLooks: number; told: boolean }>();
  function drainSweep(): void {
    for (const connection of open) {
      const last = seen.get(connection);
      if (last === undefined) {
        seen.set(connection, { served: connection.served, idleLooks: 0, told: false });
        continue;
      }
      if (last.served !== connection.served) {
        last.served = connection.served;
        last.told = true;
        last.idleLooks = 0;
      }
      if (connection.active > 0) last.idleLooks = 0;
      else if (last.told || ++last.idleLooks >= idleLooks) connection.close.abort();
    }
  }

  const listenerClosed = acceptLoop(listener, accept, () => !accepting);

  return {
    addr: listener.addr as Deno.NetAddr,
    finished,
    listenerClosed,
    get connections() {
      return open.size;
    },
    shutdown(siblingsClosed) {
      if (!accepting) return finished;
      accepting = false;
      listener.close();
      // Siblings sharing the port and draining at the same moment (a SIGHUP) close their
      // listeners too before any client is told to reconnect: a connection queued on a
      // listener as it closes is reset by the kernel.
      const drain = () => {
        draining = true;
        clearInterval(sweeper);
        sweeper = setInterval(drainSweep, DRAIN_TICK_MS);
        drainSweep();
        stop();
      };
      if (siblingsClosed) {
        idleLooks = DRAIN_IDLE_LOOKS;
        siblingsClosed.then(drain);
      } else setTimeout(drain, options.reusePort ? LISTENERS_CLOSE_MS : 0);
      return finished;
    },
  };
}
