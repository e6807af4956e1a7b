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
