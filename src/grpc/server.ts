/**
 * The gRPC transport: a grpc-js server with the seven Seldon services bound to the data plane,
 * and the one mapping of errors to gRPC statuses (server.md §5.5). It hands the data plane
 * Seldon v1's proto-mode adapter; protocol rules live there and in the data plane.
 * @module
 */
import { errorText, logText } from "../error_text.ts";
import * as grpc from "npm:@grpc/grpc-js@1.14.7";
import type { Call, DataPlane, HookContext, Operation } from "../dataplane/dataplane.ts";
import { unhandledText } from "../dataplane/hooks.ts";
import { InFlight } from "../dataplane/inflight.ts";
import { Limiter, type Ticket } from "../dataplane/limiter.ts";
import { addReflection } from "./reflection.ts";
import { connStream } from "./socket.ts";
import { addOipService } from "./oip.ts";
import { acceptLoop } from "../http/accept.ts";
import { listenTcp } from "../listen.ts";
import { logger } from "../logging.ts";
import { SELDON_PROTO } from "../protocol/adapters/seldon_proto.ts";
import { encodeMessage } from "../protocol/proto/codec.ts";
import { encodeSmallMessage } from "../protocol/proto/small_message.ts";
import {
  DecodeFailure,
  type RpcKind,
  rpcTypes,
  serviceDefinition,
  SERVICES,
  toBuffer,
} from "./services.ts";
import { statusName } from "./status_names.ts";
import { sendableStatus } from "./details.ts";

const log = logger("grpc");

/** gRPC's default largest received message (4 MiB), as grpcio. */
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

/** Settings of the gRPC transport. */
export interface GrpcOptions {
  readonly port: number;
  readonly hostname: string;
  /** Share the port with sibling worker processes (SO_REUSEPORT). */
  readonly reusePort?: boolean;
  /** Concurrent RPCs in the data plane (`--grpc-threads`). */
  readonly concurrency: number;
  /** Largest message received and sent; unset: 4 MiB receive, unlimited send. */
  readonly maxMessageSize?: number;
  /** Open connections beyond this are closed as soon as accepted (unset: no cap). */
  readonly maxConnections?: number;
  /**
   * Called after every answered RPC (the worker's memory check, the built-in request metrics):
   * the operation (`predict`, `send-feedback`, … as on REST), the status code's name (`OK`,
   * `INTERNAL`, …) and the seconds from the call's arrival to its answer. A callback declared
   * without parameters (`length` 0: a counter) is called without them as each call starts.
   */
  readonly onRequest?: (operation: string, status: string, seconds: number) => void;
  /**
   * Aborted when a stopping worker's grace period is about to run out: every RPC not yet
   * answered (running or queued for a `--grpc-threads` slot) is answered `UNAVAILABLE` at once
   * and its work abandoned, as is any later one; the count is logged. (gRPC has no per-call
   * timeout, as upstream.)
   */
  readonly terminating?: AbortSignal;
}

/** An RPC the worker could not finish within its graceful timeout (`UNAVAILABLE`). */
class Unavailable extends Error {
  constructor() {
    super("The server is shutting down: the call did not finish within its graceful timeout");
  }
}

/**
 * A connection without an RPC in flight for this long is closed with a GOAWAY (grpc-js
 * `grpc.max_connection_idle_ms`; clients reconnect on their next call). It is also what ends
 * connections that never speak HTTP/2. Server keep-alive pings stay off (grpc-js's default):
 * a vanished peer's idle connection ends here; calls are bounded by the client's deadline.
 */
export const GRPC_IDLE_TIMEOUT_MS = 60_000;

/** A running gRPC server. */
export interface GrpcServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Settles once the listener is closed for good (after `shutdown`): its accept has ended. */
  readonly listenerClosed: Promise<void>;
  /**
   * Stops accepting (at once), drains in-flight RPCs (up to `graceMs`) and, once
   * `siblingsClosed` settles too (the listeners of the processes stopping with this one are
   * closed), sends clients away (GOAWAY) and forces the rest closed.
   */
  shutdown(graceMs?: number, siblingsClosed?: Promise<void>): Promise<void>;
}

/** An RPC's work: it takes a slot of `limiter` (`ticket`: its deadline) for its hooks. */
type Handler = (
  request: unknown,
  call: Call,
  limiter: Limiter,
  ticket?: Ticket,
) => Promise<unknown>;

/** Each RPC's operation name, as the REST routes name it (the built-in request metrics). */
const OPERATION_NAMES: Readonly<Record<RpcKind, string>> = {
  Predict: "predict",
  TransformInput: "transform-input",
  TransformOutput: "transform-output",
  Route: "route",
  Aggregate: "aggregate",
  SendFeedback: "send-feedback",
  Metadata: "metadata",
  ModelMetadata: "metadata",
  GraphMetadata: "graph-metadata",
};

function handlers(plane: DataPlane): Record<RpcKind, Handler> {
  return {
    Predict: (r, c, l, t) => plane.predict(r, c, l, t),
    TransformInput: (r, c, l, t) => l.run(() => plane.message("transform-input", r, c), t),
    TransformOutput: (r, c, l, t) => l.run(() => plane.message("transform-output", r, c), t),
    Route: (r, c, l, t) => l.run(() => plane.message("route", r, c), t),
    Aggregate: (r, c, l, t) => l.run(() => plane.aggregate(r, c), t),
    SendFeedback: (r, c, l, t) => l.run(() => plane.sendFeedback(r, c), t),
    Metadata: (_, c, l, t) => l.run(() => Promise.resolve(plane.metadata(c)), t),
    ModelMetadata: (_, c, l, t) => l.run(() => Promise.resolve(plane.metadata(c)), t),
    GraphMetadata: (_r, _c, l, t) =>
      l.run(() => Promise.reject(new Error("GraphMetadata not available on the Model level.")), t),
  };
}

function metadataHeaders(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === "string") {
      try {
        headers.set(key, value);
      } catch { /* not a valid HTTP header value: skip */ }
    }
  }
  return headers;
}

/**
 * A gRPC call as the data plane sees it. Its headers are built from the metadata only when a
 * hook reads them: 1.8 µs for grpc-js's three default entries; per Predict 9.2 → 8.2 µs of this
 * server's own JS (bench/grpc_handler.ts).
 */
class GrpcCall implements Call {
  readonly adapter = SELDON_PROTO;
  #headers: Headers | undefined;

  constructor(readonly metadata: grpc.Metadata) {}

  get headers(): Headers {
    return this.#headers ??= metadataHeaders(this.metadata);
  }

  context(operation: Operation): HookContext {
    return new GrpcHookContext(this, operation);
  }
}

/** The hook context of a gRPC call: `headers` is read from the call only when a hook asks. */
class GrpcHookContext implements HookContext {
  readonly protocol = "grpc";
  readonly #call: GrpcCall;

  constructor(call: GrpcCall, readonly operation: Operation) {
    this.#call = call;
  }

  get headers(): Headers {
    return this.#call.headers;
  }
}

/**
 * Builds the grpc-js server with every service bound to `plane`; with `inflight`, every RPC is
 * registered there (`options.terminating` answers the unfinished ones).
 */
export function buildGrpcServer(
  plane: DataPlane,
  options: GrpcOptions,
  inflight?: InFlight,
): grpc.Server {
  const serverOptions: grpc.ServerOptions = {
    "grpc.max_connection_idle_ms": GRPC_IDLE_TIMEOUT_MS,
  };
  if (options.maxMessageSize !== undefined) {
    // grpc core (upstream) reads any negative size as unlimited; grpc-js only -1.
    const size = options.maxMessageSize < 0 ? -1 : options.maxMessageSize;
    serverOptions["grpc.max_receive_message_length"] = size;
    serverOptions["grpc.max_send_message_length"] = size;
  }
  const server = new grpc.Server(serverOptions);
  const table = handlers(plane);
  const limiter = new Limiter(options.concurrency);
  if (inflight) {
    options.terminating?.addEventListener("abort", () => {
      const count = inflight.answerAll(() => new Unavailable());
      log.warning("Graceful timeout: {count} unfinished calls answered UNAVAILABLE", { count });
    }, { once: true });
  }
  // A counter (declared without parameters) is called as each call starts: nothing is timed.
  const onRequest = options.onRequest?.length === 0 ? undefined : options.onRequest;
  const onServed = options.onRequest?.length === 0 ? options.onRequest as () => void : undefined;
  for (const [service, rpcs] of Object.entries(SERVICES)) {
    const impl: grpc.UntypedServiceImplementation = {};
    for (const rpc of rpcs) {
      const [, responseType] = rpcTypes(rpc);
      const handle = table[rpc];
      const operation = OPERATION_NAMES[rpc as RpcKind] ?? rpc;
      impl[rpc] = (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        done: grpc.sendUnaryData<unknown>,
      ) => {
        if (onServed) onServed();
        const start = onRequest ? performance.now() : 0;
        const callback: grpc.sendUnaryData<unknown> = onRequest
          ? (err, value) => {
            done(err, value);
            onRequest(
              operation,
              statusName(err?.code),
              (performance.now() - start) / 1000,
            );
          }
          : done;
        if (call.request instanceof DecodeFailure) {
          callback({ code: grpc.status.INTERNAL, details: "Exception deserializing request!" });
          return;
        }
        const ctx = new GrpcCall(call.metadata);
        const answered = inflight === undefined
          ? handle(call.request, ctx, limiter)
          : inflight.run((ticket) => handle(call.request, ctx, limiter, ticket));
        answered.then(
          (response) => {
            let bytes: Uint8Array;
            try {
              bytes = (responseType === "SeldonMessage" && encodeSmallMessage(response)) ||
                encodeMessage(responseType, response);
            } catch (err) {
              log.error("Failed to serialize response: {error}", { error: errorText(err) });
              callback({ code: grpc.status.INTERNAL, details: "Failed to serialize response!" });
              return;
            }
            callback(null, toBuffer(bytes));
          },
          (err) => {
            if (err instanceof Unavailable) {
              callback(sendableStatus({ code: grpc.status.UNAVAILABLE, details: err.message }));
              return;
            }
            log.error("{method} failed: {error}", {
              method: `${service}/${rpc}`,
              error: unhandledText(err) ?? logText(errorText(err)),
            });
            callback(sendableStatus(SELDON_PROTO.renderError(err)));
          },
        );
      };
    }
    server.addService(serviceDefinition(service), impl);
  }
  addOipService(server, {
    plane,
    limiter,
    inflight,
    onRequest,
    onServed,
    isUnavailable: (err) => err instanceof Unavailable,
  });
  addReflection(server);
  methodNotFoundAsGrpcio(server);
  return server;
}

/** grpc-js's details for an unknown service or method (it has no option to change them). */
const GRPC_JS_UNIMPLEMENTED = "The server does not implement the method ";

/**
 * An unknown service or method answers `UNIMPLEMENTED` with grpcio's details
 * `Method not found!` (server.md §5.5). grpc-js builds its own text inside the private
 * `_respondWithError`, so that method is wrapped to swap the text; if a grpc-js version lacks
 * it, the library's text is kept.
 */
function methodNotFoundAsGrpcio(server: grpc.Server): void {
  const target = server as unknown as {
    _respondWithError?: (err: Partial<grpc.StatusObject>, ...rest: unknown[]) => void;
  };
  const respond = target._respondWithError;
  if (typeof respond !== "function") return;
  target._respondWithError = function (err, ...rest) {
    const notFound = err.code === grpc.status.UNIMPLEMENTED &&
      err.details?.startsWith(GRPC_JS_UNIMPLEMENTED) === true;
    return respond.call(this, notFound ? { ...err, details: "Method not found!" } : err, ...rest);
  };
}

/**
 * Starts the gRPC server on `hostname:port`: our accept loop hands each accepted connection to
 * grpc-js (as a stream, `socket.ts`), closing those beyond `maxConnections`. With `reusePort`
 * (SO_REUSEPORT) several worker processes share the port and the kernel spreads connections
 * between them. One code path for one or N workers.
 */
export function startGrpc(plane: DataPlane, options: GrpcOptions): GrpcServer {
  const inflight = options.terminating ? new InFlight() : undefined;
  const server = buildGrpcServer(plane, options, inflight);
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const cap = options.maxConnections ?? Infinity;
  let open = 0;
  let accepting = true;
  const listener = listenTcp({
    name: "gRPC",
    port: options.port,
    hostname: options.hostname,
    reusePort: options.reusePort,
  });
  const listenerClosed = acceptLoop(listener, (conn) => {
    if (open >= cap) {
      conn.close();
      return;
    }
    open++;
    const socket = connStream(conn as Deno.TcpConn);
    socket.once("close", () => open--);
    injector.injectConnection(socket);
  }, () => !accepting);
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    port,
    listenerClosed,
    shutdown: async (graceMs = DEFAULT_GRACE_MS, siblingsClosed) => {
      accepting = false;
      listener.close();
      // grpc-js closes its HTTP/2 sessions on shutdown, and under Deno that resets the streams
      // of unanswered calls: wait for them first (`terminating` answers them in time).
      const started = Date.now();
      await Promise.all([inflight && waitIdle(inflight, graceMs), siblingsClosed]);
      await shutdownServer(server, Math.max(0, graceMs - (Date.now() - started)));
      injector.destroy();
    },
  };
}

/** The grace period of `shutdown()` without an argument (gunicorn's default). */
const DEFAULT_GRACE_MS = 30_000;

/** Resolves when `inflight` has no unanswered call, or after `ms`. */
async function waitIdle(inflight: InFlight, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([inflight.whenIdle(), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function shutdownServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
