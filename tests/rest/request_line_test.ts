/**
 * Request lines longer than gunicorn's `limit_request_line` (4094 bytes), and methods its
 * parser refuses, are answered as upstream's gunicorn answers them, on the REST and the metrics
 * port, before any route runs; `--debug` (upstream: Flask's development server) has neither rule.
 * Leading slashes are merged as werkzeug's router merges them.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { exchange, splitAnswer } from "../_helpers/raw_http.ts";

/** A `GET /predict?json={"strData":"aaa…"}` request line of exactly `length` bytes. */
function line(length: number, path = "/predict?json="): string {
  const [open, close] = ["%7B%22strData%22%3A%22", "%22%7D"];
  const fixed = `GET ${path}${open}${close} HTTP/1.1`.length;
  return `GET ${path}${open}${"a".repeat(length - fixed)}${close} HTTP/1.1`;
}

/** gunicorn's 400 page with `message` (already HTML-escaped), as `util.write_error` writes it. */
function gunicornPage(message: string): string {
  return "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n" +
    `    <h1><p>Bad Request</p></h1>\n    ${message}\n  </body>\n</html>\n`;
}

function page(size: number): string {
  return gunicornPage(`Request Line is too large (${size} &gt; 4094)`);
}

/** Checks that `a` is gunicorn's own 400 answer with `body`, the connection closed. */
function assertGunicorn400(a: ReturnType<typeof splitAnswer>, body: string, label: string): void {
  assertEquals(a.status, "HTTP/1.1 400 Bad Request", label);
  assertEquals(a.headers.get("connection"), "close");
  assertEquals(a.headers.get("content-type"), "text/html");
  assertEquals(a.body, body);
  assertEquals(a.headers.get("content-length"), String(body.length));
  assert(!a.headers.has("access-control-allow-origin"), "gunicorn answers, not the app");
}

Deno.test("rest: a request line over 4094 bytes is gunicorn's 400 page, the connection closed", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = Number(new URL(s.url).port);
    const ok = splitAnswer(
      await exchange(port, `${line(4094)}\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    assertEquals(ok.status, "HTTP/1.1 200 OK");
    for (const [length, size] of [[4095, 4095], [8190, 8190], [8191, 8192], [30000, 8192]]) {
      const a = splitAnswer(await exchange(port, `${line(length)}\r\nHost: x\r\n\r\n`));
      assertGunicorn400(a, page(size), String(length));
    }
    // Any path and method, and the metrics port too.
    const post = splitAnswer(
      await exchange(
        port,
        `POST /nowhere?${"b".repeat(5000)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      ),
    );
    assertEquals(post.body, page(`POST /nowhere?${"b".repeat(5000)} HTTP/1.1`.length));
    const metrics = splitAnswer(
      await exchange(s.running.metricsPort!, `${line(5000, "/metrics?x=")}\r\nHost: x\r\n\r\n`),
    );
    assertEquals([metrics.status, metrics.body], ["HTTP/1.1 400 Bad Request", page(5000)]);
  }));

Deno.test("rest: --debug has no request-line limit (upstream's development server)", () =>
  withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const port = Number(new URL(s.url).port);
      const a = splitAnswer(
        await exchange(port, `${line(9000)}\r\nHost: x\r\nConnection: close\r\n\r\n`),
      );
      assertEquals(a.status, "HTTP/1.1 200 OK");
    },
    {},
    { debug: true },
  ));

/** gunicorn's page for a refused method (its message `html.escape`d). */
function methodPage(method: string): string {
  return gunicornPage(`Invalid Method &#x27;Invalid HTTP method: &#x27;${method}&#x27;&#x27;`);
}

Deno.test("rest: a method gunicorn 20.1 refuses (get, Post, GE) is its 400 page, the connection closed", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = Number(new URL(s.url).port);
    for (const method of ["get", "Post", "GE", "oPTIONS"]) {
      const a = splitAnswer(
        await exchange(port, `${method} /health/ping HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      assertGunicorn400(a, methodPage(method), method);
    }
    // Three characters in `$`…`_` pass gunicorn's check and reach the routes.
    const passed = splitAnswer(
      await exchange(port, `GETX /health/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    assertEquals(passed.status, "HTTP/1.1 500 Internal Server Error");
    assert(passed.body.includes("405 Method Not Allowed"), passed.body);
    const metrics = splitAnswer(
      await exchange(s.running.metricsPort!, `get /metrics HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    assertEquals([metrics.status, metrics.body], ["HTTP/1.1 400 Bad Request", methodPage("get")]);
  }));

Deno.test("rest: --debug routes a lower-case method as any unknown one (no gunicorn)", () =>
  withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const port = Number(new URL(s.url).port);
      const a = splitAnswer(
        await exchange(port, `get /health/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      );
      assertEquals(a.status, "HTTP/1.1 500 Internal Server Error");
      assert(a.body.includes("405 Method Not Allowed"), a.body);
    },
    {},
    { debug: true },
  ));

Deno.test("rest: leading slashes are merged as werkzeug merges them, inner ones are not", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = Number(new URL(s.url).port);
    const ask = async (method: string, target: string, body = "") =>
      splitAnswer(
        await exchange(
          port,
          `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        ),
      );
    for (const target of ["//health/ping", "///health/ping", "//health/ping?x=1"]) {
      const a = await ask("GET", target);
      assertEquals([a.status, a.body], ["HTTP/1.1 200 OK", "pong"], target);
    }
    const predicted = await ask("POST", "//api/v1.0/predictions", '{"data":{"ndarray":[1]}}');
    assertEquals(predicted.status, "HTTP/1.1 200 OK");
    assertEquals(JSON.parse(predicted.body).data.ndarray, [1]);
    const options = await ask("OPTIONS", "//health/ping");
    assertEquals(options.headers.get("allow"), "GET, HEAD, OPTIONS");
    for (const target of ["/health//ping", "/health/ping//", "//", "//nowhere"]) {
      const a = await ask("GET", target);
      assertEquals(a.status, "HTTP/1.1 500 Internal Server Error", target);
      assert(a.body.includes("404 Not Found"), target);
    }
    const metrics = splitAnswer(
      await exchange(
        s.running.metricsPort!,
        `GET //metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      ),
    );
    assertEquals(metrics.status, "HTTP/1.1 200 OK");
  }));
