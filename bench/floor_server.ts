/**
 * Stages between the bare echo and this server's REST predict, for `bench/floor.ts`: each mode
 * adds one thing the server does per request.
 *
 *   bare     `Deno.serve`, `JSON.parse(await req.text())`, `JSON.stringify`, one content-type
 *   cors     + `req.headers.get("origin")` and the CORS header set after construction
 *   guarded  + our accept loop and per-connection serving (`guardedServe`, default limits)
 *   deadline + the body read with its deadline (`readBody`, 60 s) instead of `req.text()`
 * @module
 */
import { guardedServe } from "../src/http/guarded_serve.ts";
import { addCors } from "../src/http/cors.ts";
import { readBody } from "../src/rest/body.ts";

const mode = Deno.args[0] ?? "bare";
const TYPE = { "content-type": "application/json" };
const decoder = new TextDecoder();

async function handler(req: Request): Promise<Response> {
  const text = mode === "deadline"
    ? decoder.decode(await readBody(req, { limit: 128 * 2 ** 20, timeoutMs: 60_000 }))
    : await req.text();
  const response = new Response(JSON.stringify(JSON.parse(text)) + "\n", { headers: TYPE });
  if (mode !== "bare") addCors(req, response.headers);
  return response;
}

if (mode === "bare" || mode === "cors") {
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
