/**
 * Bad input always gets a clear error in the spec's error shape, and the server keeps serving.
 * One test per case; each checks that a good request still succeeds afterwards.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { NDArray } from "../../mod.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { parseParameters } from "../../src/config/parameters.ts";

const identity = {
  predict: (X: unknown) => X,
  route: (X: NDArray) => X.get(0),
};

async function stillServing(s: TestServer) {
  const r = await s.post("/api/v1.0/predictions", { data: { ndarray: [[1, 2]] } });
  assertEquals(r.status, 200);
  assertEquals(r.json.data.ndarray, [[1, 2]]);
}

function assertError(
  r: { status: number; json: any },
  status: number,
  reason: string,
  info?: string | RegExp,
) {
  assertEquals(r.status, status);
  assertEquals(Object.keys(r.json), ["status"]);
  assertEquals(r.json.status.code, -1);
  assertEquals(r.json.status.status, 1);
  assertEquals(r.json.status.reason, reason);
  if (typeof info === "string") assertEquals(r.json.status.info, info);
  else if (info) assert(info.test(r.json.status.info), r.json.status.info);
}

Deno.test("bad input: malformed JSON body → 400 Can't find JSON in data", () =>
  withServer(identity, async (s) => {
    const r = await s.post("/api/v1.0/predictions", '{"data": {"ndarray": [1, 2}');
    assertError(r, 400, "MICROSERVICE_BAD_DATA", "Can't find JSON in data");
    await stillServing(s);
  }));

Deno.test("bad input: wrong content type → 400", () =>
  withServer(identity, async (s) => {
    const r = await s.post("/api/v1.0/predictions", '{"data":{"ndarray":[1]}}', {
      "content-type": "text/plain",
    });
    assertError(r, 400, "MICROSERVICE_BAD_DATA", "Can't find JSON in data");
    await stillServing(s);
  }));

Deno.test("bad input: body that is not UTF-8 → 400", () =>
  withServer(identity, async (s) => {
    const body = new Uint8Array([
      0x7b,
      0x22,
      0x73,
      0x74,
      0x72,
      0x44,
      0x61,
      0x74,
      0x61,
      0x22,
      0x3a,
      0x22,
      0xff,
      0xfe,
      0x22,
      0x7d,
    ]);
    const r = await s.fetch("/api/v1.0/predictions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assertError(r, 400, "MICROSERVICE_BAD_DATA", "Can't find JSON in data");
    await stillServing(s);
  }));

Deno.test("bad input: JSON null body → 400", () =>
  withServer(identity, async (s) => {
    assertError(
      await s.post("/api/v1.0/predictions", "null"),
      400,
      "MICROSERVICE_BAD_DATA",
      "Can't find JSON in data",
    );
    await stillServing(s);
  }));

Deno.test("bad input: a request that is not an object → 400 with its Python rendering", () =>
  withServer(identity, async (s) => {
    assertError(
      await s.post("/predict", "[4, 5.0]"),
      400,
      "MICROSERVICE_BAD_DATA",
      "Invalid request data type: [4, 5.0]",
    );
    assertError(
      await s.post("/predict", '"hello"'),
      400,
      "MICROSERVICE_BAD_DATA",
      "Invalid request data type: hello",
    );
    assertError(
      await s.post("/predict", '{"msg":"it\'s","ok":true,"v":null,"x":[1.5,2.0,1e20,0.00001]}'),
      400,
      "MICROSERVICE_BAD_DATA",
      "Invalid request data type: {'msg': \"it's\", 'ok': True, 'v': None, 'x': [1.5, 2.0, 1e+20, 1e-05]}",
    );
    await stillServing(s);
  }));

Deno.test("bad input: invalid base64 binData → 500 with Python's texts", () =>
  withServer(identity, async (s) => {
    assertError(
      await s.post("/predict", { binData: "ab cde!" }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      "Invalid base64-encoded string: number of data characters (5) cannot be 1 more than a multiple of 4",
    );
    assertError(
      await s.post("/predict", { binData: "abc" }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      "Incorrect padding",
    );
    await stillServing(s);
  }));

Deno.test("bad input: tensor whose shape does not match its values → 500", () =>
  withServer(identity, async (s) => {
    assertError(
      await s.post("/predict", { data: { tensor: { shape: [2, 2], values: [1, 2, 3] } } }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      "cannot reshape array of size 3 into shape (2,2)",
    );
    // numpy names a second unknown dimension before it compares sizes.
    assertError(
      await s.post("/predict", { data: { tensor: { shape: [-1, -1], values: [1, 2, 3, 4] } } }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      "can only specify one unknown dimension",
    );
    assertError(
      await s.post("/predict", { data: { tensor: { shape: [3] } } }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      "'values'",
    );
    await stillServing(s);
  }));

function nested(depth: number): string {
  return "[".repeat(depth) + "1" + "]".repeat(depth);
}

Deno.test("bad input: nesting deeper than 32 levels → 500", () =>
  withServer(identity, async (s) => {
    const ok = await s.post("/predict", `{"data":{"ndarray":${nested(32)}}}`);
    assertEquals(ok.status, 200);
    assertError(
      await s.post("/predict", `{"data":{"ndarray":${nested(33)}}}`),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
    );
    await stillServing(s);
  }));

Deno.test("bad input: thousands of levels of nesting → clean error, server alive", () =>
  withServer(identity, async (s) => {
    for (const depth of [5_000, 100_000]) {
      const r = await s.post("/predict", `{"data":{"ndarray":${nested(depth)}}}`);
      assertEquals(r.status, 500);
      assertEquals(r.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
      const r2 = await s.post("/predict", `{"jsonData":${nested(depth)}}`);
      assert(r2.status === 200 || r2.status === 500, `status ${r2.status}`);
      const r3 = await s.post("/predict", nested(depth));
      assert(r3.status === 400 || r3.status === 500, `status ${r3.status}`);
      assert(typeof r3.json.status.info === "string");
    }
    await stillServing(s);
  }));

Deno.test("bad input: route returning a non-integer → 400", () =>
  withServer(identity, async (s) => {
    assertError(
      await s.post("/route", { data: { ndarray: [1.5] } }),
      400,
      "MICROSERVICE_BAD_DATA",
      "Routing response must be int but got 1.5",
    );
    assertError(
      await s.post("/route", { data: { ndarray: ["abc"] } }),
      400,
      "MICROSERVICE_BAD_DATA",
      "Routing response must be int but got abc",
    );
    const ok = await s.post("/route", { data: { ndarray: [3] } });
    assertEquals(ok.json.data.ndarray, [[3]]);
    await stillServing(s);
  }));

Deno.test("bad input: body over the size limit → 500 with werkzeug's 413 text", () =>
  withServer(
    identity,
    async (s) => {
      const big = JSON.stringify({ data: { ndarray: new Array(2000).fill(1) } });
      const r = await s.post("/predict", big);
      assertError(
        r,
        500,
        "MICROSERVICE_INTERNAL_ERROR",
        "413 Request Entity Too Large: The data value transmitted exceeds the capacity limit.",
      );
      const chunked = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      });
      const r2 = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunked,
      });
      assertEquals(r2.status, 500);
      await stillServing(s);
    },
    {},
    { maxBodySize: 1024 },
  ));

Deno.test("bad input: invalid json= query parameter → 500 (upstream quirk)", () =>
  withServer(identity, async (s) => {
    const r = await s.fetch("/predict?json=%7Bnot-json");
    assertError(r, 500, "MICROSERVICE_INTERNAL_ERROR");
    await stillServing(s);
  }));

Deno.test("bad input: unknown paths and methods answer in the Seldon error shape", () =>
  withServer(identity, async (s) => {
    const notFound =
      "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
    const notAllowed = "405 Method Not Allowed: The method is not allowed for the requested URL.";
    assertError(await s.fetch("/v9/things"), 500, "MICROSERVICE_INTERNAL_ERROR", notFound);
    assertError(
      await s.fetch("/api/v1.0/predictions"),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      notFound,
    );
    assertError(await s.fetch("/predict/"), 500, "MICROSERVICE_INTERNAL_ERROR", notFound);
    assertError(
      await s.fetch("/predict", { method: "PUT" }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      notAllowed,
    );
    assertError(
      await s.fetch("/metadata", { method: "POST" }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      notAllowed,
    );
    assertError(
      await s.fetch("/no-such-path", { method: "POST" }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      notAllowed,
    );
    assertError(
      await s.fetch("/models/3", { method: "DELETE" }),
      500,
      "MICROSERVICE_INTERNAL_ERROR",
      notAllowed,
    );
    const head = await s.fetch("/nowhere", { method: "HEAD" });
    assertEquals(head.status, 500);
    assertEquals(head.text, "");
    const options = await s.fetch("/nowhere", { method: "OPTIONS" });
    assertEquals(options.status, 200);
    await stillServing(s);
  }));

const BIG = "9007199254740993";

Deno.test("bad input: integers beyond 2^53 in jsonData and meta come back exactly", () =>
  withServer(identity, async (s) => {
    const body = `{"meta":{"tags":{"id":${BIG}}},"jsonData":{"n":${BIG},"list":[${BIG},-${BIG}]}}`;
    const r = await s.post("/predict", body);
    assertEquals(r.status, 200);
    assert(r.text.includes(`"n":${BIG}`), r.text);
    assert(r.text.includes(`"list":[${BIG},-${BIG}]`), r.text);
    assert(r.text.includes(`"id":${BIG}`), r.text);
    await stillServing(s);
  }));

Deno.test("bad input: INT parameters beyond 2^53 are exact", () => {
  const params = parseParameters(
    `[{"name":"n","value":"${BIG}","type":"INT"},{"name":"m","value":${BIG},"type":"INT"}]`,
  );
  assertEquals(params.n, BigInt(BIG));
  assertEquals(params.m, BigInt(BIG));
});

Deno.test("bad input: a hook returning an unsupported type → 400", () =>
  withServer({ predict: () => 7 }, async (s) => {
    assertError(
      await s.get("/predict", { data: { ndarray: [1] } }),
      400,
      "MICROSERVICE_BAD_DATA",
      "Unknown data type returned as payload (must be list or np array):7",
    );
    await s.get("/predict", { data: { ndarray: [1] } });
  }));

Deno.test("bad input: feedback with unknown field or wrong type → 400 Invalid JSON", () =>
  withServer(identity, async (s) => {
    const r = await s.post("/api/v1.0/feedback", { reward: "high" });
    assertError(
      r,
      400,
      "MICROSERVICE_BAD_DATA",
      "Invalid JSON: Failed to parse reward field: Couldn't parse float: high at Feedback.reward.",
    );
    const r2 = await s.post("/api/v1.0/feedback", { requestBAD: {} });
    assertError(
      r2,
      400,
      "MICROSERVICE_BAD_DATA",
      /^Invalid JSON: Message type "seldon.protos.Feedback" has no field named "requestBAD"/,
    );
    await stillServing(s);
  }));

Deno.test("bad input: shapes numpy refuses → 500 with its text; absurd sizes → 400, never echoed", () =>
  withServer(identity, async (s) => {
    const cases: [string, number, string][] = [
      ["[1e300, 0]", 500, "'float' object cannot be interpreted as an integer"],
      ["[2.5, 0]", 500, "'float' object cannot be interpreted as an integer"],
      ["[2.0, 0]", 500, "'float' object cannot be interpreted as an integer"],
      ['["2", 0]', 500, "'str' object cannot be interpreted as an integer"],
      ["[null, 0]", 500, "'NoneType' object cannot be interpreted as an integer"],
      ["[-5, 0]", 500, "cannot reshape array of size 0 into shape (0)"],
      ["[100000000000000000000, 0]", 400, "tensor shape (100000000000000000000,0) is too large"],
      ["[9007199254740992, 0]", 400, "tensor shape (9007199254740992,0) is too large"],
      [
        "[4294967296, 4294967296, 0]",
        400,
        "tensor shape (4294967296,4294967296,0) is too large",
      ],
      [
        JSON.stringify(new Array(33).fill(1)),
        500,
        "maximum supported dimension for an ndarray is 32, found 33",
      ],
    ];
    for (const [shape, status, info] of cases) {
      const r = await s.post("/predict", `{"data":{"tensor":{"shape":${shape},"values":[]}}}`);
      const reason = status === 500 ? "MICROSERVICE_INTERNAL_ERROR" : "MICROSERVICE_BAD_DATA";
      assertError(r, status, reason, info);
    }
    // Large but sane empty shapes, and -1, still work.
    const ok = await s.post("/predict", {
      data: { tensor: { shape: [2147483648, 0], values: [] } },
    });
    assertEquals(ok.status, 200);
    assertEquals(ok.json.data.tensor.shape, [2147483648, 0]);
    const inferred = await s.post("/predict", {
      data: { tensor: { shape: [-1, 2], values: [1, 2, 3, 4] } },
    });
    assertEquals(inferred.json.data.tensor.shape, [2, 2]);
    // A tftensor naming an absurd dimension is refused before anything is sized from it.
    const tf = await s.post("/predict", {
      data: {
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: "9223372036854775807" }, { size: "0" }] },
        },
      },
    });
    assertError(
      tf,
      400,
      "MICROSERVICE_BAD_DATA",
      "tensor shape (9223372036854775807,0) is too large",
    );
    await stillServing(s);
  }));
