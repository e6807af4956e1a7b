/**
 * REST wire details beyond the upstream catalogue, each checked against what Flask/werkzeug do
 * upstream (server.md §2, protocol.md §2–§4).
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";

Deno.test("rest: a string status.code from predict is read as werkzeug reads a status string", () =>
  withServer({ predictRaw: (msg: any) => msg.jsonData }, async (s) => {
    for (
      const [code, http] of [
        ["422", 422],
        [" 409 ", 409],
        ["418 I am odd", 418],
        ["abc", 500],
        ["", 500],
        ["+422", 500],
        ["204", 500],
      ] as const
    ) {
      const body = { status: { code }, x: 1 };
      const r = await s.post("/api/v1.0/predictions", { jsonData: body });
      assertEquals(r.status, http, JSON.stringify(code));
      assertEquals(r.json, body);
    }
  }));

Deno.test("rest: a json parameter starting with a BOM is json.loads' BOM error (500); a body's BOM is read", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const q = await s.fetch("/predict?json=%EF%BB%BF%7B%22strData%22%3A%22x%22%7D");
    assertEquals(q.status, 500);
    assertEquals(q.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
    assertEquals(
      q.json.status.info,
      "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)",
    );
    const text = new TextEncoder().encode('{"strData":"x"}');
    const b = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0xef, 0xbb, 0xbf, ...text]),
    });
    assertEquals([b.status, b.text], [200, '{"meta":{},"strData":"x"}\n']);
  }));
