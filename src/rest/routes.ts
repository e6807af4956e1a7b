/**
 * The REST route table (server.md §2.1) and upstream's routing-error rule: GET/HEAD without a
 * GET route → "404 Not Found" as a 500; any other method without a route → "405 Method Not
 * Allowed" as a 500; OPTIONS → 200; a method whose route only the slash-merged path has →
 * werkzeug's 308 redirect.
 * @module
 */
import type { Operation } from "../dataplane/dataplane.ts";
import {
  mergeLeadingSlashes,
  mergeSlashPairs,
  websocketMismatch,
  werkzeugText,
} from "../http/werkzeug.ts";

/** What a route does: a data-plane operation, or one the transport answers itself. */
export type RouteAction = Exclude<Operation, "infer"> | "ping" | "metadata" | "openapi";

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

/** The outcome of matching a request against the table. */
export type Match =
  | { readonly kind: "route"; readonly route: Route }
  | { readonly kind: "options"; readonly allow: string }
  | { readonly kind: "redirect"; readonly path: string }
  | { readonly kind: "error"; readonly info: string };

/** One shared, frozen match per path (no object per request). */
const MATCHED: ReadonlyMap<string, Match & { readonly kind: "route" }> = new Map(
  [...ROUTES].map(([path, route]) => [path, Object.freeze({ kind: "route", route } as const)]),
);

/** The static route's methods (werkzeug's implied HEAD and OPTIONS). */
const STATIC_METHODS = ["GET", "HEAD", "OPTIONS"] as const;

/**
 * Matches `method` + `path`. Upstream also mounts a static-file route on every non-root path
 * (GET/HEAD/OPTIONS), which is why unknown paths answer by the method rule. Leading slashes are
 * merged as werkzeug merges them. A path with `//` inside matches no route; werkzeug then tries
 * it with each `//` merged: a route there that takes the method → 308 to it. GET/HEAD/OPTIONS
 * never get that far (the static route takes them: 404; OPTIONS lists both paths' methods).
 */
export function matchRoute(method: string, path: string): Match {
  path = mergeLeadingSlashes(path);
  const matched = MATCHED.get(path);
  const route = matched?.route;
  const getLike = method === "GET" || method === "HEAD";
  if (
    route &&
    (route.methods.includes(method) || (method === "HEAD" && route.methods.includes("GET")))
  ) {
    return matched;
  }
  if (path === "/" && !route) return { kind: "error", info: werkzeugText(404) };
  const mergedPath = route || getLike || !path.includes("//") ? undefined : mergeSlashPairs(path);
  const merged = mergedPath === undefined ? undefined : MATCHED.get(mergedPath)?.route;
  if (method === "OPTIONS") {
    const methods = new Set([...STATIC_METHODS, ...(route ?? merged)?.methods ?? []]);
    return { kind: "options", allow: [...methods].sort().join(", ") };
  }
  if (merged?.methods.includes(method)) return { kind: "redirect", path: mergedPath! };
  return { kind: "error", info: werkzeugText(getLike ? 404 : 405) };
}

/** A route's methods as werkzeug's rule holds them: HEAD with GET, and OPTIONS (Flask). */
function ruleMethods(route: Route): readonly string[] {
  return route.methods.includes("GET")
    ? [...route.methods, "HEAD", "OPTIONS"]
    : [...route.methods, "OPTIONS"];
}

/**
 * Matches a websocket upgrade request (`Connection: upgrade`, `Upgrade: websocket`), which
 * upstream's router matches against websocket rules only, and it has none: the root → 404; a
 * method the static route or the path's route (or the slash-merged path's) lacks → 405; else
 * werkzeug's `400 Bad Request` (`GET /health/ping` with an upgrade is a 400).
 */
export function matchWebsocket(method: string, path: string): Match {
  path = mergeLeadingSlashes(path);
  const rules: (readonly string[])[] = [STATIC_METHODS];
  const paths = path.includes("//") ? [path, mergeSlashPairs(path)] : [path];
  for (const p of paths) {
    const route = ROUTES.get(p);
    if (route) rules.push(ruleMethods(route));
  }
  return { kind: "error", info: werkzeugText(websocketMismatch(method, path, rules).code) };
}
