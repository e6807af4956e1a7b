/**
 * The metrics port (metrics-and-processes.md §1.7): one Flask route `GET <endpoint>` serving
 * the exposition, werkzeug's plain HTML error pages by the REST port's method rule
 * (server.md §2.1: GET/HEAD elsewhere → 404, any other method anywhere → 405, OPTIONS → 200)
 * and Flask-CORS headers on every response (server.md §2.5).
 * @module
 */
import { corsHeaders, preflight } from "../http/cors.ts";
import { splitTarget } from "../http/target.ts";
import {
  errorPage,
  type HttpError,
  isWebsocketUpgrade,
  mergeLeadingSlashes,
  TEXT_HTML,
  websocketMismatch,
} from "../http/werkzeug.ts";
import { METRICS_CONTENT_TYPE } from "./exposition.ts";

/** Methods of the endpoint (and of Flask's static catch-all route `/<path>`). */
const ALLOW = "GET, HEAD, OPTIONS";

/** Options of {@link createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /** Called once per request with the final status (e.g. for the access log, §2.7). */
  onRequest?: (req: Request, status: number) => void;
  /** Called when `render` throws (the scrape then answers 500). */
  onError?: (err: unknown) => void;
}

/**
 * The request handler of the metrics port. `GET`/`HEAD` of exactly `endpoint` → 200 with
 * `render()` as `text/plain; version=0.0.4; charset=utf-8` (HEAD without body); other paths
 * → 404; other methods → 405 with `Allow`; `OPTIONS` → 200 with `Allow` (plus the CORS
 * preflight headers); the root path `/` has no route at all (404 for every method, as
 * werkzeug). A throwing `render` gives werkzeug's 500 page.
 */
export function createMetricsHandler(
  render: () => string | Promise<string>,
  endpoint: string,
  options: MetricsHandlerOptions = {},
): (req: Request) => Promise<Response> {
  return async (req: Request): Promise<Response> => {
    const response = await respond(req, render, endpoint, options);
    options.onRequest?.(req, response.status);
    return response;
  };
}

/** Routes one request. */
async function respond(
  req: Request,
  render: () => string | Promise<string>,
  endpoint: string,
  options: MetricsHandlerOptions,
): Promise<Response> {
  const path = mergeLeadingSlashes(splitTarget(req.url).path);
  const isEndpoint = path === endpoint;
  const getLike = req.method === "GET" || req.method === "HEAD";
  if (isWebsocketUpgrade(req.headers)) {
    // No websocket rule: werkzeug's mismatch answer (the endpoint and static rules both take
    // GET, HEAD, OPTIONS).
    const { code, allow } = websocketMismatch(req.method, path, [ALLOW.split(", ")]);
    return htmlError(req, code, allow === undefined ? undefined : { allow });
  }
  if (!isEndpoint && path === "/") return htmlError(req, 404);
  if (getLike && !isEndpoint) return htmlError(req, 404);
  if (req.method === "OPTIONS") return preflight(req, ALLOW);
  if (!getLike) return htmlError(req, 405, { allow: ALLOW });
  let body: string;
  try {
    body = await render();
  } catch (err) {
    options.onError?.(err);
    return htmlError(req, 500);
  }
  // HEAD: Deno drops the body and keeps its Content-Length, as werkzeug answers HEAD.
  return new Response(body, {
    status: 200,
    headers: { "content-type": METRICS_CONTENT_TYPE, ...corsHeaders(req) },
  });
}

/** A werkzeug error page with CORS headers (HEAD: same headers, no body). */
function htmlError(req: Request, code: HttpError, extra?: Record<string, string>): Response {
  return new Response(errorPage(code), {
    status: code,
    headers: { "content-type": TEXT_HTML, ...corsHeaders(req), ...extra },
  });
}
