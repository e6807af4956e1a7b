/**
 * What gunicorn (upstream's production HTTP server, 20.1) answers itself, before the app sees a
 * request: a request line longer than its `limit_request_line` (4094 bytes by default; upstream
 * does not change it), or a method its parser refuses, is a 400 with gunicorn's HTML error page
 * and `Connection: close`.
 * @module
 */
import { pyStrRepr } from "../python/repr.ts";

/** gunicorn's default `limit_request_line`: longer request lines are refused. */
export const GUNICORN_REQUEST_LINE_LIMIT = 4094;

/** gunicorn reads a request in chunks of this many bytes (`SocketUnreader.mxchunk`). */
const GUNICORN_CHUNK = 8192;

/**
 * The length of `req`'s request line (`METHOD target HTTP/1.1`, without CRLF), the target as the
 * client sent it in origin form (Deno's `req.url` keeps it as received).
 */
export function requestLineLength(req: Request): number {
  const url = req.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const target = start < 0 ? 1 : url.length - start;
  return req.method.length + 1 + target + " HTTP/1.1".length;
}

/**
 * gunicorn's 400 for a request line of `length` bytes over `limit`. The size it reports is the
 * line's length when the line and its CRLF fit its first 8192-byte read, else that read's size.
 */
export function requestLineTooLong(length: number, limit: number): Response {
  const size = length + 2 <= GUNICORN_CHUNK ? length : GUNICORN_CHUNK;
  return badRequest(`Request Line is too large (${size} > ${limit})`);
}

/**
 * gunicorn 20.1's method check (`METH_RE.match`, `[A-Z0-9$-_.]{3,20}` from the start): the first
 * three characters in `$`…`_` (0x24–0x5F: upper-case letters, digits, most punctuation). A
 * method it refuses (`get`, `Post`, `GE`) never reaches the app.
 */
export function gunicornAcceptsMethod(method: string): boolean {
  if (method.length < 3) return false;
  for (let i = 0; i < 3; i++) {
    const code = method.charCodeAt(i);
    if (code < 0x24 || code > 0x5f) return false;
  }
  return true;
}

/** gunicorn's 400 for a method it refuses: `Invalid Method 'Invalid HTTP method: 'get''`. */
export function invalidMethod(method: string): Response {
  return badRequest(`Invalid Method 'Invalid HTTP method: ${pyStrRepr(method)}'`);
}

/** Python's `html.escape` (quotes too). */
function htmlEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#x27;");
}

/** gunicorn's error page (`util.write_error`) for a 400 with `message`, the connection closed. */
function badRequest(message: string): Response {
  const body = "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n" +
    "    <h1><p>Bad Request</p></h1>\n" +
    `    ${htmlEscape(message)}\n  </body>\n</html>\n`;
  return new Response(body, {
    status: 400,
    headers: { "connection": "close", "content-type": "text/html" },
  });
}
