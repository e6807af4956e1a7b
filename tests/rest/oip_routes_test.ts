/**
 * The V2 route of a path is parsed once and kept (bounded): every call for the same path gives
 * the same frozen route, also after more distinct paths than the cache holds; paths too long to
 * be kept still match; matching answers as before for routes, unknown paths and other methods.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { matchOipRoute, routeOf } from "../../src/rest/oip_routes.ts";

const EXPECTED: [string, unknown][] = [
  ["/v2", { operation: "server-metadata" }],
  ["/v2/", { operation: "server-metadata" }],
  ["/v2/health/live", { operation: "server-live" }],
  ["/v2/health/ready", { operation: "server-ready" }],
  ["/v2/models/m", { operation: "model-metadata", model: { name: "m" } }],
  ["/v2/models/m/", { operation: "model-metadata", model: { name: "m" } }],
  ["/v2/models/m/ready", { operation: "model-ready", model: { name: "m" } }],
  ["/v2/models/m/infer", { operation: "infer", model: { name: "m" } }],
  [
    "/v2/models/m/versions/3/infer",
    { operation: "infer", model: { name: "m", version: "3" } },
  ],
  ["/v2/models/m/versions/3", { operation: "model-metadata", model: { name: "m", version: "3" } }],
  ["/v2/models/m/versions/", undefined],
  ["/v2/models//infer", undefined],
  ["/v2/models/m/infer/x", undefined],
  ["/v2/models/m/predict", undefined],
  ["/v2/other", undefined],
  [`/v2/models/${"n".repeat(300)}/infer`, { operation: "infer", model: { name: "n".repeat(300) } }],
  [`/v2/models/${"n".repeat(300)}/nope`, undefined],
];

Deno.test("routes are the same on every call, past the cache's bound, and frozen", () => {
  for (let round = 0; round < 3; round++) {
    for (const [path, route] of EXPECTED) deepStrictEqual(routeOf(path), route, path);
    for (let i = 0; i < 300; i++) {
      const path = `/v2/models/m${i}/infer`;
      deepStrictEqual(routeOf(path), { operation: "infer", model: { name: `m${i}` } });
      strictEqual(routeOf(path), routeOf(path));
    }
  }
  const route = routeOf("/v2/models/m/infer")!;
  ok(Object.isFrozen(route) && Object.isFrozen(route.model));
  throws(() => {
    (route as { operation: string }).operation = "x";
  });
  deepStrictEqual(routeOf("/v2/models/m/infer"), { operation: "infer", model: { name: "m" } });
});

Deno.test("matching by method answers as before", () => {
  deepStrictEqual(matchOipRoute("POST", "/v2/models/m/infer"), {
    kind: "route",
    route: { operation: "infer", model: { name: "m" } },
  });
  deepStrictEqual(matchOipRoute("GET", "/v2/models/m/infer"), {
    kind: "error",
    status: 405,
    message: "Method Not Allowed",
    allow: "OPTIONS, POST",
  });
  deepStrictEqual(matchOipRoute("HEAD", "/v2/health/live"), {
    kind: "route",
    route: { operation: "server-live" },
  });
  deepStrictEqual(matchOipRoute("OPTIONS", "/v2"), {
    kind: "options",
    allow: "GET, HEAD, OPTIONS",
  });
  deepStrictEqual(matchOipRoute("GET", "/v2/nope"), {
    kind: "error",
    status: 404,
    message: "Not Found",
  });
});
