/**
 * A request's path and query as upstream's gunicorn hands them to werkzeug, read from the URL
 * Deno builds, without a `URL` object (on every request).
 * @module
 */

/** The path (percent-decoded, as werkzeug matches it) and the query string (with its `?`). */
export interface Target {
  readonly path: string;
  readonly search: string;
}

/**
 * Splits a request URL. An authority-form target (`CONNECT host:port`: Deno's URL then has no
 * path) is the path `/host:port`, a path other than the root as gunicorn's `urlsplit` reads it
 * (werkzeug answers it 405, not the root's 404).
 */
export function splitTarget(url: string): Target {
  const authority = url.indexOf("//") + 2;
  const start = url.indexOf("/", authority);
  if (start < 0) return { path: `/${url.slice(authority)}`, search: "" };
  const q = url.indexOf("?", start);
  let path = q < 0 ? url.slice(start) : url.slice(start, q);
  if (path.includes("%")) {
    try {
      path = decodeURIComponent(path);
    } catch { /* keep it encoded: it matches no route */ }
  }
  return { path, search: q < 0 ? "" : url.slice(q) };
}
