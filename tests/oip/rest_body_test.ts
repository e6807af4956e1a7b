/**
 * V2 REST request bodies over loopback: the size limit (413 with the V2 error body) and
 * compressed bodies (`Content-Encoding: gzip` / `deflate`, as tritonclient's
 * `request_compression_algorithm` sends them), the limit applying to the decompressed size.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";

const model = { predict: (X: NDArray) => X };
const URL_INFER = "/v2/models/m/infer";
const OK = { inputs: [{ name: "x", datatype: "INT32", shape: [2], data: [1, 2] }] };

/** A request of `n` INT32 ones (about 2·n bytes of JSON). */
function ones(n: number): string {
  return JSON.stringify({
    inputs: [{ name: "x", datatype: "INT32", shape: [n], data: new Array(n).fill(1) }],
  });
}

/** `body` sent as a stream: chunked, no `content-length`. */
function chunked(body: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(body);
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += 1000) c.enqueue(bytes.slice(i, i + 1000));
      c.close();
    },
  });
}

Deno.test("V2 REST: a body over --max-body-size is 413 with the V2 error body, declared or chunked", async () => {
  await withServer(
    model,
    async (s) => {
      const declared = await s.post(URL_INFER, ones(5000));
      assertEquals(declared.status, 413, declared.text);
      assertEquals(declared.headers.get("content-type"), "application/json");
      assertEquals(declared.json, {
        error: "the request body is larger than the server's limit of 1000 bytes",
      });
      const streamed = await s.fetch(URL_INFER, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunked(ones(5000)),
      });
      assertEquals(streamed.status, 413, streamed.text);
      assertEquals(typeof streamed.json.error, "string");
      assertEquals((await s.post(URL_INFER, OK)).status, 200);
      // Seldon v1 keeps upstream's answer (werkzeug's 413 text through the catch-all 500).
      const v1 = await s.post("/api/v1.0/predictions", { data: { ndarray: new Array(900) } });
      assertEquals(v1.status, 500);
      assert(v1.json.status.info.startsWith("413 Request Entity Too Large"), v1.text);
    },
    {},
    { modelName: "m", maxBodySize: 1000 },
  );
});

/** `text` compressed as `format` (the platform's CompressionStream). */
async function compress(
  text: string | Uint8Array,
  format: CompressionFormat,
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function postEncoded(s: { url: string }, coding: string, body: BodyInit) {
  return fetch(s.url + URL_INFER, {
    method: "POST",
    headers: { "content-type": "application/json", "content-encoding": coding },
    body,
  });
}

const ANSWER = {
  model_name: "m",
  outputs: [{ name: "output-0", datatype: "INT32", shape: [2], data: [1, 2] }],
};

Deno.test("V2 REST: gzip and deflate request bodies are decompressed; identity is the body as is", async () => {
  await withServer(
    model,
    async (s) => {
      const text = JSON.stringify(OK);
      for (
        const [coding, body] of [
          ["gzip", await compress(text, "gzip")],
          ["x-gzip", await compress(text, "gzip")],
          ["GZip", await compress(text, "gzip")],
          ["deflate", await compress(text, "deflate")],
          ["identity", text],
          [" gzip ", await compress(text, "gzip")],
        ] as const
      ) {
        const res = await postEncoded(s, coding, body);
        const answer = await res.text();
        assertEquals(res.status, 200, `${coding}: ${answer}`);
        assertEquals(JSON.parse(answer), ANSWER, coding);
        // Answers are not compressed (tritonclient reads either).
        assertEquals(res.headers.get("content-encoding"), null);
      }
      // A chunked compressed body (no content-length) too.
      const gz = await compress(text, "gzip");
      const streamed = await postEncoded(
        s,
        "gzip",
        new ReadableStream({
          start(c) {
            for (let i = 0; i < gz.length; i += 7) c.enqueue(gz.slice(i, i + 7));
            c.close();
          },
        }),
      );
      assertEquals([streamed.status, await streamed.json()], [200, ANSWER]);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: a compressed binary-extension body: Inference-Header-Content-Length counts the decompressed JSON", async () => {
  const echo = {
    infer: (r: { inputs: { name: string; data: unknown }[] }) => ({
      outputs: r.inputs.map((i) => ({ name: i.name, data: i.data })),
    }),
  };
  await withServer(
    echo as never,
    async (s) => {
      const header = new TextEncoder().encode(JSON.stringify({
        inputs: [{ name: "f", datatype: "FP32", shape: [3], parameters: { binary_data_size: 12 } }],
        outputs: [{ name: "f", parameters: { binary_data: true } }],
      }));
      const floats = new Uint8Array(new Float32Array([1.5, -2, 1e6]).buffer);
      const plain = new Uint8Array(header.length + floats.length);
      plain.set(header);
      plain.set(floats, header.length);
      const res = await fetch(s.url + URL_INFER, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          "content-encoding": "gzip",
          "inference-header-content-length": String(header.length),
        },
        body: await compress(plain, "gzip"),
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assertEquals(res.status, 200, new TextDecoder().decode(bytes));
      const n = Number(res.headers.get("inference-header-content-length"));
      assertEquals(JSON.parse(new TextDecoder().decode(bytes.subarray(0, n))).outputs, [
        { name: "f", datatype: "FP32", shape: [3], parameters: { binary_data_size: 12 } },
      ]);
      assertEquals([...bytes.subarray(n)], [...floats]);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: an unknown content coding is 415 naming the ones accepted; a corrupt one 400", async () => {
  await withServer(
    model,
    async (s) => {
      const text = JSON.stringify(OK);
      for (const coding of ["br", "zstd", "gzip, gzip", "compress", "gzip;q=1"]) {
        const res = await postEncoded(s, coding, text);
        const body = await res.json();
        assertEquals(res.status, 415, `${coding}: ${JSON.stringify(body)}`);
        assertEquals(res.headers.get("accept-encoding"), "gzip, deflate");
        assert(typeof body.error === "string" && body.error.includes("gzip"), body.error);
      }
      for (const coding of ["gzip", "deflate"]) {
        const res = await postEncoded(s, coding, text); // not compressed at all
        const body = await res.json();
        assertEquals(res.status, 400, `${coding}: ${JSON.stringify(body)}`);
        assert(body.error.includes(coding), body.error);
      }
      const gz = await compress(text, "gzip");
      const cut = await postEncoded(s, "gzip", gz.slice(0, gz.length - 6));
      assertEquals(cut.status, 400, await cut.text());
      assertEquals((await postEncoded(s, "gzip", gz)).status, 200);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: --max-body-size bounds the decompressed body; a compression bomb is a quick 413", async () => {
  const limit = 2 * 1024 * 1024;
  await withServer(
    model,
    async (s) => {
      // Just under and just over the limit once decompressed (the compressed bodies are small).
      const under = ones(Math.floor((limit - 100) / 2));
      assert(under.length <= limit && under.length > limit - 200, `${under.length}`);
      assertEquals((await postEncoded(s, "gzip", await compress(under, "gzip"))).status, 200);
      const over = ones(Math.floor(limit / 2) + 10);
      const refused = await postEncoded(s, "gzip", await compress(over, "gzip"));
      assertEquals(refused.status, 413);
      assertEquals(await refused.json(), {
        error: `the request body is larger than the server's limit of ${limit} bytes`,
      });
      // 256 MiB of zeros in ~250 KiB of deflate: refused at once, without inflating it all.
      const bomb = await compress(new Uint8Array(1 << 28), "deflate");
      assert(bomb.length < limit, `${bomb.length}`);
      const rss = Deno.memoryUsage().rss;
      const t = performance.now();
      const res = await postEncoded(s, "deflate", bomb);
      const body = await res.json();
      const ms = performance.now() - t;
      assertEquals(res.status, 413, JSON.stringify(body));
      assertEquals(typeof body.error, "string");
      assert(ms < 1000, `${ms} ms`);
      const grown = (Deno.memoryUsage().rss - rss) / 2 ** 20;
      assert(grown < 200, `RSS grew by ${grown.toFixed(0)} MiB`);
      assertEquals((await s.post(URL_INFER, OK)).status, 200);
    },
    {},
    { modelName: "m", maxBodySize: limit },
  );
});

Deno.test("V2 REST: Seldon v1 routes do not decompress (as upstream Flask): a gzip body is no JSON", async () => {
  await withServer(model, async (s) => {
    const res = await fetch(s.url + "/api/v1.0/predictions", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: await compress(JSON.stringify({ data: { ndarray: [1] } }), "gzip"),
    });
    assertEquals(res.status, 400);
    assertEquals((await res.json()).status.info, "Can't find JSON in data");
  });
});
