/**
 * werkzeug 2.2's 308 to the slash-merged URL (`RequestRedirect`, raised when a path with `//`
 * has no route for the method but its merged form has one), with the `Location` built as
 * upstream's gunicorn 20.1 + werkzeug build it.
 * @module
 */
import { corsHeaders } from "./cors.ts";
import { encodeIdnaHost } from "./idna.ts";
import { TEXT_HTML } from "./werkzeug.ts";

/** What the `Location` depends on besides the request. */
export interface RedirectContext {
  /**
   * Read gunicorn's secure-scheme headers (`X-Forwarded-Proto: https`, `X-Forwarded-Protocol:
   * ssl`, `X-Forwarded-Ssl: on`) from a peer in its default `forwarded_allow_ips` (127.0.0.1);
   * off under `--debug` (Flask's development server reads none).
   */
  readonly forwardedScheme: boolean;
  /** The peer's address. */
  readonly remote?: Deno.Addr;
  /** The listener's `host:port` (gunicorn's `SERVER_NAME:SERVER_PORT`), for a request without `Host`. */
  readonly serverName: string;
}

/**
 * werkzeug's `Location` for `path` (already merged: a route's path) and `search` (the raw query
 * with its `?`, or empty): `scheme://host/path?query`, the host from `Host` (else the listener's
 * address), its default port dropped, lower-cased and IDNA-encoded. `undefined` when werkzeug
 * cannot encode the host (its `BadHost`, a 400).
 */
export function redirectLocation(
  req: Request,
  path: string,
  search: string,
  context: RedirectContext,
): string | undefined {
  const scheme = context.forwardedScheme && isLoopbackV4(context.remote)
    ? forwardedScheme(req.headers)
    : "http";
  let host = req.headers.get("host") ?? context.serverName;
  if (scheme === "http" && host.endsWith(":80")) host = host.slice(0, -3);
  else if (scheme === "https" && host.endsWith(":443")) host = host.slice(0, -4);
  const encoded = encodeIdnaHost(host.toLowerCase());
  if (encoded === undefined) return undefined;
  return `${scheme}://${encoded}${path}${search.length > 1 ? search : ""}`;
}

/** gunicorn's `forwarded_allow_ips` default. */
function isLoopbackV4(addr: Deno.Addr | undefined): boolean {
  return addr !== undefined && addr.transport === "tcp" && addr.hostname === "127.0.0.1";
}

/** gunicorn's `secure_scheme_headers`: header → the value that means https. */
const SECURE_SCHEME_HEADERS = [
  ["x-forwarded-protocol", "ssl"],
  ["x-forwarded-proto", "https"],
  ["x-forwarded-ssl", "on"],
] as const;

/** The scheme gunicorn reads from the secure-scheme headers (the last one present decides). */
function forwardedScheme(headers: Headers): "http" | "https" {
  let scheme: "http" | "https" = "http";
  for (const [name, secure] of SECURE_SCHEME_HEADERS) {
    const value = headers.get(name);
    if (value !== null) scheme = value.trim() === secure ? "https" : "http";
  }
  return scheme;
}

/** werkzeug's `redirect(location, 308)` with Flask-CORS's headers. */
export function redirectResponse(req: Request, location: string): Response {
  const display = escapeHtml(location);
  const uri = hasWhitespace(location) ? quoteAfterHost(location) : location;
  const body = "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n" +
    "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: " +
    `<a href="${escapeHtml(uri)}">${display}</a>. If not, click the link.\n`;
  return new Response(body, {
    status: 308,
    headers: { "content-type": TEXT_HTML, location: uri, ...corsHeaders(req) },
  });
}

/** markupsafe's `escape`. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

/** Python's `bytes.split()` whitespace, which makes werkzeug's `iri_to_uri` re-quote a URL. */
function hasWhitespace(text: string): boolean {
  return /[ \t\n\r\v\f]/.test(text);
}

/**
 * `iri_to_uri`'s quoting of the path and query (the host, which held the whitespace, is kept):
 * every byte outside werkzeug's always-safe set and `:/?#[]@!$&'()*+,;=%` becomes `%XX`.
 */
function quoteAfterHost(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return url;
  const rest = Array.from(new TextEncoder().encode(url.slice(start)), (b) => {
    const c = String.fromCharCode(b);
    return URI_SAFE.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  });
  return url.slice(0, start) + rest.join("");
}

const URI_SAFE = /^[A-Za-z0-9\-._~$!'()*+,;:/?#[\]@&=%]$/;
