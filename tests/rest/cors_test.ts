/** CORS as Flask-CORS adds it (server.md §2.5), on successes, errors and OPTIONS. */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";

const model = { predict: (X: unknown) => X };

Deno.test("cors: origin echoed with Vary, else *; also on errors", () =>
  withServer(model, async (s) => {
    const plain = await s.get("/predict", { data: { ndarray: [1] } });
    assertEquals(plain.headers.get("access-control-allow-origin"), "*");
    assertEquals(plain.headers.get("vary"), null);
    const withOrigin = await s.fetch("/predict?json=%7B%7D", {
      headers: { origin: "https://app.example" },
    });
    assertEquals(withOrigin.status, 400);
    assertEquals(withOrigin.headers.get("access-control-allow-origin"), "https://app.example");
    assertEquals(withOrigin.headers.get("vary"), "Origin");
    assertEquals(withOrigin.headers.get("access-control-allow-credentials"), null);
    const unknown = await s.fetch("/nope", { headers: { origin: "https://x" } });
    assertEquals(unknown.headers.get("access-control-allow-origin"), "https://x");
    const ping = await s.fetch("/health/ping");
    assertEquals(ping.headers.get("access-control-allow-origin"), "*");
  }));

Deno.test("cors: preflight and plain OPTIONS", () =>
  withServer(model, async (s) => {
    const pre = await s.fetch("/api/v1.0/predictions", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-trace",
      },
    });
    assertEquals(pre.status, 200);
    assertEquals(pre.text, "");
    assertEquals(pre.headers.get("access-control-allow-origin"), "https://app.example");
    assertEquals(
      pre.headers.get("access-control-allow-methods"),
      "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
    );
    assertEquals(pre.headers.get("access-control-allow-headers"), "content-type, x-trace");
    assertEquals(pre.headers.get("allow")?.includes("POST"), true);
    const plain = await s.fetch("/predict", { method: "OPTIONS" });
    assertEquals(plain.status, 200);
    assertEquals(plain.headers.get("access-control-allow-methods"), null);
    assertEquals(plain.headers.get("access-control-allow-origin"), "*");
    assertEquals(plain.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
  }));

Deno.test("rest: HEAD on a GET route answers like GET without a body", () =>
  withServer(model, async (s) => {
    const head = await s.fetch("/health/ping", { method: "HEAD" });
    assertEquals(head.status, 200);
    assertEquals(head.text, "");
  }));

Deno.test("cors: preflight sorts requested headers; unknown method is not a preflight", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const pre = await s.fetch("/predict", {
      method: "OPTIONS",
      headers: {
        origin: "https://a",
        "access-control-request-method": "post",
        "access-control-request-headers": "x-b,  content-type ,X-A",
      },
    });
    assertEquals(pre.status, 200);
    assertEquals(pre.headers.get("access-control-allow-headers"), "X-A, content-type, x-b");
    assertEquals(
      pre.headers.get("access-control-allow-methods"),
      "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
    );
    const odd = await s.fetch("/predict", {
      method: "OPTIONS",
      headers: { "access-control-request-method": "FETCH" },
    });
    assertEquals(odd.status, 200);
    assertEquals(odd.headers.get("access-control-allow-methods"), null);
    assertEquals(odd.headers.get("access-control-allow-origin"), "*");
  }));
