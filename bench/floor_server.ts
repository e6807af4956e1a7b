/**
 * Stages between the bare echo and this server's REST predict, for `bench/floor.ts`: each mode
 * adds one thing the server does per request.
 *
 *   bare     `Deno.serve`, `JSON.parse(await req.text())`, `JSON.stringify`, one content-type
 *   cors     + `req.headers.get("origin")` and the CORS header set after construction
 *   guarded  + our accept loop and per-connection serving (`guardedServe`, default limits)
 *   deadline + the body read with its deadline (`readBody`, 60 s) instead of `req.text()`
 *   payload  + routing (`splitTarget`, `matchRoute`) and the real payload read (`readPayload`:
 *            content-type checks, strict UTF-8, `parseJson`), answered as `jsonResponse`
 *            writes it (sorted keys, ASCII escapes), the parsed body as the answer
 *   handler  the REST handler itself (`createHandler`, identity model: data plane, NDArray round
 *            trip, names, response message) without a request deadline, `--threads` slot or
 *            request counter; the worker (`bench/floor.ts`'s `seldon`) adds those
 *
 * Other ways of giving the two response headers, each on the `cors` stage (`Origin` read, no
 * `Origin` sent by the load): the same header set
 *   record   a two-entry record at construction
 *   headers  one pre-built `Headers` object, reused by every response (it sends the two
 *            headers sorted by name: not the same bytes)
 *   pairs    one constant array of two pairs, reused by every response
 * @module
 */
import { guardedServe } from "../src/http/guarded_serve.ts";
import { addCors } from "../src/http/cors.ts";
import { readBody, readPayload } from "../src/rest/body.ts";
import { jsonResponse } from "../src/rest/respond.ts";
import { matchRoute } from "../src/rest/routes.ts";
import { splitTarget } from "../src/http/target.ts";
import { createHandler } from "../src/rest/server.ts";
import { DataPlane } from "../src/dataplane/dataplane.ts";
import { Identity } from "./identity.ts";

const mode = Deno.args[0] ?? "bare";
const TYPE = { "content-type": "application/json" };
const decoder = new TextDecoder();
const CORS_ANY = { "access-control-allow-origin": "*" };
const RECORD = { "content-type": "application/json", ...CORS_ANY };
const HEADERS = new Headers(RECORD);
const PAIRS: [string, string][] = Object.entries(RECORD);
const INIT: Record<string, HeadersInit> = { record: RECORD, headers: HEADERS, pairs: PAIRS };

const STYLE = { pretty: false, ascii: true };
const LIMITS = { limit: 128 * 2 ** 20, timeoutMs: 60_000, passthrough: false };

async function payloadHandler(req: Request): Promise<Response> {
  const url = splitTarget(req.url);
  const match = matchRoute(req.method, url.path);
  if (match.kind !== "route") return new Response("no route", { status: 404 });
  const payload = await readPayload(req, url, LIMITS);
  return jsonResponse(req, payload.value, 200, STYLE);
}

const restHandler = mode !== "handler" ? undefined : createHandler(
  await DataPlane.create(new Identity(), { includeMetrics: false, executorEnabled: true }),
  {
    port: 0,
    hostname: "127.0.0.1",
    maxBodySize: LIMITS.limit,
    bodyTimeoutMs: LIMITS.timeoutMs,
    payloadPassthrough: false,
    concurrency: 1,
    json: STYLE,
  },
);

async function handler(req: Request): Promise<Response> {
  const init = INIT[mode];
  if (init !== undefined) {
    const text = await req.text();
    const origin = req.headers.get("origin");
    const headers = origin === null ? init : {
      "content-type": "application/json",
      "access-control-allow-origin": origin,
      vary: "Origin",
    };
    return new Response(JSON.stringify(JSON.parse(text)) + "\n", { headers });
  }
  const text = mode === "deadline"
    ? decoder.decode(await readBody(req, { limit: 128 * 2 ** 20, timeoutMs: 60_000 }))
    : await req.text();
  const response = new Response(JSON.stringify(JSON.parse(text)) + "\n", { headers: TYPE });
  if (mode !== "bare") addCors(req, response.headers);
  return response;
}

if (mode === "bare" || mode === "cors" || INIT[mode] !== undefined) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  console.log(`running on port ${server.addr.port}`);
} else {
  const server = guardedServe({
    port: 0,
    hostname: "127.0.0.1",
    maxConnections: 1000,
    headerTimeoutMs: 10_000,
    keepAliveMs: 2_000,
  }, mode === "payload" ? payloadHandler : restHandler ?? handler);
  console.log(`running on port ${server.addr.port}`);
}
