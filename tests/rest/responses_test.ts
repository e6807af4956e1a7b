/**
 * How a REST answer is written (server.md §2.2, §5.4): JSON keys sorted at every level unless
 * `FLASK_JSON_SORT_KEYS=false`, `null` for a raw hook that returns nothing, and the generic 500
 * when `modelErrorHandler` itself throws, a Content-Length with the access log on; each against a
 * real server on an ephemeral port.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { startTestServer, withServer } from "../_helpers/server.ts";
import { SeldonMicroserviceException } from "../../mod.ts";

Deno.test("rest: JSON keys sorted at every level (raw result, metadata, tags)", async () => {
  const model = {
    predictRaw: () => ({ strData: "x", jsonData: { z: 1, a: [{ d: 1, c: 2 }] } }),
    transformInput: (X: unknown) => X,
    tags: () => ({ zeta: 1, alpha: 2 }),
  };
  await withServer(model, async (s) => {
    const raw = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals(raw.status, 200);
    assertEquals(raw.text, '{"jsonData":{"a":[{"c":2,"d":1}],"z":1},"strData":"x"}\n');
    const meta = await s.fetch("/metadata");
    assertEquals(
      meta.text,
      '{"custom":{},"inputs":[],"name":"","outputs":[],"platform":"","versions":[""]}\n',
    );
    const ti = await s.post("/transform-input", {
      data: { ndarray: [1] },
      meta: { tags: { m: 1, b: 2 } },
    });
    assertEquals(
      ti.text,
      '{"data":{"names":[],"ndarray":[1]},"meta":{"tags":{"alpha":2,"b":2,"m":1,"zeta":1}}}\n',
    );
  });
});

Deno.test("rest: FLASK_JSON_SORT_KEYS=false keeps the hook's key order", () =>
  withServer({ predictRaw: () => ({ z: 1, a: 2 }) }, async (s) => {
    const r = await s.post("/predict", {});
    assertEquals(r.text, '{"z":1,"a":2}\n');
  }, { FLASK_JSON_SORT_KEYS: "false" }));

Deno.test("rest: a raw hook that returns nothing answers JSON null (jsonify(None))", () =>
  withServer({ predictRaw: () => undefined, healthStatusRaw: () => undefined }, async (s) => {
    const p = await s.post("/predict", {});
    assertEquals([p.status, p.text, p.headers.get("content-type")], [
      200,
      "null\n",
      "application/json",
    ]);
    const h = await s.fetch("/health/status");
    assertEquals([h.status, h.text], [200, "null\n"]);
  }));

Deno.test("rest: an error thrown by modelErrorHandler is a generic 500 (§5.4)", async () => {
  const model = {
    predict: () => {
      throw new RangeError("model failed");
    },
    modelErrorHandler: () => {
      throw new SeldonMicroserviceException("handler failed", { statusCode: 418 });
    },
  };
  await withServer(model, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals(r.status, 500);
    assertEquals(r.json, {
      status: {
        code: -1,
        info: "handler failed",
        reason: "MICROSERVICE_INTERNAL_ERROR",
        status: 1,
      },
    });
  });
});

Deno.test("rest: with the access log on (--access-log, --debug) answers keep their Content-Length", async () => {
  const s = await startTestServer({ predict: (X: unknown) => X }, {}, { accessLog: true });
  try {
    const r = await s.post("/predict", { strData: "hi" });
    assertEquals(r.text, '{"meta":{},"strData":"hi"}\n');
    assertEquals(r.headers.get("content-length"), String(r.text.length));
    const ping = await s.get("/health/ping");
    assertEquals([ping.text, ping.headers.get("content-length")], ["pong", "4"]);
    const v2 = await s.get("/v2/health/live");
    assertEquals(v2.headers.get("content-length"), String(v2.text.length));
  } finally {
    await s.close();
  }
});
