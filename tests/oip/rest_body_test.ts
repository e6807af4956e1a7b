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
