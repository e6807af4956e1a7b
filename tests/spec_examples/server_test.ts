/**
 * Every concrete input→output example of server.md, one test each, named
 * `server.md §<section> <what>`.
 * Where two spec lines contradict each other the test asserts upstream's code and says so: no REST
 * timeout without the annotation (5000 s in practice), a scalar aggregate body fails like
 * Python's `in` (500).
 */
// deno-lint-ignore-file no-explicit-any
import { assert, assertEquals } from "../_helpers/assert.ts";
import { testConfig, withServer } from "../_helpers/server.ts";
import { grpcCall, rawUnary } from "../_helpers/grpc.ts";
import { appFolder, runMain, spawnServer } from "../_helpers/spawn.ts";
import {
  BaseComponent,
  type NDArray,
  SeldonMicroserviceException,
  SeldonNotImplementedError,
  SeldonResponse,
} from "../../mod.ts";
import { parseAnnotations } from "../../src/config/annotations.ts";
import { parseParameters } from "../../src/config/parameters.ts";
import { splitImageTag } from "../../src/protocol/metadata.ts";
import { serverAnnotations } from "../../src/config/server_annotations.ts";

import { configExit, err, ex, identity, M, rest, S } from "../_helpers/spec_examples.ts";

// =============================================================================================
// server.md
// =============================================================================================

ex(
  S,
  "§1.1",
  "argparse errors: bad choice / missing interface / bad int → exit 2 with usage error",
  () => {
    for (const argv of [["M", "--service-type", "FOO"], [], ["M", "--workers", "x"]]) {
      const e = configExit(argv);
      assertEquals(e.exitCode, 2, JSON.stringify(argv));
      assert(String(e.message).includes("seldon-core-microservice: error: "), e.message);
    }
  },
);
ex(S, "§1.1", "MyModel REST → 255 Unknown args ['REST']", async () => {
  const r = await runMain(["MyModel", "REST"]);
  assertEquals(r.code, 255);
  assert(
    r.stderr.includes(
      "Unknown args ['REST']. Note since 1.5.0 this CLI does not take API type (REST, GRPC)",
    ),
    r.stderr,
  );
});
ex(
  S,
  "§1.1",
  "GUNICORN_WORKERS=abc with --workers 2 → exit 1; GRPC_THREADS=abc → 2 only w/o flag",
  () => {
    const a = configExit(["M", "--workers", "2"], { GUNICORN_WORKERS: "abc" });
    assertEquals(a.exitCode, 1);
    const b = configExit(["M"], { GRPC_THREADS: "abc" });
    assertEquals(b.exitCode, 2);
    const c = configExit(["M", "--grpc-threads", "3"], { GRPC_THREADS: "abc" });
    assertEquals(c.grpcThreads, 3);
  },
);
ex(S, "§1.2", 'int env: " 8 ", +8, 1_0 accepted; 8.0, "", 0x10 rejected', () => {
  assertEquals(configExit(["M"], { GUNICORN_WORKERS: " 8 " }).workers, 8);
  assertEquals(configExit(["M"], { GUNICORN_WORKERS: "+8" }).workers, 8);
  assertEquals(configExit(["M"], { GUNICORN_WORKERS: "1_0" }).workers, 10);
  for (const v of ["8.0", "", "0x10"]) {
    assertEquals(configExit(["M"], { GUNICORN_WORKERS: v }).exitCode, 1, v);
  }
});
ex(S, "§1.2", "bool-env: 1/true/t (any case) true; yes/on/'' false", () => {
  for (const v of ["1", "TRUE", "T", "t"]) {
    assertEquals(configExit(["M"], { SELDON_DEBUG: v }).debug, true, v);
  }
  for (const v of ["yes", "on", "", "0"]) {
    assertEquals(configExit(["M"], { SELDON_DEBUG: v }).debug, false, v);
  }
});
ex(S, "§1.4", "--debug false → true; --debug= → false; bare → true", () => {
  assertEquals(configExit(["M", "--debug", "false"]).debug, true);
  assertEquals(configExit(["M", "--debug", "0"]).debug, true);
  assertEquals(configExit(["M", "--debug="]).debug, false);
  assertEquals(configExit(["M", "--debug"]).debug, true);
  assertEquals(configExit(["M", "--access-log", "false"]).accessLog, true);
});
ex(S, "§1.1", "--http 9001 prefix = --http-port", () => {
  assertEquals(configExit(["M", "--http", "9001"]).httpPort, 9001);
  assertEquals(configExit(["M", "--http-port=9002"]).httpPort, 9002);
});
ex(S, "§1.1", "log level: SELDON_LOG_LEVEL beats --log-level", () => {
  assertEquals(
    configExit(["M", "--log-level", "ERROR"], { SELDON_LOG_LEVEL: "DEBUG" }).logLevel,
    "DEBUG",
  );
  assertEquals(configExit(["M", "--log-level", "ERROR"]).logLevel, "ERROR");
  assertEquals(configExit(["M"], { SELDON_LOG_LEVEL: "LOUD" }).exitCode, 1);
});
ex(S, "§1.6", "image split at last colon; no colon → ('', whole)", () => {
  assertEquals(splitImageTag("localhost:32000/iris:0.1"), ["localhost:32000/iris", "0.1"]);
  assertEquals(splitImageTag("myimage"), ["", "myimage"]);
});
ex(S, "§1.7", "annotation lines", () => {
  assertEquals(parseAnnotations('foo="bar"'), { foo: "bar" });
  assertEquals(parseAnnotations(' foo  =   "bar"  '), { foo: "bar" });
  assertEquals(parseAnnotations('key=  "assign==="'), { key: "assign===" });
  const logs: string[] = [];
  parseAnnotations("noequals", (_l, m) => logs.push(m));
  assert(logs.includes("Bad annotation [noequals]"), String(logs));
});
async function timeoutFor(value: string | undefined) {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/annotations`;
  await Deno.writeTextFile(file, value === undefined ? "" : `seldon.io/rest-timeout="${value}"\n`);
  const r = serverAnnotations({ ...testConfig(), annotationsFile: file });
  await Deno.remove(dir, { recursive: true });
  return r.restTimeoutMs;
}
ex(
  S,
  "§1.7",
  'rest-timeout "3500" → 3 s, "200" → 1 s (metrics-and-processes.md §1.5 too)',
  async () => {
    assertEquals(await timeoutFor("3500"), 3000);
    assertEquals(await timeoutFor("200"), 1000);
  },
);
ex(
  M,
  "§1.5",
  "rest-timeout absent → 5000 s, upstream's worker timeout (server.md §1.7 says 5 s)",
  async () => {
    assertEquals(await timeoutFor(undefined), 5000 * 1000);
  },
);
const NOT_FOUND =
  "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
const NOT_ALLOWED = "405 Method Not Allowed: The method is not allowed for the requested URL.";
ex(
  S,
  "§2.1",
  "routing errors as 500 (404/405 texts) + OPTIONS 200",
  () =>
    withServer(identity, async (s) => {
      const cases: [string, string, string][] = [
        ["GET", "/v9/things", NOT_FOUND],
        ["GET", "/api/v1.0/predictions", NOT_FOUND],
        ["GET", "/api/v1.0/feedback", NOT_FOUND],
        ["GET", "/api/v0.1/feedback", NOT_FOUND],
        ["GET", "/predict/", NOT_FOUND],
        ["PUT", "/predict", NOT_ALLOWED],
        ["POST", "/metadata", NOT_ALLOWED],
        ["POST", "/health/ping", NOT_ALLOWED],
        ["POST", "/no-such-path", NOT_ALLOWED],
        ["POST", "/predict/", NOT_ALLOWED],
        ["PATCH", "/predict", NOT_ALLOWED],
      ];
      for (const [method, path, info] of cases) {
        const r = await s.fetch(path, { method });
        assertEquals([r.status, r.json, r.headers.get("content-type"), r.headers.get("allow")], [
          500,
          err(info, "MICROSERVICE_INTERNAL_ERROR"),
          "application/json",
          null,
        ], `${method} ${path}`);
      }
      const h = await s.fetch("/v9/things", { method: "HEAD" });
      assertEquals([h.status, h.text], [500, ""]);
      const o = await s.fetch("/nowhere", { method: "OPTIONS" });
      assertEquals([o.status, o.text], [200, ""]);
      assert(o.headers.get("allow"), "Allow header");
    }),
);
ex(
  S,
  "§2.1",
  "DELETE /models/3 and GET /api/v0.1/predictions",
  () =>
    withServer(identity, async (s) => {
      let r = await s.fetch("/models/3", { method: "DELETE" });
      assertEquals([r.status, r.json], [500, err(NOT_ALLOWED, "MICROSERVICE_INTERNAL_ERROR")]);
      r = await s.fetch("/api/v0.1/predictions");
      assertEquals([r.status, r.json], [500, err(NOT_FOUND, "MICROSERVICE_INTERNAL_ERROR")]);
    }),
);
ex(
  S,
  "§2.1",
  "/health/ping → pong text/html; charset=utf-8",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/health/ping");
      assertEquals([r.status, r.text, r.headers.get("content-type")], [
        200,
        "pong",
        "text/html; charset=utf-8",
      ]);
    }),
);
ex(S, "§2.1", "/seldon.json → 200 JSON", () =>
  withServer(identity, async (s) => {
    const r = await s.fetch("/seldon.json");
    assertEquals([r.status, r.headers.get("content-type"), typeof r.json], [
      200,
      "application/json",
      "object",
    ]);
  }));
ex(
  S,
  "§2.2",
  'jsonify {"foo":"bar"} → bytes {"foo":"bar"}\\n',
  () =>
    withServer({ predictRaw: () => ({ foo: "bar" }) }, async (s) => {
      const r = await s.post("/predict", { data: {} });
      assertEquals([r.text, r.headers.get("content-type")], [
        '{"foo":"bar"}\n',
        "application/json",
      ]);
    }),
);
ex(
  S,
  "§2.2",
  "keys sorted, non-ASCII escaped",
  () =>
    withServer({ predictRaw: () => ({ z: 1, a: { y: "é", b: 2 } }) }, async (s) => {
      const r = await s.post("/predict", { data: {} });
      assertEquals(r.text, '{"a":{"b":2,"y":"\\u00e9"},"z":1}\n');
    }),
);
ex(
  S,
  "§2.3",
  "multipart text fields data/meta parsed, strData text kept",
  () =>
    withServer({ predictRaw: (m: unknown) => m }, async (s) => {
      const fd = new FormData();
      fd.append("data", '{"ndarray":[[1,2]]}');
      fd.append("meta", '{"puid":"1234"}');
      fd.append("strData", "plain text");
      const r = await s.fetch("/predict", { method: "POST", body: fd });
      assertEquals(r.json, {
        data: { ndarray: [[1, 2]] },
        meta: { puid: "1234" },
        strData: "plain text",
      });
      const fd2 = new FormData();
      fd2.append("strData", new Blob(["from file"]), "a.txt");
      const r2 = await s.fetch("/predict", { method: "POST", body: fd2 });
      assertEquals(r2.json, { strData: "from file" });
    }),
);
ex(S, "§2.3", "multipart invalid JSON field → 500", () =>
  withServer(identity, async (s) => {
    const fd = new FormData();
    fd.append("data", "{bad");
    const r = await s.fetch("/predict", { method: "POST", body: fd });
    assertEquals([r.status, r.json.status.reason], [500, "MICROSERVICE_INTERNAL_ERROR"]);
  }));
ex(
  S,
  "§2.3",
  "empty json= treated as absent → body used / 400",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/predict?json=");
      assertEquals([r.status, r.json], [400, err("Can't find JSON in data")]);
    }),
);
ex(S, "§2.3", "GET /predict with no parameter → 400", () =>
  withServer(identity, async (s) => {
    const r = await s.fetch("/predict");
    assertEquals([r.status, r.json], [400, err("Can't find JSON in data")]);
  }));
ex(
  S,
  "§2.4",
  "passthrough: raw hook gets bytes / json string; result verbatim 200",
  () =>
    withServer({
      predictRaw: (m: unknown) =>
        typeof m === "string" ? `S:${m}` : `B:${new TextDecoder().decode(m as Uint8Array)}`,
    }, async (s) => {
      let r = await s.fetch("/predict", { method: "POST", body: "abc" });
      assertEquals([r.status, r.text, r.headers.get("content-type")], [
        200,
        "B:abc",
        "application/json",
      ]);
      r = await s.fetch("/predict", { method: "POST" });
      assertEquals([r.status, r.text], [200, "B:"]);
      r = await s.fetch("/predict?json=" + encodeURIComponent("{x"));
      assertEquals([r.status, r.text], [200, "S:{x"]);
      // not on other routes
      r = await s.post("/transform-input", "abc");
      assertEquals(r.status, 400);
    }, { PAYLOAD_PASSTHROUGH: "1" }),
);

ex(S, "§2.5", "CORS: Origin echoed + Vary; else *", () =>
  withServer(identity, async (s) => {
    let r = await s.fetch("/health/ping", { headers: { origin: "http://a.example" } });
    assertEquals(r.headers.get("access-control-allow-origin"), "http://a.example");
    assert((r.headers.get("vary") ?? "").includes("Origin"));
    r = await s.fetch("/health/ping");
    assertEquals(r.headers.get("access-control-allow-origin"), "*");
    r = await s.fetch("/nowhere");
    assertEquals(r.headers.get("access-control-allow-origin"), "*");
    assertEquals(r.headers.get("access-control-allow-credentials"), null);
  }));
ex(S, "§2.5", "CORS preflight", () =>
  withServer(identity, async (s) => {
    const r = await s.fetch("/predict", {
      method: "OPTIONS",
      headers: {
        origin: "http://a.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "X-Foo",
      },
    });
    assertEquals(r.status, 200);
    assertEquals(r.text, "");
    assert(r.headers.get("allow"));
    assertEquals(r.headers.get("access-control-allow-origin"), "http://a.example");
    const methods = (r.headers.get("access-control-allow-methods") ?? "").split(/,\s*/).sort();
    assertEquals(methods, ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
    assertEquals(r.headers.get("access-control-allow-headers")?.toLowerCase(), "x-foo");
  }));

ex(
  S,
  "§2.6",
  "raw hook status 422 example",
  rest(
    {
      predictRaw: () => ({
        data: { ndarray: ["bad input"] },
        status: { code: 422, info: "value out of range", status: "FAILURE" },
      }),
    },
    "/api/v1.0/predictions",
    { data: { ndarray: [[5]] } },
    422,
    {
      data: { ndarray: ["bad input"] },
      status: { code: 422, info: "value out of range", status: "FAILURE" },
    },
  ),
);
ex(
  S,
  "§2.6",
  "status.code only on predict routes (transform-input → 200)",
  rest(
    { transformInputRaw: () => ({ status: { code: 422 } }) },
    "/transform-input",
    { data: { ndarray: [[5]] } },
    200,
    { status: { code: 422 } },
  ),
);
ex(
  S,
  "§2.6",
  "status.code outside 100–599 → 500 body unchanged",
  rest(
    { predictRaw: () => ({ status: { code: 7 } }) },
    "/predict",
    { data: {} },
    500,
    { status: { code: 7 } },
  ),
);
ex(S, "§3.1", "predictRaw gets {anything, meta} and [1,2] as sent", async () => {
  const seen: unknown[] = [];
  await withServer({
    predictRaw: (m: unknown) => {
      seen.push(m);
      return { strData: "ok" };
    },
  }, async (s) => {
    await s.post("/predict", { anything: [1, 2], meta: { puid: "q" } });
    await s.post("/predict", [1, 2]);
  });
  assertEquals(seen, [{ anything: [1, 2], meta: { puid: "q" } }, [1, 2]]);
});
ex(
  S,
  "§3.1",
  "predictRaw {strData, jsonData} → exactly",
  rest(
    { predictRaw: () => ({ strData: "x", jsonData: { k: 1 } }) },
    "/predict",
    { data: {} },
    200,
    { strData: "x", jsonData: { k: 1 } },
  ),
);
ex(
  S,
  "§3.1",
  "raw metric lacking key → 500 'key' (metrics-and-processes.md §3.3 too)",
  rest(
    { predictRaw: () => ({ meta: { metrics: [{ type: "COUNTER", value: 1 }] } }) },
    "/predict",
    { data: {} },
    500,
    err("'key'", "MICROSERVICE_INTERNAL_ERROR"),
  ),
);
ex(
  S,
  "§3.1",
  "Invalid request data type: {'wrong': [{'data': {'ndarray': [1]}}]}",
  rest(
    identity,
    "/predict",
    { wrong: [{ data: { ndarray: [1] } }] },
    400,
    err("Invalid request data type: {'wrong': [{'data': {'ndarray': [1]}}]}"),
  ),
);
ex(S, "§3.1", "gRPC meta {} when the request has none; REST undefined/null", async () => {
  const seen: unknown[] = [];
  await withServer({
    predict: (X: unknown, _n: unknown, meta: unknown) => {
      seen.push(meta ?? null);
      return X;
    },
  }, async (s) => {
    await s.post("/predict", { data: { ndarray: [1] } });
    await grpcCall("Model", s.running.grpc!.port, "Predict", { data: { ndarray: [1] } });
  });
  assertEquals(seen, [null, {}]);
});
ex(
  S,
  "§3.2",
  "predict default → {names:[], ndarray:[]}",
  rest(
    {},
    "/predict",
    {
      data: { ndarray: [[1, 2]] },
    },
    200,
    { data: { names: [], ndarray: [] }, meta: {} },
  ),
);
ex(
  S,
  "§3.2",
  "BaseComponent route/aggregate → 400 'route is not implemented'",
  () =>
    withServer(new (class extends BaseComponent {})(), async (s) => {
      let r = await s.post("/route", { data: { ndarray: [1] } });
      assertEquals([r.status, r.json], [400, err("route is not implemented")]);
      r = await s.post("/aggregate", [{ data: { ndarray: [1] } }]);
      assertEquals([r.status, r.json], [400, err("aggregate is not implemented")]);
    }),
);
ex(
  S,
  "§3.2",
  "sendFeedback default: ndarray / tensor / none / puid",
  () =>
    withServer({}, async (s) => {
      let r = await s.post("/send-feedback", { request: { data: { ndarray: [[1]] } }, reward: 1 });
      assertEquals(r.json, { data: { ndarray: [] }, meta: {} });
      r = await s.post("/send-feedback", {
        request: { data: { tensor: { shape: [1], values: [1] } } },
        reward: 1,
      });
      assertEquals(r.json, { data: { tensor: { shape: [0] } }, meta: {} });
      r = await s.post("/send-feedback", { request: { strData: "x" }, reward: 1 });
      assertEquals(r.json, { data: { tensor: { shape: [0] } }, meta: {} });
      r = await s.post("/send-feedback", {
        request: { meta: { puid: "p" }, data: { ndarray: [[1]] } },
        reward: 1,
      });
      assertEquals(r.json, { data: { ndarray: [] }, meta: { puid: "p" } });
    }),
);
ex(
  S,
  "§3.2",
  "health: no hook → healthy; not implemented → not implemented - assuming healthy",
  async () => {
    await withServer({}, async (s) => {
      const r = await s.fetch("/health/status");
      assertEquals(r.json, { meta: {}, strData: "healthy" });
    });
    await withServer(new (class extends BaseComponent {})(), async (s) => {
      const r = await s.fetch("/api/v1.0/health/status");
      assertEquals(r.json, { meta: {}, strData: "not implemented - assuming healthy" });
    });
  },
);
ex(
  S,
  "§3.2",
  "route values: [1], abc, null rejected",
  () =>
    withServer(
      { route: (X: NDArray) => [[1], "abc", null, true][X.get(0) as number] },
      async (s) => {
        const expect = ["[1]", "abc", "None"];
        for (let i = 0; i < 3; i++) {
          const r = await s.post("/route", { data: { ndarray: [i] } });
          assertEquals([r.status, r.json], [
            400,
            err(`Routing response must be int but got ${expect[i]}`),
          ]);
        }
      },
    ),
);
ex(
  S,
  "§3.2",
  "route 1.5 rejected: got 1.5",
  rest(
    { route: () => 1.5 },
    "/route",
    { data: { ndarray: [1] } },
    400,
    err("Routing response must be int but got 1.5"),
  ),
);
ex(
  S,
  "§3.2",
  "route example with puid + tags; tensor variant",
  () =>
    withServer({ route: () => 2 }, async (s) => {
      let r = await s.post("/route", {
        data: { ndarray: [[1, 2]] },
        meta: { puid: "p1", tags: { a: "b" } },
      });
      assertEquals(r.json, { data: { names: ["t:0"], ndarray: [[2]] }, meta: { puid: "p1" } });
      r = await s.post("/route", { data: { tensor: { shape: [1, 2], values: [1, 2] } } });
      assertEquals(r.json.data.tensor, { shape: [1, 1], values: [2] });
    }),
);
ex(
  S,
  "§3.2",
  "aggregate bad containers → 400 Invalid request data type",
  () =>
    withServer({ aggregate: (Xs: unknown[]) => Xs[0] }, async (s) => {
      const cases: [unknown, string][] = [
        [{ foo: 1 }, "{'foo': 1}"],
        [{ seldonMessages: { a: 1 } }, "{'seldonMessages': {'a': 1}}"],
        ['"str"', "str"],
        [[1], "1"],
        [[{ foo: 1 }], "{'foo': 1}"],
      ];
      for (const [body, repr] of cases) {
        const r = await s.post("/aggregate", body);
        assertEquals([r.status, r.json], [400, err(`Invalid request data type: ${repr}`)], repr);
      }
      // A number: upstream's `"seldonMessages" in request` raises before its 400 check.
      const n = await s.post("/aggregate", 5);
      assertEquals(
        [n.status, n.json],
        [500, err("argument of type 'int' is not iterable", "MICROSERVICE_INTERNAL_ERROR")],
      );
    }),
);
ex(
  S,
  "§3.2",
  "aggregate tags merge example",
  rest(
    { aggregate: (Xs: unknown[]) => Xs[0] },
    "/aggregate",
    {
      seldonMessages: [
        { meta: { tags: { m: "x", k: 1 } }, data: { ndarray: [3] } },
        { meta: { tags: { k: 2 } }, data: { ndarray: [4] } },
      ],
    },
    200,
    { data: { names: [], ndarray: [3] }, meta: { tags: { k: 2, m: "x" } } },
  ),
);
ex(
  S,
  "§3.4",
  "runtime bad metric info",
  rest(
    {
      predict: (X: unknown) =>
        new SeldonResponse(X, { metrics: [{ type: "BAD", key: "c", value: 1 } as any] }),
    },
    "/predict",
    { data: { ndarray: [1] } },
    500,
    err(
      'Bad metric created during request: [{"type": "BAD", "key": "c", "value": 1}]',
      "MICROSERVICE_BAD_METRIC",
    ),
  ),
);
ex(
  S,
  "§3.4",
  "metrics() TIMER with tags on /predict → method predict",
  rest(
    {
      predict: (X: unknown) => X,
      metrics: () => [{ type: "TIMER", key: "lat", value: 8, tags: { gpu: "0" } }],
    },
    "/predict",
    { data: { ndarray: [1] } },
    200,
    {
      data: { names: [], ndarray: [1] },
      meta: {
        metrics: [{ type: "TIMER", key: "lat", value: 8, tags: { gpu: "0", method: "predict" } }],
      },
    },
  ),
);
ex(S, "§3.5", "reward 0.1 → 0.10000000149011612 (hook arg)", async () => {
  let seen = 0;
  await withServer({
    sendFeedback: (_X: unknown, _n: unknown, reward: number) => {
      seen = reward;
    },
  }, async (s) => {
    await s.post("/send-feedback", { request: { data: { ndarray: [1] } }, reward: 0.1 });
  });
  assertEquals(seen, 0.10000000149011612);
});
ex(
  S,
  "§3.5",
  "feedback [[1,2]] arrives float64; hook returning [] → same body",
  () =>
    withServer({
      sendFeedback: (X: NDArray) => {
        assertEquals(X.dtype, "float64");
        return [];
      },
    }, async (s) => {
      const r = await s.post("/send-feedback", {
        request: { data: { ndarray: [[1, 2]] } },
        reward: 1,
      });
      assertEquals(r.json, { data: { ndarray: [] }, meta: {} });
    }),
);
ex(
  S,
  "§3.6",
  "healthStatusRaw returning ndarray doc → exactly",
  () =>
    withServer({ healthStatusRaw: () => ({ data: { ndarray: [123.456, 7.89] } }) }, async (s) => {
      const r = await s.fetch("/health/status");
      assertEquals([r.status, r.json], [200, { data: { ndarray: [123.456, 7.89] } }]);
    }),
);
ex(S, "§3.6", "healthStatus [0.123] → tensor; string; SeldonResponse → 400", async () => {
  await withServer({ healthStatus: () => [0.123] }, async (s) => {
    const r = await s.fetch("/health/status");
    assertEquals(r.json, {
      data: { names: [], tensor: { shape: [1], values: [0.123] } },
      meta: {},
    });
  });
  await withServer({ healthStatus: () => "healthy" }, async (s) => {
    const r = await s.fetch("/health/status");
    assertEquals(r.json, { meta: {}, strData: "healthy" });
  });
  await withServer({ healthStatus: () => new SeldonResponse([1]) }, async (s) => {
    const r = await s.fetch("/health/status");
    assertEquals(r.status, 400);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_DATA");
    assert(
      r.json.status.info.startsWith(
        "Unknown data type returned as payload (must be list or np array):",
      ),
      r.json.status.info,
    );
  });
});
ex(
  S,
  "§3.6",
  "default health body + requestPath when PREDICTIVE_UNIT_ID set",
  () =>
    withServer({}, async (s) => {
      const r = await s.fetch("/health/status");
      assertEquals(r.json, { meta: { requestPath: { h: "img:1" } }, strData: "healthy" });
    }, { PREDICTIVE_UNIT_ID: "h", PREDICTIVE_UNIT_IMAGE: "img:1" }),
);
ex(S, "§3.7", "gRPC GraphMetadata → UNKNOWN details", () =>
  withServer(identity, async (s) => {
    try {
      await grpcCall("Seldon", s.running.grpc!.port, "GraphMetadata", {});
      assert(false, "expected error");
    } catch (e: any) {
      assertEquals([e.code, e.details], [
        2,
        "Exception calling application: GraphMetadata not available on the Model level.",
      ]);
    }
  }));
ex(S, "§3.7", "gRPC metadata invalid → empty message OK; ok → shape strings", async () => {
  await withServer({ initMetadata: () => ({ owner: "me" }) }, async (s) => {
    const r = await grpcCall("Model", s.running.grpc!.port, "Metadata", {});
    assertEquals(r, {});
  });
  await withServer({
    initMetadata: () => ({ inputs: [{ name: "x", datatype: "FP32", shape: [1, 3] }] }),
  }, async (s) => {
    const r = await grpcCall("Model", s.running.grpc!.port, "Metadata", {});
    assertEquals(r.inputs, [{ name: "x", datatype: "FP32", shape: ["1", "3"] }]);
  });
});

ex(S, "§4.2", "parameters INT table", () => {
  const p = (value: unknown) =>
    parseParameters(JSON.stringify([{ name: "a", value, type: "INT" }])).a;
  assertEquals(p("42"), 42);
  assertEquals(p(" -7 "), -7);
  assertEquals(p("1_000"), 1000);
  assertEquals(p(2.9), 2);
  assertEquals(p(true), 1);
  for (const bad of ["1.5", "abc", ""]) {
    let e: any;
    try {
      p(bad);
    } catch (x) {
      e = x;
    }
    assertEquals(e?.message, `Bad model parameter: a with value ${bad} can't be parsed as a INT`);
  }
});
ex(S, "§4.2", "parameters FLOAT/DOUBLE table", () => {
  const p = (value: unknown, type = "FLOAT") =>
    parseParameters(JSON.stringify([{ name: "alpha", value, type }])).alpha;
  assertEquals(p("0.5"), 0.5);
  assertEquals(p("1e-3", "DOUBLE"), 0.001);
  assertEquals(p(" 2 "), 2);
  assert(Number.isNaN(p("nan")));
  assertEquals(p("inf"), Infinity);
  assertEquals(p("-Infinity"), -Infinity);
  assertEquals(p("INF"), Infinity);
  assertEquals(p(3), 3);
  let e: any;
  try {
    p("abc");
  } catch (x) {
    e = x;
  }
  assertEquals(e?.message, "Bad model parameter: alpha with value abc can't be parsed as a FLOAT");
});
ex(S, "§4.2", "parameters STRING python rendering", () => {
  const p = (value: unknown) =>
    parseParameters(JSON.stringify([{ name: "s", value, type: "STRING" }])).s;
  assertEquals([p(5), p(1.5), p(true), p(null), p("x")], ["5", "1.5", "True", "None", "x"]);
});
ex(S, "§4.2", "parameters BOOL strtobool; other → not error A", () => {
  const p = (value: unknown) =>
    parseParameters(JSON.stringify([{ name: "b", value, type: "BOOL" }])).b;
  for (const t of ["y", "yes", "t", "true", "on", "1", "TRUE", "Yes"]) assertEquals(p(t), true, t);
  for (const f of ["n", "no", "f", "false", "off", "0"]) assertEquals(p(f), false, f);
  let e: any;
  try {
    p("maybe");
  } catch (x) {
    e = x;
  }
  assert(String(e?.message).includes("invalid truth value 'maybe'"), String(e?.message));
});
ex(S, "§4.2", "parameters error B text (JSON, lower-case int)", () => {
  for (const type of ["JSON", "int"]) {
    let e: any;
    try {
      parseParameters(JSON.stringify([{ name: "a", value: "1", type }]));
    } catch (x) {
      e = x;
    }
    assertEquals(
      e?.message,
      `Bad model parameter type: ${type} valid are INT, FLOAT, DOUBLE, STRING, BOOL`,
    );
  }
});
ex(S, "§4.2", "parameters example → object", () => {
  assertEquals(
    parseParameters(
      '[{"name":"alpha","value":"0.5","type":"FLOAT"},{"name":"layers","value":"3","type":"INT"},{"name":"tag","value":"v2","type":"STRING"},{"name":"verbose","value":"yes","type":"BOOL"}]',
    ),
    { alpha: 0.5, layers: 3, tag: "v2", verbose: true },
  );
  assertEquals(parseParameters("[]"), {});
});
ex(S, "§4.2", "parameters duplicate names: last wins", () => {
  assertEquals(
    parseParameters(
      '[{"name":"a","value":"1","type":"INT"},{"name":"a","value":"2","type":"INT"}]',
    ),
    { a: 2 },
  );
});
ex(S, "§4.2", "bad parameters at start → exit 1 with reason: message", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }",
  });
  const r = await runMain([
    "MyModel",
    "--parameters",
    '[{"name":"alpha","value":"abc","type":"FLOAT"}]',
  ], dir);
  await Deno.remove(dir, { recursive: true });
  assertEquals(r.code, 1);
  assert(
    r.stderr.includes(
      "MICROSERVICE_BAD_PARAMETER: Bad model parameter: alpha with value abc can't be parsed as a FLOAT",
    ),
    r.stderr,
  );
});
ex(S, "§4.5", "metadata valid example → 200 with defaults", () =>
  withServer({
    initMetadata: () => ({
      inputs: [{ messagetype: "ndarray", schema: { names: ["a", "b"], shape: [2] } }],
      outputs: [{ name: "p", datatype: "FP32", shape: [1, 3] }],
      custom: { team: "risk" },
    }),
  }, async (s) => {
    const r = await s.fetch("/metadata");
    assertEquals([r.status, r.json], [200, {
      name: "",
      versions: [""],
      platform: "",
      inputs: [{ messagetype: "ndarray", schema: { names: ["a", "b"], shape: [2] } }],
      outputs: [{ name: "p", datatype: "FP32", shape: [1, 3] }],
      custom: { team: "risk" },
    }]);
  }));
for (
  const bad of [
    { versions: "1.0" },
    { inputs: { messagetype: "strData" } },
    { inputs: [{ messagetype: "strData", schema: {} }] },
    { inputs: [{ name: "x", datatype: "FLOAT" }] },
    { custom: { n: 1 } },
    { owner: "me" },
  ]
) {
  ex(
    S,
    "§4.5",
    `metadata invalid ${JSON.stringify(bad)} → 500 body`,
    () =>
      withServer({ initMetadata: () => bad }, async (s) => {
        const r = await s.fetch("/api/v1.0/metadata");
        assertEquals([r.status, r.json], [
          500,
          {
            status: {
              code: -1,
              info: "Model metadata unavailable",
              reason: "MICROSERVICE_BAD_METADATA",
              status: 1,
            },
          },
        ]);
      }),
  );
}
ex(
  S,
  "§4.5",
  "default metadata with PREDICTIVE_UNIT_IMAGE=acme/fraud-model:2.1",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/metadata");
      assertEquals(r.json, {
        custom: {},
        inputs: [],
        name: "acme/fraud-model",
        outputs: [],
        platform: "",
        versions: ["2.1"],
      });
    }, { PREDICTIVE_UNIT_IMAGE: "acme/fraud-model:2.1" }),
);
ex(
  S,
  "§4.5",
  "MODEL_METADATA env replaces user keys; JSON trailing comma OK",
  () =>
    withServer({ initMetadata: () => ({ name: "user", platform: "p" }) }, async (s) => {
      const r = await s.fetch("/metadata");
      assertEquals(r.json.name, "env");
      assertEquals(r.json.platform, "p");
    }, { MODEL_METADATA: '{"name": "env",}' }),
);
ex(
  S,
  "§5.1",
  "Route not defined body",
  rest({}, "/route", { data: { ndarray: [1] } }, 400, {
    status: { code: -1, info: "Route not defined", reason: "MICROSERVICE_BAD_DATA", status: 1 },
  }),
);
ex(
  S,
  "§5.1",
  "SeldonMicroserviceException foo 403",
  rest(
    {
      predict: () => {
        throw new SeldonMicroserviceException("foo", { statusCode: 403 });
      },
    },
    "/predict",
    { data: { ndarray: [1] } },
    403,
    err("foo"),
  ),
);
ex(
  S,
  "§5.2",
  "HISTO bad metric body",
  rest(
    { predict: (X: unknown) => X, metrics: () => [{ type: "HISTO", key: "lat", value: 3 }] },
    "/predict",
    { data: { ndarray: [1] } },
    500,
    err(
      'Bad metric created during request: [{"type": "HISTO", "key": "lat", "value": 3}]',
      "MICROSERVICE_BAD_METRIC",
    ),
  ),
);
ex(
  S,
  "§5.3",
  "Error weights not initialised → 500 generic",
  rest(
    {
      predict: () => {
        throw new Error("weights not initialised");
      },
    },
    "/predict",
    { data: { ndarray: [1] } },
    500,
    err("weights not initialised", "MICROSERVICE_INTERNAL_ERROR"),
  ),
);
ex(
  S,
  "§5.3",
  "invalid ?json= → Expecting value: line 1 column 1 (char 0) (text SHOULD)",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/predict?json=" + encodeURIComponent("x"));
      assertEquals([r.status, r.json], [
        500,
        err("Expecting value: line 1 column 1 (char 0)", "MICROSERVICE_INTERNAL_ERROR"),
      ]);
    }),
);
ex(S, "§5.4", "modelErrorHandler 402 app_code 1402", () => {
  class AppError extends Error {
    constructor(readonly appCode: number, readonly httpStatus: number) {
      super("Test-Error-Msg");
    }
  }
  return withServer({
    predict: () => {
      throw new AppError(1402, 402);
    },
    modelErrorHandler: (e: unknown) =>
      e instanceof AppError
        ? {
          status: e.httpStatus,
          body: { status: { app_code: e.appCode, message: e.message, status: e.httpStatus } },
        }
        : undefined,
  }, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals([r.status, r.json], [402, {
      status: { app_code: 1402, message: "Test-Error-Msg", status: 402 },
    }]);
    assertEquals(r.headers.get("access-control-allow-origin"), "*");
  });
});
ex(S, "§5.4", "modelErrorHandler not called for SeldonMicroserviceException", () =>
  withServer({
    predict: () => {
      throw new SeldonMicroserviceException("foo");
    },
    modelErrorHandler: () => ({ status: 418, body: {} }),
  }, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals([r.status, r.json], [400, err("foo")]);
  }));

async function grpcErr(model: any, service: string, rpc: string, req: unknown) {
  let out: any;
  await withServer(model, async (s) => {
    try {
      await grpcCall(service, s.running.grpc!.port, rpc, req);
      out = "no error";
    } catch (e: any) {
      out = [e.code, e.details];
    }
  });
  return out;
}
ex(S, "§5.5", "gRPC Seldon exception → UNKNOWN 'Exception calling application: '", async () => {
  assertEquals(await grpcErr({}, "Model", "Predict", {}), [2, "Exception calling application: "]);
  assertEquals(await grpcErr({}, "Router", "Route", { data: { ndarray: [1] } }), [
    2,
    "Exception calling application: ",
  ]);
  assertEquals(
    await grpcErr(
      {
        predict: () => {
          throw new SeldonNotImplementedError("x");
        },
        predictRaw: undefined,
        metrics: () => [{ type: "BAD", key: "a", value: 1 }],
      },
      "Model",
      "Predict",
      { data: { ndarray: [1] } },
    ),
    [2, "Exception calling application: "],
  );
});
ex(
  S,
  "§5.5",
  "gRPC other error → 'Exception calling application: weights not initialised'",
  async () => {
    assertEquals(
      await grpcErr(
        {
          predict: () => {
            throw new Error("weights not initialised");
          },
        },
        "Model",
        "Predict",
        { data: { ndarray: [1] } },
      ),
      [2, "Exception calling application: weights not initialised"],
    );
  },
);
ex(S, "§5.5", "gRPC raw hook unconvertible → INTERNAL Failed to serialize response!", async () => {
  assertEquals(
    await grpcErr({ predictRaw: () => ({ bogus: 1 }) }, "Model", "Predict", {
      data: { ndarray: [1] },
    }),
    [13, "Failed to serialize response!"],
  );
});
ex(
  S,
  "§5.5",
  "gRPC unknown method → UNIMPLEMENTED Method not found!",
  () =>
    withServer(identity, async (s) => {
      const e = await rawUnary(s.running.grpc!.port, new Uint8Array(), "/seldon.protos.Model/Nope");
      assertEquals([e?.code, e?.details], [12, "Method not found!"]);
    }),
);
ex(S, "§1.2", "--persistence → ERROR Persistence: ignored, persistence is deprecated", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }",
  });
  const s = await spawnServer(dir, ["MyModel", "--persistence"]);
  await s.stop();
  await Deno.remove(dir, { recursive: true });
  assert(/ERROR: {2}Persistence: ignored, persistence is deprecated/.test(s.log()), s.log());
});

ex(
  S,
  "§3.5",
  "send-feedback never passthrough",
  rest(
    {},
    "/send-feedback",
    { request: { data: { ndarray: [[1]] } }, reward: 1 },
    200,
    { data: { ndarray: [] }, meta: {} },
    { PAYLOAD_PASSTHROUGH: "1" },
  ),
);

ex(S, "§1.5", "bad parameters fail before the module is imported", async () => {
  const r = await runMain([
    "NoSuchModule",
    "--parameters",
    '[{"name":"a","value":"x","type":"INT"}]',
  ]);
  assertEquals(r.code, 1);
  assert(r.stderr.includes("MICROSERVICE_BAD_PARAMETER"), r.stderr);
});

ex(
  S,
  "§1.6",
  "FLASK_JSONIFY_PRETTYPRINT_REGULAR / FLASK_JSON_SORT_KEYS=0 / FLASK_JSON_AS_ASCII=0",
  async () => {
    const m = { predictRaw: () => ({ z: 1, a: "é" }) };
    await withServer(m, async (s) => {
      const r = await s.post("/predict", { data: {} });
      assertEquals(r.text, '{"z":1,"a":"\\u00e9"}\n');
    }, { FLASK_JSON_SORT_KEYS: "0" });
    await withServer(m, async (s) => {
      const r = await s.post("/predict", { data: {} });
      assertEquals(r.text, '{"a":"é","z":1}\n');
    }, { FLASK_JSON_AS_ASCII: "0" });
    await withServer(m, async (s) => {
      const r = await s.post("/predict", { data: {} });
      assert(r.text.includes('\n  "a"'), r.text);
    }, { FLASK_JSONIFY_PRETTYPRINT_REGULAR: "1" });
  },
);

ex(
  S,
  "§3.4",
  "user tag named method overwritten in echo",
  rest(
    {
      predict: (X: unknown) => X,
      metrics: () => [{ type: "GAUGE", key: "g", value: 1, tags: { method: "mine" } }],
    },
    "/predict",
    { data: { ndarray: [1] } },
    200,
    {
      data: { names: [], ndarray: [1] },
      meta: { metrics: [{ type: "GAUGE", key: "g", value: 1, tags: { method: "predict" } }] },
    },
  ),
);

ex(
  S,
  "§4.5",
  "initMetadata returning non-object → {} (default doc)",
  () =>
    withServer({ initMetadata: () => [1] }, async (s) => {
      const r = await s.fetch("/metadata");
      assertEquals([r.status, r.json], [200, {
        custom: {},
        inputs: [],
        name: "",
        outputs: [],
        platform: "",
        versions: [""],
      }]);
    }),
);

ex(
  S,
  "§4.5",
  "MODEL_METADATA YAML error → {} and serving continues",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/metadata");
      assertEquals([r.status, r.json.name], [200, ""]);
    }, { MODEL_METADATA: "a: [b" }),
);

ex(S, "§5.4", "modelErrorHandler throwing → 500 generic; returning Response used", async () => {
  await withServer({
    predict: () => {
      throw new Error("x");
    },
    modelErrorHandler: () => {
      throw new Error("handler broke");
    },
  }, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals([r.status, r.json.status.reason], [500, "MICROSERVICE_INTERNAL_ERROR"]);
  });
  await withServer({
    predict: () => {
      throw new Error("x");
    },
    modelErrorHandler: () => new Response("teapot", { status: 418 }),
  }, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals([r.status, r.text], [418, "teapot"]);
  });
});

ex(
  S,
  "§5.1",
  "SeldonNotImplementedError from predict → default []",
  rest(
    {
      predict: () => {
        throw new SeldonNotImplementedError("nope");
      },
    },
    "/predict",
    { data: { ndarray: [[1]] } },
    200,
    { data: { names: [], ndarray: [] }, meta: {} },
  ),
);

ex(S, "§4.4", "classNames method/array used for ≥2-D", async () => {
  await withServer({ predict: (X: unknown) => X, classNames: () => ["a", "b"] }, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [[1, 2]] } });
    assertEquals(r.json.data.names, ["a", "b"]);
  });
  await withServer({ predict: (X: unknown) => X, classNames: ["c"] }, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [[1, 2]] } });
    assertEquals(r.json.data.names, ["c"]);
  });
});

ex(S, "§1.2", "bare --tracing = 1; TRACING env int; --grpc-workers 0", () => {
  assertEquals(configExit(["M", "--tracing"]).tracing, 1);
  assertEquals(configExit(["M"], { TRACING: "2" }).tracing, 2);
  assertEquals(configExit(["M"], { TRACING: "x" }).exitCode, 1);
  assertEquals(configExit(["M", "--grpc-workers", "0"]).grpcWorkers, 0);
});

ex(S, "§1.6", "PREDICTOR_LABELS invalid JSON → start-up crash (exit 1)", () => {
  assertEquals(configExit(["M"], { PREDICTOR_LABELS: "{x" }).exitCode ?? "threw", 1);
});

ex(
  S,
  "§2.5",
  "plain OPTIONS (no preflight) → 200 with Allow only",
  () =>
    withServer(identity, async (s) => {
      const r = await s.fetch("/predict", { method: "OPTIONS" });
      assertEquals([r.status, r.text, r.headers.get("access-control-allow-methods")], [
        200,
        "",
        null,
      ]);
      assert(r.headers.get("allow"));
      assertEquals(r.headers.get("access-control-allow-origin"), "*");
    }),
);

ex(S, "§3.6", "healthStatus throwing → 500", () =>
  withServer({
    healthStatus: () => {
      throw new Error("sick");
    },
  }, async (s) => {
    const r = await s.fetch("/health/status");
    assertEquals([r.status, r.json], [500, err("sick", "MICROSERVICE_INTERNAL_ERROR")]);
  }));

ex(
  S,
  "§4.1",
  "module resolution: pkg.MyModel, a.b.MyModel, ./file.ts#C, default export",
  async () => {
    const dir = await appFolder({
      "pkg.ts": "export class MyModel { predict() { return 'pkg'; } }",
      "mymodule/my_model.ts": "export class MyModel { predict() { return 'sub'; } }",
      "lib/file.ts": "export class C { predict() { return 'hash'; } }",
      "Dflt.ts": "export default class { predict() { return 'default'; } }",
    });
    try {
      for (
        const [name, want] of [["pkg.MyModel", "pkg"], ["mymodule.my_model.MyModel", "sub"], [
          "./lib/file.ts#C",
          "hash",
        ], ["Dflt", "default"]]
      ) {
        const s = await spawnServer(dir, [name], { GRPC_WORKERS: "0" });
        try {
          const res = await fetch(`${s.url}/predict`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: '{"strData":"x"}',
          });
          assertEquals((await res.json()).strData, want, name);
        } finally {
          await s.stop();
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

ex(S, "§4.2", "INT parameter with value [1] → readable error", () => {
  let e: any;
  try {
    parseParameters('[{"name":"a","value":[1],"type":"INT"}]');
  } catch (x) {
    e = x;
  }
  assert(e instanceof Error, "throws");
});
