/**
 * The Open Inference Protocol (V2) REST routes (inference_rest.md): everything under `/v2`, and
 * the model repository extension (`POST /v2/repository/index`, `…/models/{name}/load|unload`).
 * A path under `/v2` that is no route answers 404, a route with another method 405 (with `Allow`),
 * both with the V2 error body.
 * @module
 */

/** A V2 operation a route runs. */
export type OipOperation =
  | "server-live"
  | "server-ready"
  | "server-metadata"
  | "model-metadata"
  | "model-ready"
  | "infer"
  | "repository-index"
  | "repository-load"
  | "repository-unload";

/** A matched V2 route: its operation and, for model routes, the model and version named. */
export interface OipRoute {
  readonly operation: OipOperation;
  readonly model?: { readonly name: string; readonly version?: string };
}

/** The outcome of matching a V2 path. */
export type OipMatch =
  | { readonly kind: "route"; readonly route: OipRoute }
  | { readonly kind: "options"; readonly allow: string }
  | {
    readonly kind: "error";
    readonly status: 404 | 405;
    readonly message: string;
    /** A 405's `Allow` header: the route's methods. */
    readonly allow?: string;
  };

/** True for a path the V2 routes own (`/v2` and below). */
export function isOipPath(path: string): boolean {
  return path === "/v2" || path.startsWith("/v2/");
}

const MODEL_OPERATIONS: Readonly<Record<string, OipOperation>> = {
  "": "model-metadata",
  "ready": "model-ready",
  "infer": "infer",
};

const REPOSITORY_OPERATIONS: Readonly<Record<string, OipOperation>> = {
  "load": "repository-load",
  "unload": "repository-unload",
};

/** `table[key]` of its own keys only (a path segment `constructor` is no operation). */
function lookup(
  table: Readonly<Record<string, OipOperation>>,
  key: string,
): OipOperation | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The operations answered to POST (the others to GET and HEAD). */
const POST_OPERATIONS: ReadonlySet<OipOperation> = new Set<OipOperation>([
  "infer",
  "repository-index",
  "repository-load",
  "repository-unload",
]);

/** A repository route: `/v2/repository/index`, `/v2/repository/models/{name}/load|unload`. */
function repositoryRoute(parts: readonly string[]): OipRoute | undefined {
  if (parts.length === 4 && parts[3] === "index") return { operation: "repository-index" };
  if (parts.length !== 6 || parts[3] !== "models" || parts[4] === "") return undefined;
  const operation = lookup(REPOSITORY_OPERATIONS, parts[5]);
  return operation === undefined ? undefined : { operation, model: { name: parts[4] } };
}

/**
 * Routes of recent paths (a path is split once, not per request); cleared when full. Only paths
 * up to {@link MAX_CACHED_PATH} characters are kept, so the cache holds at most ~64 KiB of paths.
 */
const ROUTES = new Map<string, OipRoute | undefined>();
const MAX_ROUTES = 256;
const MAX_CACHED_PATH = 256;

/** The route of `path` (under `/v2`) without looking at the method (frozen, shared). */
export function routeOf(path: string): OipRoute | undefined {
  if (path.length > MAX_CACHED_PATH) return parseRoute(path);
  let route = ROUTES.get(path);
  if (route !== undefined || ROUTES.has(path)) return route;
  route = parseRoute(path);
  if (route !== undefined) {
    if (route.model !== undefined) Object.freeze(route.model);
    Object.freeze(route);
  }
  if (ROUTES.size >= MAX_ROUTES) ROUTES.clear();
  ROUTES.set(path, route);
  return route;
}

function parseRoute(path: string): OipRoute | undefined {
  if (path === "/v2" || path === "/v2/") return { operation: "server-metadata" };
  if (path === "/v2/health/live") return { operation: "server-live" };
  if (path === "/v2/health/ready") return { operation: "server-ready" };
  const parts = path.split("/"); // ["", "v2", "models", name, ...]
  if (parts[2] === "repository") return repositoryRoute(parts);
  if (parts[2] !== "models" || parts.length < 4 || parts[3] === "") return undefined;
  const name = parts[3];
  let rest = parts.slice(4);
  let version: string | undefined;
  if (rest[0] === "versions") {
    if (rest.length < 2 || rest[1] === "") return undefined;
    version = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 1) return undefined;
  const operation = lookup(MODEL_OPERATIONS, rest[0] ?? "");
  if (operation === undefined) return undefined;
  return { operation, model: version === undefined ? { name } : { name, version } };
}

/** Matches `method` + `path` (a path under `/v2`). */
export function matchOipRoute(method: string, path: string): OipMatch {
  const route = routeOf(path);
  if (route === undefined) return { kind: "error", status: 404, message: "Not Found" };
  const allowed = POST_OPERATIONS.has(route.operation) ? "POST" : "GET";
  const allow = allowed === "GET" ? "GET, HEAD, OPTIONS" : "OPTIONS, POST";
  if (method === "OPTIONS") return { kind: "options", allow };
  if (method === allowed || (method === "HEAD" && allowed === "GET")) {
    return { kind: "route", route };
  }
  return { kind: "error", status: 405, message: "Method Not Allowed", allow };
}
