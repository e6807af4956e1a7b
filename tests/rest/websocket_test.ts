/**
 * A websocket upgrade request (`Connection: upgrade`, `Upgrade: websocket`) as werkzeug 2.2's
 * router answers it on upstream's two Flask apps, which have no websocket rule: 400 where the
 * method is one the path's rules take, 405 where one of them lacks it, 404 at the root.
 * Checked against Flask 2.2.2 / werkzeug 2.2.2 / gunicorn 20.1.0.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { exchange, splitAnswer } from "../_helpers/raw_http.ts";

/** Sends an upgrade request (no body); the status line, the headers and the body. */
async function upgrade(port: number, method: string, target: string) {
  return splitAnswer(
    await exchange(
      port,
      `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close, Upgrade\r\n` +
        "Upgrade: WebSocket\r\n\r\n",
    ),
  );
}

Deno.test("rest: a websocket upgrade matches no route: werkzeug's 400, 405 or 404", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = Number(new URL(s.url).port);
    const cases: [string, string, string][] = [
      ["GET", "/health/ping", "400 Bad Request"],
      ["OPTIONS", "/api/v1.0/predictions", "400 Bad Request"],
      ["GET", "/nope", "400 Bad Request"],
      ["GET", "/predict", "400 Bad Request"],
      ["GET", "/api/v1.0/predictions", "405 Method Not Allowed"], // its rule lacks GET
      ["POST", "/api/v1.0/predictions", "405 Method Not Allowed"], // the static rule lacks POST
      ["GET", "/api//v1.0/predictions", "405 Method Not Allowed"], // the merged path's rule
      ["DELETE", "/nope", "405 Method Not Allowed"],
      ["GET", "/", "404 Not Found"],
      ["POST", "/", "404 Not Found"],
    ];
    for (const [method, target, info] of cases) {
      const a = await upgrade(port, method, target);
      assertEquals(a.status, "HTTP/1.1 500 Internal Server Error", `${method} ${target}`);
      assertEquals(
        JSON.parse(a.body).status.info.slice(0, info.length),
        info,
        `${method} ${target}`,
      );
    }
    const head = await upgrade(port, "HEAD", "/api/v1.0/predictions");
    assertEquals([head.status, head.body], ["HTTP/1.1 500 Internal Server Error", ""]);
  }));

Deno.test("metrics: a websocket upgrade is werkzeug's 400 page (405 for other methods)", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = s.running.metricsPort!;
    const get = await upgrade(port, "GET", "/metrics");
    assertEquals(get.status, "HTTP/1.1 400 Bad Request");
    assertEquals(get.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(
      get.body,
      "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n" +
        "<p>The browser (or proxy) sent a request that this server could not understand.</p>\n",
    );
    const post = await upgrade(port, "POST", "/metrics");
    assertEquals([post.status, post.headers.get("allow")], [
      "HTTP/1.1 405 Method Not Allowed",
      "GET, HEAD, OPTIONS",
    ]);
    assertEquals((await upgrade(port, "GET", "/")).status, "HTTP/1.1 404 Not Found");
    assertEquals((await upgrade(port, "OPTIONS", "/nope")).status, "HTTP/1.1 400 Bad Request");
  }));
