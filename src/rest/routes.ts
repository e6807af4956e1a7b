/**
 * The REST route table (server.md §2.1) and upstream's routing-error rule: GET/HEAD without a
 * GET route → "404 Not Found" as a 500; any other method without a route → "405 Method Not
 * Allowed" as a 500; OPTIONS → 200.
 * @module
 */

/** What a route does. */
export type RouteAction =
  | "predict"
  | "send-feedback"
  | "transform-input"
  | "transform-output"
  | "route"
  | "aggregate"
  | "ping"
  | "health-status"
  | "metadata"
  | "openapi";

/** One path's methods and action. */
export interface Route {
  readonly methods: readonly string[];
  readonly action: RouteAction;
}

const GET_POST = ["GET", "POST"] as const;
const POST = ["POST"] as const;
const GET = ["GET"] as const;

/** Every REST route; all are served whatever the service type. */
export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ["/predict", { methods: GET_POST, action: "predict" }],
  ["/api/v1.0/predictions", { methods: POST, action: "predict" }],
  ["/api/v0.1/predictions", { methods: POST, action: "predict" }],
  ["/send-feedback", { methods: GET_POST, action: "send-feedback" }],
  ["/api/v1.0/feedback", { methods: POST, action: "send-feedback" }],
  ["/api/v0.1/feedback", { methods: POST, action: "send-feedback" }],
  ["/transform-input", { methods: GET_POST, action: "transform-input" }],
  ["/transform-output", { methods: GET_POST, action: "transform-output" }],
  ["/route", { methods: GET_POST, action: "route" }],
  ["/aggregate", { methods: GET_POST, action: "aggregate" }],
  ["/health/ping", { methods: GET, action: "ping" }],
  ["/health/status", { methods: GET, action: "health-status" }],
  ["/api/v1.0/health/status", { methods: GET, action: "health-status" }],
  ["/metadata", { methods: GET, action: "metadata" }],
  ["/api/v1.0/metadata", { methods: GET, action: "metadata" }],
  ["/seldon.json", { methods: GET, action: "openapi" }],
]);

/** werkzeug's NotFound text, rendered by upstream's catch-all handler. */
export const NOT_FOUND =
  "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
/** werkzeug's MethodNotAllowed text. */
export const METHOD_NOT_ALLOWED =
  "405 Method Not Allowed: The method is not allowed for the requested URL.";

/** The outcome of matching a request against the table. */
export type Match =
  | { readonly kind: "route"; readonly route: Route }
  | { readonly kind: "options"; readonly allow: string }
  | { readonly kind: "error"; readonly info: string };

/**
 * Matches `method` + `path`. Upstream also mounts a static-file route on every non-root path
 * (GET/HEAD/OPTIONS), which is why unknown paths answer by the method rule.
 */
export function matchRoute(method: string, path: string): Match {
  const route = ROUTES.get(path);
  const getLike = method === "GET" || method === "HEAD";
  if (
    route &&
    (route.methods.includes(method) || (method === "HEAD" && route.methods.includes("GET")))
  ) {
    return { kind: "route", route };
  }
  if (path === "/" && !route) return { kind: "error", info: NOT_FOUND };
  if (method === "OPTIONS") {
    const methods = new Set(["GET", "HEAD", "OPTIONS", ...(route?.methods ?? [])]);
    return { kind: "options", allow: [...methods].sort().join(", ") };
  }
  return { kind: "error", info: getLike ? NOT_FOUND : METHOD_NOT_ALLOWED };
}
