/**
 * How a request target becomes the path werkzeug matches, as upstream's gunicorn reads it:
 * percent-decoded (on the metrics port too), and an authority-form `CONNECT host:port` a path
 * other than the root (405, not 404). Checked against gunicorn 20.1.0 / werkzeug 2.2.2.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { splitTarget } from "../../src/http/target.ts";
import { exchange, splitAnswer } from "../_helpers/raw_http.ts";

/** Sends `request` on a fresh connection; the status line and the body. */
async function statusAndBody(port: number, request: string): Promise<[string, string]> {
  const { status, body } = splitAnswer(await exchange(port, request));
  return [status, body];
}

const CONNECT = "CONNECT x:80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

Deno.test("rest: CONNECT host:port is an unknown non-root path: 405 on both HTTP ports", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const [status, body] = await statusAndBody(Number(new URL(s.url).port), CONNECT);
    assertEquals(status, "HTTP/1.1 500 Internal Server Error");
    assertEquals(JSON.parse(body).status.info.slice(0, 22), "405 Method Not Allowed");
    const [metrics, page] = await statusAndBody(s.running.metricsPort!, CONNECT);
    assertEquals(metrics, "HTTP/1.1 405 Method Not Allowed");
    assert(page.includes("<title>405 Method Not Allowed</title>"), page);
  }));

Deno.test("metrics: the endpoint's path is matched percent-decoded, as werkzeug matches it", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = s.running.metricsPort!;
    for (const target of ["/metric%73", "/%6D%65trics", "//metric%73"]) {
      const res = await fetch(`http://127.0.0.1:${port}${target}`);
      await res.body?.cancel();
      assertEquals(res.status, 200, target);
    }
    const post = await fetch(`http://127.0.0.1:${port}/metric%73`, { method: "POST" });
    await post.body?.cancel();
    assertEquals([post.status, post.headers.get("allow")], [405, "GET, HEAD, OPTIONS"]);
  }));

Deno.test("splitTarget: path decoded, query kept raw, authority form a non-root path", () => {
  assertEquals(splitTarget("http://h/a%2Fb?x=%41"), { path: "/a/b", search: "?x=%41" });
  assertEquals(splitTarget("http://h/a%FF"), { path: "/a%FF", search: "" });
  assertEquals(splitTarget("http://x:80"), { path: "/x:80", search: "" });
});
