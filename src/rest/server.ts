/**
 * The REST transport: a guarded `Deno.serve` on the HTTP port, the route table, payload reading, and one
 * mapping of results and errors to HTTP. It hands the data plane Seldon v1's JSON-mode adapter;
 * protocol rules live there and in the data plane.
 * @module
 */
import { errorText, logText } from "../error_text.ts";
import {
  type Call,
  type DataPlane,
  type HookContext,
  isOperation,
  type Operation,
} from "../dataplane/dataplane.ts";
import { isThenable } from "../dataplane/hooks.ts";
import { InFlight } from "../dataplane/inflight.ts";
import { Limiter, type Ticket } from "../dataplane/limiter.ts";
import { writeAccessLog } from "../http/access_log.ts";
import { closeAfterAnswer, type ConnectionLimits, guardedServe } from "../http/guarded_serve.ts";
import { corsHeaders, preflight } from "../http/cors.ts";
import { redirectLocation, redirectResponse } from "../http/redirect.ts";
import { splitTarget, type Target } from "../http/target.ts";
import { isWebsocketUpgrade, TEXT_HTML, werkzeugText } from "../http/werkzeug.ts";
import { logger } from "../logging.ts";
import type { HttpErrorAnswer } from "../protocol/adapters/adapter.ts";
import { SELDON_JSON } from "../protocol/adapters/seldon_json.ts";
import { SeldonMicroserviceException } from "../protocol/errors.ts";
import { BodyTimeoutError, readPayload } from "./body.ts";
import {
  canCarryBody,
  errorResponse,
  jsonResponse,
  type JsonStyle,
  predictStatus,
  userErrorResponse,
} from "./respond.ts";
import { matchRoute, matchWebsocket, type RouteAction } from "./routes.ts";
import { createOipHandler, logUnhandled, oipErrorResponse } from "./oip.ts";
import { isOipPath, routeOf } from "./oip_routes.ts";
import openapi from "./openapi.json" with { type: "json" };

const log = logger("rest");

/** Settings of the REST transport. */
export interface RestOptions {
  readonly port: number;
  readonly hostname: string;
  /** Share the port with sibling worker processes (needs `--unstable-net`). */
  readonly reusePort?: boolean;
  /** Largest request body in bytes. */
  readonly maxBodySize: number;
  /** A request's whole body must arrive within this many ms (`--body-timeout`; 0/unset: none). */
  readonly bodyTimeoutMs?: number;
  /** PAYLOAD_PASSTHROUGH: predict routes get the raw body. */
  readonly payloadPassthrough: boolean;
  /** Concurrent requests in the data plane (threads; 1 when single-threaded). */
  readonly concurrency: number;
  readonly json: JsonStyle;
  /**
   * Per-request deadline (annotation `seldon.io/rest-timeout`, upstream's 5000 s without it),
   * time waiting for a `--threads` slot included; unset: none (`--debug`).
   */
  readonly timeoutMs?: number;
  /**
   * Aborted when a stopping worker's grace period is about to run out: every request not yet
   * answered (running, queued for a slot, or still sending its body) is answered at once with a
   * 503 `MICROSERVICE_UNAVAILABLE` and its work abandoned, as is any later request; the count is
   * logged.
   */
  readonly terminating?: AbortSignal;
  /**
   * Called after every request (the worker counts them for `--max-requests`; the built-in
   * request metrics): the route's action (`predict`, `send-feedback`, …; `options` for a
   * preflight, `unmatched` for no route), the HTTP status and the seconds from the request's
   * arrival to its answer. A callback declared without parameters (`length` 0: a counter) is
   * called without them, and the request is then neither timed nor classified.
   */
  readonly onRequest?: (operation: string, status: string, seconds: number) => void;
  /**
   * Called when a request that missed its deadline has still not settled two timeouts later.
   * Such work cannot be stopped and may hold a `--threads` slot for ever (a promise that never
   * settles), so a worker asks to be replaced, as gunicorn replaces a stuck worker; without it
   * every later request would queue behind the stuck one. Merely slow hooks that finish within
   * the grace leave the worker alone.
   */
  readonly onStuck?: () => void;
  /** Write a gunicorn-style access line per request to stdout. */
  readonly accessLog?: boolean;
  /** Drop access lines containing this text (the metrics path, `FILTER_METRICS_ACCESS_LOGS`). */
  readonly accessLogFilter?: string;
  /** Called once the port is bound. */
  readonly onListen?: (addr: Deno.NetAddr) => void;
  /** Connection cap and timeouts of the port. */
  readonly limits: ConnectionLimits;
  /**
   * A slash-merge redirect's scheme follows gunicorn's `X-Forwarded-Proto` & co. from 127.0.0.1
   * (off under `--debug`, Flask's development server).
   */
  readonly forwardedScheme?: boolean;
}

/** A running REST server. */
export interface RestServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
  /** Settles once the listener is closed for good (after `shutdown`; see `GuardedServer`). */
  readonly listenerClosed: Promise<void>;
  /**
   * Stops accepting (at once) and drains: in-flight requests finish, keep-alive clients are told
   * to go once `siblingsClosed` settles (see `GuardedServer.shutdown`).
   */
  shutdown(siblingsClosed?: Promise<void>): Promise<void>;
}

/** A 500 `MICROSERVICE_INTERNAL_ERROR` with `info` (upstream's catch-all handler). */
function internalError(info: string): HttpErrorAnswer {
  return SELDON_JSON.renderError({ message: info });
}

/** A REST request as the data plane sees it (exported for in-process use). */
export class RestCall implements Call {
  readonly adapter = SELDON_JSON;
  repr?: () => string;

  constructor(readonly headers: Headers) {}

  context(operation: Operation): HookContext {
    return { protocol: "rest", operation, headers: this.headers };
  }
}

/** The request handler (exported for in-process use). */
export function createHandler(
  plane: DataPlane,
  options: Omit<RestOptions, "limits">,
): (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response> {
  const limiter = new Limiter(options.concurrency);
  const style = options.json;
  const inflight = options.timeoutMs === undefined && options.terminating === undefined
    ? undefined
    : new InFlight({
      timeoutMs: options.timeoutMs,
      timeoutError: (ms) => new DeadlineError(`Request timed out after ${ms / 1000} s`),
      onStuck: options.onStuck,
    });
  options.terminating?.addEventListener("abort", () => {
    const count = inflight!.answerAll(() => new Unavailable());
    log.warning("Graceful timeout: {count} unfinished requests answered 503", { count });
  }, { once: true });
  const limits = { limit: options.maxBodySize, timeoutMs: options.bodyTimeoutMs };
  const readOptions = { ...limits, passthrough: false };
  const passthroughOptions = { ...limits, passthrough: options.payloadPassthrough };
  const oip = createOipHandler({ plane, limiter, limits });

  async function dispatch(
    req: Request,
    action: RouteAction,
    url: Target,
    ticket?: Ticket,
  ): Promise<Response> {
    const call = new RestCall(req.headers);
    switch (action) {
      case "ping":
        return new Response("pong", {
          headers: { "content-type": TEXT_HTML, ...corsHeaders(req) },
        });
      case "openapi":
        return jsonResponse(req, openapi, 200, style);
      case "metadata":
        return jsonResponse(req, plane.metadata(call), 200, style);
      case "health-status":
        return jsonResponse(
          req,
          await limiter.run(() => plane.healthStatus(call), ticket),
          200,
          style,
        );
      case "send-feedback": {
        const payload = await readPayload(req, url, readOptions);
        return jsonResponse(
          req,
          await limiter.run(() => plane.sendFeedback(payload.value, call), ticket),
          200,
          style,
        );
      }
      case "aggregate": {
        const payload = await readPayload(req, url, readOptions);
        call.repr = payload.repr;
        return jsonResponse(
          req,
          await limiter.run(() => plane.aggregate(payload.value, call), ticket),
          200,
          style,
        );
      }
      case "predict": {
        const payload = await readPayload(req, url, passthroughOptions);
        call.repr = payload.repr;
        let result = plane.predictNow(payload.value, call, limiter, ticket);
        if (isThenable(result)) result = await result;
        return predictResponse(req, result);
      }
      default: {
        const payload = await readPayload(req, url, readOptions);
        call.repr = payload.repr;
        return jsonResponse(
          req,
          await limiter.run(() => plane.message(action, payload.value, call), ticket),
          200,
          style,
        );
      }
    }
  }

  function predictResponse(req: Request, result: unknown): Response {
    if (
      options.payloadPassthrough && (typeof result === "string" || result instanceof Uint8Array)
    ) {
      return new Response(result as BodyInit, {
        headers: { "content-type": "application/json", ...corsHeaders(req) },
      });
    }
    return jsonResponse(req, result, predictStatus(result), style);
  }

  async function fail(
    req: Request,
    err: unknown,
    action: RouteAction | undefined,
  ): Promise<Response> {
    if (err instanceof BodyTimeoutError) {
      // The transport's own answer: the body never came, the connection is not reused.
      const response = logged(req, SELDON_JSON.renderError(err));
      response.headers.set("connection", "close");
      closeAfterAnswer(req);
      return response;
    }
    if (err instanceof Unavailable) return errorResponse(req, SELDON_JSON.renderError(err), style);
    if (action !== undefined && isOperation(action)) {
      try {
        const answer = await plane.userErrorResponse(err, new RestCall(req.headers), action);
        if (answer !== undefined) return userErrorResponse(req, answer, style);
      } catch (handlerErr) {
        // The handler's own failure is a generic 500, whatever it threw (server.md §5.4).
        return logged(req, internalError(errorText(handlerErr)));
      }
    }
    logUnhandled(req, err);
    return logged(req, SELDON_JSON.renderError(err));
  }

  /** werkzeug's 308 to `path` (the slash-merged route). */
  function redirect(
    req: Request,
    info: Deno.ServeHandlerInfo | undefined,
    path: string,
    search: string,
  ): Response {
    const location = redirectLocation(req, path, search, {
      forwardedScheme: options.forwardedScheme === true,
      remote: info?.remoteAddr,
      serverName: `${options.hostname}:${new URL(req.url).port}`,
    });
    return location === undefined
      ? errorResponse(req, internalError(werkzeugText(400)), style)
      : redirectResponse(req, location);
  }

  function logged(req: Request, answer: HttpErrorAnswer): Response {
    log.error("{body}", { body: logText(JSON.stringify(answer.body)) });
    return errorResponse(req, answer, style);
  }

  const onRequest = options.onRequest?.length === 0 ? undefined : options.onRequest;
  const onServed = options.onRequest?.length === 0 ? options.onRequest as () => void : undefined;
  const accessLog = options.accessLog === true;
  return async function handle(req: Request, info?: Deno.ServeHandlerInfo): Promise<Response> {
    const start = onRequest ? performance.now() : 0;
    const url = splitTarget(req.url);
    const match = isWebsocketUpgrade(req.headers)
      ? matchWebsocket(req.method, url.path)
      : matchRoute(req.method, url.path);
    let response: Response;
    if (isOipPath(url.path)) {
      // Open Inference Protocol (V2): its own routes and error bodies.
      try {
        response = inflight === undefined
          ? await oip(req, url.path)
          : await inflight.run((ticket) => oip(req, url.path, ticket));
      } catch (err) {
        response = oipErrorResponse(req, err);
      }
    } else if (match.kind === "route") {
      const action = match.route.action;
      try {
        response = inflight === undefined
          ? await dispatch(req, action, url)
          : await inflight.run((ticket) => dispatch(req, action, url, ticket));
      } catch (err) {
        response = await fail(req, err, action);
      }
    } else if (match.kind === "options") {
      response = preflight(req, match.allow);
    } else if (match.kind === "redirect") {
      response = redirect(req, info, match.path, url.search);
    } else {
      response = errorResponse(req, internalError(match.info), style);
    }
    if (accessLog) response = await writeAccessLog(req, response, info, options.accessLogFilter);
    if (onServed) onServed();
    else if (onRequest) {
      const operation = isOipPath(url.path)
        ? routeOf(url.path)?.operation ?? "unmatched"
        : match.kind === "route"
        ? match.route.action
        : match.kind === "options"
        ? "options"
        : "unmatched";
      onRequest(operation, String(response.status), (performance.now() - start) / 1000);
    }
    return response;
  };
}

/** A request that missed its `seldon.io/rest-timeout` deadline (a 500). */
class DeadlineError extends Error {}

/** A request the worker could not finish within its graceful timeout (a 503). */
class Unavailable extends SeldonMicroserviceException {
  constructor() {
    super("The server is shutting down: the request did not finish within its graceful timeout", {
      statusCode: 503,
      reason: "MICROSERVICE_UNAVAILABLE",
    });
  }
}

/** Starts the REST server; resolves once the port is bound. */
export function startRest(plane: DataPlane, options: RestOptions): RestServer {
  const handler = createHandler(plane, options);
  const server = guardedServe({
    ...options.limits,
    name: "REST",
    port: options.port,
    hostname: options.hostname,
    reusePort: options.reusePort,
    onError: (err) => {
      const { status, body } = SELDON_JSON.renderError(err);
      return new Response(JSON.stringify(body) + "\n", {
        status: canCarryBody(status) ? status : 500,
        headers: { "content-type": "application/json" },
      });
    },
  }, handler);
  options.onListen?.(server.addr);
  return {
    port: server.addr.port,
    finished: server.finished,
    listenerClosed: server.listenerClosed,
    shutdown: (siblingsClosed) => server.shutdown(siblingsClosed),
  };
}
