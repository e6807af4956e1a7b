/**
 * V2 REST error paths over loopback: every 400 of a malformed request or body, 404s and 405s,
 * the body limits, versions, invalid metadata — and the worker still answers afterwards.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { DataPlane } from "../../src/dataplane/dataplane.ts";
import { createHandler } from "../../src/rest/server.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";

const model = { predict: (X: NDArray) => X };
const URL_INFER = "/v2/models/m/infer";
const OK = { inputs: [{ name: "x", datatype: "INT32", shape: [2], data: [1, 2] }] };

function binaryPost(url: string, header: unknown, tail: Uint8Array, length?: string) {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(json.length + tail.length);
  body.set(json);
  body.set(tail, json.length);
  return fetch(url, {
    method: "POST",
    headers: { "inference-header-content-length": length ?? String(json.length) },
    body,
  });
}

Deno.test("V2 REST: every malformed request is a 400 with an error message", async () => {
  await withServer(
    model,
    async (s) => {
      const bad: unknown[] = [
        "",
        "{",
        "null",
        "[]",
        '"text"',
        {},
        { inputs: {} },
        { inputs: [1] },
        { inputs: [{ datatype: "INT32", shape: [1], data: [1] }] },
        { inputs: [{ name: "x", datatype: "INT33", shape: [1], data: [1] }] },
        { inputs: [{ name: "x", datatype: "INT32", shape: [3], data: [1, 2] }] },
        { inputs: [{ name: "x", datatype: "INT32", shape: [1e9, 1e9], data: [1] }] },
        { inputs: [{ name: "x", datatype: "INT32", shape: [-1], data: [1] }] },
        { inputs: [{ name: "x", datatype: "INT32", shape: [1], data: ["a"] }] },
        { inputs: [{ name: "x", datatype: "INT8", shape: [1], data: [300] }] },
        { inputs: [{ name: "x", datatype: "INT32", shape: [1] }] },
        { inputs: [{ name: "x", datatype: "INT32", shape: [2], data: [[1], [2, 3]] }] },
        { inputs: [{ name: "x", datatype: "INT32", shape: [1], data: [1], parameters: [] }] },
        { ...OK, outputs: [{ name: "nope" }, { name: "other" }] },
        { inputs: [...OK.inputs, { ...OK.inputs[0], name: "y" }] }, // two inputs, no infer
        { inputs: [] },
      ];
      for (const body of bad) {
        const r = await s.post(URL_INFER, typeof body === "string" ? body : JSON.stringify(body));
        assertEquals(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${r.text}`);
        assertEquals(typeof r.json?.error, "string", r.text);
      }
      const two = await s.post(URL_INFER, bad[19]);
      assertEquals(two.json.error.includes("infer"), true, two.json.error);
      // Invalid UTF-8, deep nesting: 400, never a crash.
      const binary = await s.fetch(URL_INFER, {
        method: "POST",
        body: new Uint8Array([0xff, 0xfe]),
      });
      assertEquals(binary.status, 400);
      const deep = "[".repeat(100_000) + "]".repeat(100_000);
      const nested = await s.post(
        URL_INFER,
        `{"inputs":[{"name":"x","datatype":"INT32","shape":[1],"data":${deep}}]}`,
      );
      assertEquals(nested.status, 400, nested.text);
      assertEquals((await s.post(URL_INFER, OK)).status, 200);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: binary bodies with a bad header length or byte count are 400", async () => {
  await withServer(
    model,
    async (s) => {
      const header = {
        inputs: [{ name: "x", datatype: "INT32", shape: [2], parameters: { binary_data_size: 8 } }],
      };
      const url = s.url + URL_INFER;
      const eight = new Uint8Array(8);
      for (
        const [tail, length] of [
          [eight, "abc"],
          [eight, "-1"],
          [eight, "100000"],
          [new Uint8Array(7), undefined],
          [new Uint8Array(9), undefined],
        ] as const
      ) {
        const r = await binaryPost(url, header, tail, length);
        const text = await r.text();
        assertEquals(r.status, 400, `${length} ${tail.length}: ${text}`);
        assertEquals(typeof JSON.parse(text).error, "string");
      }
      const good = await binaryPost(url, header, eight);
      assertEquals(good.status, 200, await good.text());
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: unknown model, version, path and method; HEAD and OPTIONS", async () => {
  await withServer(
    model,
    async (s) => {
      for (const path of ["/v2/models/x", "/v2/models/x/ready", "/v2/models/m/versions/9"]) {
        const r = await s.get(path);
        assertEquals(r.status, 404, path);
        assertEquals(typeof r.json.error, "string");
      }
      assertEquals((await s.post("/v2/models/m/versions/9/infer", OK)).status, 404);
      assertEquals((await s.post("/v2/models/m/versions/2/infer", OK)).json.model_version, "2");
      assertEquals((await s.post(URL_INFER, OK)).json.model_version, "1");
      assertEquals((await s.get("/v2/models/m/versions/1")).json.versions, ["1", "2"]);
      assertEquals((await s.get("/v2/models/m/versions/2/ready")).json.ready, true);
      for (const path of ["/v2/x", "/v2/models", "/v2/models/m/other", "/v2/health"]) {
        assertEquals((await s.get(path)).status, 404, path);
      }
      // A 405 names the methods the route has (RFC 9110 §15.5.6), as its OPTIONS answer does.
      const wrongGet = await s.get(URL_INFER);
      assertEquals([wrongGet.status, wrongGet.headers.get("allow")], [405, "OPTIONS, POST"]);
      const wrongPost = await s.post("/v2/health/live", {});
      assertEquals([wrongPost.status, wrongPost.headers.get("allow")], [405, "GET, HEAD, OPTIONS"]);
      assertEquals(wrongPost.json, { error: "Method Not Allowed" });
      assertEquals((await s.get("/v2/nothing")).headers.get("allow"), null);
      const head = await s.fetch("/v2/health/ready", { method: "HEAD" });
      assertEquals(head.status, 200);
      const options = await s.fetch(URL_INFER, { method: "OPTIONS" });
      assertEquals([options.status, options.headers.get("allow")], [200, "OPTIONS, POST"]);
    },
    { MODEL_METADATA: '{"versions": ["1", "2"]}' },
    { modelName: "m" },
  );
});

Deno.test("V2 REST: invalid model metadata is a 500 on the metadata route only", async () => {
  await withServer(
    model,
    async (s) => {
      const r = await s.get("/v2/models/m");
      assertEquals(r.status, 500);
      assertEquals(typeof r.json.error, "string");
      assertEquals((await s.post(URL_INFER, OK)).status, 200);
    },
    { MODEL_METADATA: '{"versions": "1"}' },
    { modelName: "m" },
  );
});

Deno.test("V2 REST: bodies over --max-body-size are refused, the worker goes on", async () => {
  await withServer(
    model,
    async (s) => {
      const big = JSON.stringify({
        inputs: [{ name: "x", datatype: "INT32", shape: [5000], data: new Array(5000).fill(1) }],
      });
      const r = await s.post(URL_INFER, big);
      assertEquals(r.status >= 400, true);
      assertEquals(typeof r.json.error, "string");
      assertEquals((await s.post(URL_INFER, OK)).status, 200);
    },
    {},
    { modelName: "m", maxBodySize: 1000 },
  );
});

Deno.test("V2 REST: a stalled body gets a 408 within --body-timeout and the connection closes", async () => {
  const plane = await DataPlane.create({ predict: (X: unknown) => X }, {
    includeMetrics: true,
    executorEnabled: true,
    modelName: "m",
  });
  const handle = createHandler(plane, {
    port: 0,
    hostname: "",
    maxBodySize: 1 << 20,
    bodyTimeoutMs: 300,
    payloadPassthrough: false,
    concurrency: 1,
    json: { pretty: false, ascii: true },
  });
  let cancelled = false;
  const stalled = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new TextEncoder().encode('{"inputs":')),
    cancel: () => {
      cancelled = true;
    },
  });
  const t = performance.now();
  const res = await handle(
    new Request("http://127.0.0.1/v2/models/m/infer", { method: "POST", body: stalled }),
  );
  const elapsed = performance.now() - t;
  assertEquals(res.status, 408);
  assertEquals(res.headers.get("connection"), "close");
  assertEquals(typeof (await res.json()).error, "string");
  assert(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);
  assert(cancelled, "the body stream was cancelled");
});

Deno.test("V2 REST: an error text repeating a huge part of the request is cut at 16 KiB and marked", async () => {
  await withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const big = "x".repeat(1_000_000);
      const deep = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
      const cases: [string, string][] = [
        [
          `{"inputs":[{"name":"x","datatype":"${big}","shape":[1],"data":[1]}]}`,
          "input 'x': unsupported datatype",
        ],
        [
          `{"inputs":[{"name":"x","datatype":${deep},"shape":[1],"data":[1]}]}`,
          "input 'x': unsupported datatype",
        ],
        [
          `{"inputs":[{"name":"x","datatype":"FP32","shape":[${deep}],"data":[1]}]}`,
          "input 'x': shape",
        ],
        [`{"inputs":[{"name":"${big}","datatype":"FP32","shape":[2],"data":[1]}]}`, "input 'xxx"],
      ];
      for (const [body, start] of cases) {
        const r = await s.post("/v2/models/m/infer", body);
        assertEquals(r.status, 400);
        const error: string = r.json.error;
        assertEquals(error.startsWith(start), true, error.slice(0, 80));
        assertEquals(/ \.\.\. \[truncated, \d+ characters\]$/.test(error), true, error.slice(-80));
        assertEquals(error.length < 16 * 1024 + 64, true, `${error.length}`);
      }
      // A short text is untouched.
      const short = await s.post(
        "/v2/models/m/infer",
        `{"inputs":[{"name":"x","datatype":"FP8","shape":[1],"data":[1]}]}`,
      );
      assertEquals(
        short.json.error.startsWith(`input 'x': unsupported datatype "FP8" (BOOL,`),
        true,
      );
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: an output requested twice is a 400, as an input given twice is (no answer repeating the tensor)", async () => {
  await withServer(
    model,
    async (s) => {
      const x = { name: "x", datatype: "FP32", shape: [1000], data: new Array(1000).fill(1.5) };
      for (const parameters of [undefined, { binary_data: true }]) {
        const output = parameters === undefined
          ? { name: "output-0" }
          : { name: "output-0", parameters };
        const r = await s.post(URL_INFER, { inputs: [x], outputs: new Array(1000).fill(output) });
        assertEquals(r.status, 400);
        assertEquals(r.json, { error: "requested output 'output-0' is given twice" });
      }
      const once = await s.post(URL_INFER, { inputs: [x], outputs: [{ name: "output-0" }] });
      assertEquals(once.status, 200);
      assertEquals(once.json.outputs.length, 1);
    },
    {},
    { modelName: "m" },
  );
});
