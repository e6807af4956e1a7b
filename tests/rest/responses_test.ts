/**
 * Regression tests from the REST transport audit (server.md §2, §3, §5): response encoding,
 * multipart edge cases, aggregate containers and CORS preflight details, each against a real
 * server on an ephemeral loopback port.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { SeldonMicroserviceException } from "../../mod.ts";

const JSON_TYPE = { "content-type": "application/json" };

Deno.test("audit rest: JSON keys sorted at every level (raw result, metadata, tags)", async () => {
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

Deno.test("audit rest: FLASK_JSON_SORT_KEYS=false keeps the hook's key order", () =>
  withServer({ predictRaw: () => ({ z: 1, a: 2 }) }, async (s) => {
    const r = await s.post("/predict", {});
    assertEquals(r.text, '{"z":1,"a":2}\n');
  }, { FLASK_JSON_SORT_KEYS: "false" }));

Deno.test("audit rest: a raw hook that returns nothing answers JSON null (jsonify(None))", () =>
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

Deno.test("audit rest: multipart edge cases (malformed → {}, first repeat wins, bad UTF-8)", () =>
  withServer({ predictRaw: (m: unknown) => ({ jsonData: m }) }, async (s) => {
    for (const contentType of ["multipart/form-data", "multipart/form-data; boundary=XYZ"]) {
      const r = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": contentType },
        body: "garbage",
      });
      assertEquals([r.status, r.text], [200, '{"jsonData":{}}\n']);
    }
    const form = new FormData();
    form.append("meta", '{"puid":"1"}');
    form.append("meta", '{"puid":"2"}');
    form.append("strData", new Blob(["first"]), "a.txt");
    form.append("strData", new Blob(["second"]), "b.txt");
    const dup = await s.fetch("/predict", { method: "POST", body: form });
    assertEquals(dup.json, { jsonData: { meta: { puid: "1" }, strData: "first" } });
    const bad = new FormData();
    bad.append("strData", new Blob([new Uint8Array([0xff, 0xfe])]), "x.txt");
    const r = await s.fetch("/predict", { method: "POST", body: bad });
    assertEquals(r.status, 500);
    assertEquals(r.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
  }));

Deno.test("audit rest: multipart without a usable body reaches the high-level path as {}", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "x",
    });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.info, "Invalid request data type: {}");
  }));

Deno.test("audit rest: aggregate on a JSON scalar is upstream's TypeError (500)", () =>
  withServer({ aggregate: (Xs: unknown[]) => Xs[0] }, async (s) => {
    const cases: [string, string][] = [
      ["5", "argument of type 'int' is not iterable"],
      ["1.5", "argument of type 'float' is not iterable"],
      ["true", "argument of type 'bool' is not iterable"],
      ['"no seldonMessages here"', "string indices must be integers"],
    ];
    for (const [body, info] of cases) {
      const r = await s.post("/aggregate", body);
      assertEquals(r.status, 500, body);
      assertEquals(
        r.text,
        JSON.stringify({
          status: { code: -1, info, reason: "MICROSERVICE_INTERNAL_ERROR", status: 1 },
        }) + "\n",
      );
    }
    const nul = await s.get("/aggregate?json=null");
    assertEquals([nul.status, nul.json.status.info], [
      500,
      "argument of type 'NoneType' is not iterable",
    ]);
    const str = await s.post("/aggregate", '"abc"', JSON_TYPE);
    assertEquals([str.status, str.json.status.info], [400, "Invalid request data type: abc"]);
  }));

Deno.test("audit rest: preflight sorts requested headers; unknown method is not a preflight", () =>
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

Deno.test("audit rest: an error thrown by modelErrorHandler is a generic 500 (§5.4)", async () => {
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
