/**
 * Custom metrics that upstream refuses or records in its own way (metrics-and-processes.md
 * §2.2, §3.3): non-string tag values and non-numeric raw-hook values fail the request as Python
 * fails, nothing of a failed list is kept, and a raw-hook metric without a type is a COUNTER.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { scrape } from "../_helpers/prometheus.ts";

const DATA = { data: { ndarray: [1] } };

Deno.test("metrics: a non-string tag value fails the request with Python's join error (§3.3)", async () => {
  for (
    const [tags, info] of [
      [{ shard: 3 }, "sequence item 1: expected str instance, int found"],
      [{ a: "x", shard: 2.5 }, "sequence item 1: expected str instance, float found"],
      ["abc", "'str' object does not support item assignment"],
      [null, "'NoneType' object does not support item assignment"],
    ] as const
  ) {
    await withServer({
      predict: (X: unknown) => X,
      // Invalid tags on purpose: the server validates metrics at run time.
      metrics: () => [{ type: "GAUGE", key: "q", value: 3, tags: tags as never }],
    }, async (server) => {
      const r = await server.post("/predict", DATA);
      assertEquals(r.status, 500);
      assertEquals(r.json, {
        status: { code: -1, info, reason: "MICROSERVICE_INTERNAL_ERROR", status: 1 },
      });
    });
  }
});

Deno.test("metrics: raw-hook metrics: non-numeric COUNTER/TIMER fail as Python, nothing of the list is kept", async () => {
  for (
    const [metrics, info] of [
      [
        [{ type: "COUNTER", key: "c", value: "5" }],
        "unsupported operand type(s) for +: 'int' and 'str'",
      ],
      [
        [{ type: "COUNTER", key: "c", value: null }],
        "unsupported operand type(s) for +: 'int' and 'NoneType'",
      ],
      [
        [{ type: "TIMER", key: "t", value: "5" }],
        "unsupported operand type(s) for /: 'str' and 'int'",
      ],
      [
        [{ type: "COUNTER", key: "ok", value: 1.5 }, { type: "COUNTER", key: "ok", value: "x" }],
        "unsupported operand type(s) for +: 'float' and 'str'",
      ],
    ] as const
  ) {
    await withServer({
      predictRaw: (m: { data: unknown }) => ({ data: m.data, meta: { metrics } }),
    }, async (server) => {
      const r = await server.post("/predict", DATA);
      assertEquals(r.status, 500);
      assertEquals(r.json.status.info, info);
      assertEquals(r.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
      assertEquals(await scrape(server), { status: 200, text: "" });
    });
  }
});

Deno.test("metrics: a raw-hook metric without type is recorded as a COUNTER (upstream default)", () =>
  withServer({
    predictRaw: (m: { data: unknown }) => ({
      data: m.data,
      meta: { metrics: [{ key: "untyped", value: 2 }] },
    }),
  }, async (server) => {
    const r = await server.post("/predict", DATA);
    assertEquals(r.status, 200);
    const { status, text } = await scrape(server);
    assertEquals(status, 200);
    assert(text.includes("# TYPE untyped_total counter\n"), text);
    assert(/\nuntyped_total\{.*method="predict".*\} 2\n/.test(text), text);
  }));

Deno.test("metrics: a raw result's meta and metrics are read as upstream reads them (REST)", () => {
  let next: unknown;
  return withServer({ predictRaw: () => next }, async (server) => {
    const internal = (info: string) => ({
      status: 500,
      body: { status: { code: -1, info, reason: "MICROSERVICE_INTERNAL_ERROR", status: 1 } },
    });
    const cases: [unknown, unknown][] = [
      [{ meta: "x" }, internal("'str' object has no attribute 'get'")],
      [{ meta: null }, internal("'NoneType' object has no attribute 'get'")],
      [{ meta: { metrics: null } }, internal("'NoneType' object is not iterable")],
      [{ meta: { metrics: 3 } }, internal("'int' object is not iterable")],
      [{ meta: { metrics: "ab" } }, internal("'str' object has no attribute 'get'")],
      [{ meta: { metrics: { k: 1 } } }, internal("'str' object has no attribute 'get'")],
      [{ meta: { metrics: [5] } }, internal("'int' object has no attribute 'get'")],
      [{ meta: { metrics: [{ key: "c" }] } }, internal("'value'")],
      [{ meta: { metrics: [{ value: 1 }] } }, internal("'key'")],
      // The key is read before the tags are joined; the tags are set before either.
      [{ meta: { metrics: [{ value: 1, tags: { a: 1 } }] } }, internal("'key'")],
      [
        { meta: { metrics: [{ value: 1, tags: "t" }] } },
        internal("'str' object does not support item assignment"),
      ],
      // An unknown type is skipped, but only after its key and tags were read.
      [{ meta: { metrics: [{ type: "X", value: 1 }] } }, internal("'key'")],
      [{ meta: { metrics: [{ type: "X", key: "k" }] }, v: 1 }, {
        status: 200,
        body: { meta: { metrics: [{ type: "X", key: "k", tags: undefined }] }, v: 1 },
      }],
      [{ meta: { metrics: "" }, v: 2 }, { status: 200, body: { meta: { metrics: "" }, v: 2 } }],
      [{ meta: {}, v: 3 }, { status: 200, body: { meta: {}, v: 3 } }],
    ];
    for (const [result, expected] of cases) {
      next = structuredClone(result);
      const r = await server.post("/predict", DATA);
      assertEquals(
        { status: r.status, body: r.json },
        JSON.parse(JSON.stringify(expected)),
        JSON.stringify(result),
      );
    }
    const { text } = await scrape(server);
    assertEquals(text, "", "nothing was recorded");
  });
});

Deno.test("metrics: metrics() items that are not objects are searched as Python's `in` searches", async () => {
  for (
    const [items, status, reason, info] of [
      [[5], 500, "MICROSERVICE_INTERNAL_ERROR", "argument of type 'int' is not iterable"],
      [[null], 500, "MICROSERVICE_INTERNAL_ERROR", "argument of type 'NoneType' is not iterable"],
      [[true], 500, "MICROSERVICE_INTERNAL_ERROR", "argument of type 'bool' is not iterable"],
      [["key value type"], 500, "MICROSERVICE_INTERNAL_ERROR", "string indices must be integers"],
      [
        [["key", "value", "type"]],
        500,
        "MICROSERVICE_INTERNAL_ERROR",
        "list indices must be integers or slices, not str",
      ],
      [["x"], 500, "MICROSERVICE_BAD_METRIC", 'Bad metric created during request: ["x"]'],
      [[["key"]], 500, "MICROSERVICE_BAD_METRIC", 'Bad metric created during request: [["key"]]'],
    ] as const
  ) {
    await withServer({
      predict: (X: unknown) => X,
      metrics: () => items as never,
    }, async (server) => {
      const r = await server.post("/predict", DATA);
      assertEquals(r.status, status, JSON.stringify(items));
      assertEquals(r.json, { status: { code: -1, info, reason, status: 1 } });
    });
  }
});
