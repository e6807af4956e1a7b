/**
 * A `//` inside a path, as werkzeug 2.2's router reads it under upstream's gunicorn: a method
 * that only the slash-merged path has a route for is a 308 to the merged URL (scheme from
 * gunicorn's secure-scheme headers, host from `Host`, query kept); everything else is the
 * unknown-path answer. Checked against Flask 2.2.2 / werkzeug 2.2.2 / gunicorn 20.1.0.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { encodeIdnaHost } from "../../src/http/idna.ts";
import { exchange, latin1, splitAnswer } from "../_helpers/raw_http.ts";

/** Sends `request` with each character as one byte (raw `Host` bytes). */
const send = (port: number, request: string) => exchange(port, latin1(request));

/** werkzeug's redirect page for `location` (already HTML-escaped). */
function page(location: string): string {
  return "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n" +
    "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: " +
    `<a href="${location}">${location}</a>. If not, click the link.\n`;
}

const BODY = '{"data":{"ndarray":[1]}}';

function asker(port: number) {
  return async (method: string, target: string, headers = "Host: x\r\n") =>
    splitAnswer(
      await send(
        port,
        `${method} ${target} HTTP/1.1\r\n${headers}Content-Type: application/json\r\n` +
          `Content-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`,
      ),
    );
}

Deno.test("rest: POST to a `//` variant of a POST route is werkzeug's 308 to the merged URL", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const ask = asker(Number(new URL(s.url).port));
    const a = await ask(
      "POST",
      "/api//v1.0/predictions?a=1&b=%C3%A9&c='x'&d=\"y\"",
      "Host: Example.COM:8080\r\nOrigin: http://o.example\r\n",
    );
    const location = "http://example.com:8080/api/v1.0/predictions?a=1&b=%C3%A9&c='x'&d=\"y\"";
    assertEquals(a.status, "HTTP/1.1 308 Permanent Redirect");
    assertEquals(a.headers.get("location"), location);
    assertEquals(a.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(a.headers.get("access-control-allow-origin"), "http://o.example");
    assertEquals(
      a.body,
      page(
        "http://example.com:8080/api/v1.0/predictions?a=1&amp;b=%C3%A9&amp;c=&#39;x&#39;" +
          "&amp;d=&#34;y&#34;",
      ),
    );
    // Percent-encoded slashes and letters are decoded before matching, as gunicorn does.
    const merged: [string, string][] = [
      ["/ap%69/%2Fv1.0/predictions", "/api/v1.0/predictions"],
      ["//api/v1.0//feedback", "/api/v1.0/feedback"],
      ["/api/v0.1//predictions?", "/api/v0.1/predictions"], // an empty query is dropped
      ["/api/v1.0%2F/feedback?x=%FF", "/api/v1.0/feedback?x=%FF"],
    ];
    for (const [target, path] of merged) {
      const b = await ask("POST", target);
      assertEquals(b.status, "HTTP/1.1 308 Permanent Redirect", target);
      assertEquals(b.headers.get("location"), `http://x${path}`, target);
    }
  }));

Deno.test("rest: a `//` path without a merged route for the method is the unknown-path answer", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const ask = asker(Number(new URL(s.url).port));
    const cases: [string, string, string][] = [
      ["PUT", "/api//v1.0/predictions", "405 Method Not Allowed"],
      ["POST", "/health//ping", "405 Method Not Allowed"],
      ["POST", "/api///v1.0/predictions", "405 Method Not Allowed"], // `///` merges to `//`
      ["POST", "/api/v1.0//predictions/", "405 Method Not Allowed"],
      ["POST", "/api//v1.0/predictions/%C3%A9", "405 Method Not Allowed"],
      ["GET", "/api//v1.0/predictions", "404 Not Found"], // the static route takes GET first
      ["GET", "/api/v1.0//metadata", "404 Not Found"],
    ];
    for (const [method, target, info] of cases) {
      const a = await ask(method, target);
      assertEquals(a.status, "HTTP/1.1 500 Internal Server Error", `${method} ${target}`);
      assertEquals(JSON.parse(a.body).status.info.slice(0, info.length), info);
      assert(!a.headers.has("location"));
    }
    const options = await ask("OPTIONS", "/api//v1.0/predictions");
    assertEquals(options.status, "HTTP/1.1 200 OK");
    assertEquals(options.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
    const ping = await ask("OPTIONS", "/health//ping");
    assertEquals(ping.headers.get("allow"), "GET, HEAD, OPTIONS");
    // The metrics port has no route but GET: no redirect there.
    const metrics = splitAnswer(
      await send(
        s.running.metricsPort!,
        "POST /metrics// HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
      ),
    );
    assertEquals(metrics.status, "HTTP/1.1 405 Method Not Allowed");
  }));

Deno.test("rest: the redirect's scheme and host are gunicorn's and werkzeug's", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = Number(new URL(s.url).port);
    const ask = asker(port);
    const P = "/api//v1.0/predictions";
    const locations: [string, string][] = [
      ["Host: example.com:80\r\n", "http://example.com"],
      ["Host: [::1]:8080\r\n", "http://[::1]:8080"],
      ["Host: \r\n", "http://"],
      ["Host: B\xfccher.example:8080\r\n", "http://xn--bcher-kva.example:8080"],
      ["Host: h\r\nX-Forwarded-Proto: https\r\n", "https://h"],
      ["Host: h:443\r\nX-Forwarded-Ssl: on\r\n", "https://h"],
      ["Host: h:443\r\nX-Forwarded-Proto: http\r\n", "http://h:443"],
    ];
    for (const [headers, origin] of locations) {
      const a = await ask("POST", P, headers);
      assertEquals(a.headers.get("location"), `${origin}/api/v1.0/predictions`, headers);
    }
    // An absolute-form target: the Host header still names the host.
    const absolute = await ask("POST", `http://other.example:99${P}?q=1`, "Host: h\r\n");
    assertEquals(absolute.headers.get("location"), "http://h/api/v1.0/predictions?q=1");
    // HTTP/1.0 without Host: the listener's address.
    const bare = splitAnswer(
      await send(port, `POST ${P} HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}`),
    );
    assertEquals(bare.headers.get("location"), `http://127.0.0.1:${port}/api/v1.0/predictions`);
    // A websocket upgrade matches no (non-websocket) rule: no redirect. (With a body, Deno's
    // parser refuses the upgrade itself.)
    const ws = splitAnswer(
      await send(
        port,
        `DELETE ${P} HTTP/1.1\r\nHost: h\r\nConnection: close, Upgrade\r\n` +
          "Upgrade: websocket\r\n\r\n",
      ),
    );
    assertEquals(ws.status, "HTTP/1.1 500 Internal Server Error");
    assertEquals(JSON.parse(ws.body).status.info.slice(0, 22), "405 Method Not Allowed");
  }));

Deno.test("rest: under --debug (Flask's server) the forwarded scheme headers are not read", () =>
  withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const ask = asker(Number(new URL(s.url).port));
      const a = await ask(
        "POST",
        "/api//v1.0/predictions",
        "Host: h\r\nX-Forwarded-Proto: https\r\n",
      );
      assertEquals(a.headers.get("location"), "http://h/api/v1.0/predictions");
    },
    {},
    { debug: true },
  ));

Deno.test("idna: host names as Python's idna codec encodes them for werkzeug", () => {
  // Expected values from `b".".join(p.encode("idna") for p in host.split("."))` (Python 3.11).
  const expected: [string, string | undefined][] = [
    ["h\u00e9:8080", "xn--h:8080-bva"],
    ["b\u00fccher.example", "xn--bcher-kva.example"],
    ["stra\u00dfe.de", "strasse.de"],
    ["a\u00ad\u00e9", "xn--a-bga"],
    ["\u00aab.\u00bd", "ab.xn--12-c6t"],
    ["m\u00fcnchen.de:99", "xn--mnchen-3ya.de:99"],
    ["\u00fc".repeat(30), "xn--tdaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    ["\u00e3\u00e4\u00a9", "xn--gba9id"],
    ["a..b", "a..b"],
    ["\u00e9".repeat(70), undefined],
    ["x\u0085y", undefined],
    ["xn--\u00e9", undefined],
  ];
  for (const [host, ascii] of expected) assertEquals(encodeIdnaHost(host), ascii, host);
});
