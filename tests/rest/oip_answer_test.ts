/**
 * `oipJsonResponse` sends the same bytes as the `Headers` object the V2 REST answers were built
 * with (fields sorted by name on the wire): a real `Deno.serve` on loopback answers both ways and
 * the raw answers are compared, with and without an `Origin`, for several statuses.
 */
import { strictEqual } from "node:assert/strict";
import { addCors } from "../../src/http/cors.ts";
import { oipJsonResponse } from "../../src/rest/oip_answer.ts";

/** The answer as it was built before `oipJsonResponse`. */
function withHeadersObject(req: Request, text: string, status: number): Response {
  const headers = new Headers();
  headers.set("content-type", "application/json");
  addCors(req, headers);
  return new Response(new TextEncoder().encode(text), { status, headers });
}

async function raw(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(`${head}connection: close\r\n\r\n`));
  const chunks: number[] = [];
  const buf = new Uint8Array(4096);
  for (let n; (n = await conn.read(buf)) !== null;) chunks.push(...buf.subarray(0, n));
  conn.close();
  const text = new TextDecoder().decode(new Uint8Array(chunks));
  return text.split("\r\n").filter((line) => !line.startsWith("date:")).join("\r\n");
}

Deno.test("oipJsonResponse sends the bytes of a Headers-object answer", async () => {
  const text = '{"model_name":"m","outputs":[{"name":"é","data":[1.5]}]}';
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    const status = Number(url.searchParams.get("status"));
    return url.pathname === "/old"
      ? withHeadersObject(req, text, status)
      : oipJsonResponse(req, text, status);
  });
  try {
    for (const status of [200, 400, 404, 500]) {
      for (const origin of ["", "origin: http://a.b\r\n", "Origin: *\r\n"]) {
        const ask = (path: string) =>
          raw(server.addr.port, `GET ${path}?status=${status} HTTP/1.1\r\nhost: x\r\n${origin}`);
        const before = await ask("/old");
        strictEqual(await ask("/new"), before);
        strictEqual(before.includes("access-control-allow-origin"), true);
      }
    }
  } finally {
    await server.shutdown();
  }
});
