/**
 * Request lines longer than gunicorn's `limit_request_line` (4094 bytes), and methods its
 * parser refuses, are answered as upstream's gunicorn answers them, on the REST and the metrics
 * port, before any route runs; `--debug` (upstream: Flask's development server) has neither rule.
 * Leading slashes are merged as werkzeug's router merges them.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";

/** Sends `request` on a fresh connection and reads until the server closes it (or 5 s). */
async function exchange(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), 5_000);
  try {
    await conn.write(new TextEncoder().encode(request));
    let text = "";
    const decoder = new TextDecoder();
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
    }
    return text;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

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
function assertGunicorn400(a: ReturnType<typeof split>, body: string, label: string): void {
  assertEquals(a.status, "HTTP/1.1 400 Bad Request", label);
  assertEquals(a.headers.get("connection"), "close");
  assertEquals(a.headers.get("content-type"), "text/html");
  assertEquals(a.body, body);
  assertEquals(a.headers.get("content-length"), String(body.length));
  assert(!a.headers.has("access-control-allow-origin"), "gunicorn answers, not the app");
}

function split(answer: string) {
  const end = answer.indexOf("\r\n\r\n");
  const head = answer.slice(0, end).split("\r\n");
  const headers = new Map(
    head.slice(1).map((h) => {
      const i = h.indexOf(":");
      return [h.slice(0, i).toLowerCase(), h.slice(i + 1).trim()] as const;
    }),
  );
  return { status: head[0], headers, body: answer.slice(end + 4) };
}

Deno.test("rest: a request line over 4094 bytes is gunicorn's 400 page, the connection closed", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = Number(new URL(s.url).port);
    const ok = split(await exchange(port, `${line(4094)}\r\nHost: x\r\nConnection: close\r\n\r\n`));
    assertEquals(ok.status, "HTTP/1.1 200 OK");
    for (const [length, size] of [[4095, 4095], [8190, 8190], [8191, 8192], [30000, 8192]]) {
      const a = split(await exchange(port, `${line(length)}\r\nHost: x\r\n\r\n`));
      assertGunicorn400(a, page(size), String(length));
    }
    // Any path and method, and the metrics port too.
    const post = split(
      await exchange(
        port,
        `POST /nowhere?${"b".repeat(5000)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      ),
    );
    assertEquals(post.body, page(`POST /nowhere?${"b".repeat(5000)} HTTP/1.1`.length));
    const metrics = split(
      await exchange(s.running.metricsPort!, `${line(5000, "/metrics?x=")}\r\nHost: x\r\n\r\n`),
    );
    assertEquals([metrics.status, metrics.body], ["HTTP/1.1 400 Bad Request", page(5000)]);
  }));

Deno.test("rest: --debug has no request-line limit (upstream's development server)", () =>
  withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const port = Number(new URL(s.url).port);
      const a = split(
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
      const a = split(await exchange(port, `${method} /health/ping HTTP/1.1\r\nHost: x\r\n\r\n`));
      assertGunicorn400(a, methodPage(method), method);
    }
    // Three characters in `$`…`_` pass gunicorn's check and reach the routes.
    const passed = split(
      await exchange(port, `GETX /health/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    assertEquals(passed.status, "HTTP/1.1 500 Internal Server Error");
    assert(passed.body.includes("405 Method Not Allowed"), passed.body);
    const metrics = split(
      await exchange(s.running.metricsPort!, `get /metrics HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    assertEquals([metrics.status, metrics.body], ["HTTP/1.1 400 Bad Request", methodPage("get")]);
  }));

Deno.test("rest: --debug routes a lower-case method as any unknown one (no gunicorn)", () =>
  withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const port = Number(new URL(s.url).port);
      const a = split(
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
      split(
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
    const metrics = split(
      await exchange(
        s.running.metricsPort!,
        `GET //metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      ),
    );
    assertEquals(metrics.status, "HTTP/1.1 200 OK");
  }));
