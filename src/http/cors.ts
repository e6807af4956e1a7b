/**
 * CORS as Flask-CORS adds it (server.md §2.5), shared by the REST port and the metrics port:
 * the origin headers of every response and Flask's automatic OPTIONS (preflight) answer.
 * @module
 */

/**
 * Adds the CORS headers to `headers`. Setting them after construction keeps `Response` on
 * Deno's cheap single-header path (a two-entry header record costs ~2 µs more per response).
 */
export function addCors(req: Request, headers: Headers): void {
  const origin = req.headers.get("origin");
  if (origin === null) {
    headers.set("access-control-allow-origin", "*");
  } else {
    headers.set("access-control-allow-origin", origin);
    headers.set("vary", "Origin");
  }
}

/** `Access-Control-Allow-Origin` for a request: its `Origin` echoed, else `*`. */
export function corsHeaders(req: Request): Record<string, string> {
  const origin = req.headers.get("origin");
  return origin === null
    ? { "access-control-allow-origin": "*" }
    : { "access-control-allow-origin": origin, "vary": "Origin" };
}

/** The methods Flask-CORS allows by default (every preflight answers with all of them). */
const CORS_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/**
 * Flask's automatic OPTIONS answer: 200 with `Allow`; a CORS preflight (a request method
 * Flask-CORS allows) also gets the allowed methods and the requested headers, trimmed and
 * sorted as Flask-CORS writes them. Used by the REST and the metrics port.
 */
export function preflight(req: Request, allow: string): Response {
  const headers: Record<string, string> = { allow, ...corsHeaders(req) };
  const method = req.headers.get("access-control-request-method")?.toUpperCase();
  if (method && CORS_METHODS.includes(method)) {
    headers["access-control-allow-methods"] = CORS_METHODS.join(", ");
    const requested = req.headers.get("access-control-request-headers");
    if (requested) {
      headers["access-control-allow-headers"] = requested.split(",").map((h) => h.trim()).sort()
        .join(", ");
    }
  }
  return new Response(null, {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", ...headers },
  });
}
