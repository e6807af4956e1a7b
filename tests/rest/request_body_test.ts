/**
 * Where a REST request's document comes from (server.md §2.3, protocol.md §2.3): the `json`
 * query or form field, JSON and `+json` bodies, multipart forms, and upstream's errors when
 * none of them holds a usable document; each against a real server on an ephemeral port.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";

const INTERNAL = "MICROSERVICE_INTERNAL_ERROR";
const JSON_TYPE = { "content-type": "application/json" };
const identity = { predict: (X: unknown) => X };

Deno.test("rest: an invalid `json` parameter is a 500 with Python's json.loads text", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const query = await s.fetch("/predict?json=" + encodeURIComponent("{bad"));
    assertEquals(query.status, 500);
    assertEquals(
      query.text,
      '{"status":{"code":-1,"info":"Expecting property name enclosed in double quotes: ' +
        'line 1 column 2 (char 1)","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n',
    );
    const form = await s.fetch("/transform-input", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "json=" + encodeURIComponent('{"data":{"ndarray":[1,2}}'),
    });
    assertEquals([form.status, form.json.status.reason], [500, INTERNAL]);
    assertEquals(form.json.status.info, "Expecting ',' delimiter: line 1 column 24 (char 23)");
    const fd = new FormData();
    fd.set("data", "");
    const multipart = await s.fetch("/predict", { method: "POST", body: fd });
    assertEquals([multipart.status, multipart.json.status.reason], [500, INTERNAL]);
    assertEquals(multipart.json.status.info, "Expecting value: line 1 column 1 (char 0)");
  }));

Deno.test("rest: multipart edge cases (malformed → {}, first repeat wins, bad UTF-8)", () =>
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
    // Python's `file.read().decode("utf-8")` names the byte and its position.
    assertEquals(
      r.json.status.info,
      "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
    );
  }));

Deno.test("rest: forms are told by their media type as werkzeug reads it (any case, before `;`)", () =>
  withServer({ predictRaw: (m: unknown) => ({ jsonData: m }) }, async (s) => {
    const part =
      '--X\r\nContent-Disposition: form-data; name="meta"\r\n\r\n{"puid":"p"}\r\n--X--\r\n';
    for (const type of ["Multipart/Form-Data; boundary=X", "MULTIPART/FORM-DATA;boundary=X"]) {
      const r = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": type },
        body: part,
      });
      assertEquals([r.status, r.json], [200, { jsonData: { meta: { puid: "p" } } }], type);
    }
    const urlencoded = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "Application/X-WWW-Form-Urlencoded" },
      body: "json=%7B%22strData%22%3A%22x%22%7D",
    });
    assertEquals(urlencoded.json, { jsonData: { strData: "x" } });
    // Not a form: the media type is another one, whatever its parameters hold.
    for (
      const type of [
        "text/plain; x=multipart/form-data; boundary=X",
        "multipart/form-dataX; boundary=X",
        "application/x-www-form-urlencodedX",
      ]
    ) {
      const r = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": type },
        body: part,
      });
      assertEquals([r.status, r.json.status.info], [400, "Can't find JSON in data"], type);
    }
  }));

Deno.test("rest: multipart without a usable body reaches the high-level path as {}", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "x",
    });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.info, "Invalid request data type: {}");
  }));

Deno.test("rest: aggregate on a JSON scalar is upstream's TypeError (500)", () =>
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

Deno.test("rest: the request document from a urlencoded json field, a +json type, or the query", () =>
  withServer(identity, async (s) => {
    const doc = { data: { ndarray: [[1, 2]] } };
    const form = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ json: JSON.stringify(doc) }).toString(),
    });
    assertEquals(form.json.data.ndarray, [[1, 2]]);
    const vendor = await s.post("/predict", doc, {
      "content-type": "application/vnd.seldon+json; charset=utf-8",
    });
    assertEquals(vendor.json.data.ndarray, [[1, 2]]);
    // the query parameter wins over a JSON body
    const both = await s.fetch(`/predict?json=${encodeURIComponent('{"strData":"q"}')}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(doc),
    });
    assertEquals(both.json.strData, "q");
    // an empty json= is absent: the body is used
    const empty = await s.fetch("/predict?json=", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(doc),
    });
    assertEquals(empty.json.data.ndarray, [[1, 2]]);
    const number = await s.post("/predict", "3");
    assertEquals(number.json.status.info, "Invalid request data type: 3");
  }));

/** `text` in UTF-16 or UTF-32 of `endian` byte order, with `bom` first. */
function encodeWide(
  text: string,
  unit: 2 | 4,
  endian: "le" | "be",
  bom: boolean,
): Uint8Array<ArrayBuffer> {
  const points = [...(bom ? "\uFEFF" : "") + text].map((c) => c.codePointAt(0)!);
  const units = unit === 4 ? points : [...(bom ? "\uFEFF" : "") + text].flatMap((c) => {
    const p = c.codePointAt(0)!;
    return p < 0x10000 ? [p] : [0xd800 + ((p - 0x10000) >> 10), 0xdc00 + ((p - 0x10000) & 0x3ff)];
  });
  const out = new Uint8Array(units.length * unit);
  const view = new DataView(out.buffer);
  units.forEach((u, i) =>
    unit === 2
      ? view.setUint16(i * 2, u, endian === "le")
      : view.setUint32(i * 4, u, endian === "le")
  );
  return out;
}

Deno.test("rest: a JSON body in UTF-16 or UTF-32 is read as Python's json.loads reads bytes", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const doc = '{"strData":"h\u00e9 \u{1F600}"}';
    for (const unit of [2, 4] as const) {
      for (const endian of ["le", "be"] as const) {
        for (const bom of [true, false]) {
          const r = await s.fetch("/predict", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: encodeWide(doc, unit, endian, bom),
          });
          assertEquals(r.status, 200, `${unit} ${endian} ${bom}`);
          assertEquals(r.json, { meta: {}, strData: "h\u00e9 \u{1F600}" });
        }
      }
    }
    // Invalid UTF-16 (a lone high surrogate at the end) is still no JSON.
    const bad = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0x00, 0x7d, 0x00, 0x00, 0xd8]),
    });
    assertEquals(bad.status, 400);
  }));
