/**
 * werkzeug's HTTP errors as upstream's two Flask apps show them: the REST port renders their
 * text inside a Seldon error body (its catch-all handler), the metrics port sends werkzeug's
 * HTML page; and how its router reads a path.
 * @module
 */

/**
 * A path as werkzeug's router sees it: a run of leading slashes merged into one (`//health/ping`
 * is `/health/ping`, answered without a redirect).
 */
export function mergeLeadingSlashes(path: string): string {
  return path.charCodeAt(1) === 47 ? path.replace(/^\/+/, "/") : path;
}

/**
 * werkzeug's second try at a path that matched no route (`re.sub("/{2,}?", "/", path)`): each
 * pair of slashes becomes one, so `///` is still `//`.
 */
export function mergeSlashPairs(path: string): string {
  return path.replaceAll("//", "/");
}

/**
 * werkzeug's websocket test (`Connection` has the `upgrade` token, `Upgrade: websocket`): its
 * router then matches only websocket rules, and upstream's apps have none.
 */
export function isWebsocketUpgrade(headers: Headers): boolean {
  const upgrade = headers.get("upgrade");
  return upgrade !== null && upgrade.toLowerCase() === "websocket" &&
    (headers.get("connection") ?? "").toLowerCase().split(",").some((t) => t.trim() === "upgrade");
}

/**
 * How werkzeug's router answers a websocket request, which no rule takes: the root path (no
 * rule) → 404; a method that some rule for the path (or its slash-merged form) lacks → 405,
 * those rules' methods in `allow`; else → 400 (`WebsocketMismatch`). `rules` are the method
 * lists of the rules matching the path, werkzeug's implied HEAD and OPTIONS included.
 */
export function websocketMismatch(
  method: string,
  path: string,
  rules: Iterable<readonly string[]>,
): { readonly code: HttpError; readonly allow?: string } {
  if (path === "/") return { code: 404 };
  const allowed = new Set<string>();
  for (const methods of rules) {
    if (!methods.includes(method)) { for (const m of methods) allowed.add(m); }
  }
  return allowed.size === 0 ? { code: 400 } : { code: 405, allow: [...allowed].sort().join(", ") };
}

/** `Content-Type` of werkzeug's error pages, Flask's OPTIONS answer and `/health/ping`. */
export const TEXT_HTML = "text/html; charset=utf-8";

/** The werkzeug errors the servers answer. */
export type HttpError = 400 | 404 | 405 | 408 | 413 | 500;

const ERRORS: Readonly<Record<HttpError, readonly [name: string, description: string]>> = {
  400: [
    "Bad Request",
    "The browser (or proxy) sent a request that this server could not understand.",
  ],
  404: [
    "Not Found",
    "The requested URL was not found on the server. If you entered the URL manually please " +
    "check your spelling and try again.",
  ],
  405: ["Method Not Allowed", "The method is not allowed for the requested URL."],
  408: [
    "Request Timeout",
    "The server closed the network connection because the browser didn't finish the request " +
    "within the specified time.",
  ],
  413: ["Request Entity Too Large", "The data value transmitted exceeds the capacity limit."],
  500: [
    "Internal Server Error",
    "The server encountered an internal error and was unable to complete your request. " +
    "Either the server is overloaded or there is an error in the application.",
  ],
};

/** werkzeug's `str()` of the error: `404 Not Found: The requested URL was not found …`. */
export function werkzeugText(code: HttpError): string {
  const [name, description] = ERRORS[code];
  return `${code} ${name}: ${description}`;
}

/** werkzeug's HTML error page for `code`. */
export function errorPage(code: HttpError): string {
  const [name, description] = ERRORS[code];
  return `<!doctype html>\n<html lang=en>\n<title>${code} ${name}</title>\n` +
    `<h1>${name}</h1>\n<p>${description}</p>\n`;
}
