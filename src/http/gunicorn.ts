/**
 * What gunicorn (upstream's production HTTP server, 20.1) answers itself, before the app sees a
 * request: a request line longer than its `limit_request_line` (4094 bytes by default; upstream
 * does not change it) is a 400 with gunicorn's HTML error page and `Connection: close`.
 * @module
 */

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
  const body = "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n" +
    "    <h1><p>Bad Request</p></h1>\n" +
    `    Request Line is too large (${size} &gt; ${limit})\n  </body>\n</html>\n`;
  return new Response(body, {
    status: 400,
    headers: { "connection": "close", "content-type": "text/html" },
  });
}
