/**
 * Stages between the bare echo and this server's REST predict, for `bench/floor.ts`: each mode
 * adds one thing the server does per request.
 *
 *   bare     `Deno.serve`, `JSON.parse(await req.text())`, `JSON.stringify`, one content-type
 *   cors     + `req.headers.get("origin")` and the CORS header set after construction
 *   guarded  + our accept loop and per-connection serving (`guardedServe`, default limits)
 *   deadline + the body read with its deadline (`readBody`, 60 s) instead of `req.text()`
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
import { readBody } from "../src/rest/body.ts";

const mode = Deno.args[0] ?? "bare";
const TYPE = { "content-type": "application/json" };
const decoder = new TextDecoder();
const CORS_ANY = { "access-control-allow-origin": "*" };
const RECORD = { "content-type": "application/json", ...CORS_ANY };
const HEADERS = new Headers(RECORD);
const PAIRS: [string, string][] = Object.entries(RECORD);
const INIT: Record<string, HeadersInit> = { record: RECORD, headers: HEADERS, pairs: PAIRS };

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
  }, handler);
  console.log(`running on port ${server.addr.port}`);
}
