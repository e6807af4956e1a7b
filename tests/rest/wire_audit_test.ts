/**
 * REST wire details beyond the upstream catalogue, each checked against what Flask/werkzeug do
 * upstream (server.md §2, protocol.md §2–§4).
 */
import { assertEquals } from "../_helpers/assert.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";

Deno.test("rest: a string status.code from predict is read as werkzeug reads a status string", () =>
  withServer({ predictRaw: (msg: any) => msg.jsonData }, async (s) => {
    for (
      const [code, http] of [
        ["422", 422],
        [" 409 ", 409],
        ["418 I am odd", 418],
        ["abc", 500],
        ["+422", 422],
        ["4_09", 409],
        ["204", 500],
        ["600", 500],
      ] as const
    ) {
      const body = { status: { code }, x: 1 };
      const r = await s.post("/api/v1.0/predictions", { jsonData: body });
      assertEquals(r.status, http, JSON.stringify(code));
      assertEquals(r.json, body);
    }
  }));

Deno.test("rest: predict status values Python cannot use fail as werkzeug and Python fail", () =>
  withServer({ predictRaw: (msg: any) => msg.jsonData }, async (s) => {
    const cases: [unknown, unknown][] = [
      [{ status: { code: 1.5 } }, internal("Invalid status argument")],
      [{ status: { code: null } }, internal("Invalid status argument")],
      [{ status: { code: [422] } }, internal("Invalid status argument")],
      [{ status: { code: " " } }, internal("Empty status argument")],
      [{ status: null }, internal("argument of type 'NoneType' is not iterable")],
      [{ status: 3 }, internal("argument of type 'int' is not iterable")],
      [{ status: "barcode" }, internal("string indices must be integers")],
      [{ status: ["code"] }, internal("list indices must be integers or slices, not str")],
      [{ status: "FAILURE", x: 1 }, { status: 200, body: { status: "FAILURE", x: 1 } }],
      [{ status: ["a"] }, { status: 200, body: { status: ["a"] } }],
      [{ status: { code: true } }, { status: 500, body: { status: { code: true } } }],
    ];
    for (const [result, expected] of cases) {
      const r = await s.post("/api/v1.0/predictions", { jsonData: result });
      assertEquals({ status: r.status, body: r.json }, expected, JSON.stringify(result));
    }
  }));

Deno.test("rest: a json parameter starting with a BOM is json.loads' BOM error (500); a body's BOM is read", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const q = await s.fetch("/predict?json=%EF%BB%BF%7B%22strData%22%3A%22x%22%7D");
    assertEquals(q.status, 500);
    assertEquals(q.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
    assertEquals(
      q.json.status.info,
      "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)",
    );
    const text = new TextEncoder().encode('{"strData":"x"}');
    const b = await s.fetch("/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0xef, 0xbb, 0xbf, ...text]),
    });
    assertEquals([b.status, b.text], [200, '{"meta":{},"strData":"x"}\n']);
  }));

/** POSTs `body` (JSON text) to `path` and returns status and body. */
async function post(s: TestServer, path: string, body: string) {
  const r = await s.post(path, body);
  return { status: r.status, body: r.json };
}

function internal(info: string) {
  return {
    status: 500,
    body: { status: { code: -1, info, reason: "MICROSERVICE_INTERNAL_ERROR", status: 1 } },
  };
}

const EMPTY = { status: 200, body: { data: { names: [], ndarray: [] }, meta: {} } };

Deno.test("rest: a `data` that is not an object fails or passes where Python's `in` does", () =>
  withServer({ predict: (X: unknown) => X, route: () => 0 }, async (s) => {
    const cases: [string, unknown][] = [
      ['{"data":null}', internal("argument of type 'NoneType' is not iterable")],
      ['{"data":5}', internal("argument of type 'int' is not iterable")],
      ['{"data":true}', internal("argument of type 'bool' is not iterable")],
      ['{"data":"x"}', EMPTY],
      ['{"data":""}', EMPTY],
      ['{"data":[]}', EMPTY],
      ['{"data":[1,"a"]}', EMPTY],
      ['{"data":"my tensor"}', internal("string indices must be integers")],
      ['{"data":"names"}', internal("string indices must be integers")],
      ['{"data":["ndarray"]}', internal("list indices must be integers or slices, not str")],
      ['{"data":{"tensor":"x"}}', internal("string indices must be integers")],
      ['{"data":{"tensor":[1]}}', internal("list indices must be integers or slices, not str")],
      ['{"data":{"tensor":null}}', internal("'NoneType' object is not subscriptable")],
      ['{"data":{"tensor":7}}', internal("'int' object is not subscriptable")],
    ];
    for (const [body, expected] of cases) {
      assertEquals(await post(s, "/api/v1.0/predictions", body), expected, body);
    }
    // The same rules on the other operations and on each message of an aggregate.
    assertEquals(await post(s, "/transform-input", '{"data":null}'), cases[0][1]);
    assertEquals(await post(s, "/route", '{"data":"x"}'), {
      status: 200,
      body: { data: { names: ["t:0"], ndarray: [[0]] }, meta: {} },
    });
  }));

Deno.test("rest: a `meta` that is not an object fails after the hook, as upstream's meta.get", () => {
  let calls = 0;
  return withServer({
    predict: (X: unknown) => {
      calls++;
      return X;
    },
    route: () => 0,
    aggregate: (Xs: unknown[]) => Xs[0],
  }, async (s) => {
    const data = '"data":{"ndarray":[1]}';
    const cases: [string, unknown][] = [
      [`{"meta":"x",${data}}`, internal("'str' object has no attribute 'get'")],
      [`{"meta":null,${data}}`, internal("'NoneType' object has no attribute 'get'")],
      [`{"meta":[],${data}}`, internal("'list' object has no attribute 'get'")],
      [`{"meta":0,${data}}`, internal("'int' object has no attribute 'get'")],
    ];
    for (const [body, expected] of cases) {
      assertEquals(await post(s, "/predict", body), expected, body);
    }
    assertEquals(calls, cases.length, "the hook ran each time");
    assertEquals(await post(s, "/route", cases[0][0]), cases[0][1]);
    assertEquals(
      await post(s, "/aggregate", `[{${data}},{"meta":"x",${data}}]`),
      cases[0][1],
    );
    // A false meta of a later message is skipped; the first message's is read for its puid.
    assertEquals(await post(s, "/aggregate", `[{${data}},{"meta":null,${data}}]`), {
      status: 200,
      body: { data: { names: [], ndarray: [1] }, meta: {} },
    });
    assertEquals(await post(s, "/aggregate", `[{"meta":null,${data}}]`), cases[1][1]);
  });
});

Deno.test("rest: meta members of other types are echoed, or fail where Python merges them", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const data = '"data":{"ndarray":[1]}';
    const ok = (meta: unknown) => ({
      status: 200,
      body: { data: { names: [], ndarray: [1] }, meta },
    });
    const cases: [string, unknown][] = [
      [`{"meta":{"tags":"x"},${data}}`, ok({ tags: "x" })],
      [`{"meta":{"tags":null,"puid":"p"},${data}}`, ok({ puid: "p" })],
      [`{"meta":{"metrics":{"a":1}},${data}}`, ok({ metrics: { a: 1 } })],
      [`{"meta":{"metrics":""},${data}}`, ok({})],
      [`{"meta":{"requestPath":"p"},${data}}`, internal("'str' object is not a mapping")],
      [`{"meta":{"requestPath":null},${data}}`, internal("'NoneType' object is not a mapping")],
      [`{"meta":{"requestPath":[]},${data}}`, internal("'list' object is not a mapping")],
    ];
    for (const [body, expected] of cases) {
      assertEquals(await post(s, "/predict", body), expected, body);
    }
  }));

Deno.test("rest: odd request tags or metrics fail when tags() or metrics() add to them", () =>
  withServer({
    predict: (X: unknown) => X,
    tags: () => ({ t: 1 }),
    metrics: () => [{ type: "COUNTER", key: "c", value: 1 }],
  }, async (s) => {
    const data = '"data":{"ndarray":[1]}';
    assertEquals(
      await post(s, "/predict", `{"meta":{"tags":"x"},${data}}`),
      internal("'str' object has no attribute 'update'"),
    );
    assertEquals(
      await post(s, "/predict", `{"meta":{"tags":null},${data}}`),
      internal("'NoneType' object has no attribute 'update'"),
    );
    assertEquals(
      await post(s, "/predict", `{"meta":{"metrics":"m"},${data}}`),
      internal("'str' object has no attribute 'extend'"),
    );
    const fine = await post(s, "/predict", `{"meta":{"tags":{"a":2}},${data}}`);
    assertEquals(fine.body.meta.tags, { a: 2, t: 1 });
  }));

Deno.test("rest: an unknown payload is reported before an odd request meta is read", () =>
  withServer({ predict: () => 7 }, async (s) => {
    const r = await post(s, "/predict", '{"meta":"x","data":{"ndarray":[1]}}');
    assertEquals(r.status, 400);
    assertEquals(
      r.body.status.info,
      "Unknown data type returned as payload (must be list or np array):7",
    );
  }));

Deno.test("rest: FLASK_DEBUG indents JSON answers unless FLASK_JSONIFY_PRETTYPRINT_REGULAR says otherwise", async () => {
  const body = '{"strData":"x"}';
  const pretty = '{\n  "meta": {},\n  "strData": "x"\n}\n';
  const compact = '{"meta":{},"strData":"x"}\n';
  for (
    const [env, text] of [
      [{ FLASK_DEBUG: "1" }, pretty],
      [{ FLASK_DEBUG: "yes" }, compact],
      [{ FLASK_DEBUG: "1", FLASK_JSONIFY_PRETTYPRINT_REGULAR: "false" }, compact],
      [{ FLASK_DEBUG: "0", FLASK_JSONIFY_PRETTYPRINT_REGULAR: "t" }, pretty],
    ] as const
  ) {
    await withServer({ predict: (X: unknown) => X }, async (s) => {
      assertEquals((await s.post("/predict", body)).text, text, JSON.stringify(env));
    }, env);
  }
});

Deno.test("rest: a feedback that is not an object is read as protobuf 3.20's ParseDict reads it", () =>
  withServer({}, async (s) => {
    const bad = (info: string) => ({
      status: 400,
      body: { status: { code: -1, info, reason: "MICROSERVICE_BAD_DATA", status: 1 } },
    });
    const empty = { status: 200, body: { data: { tensor: { shape: [0] } }, meta: {} } };
    const cases: [string, unknown][] = [
      ["[]", empty],
      ['""', empty],
      ['{"request":[]}', empty],
      ["5", internal("'int' object is not iterable")],
      ["true", internal("'bool' object is not iterable")],
      ["[1]", bad("Invalid JSON: Failed to parse 1 field: expected string or bytes-like object.")],
      [
        '["reward"]',
        bad(
          "Invalid JSON: Failed to parse reward field: list indices must be integers or slices, not str.",
        ),
      ],
      [
        '{"request":5}',
        bad("Invalid JSON: Failed to parse request field: 'int' object is not iterable."),
      ],
    ];
    for (const [body, expected] of cases) {
      assertEquals(await post(s, "/api/v1.0/feedback", body), expected, body);
    }
  }));

Deno.test("rest: a tensor shape that is not a list is read as numpy's reshape reads it", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const tensor = (shape: string, values = "[5]") =>
      post(s, "/predict", `{"data":{"tensor":{"shape":${shape},"values":${values}}}}`);
    const seq = (repr: string) =>
      internal(`expected a sequence of integers or a single integer, got '${repr}'`);
    // A str is a sequence of str items; "" the empty shape: a 0-d array of the one value.
    assertEquals(await tensor('"2"'), internal("'str' object cannot be interpreted as an integer"));
    assertEquals(await tensor('""'), {
      status: 200,
      body: { data: { names: [], tensor: { shape: [], values: [5] } }, meta: {} },
    });
    // Neither a sequence nor an integer: numpy's text with the value's repr (checked against
    // numpy 1.24.2 under upstream's server).
    assertEquals(await tensor('{"a":1}'), seq("{'a': 1}"));
    assertEquals(await tensor("{}"), seq("{}"));
    assertEquals(await tensor("1.5"), seq("1.5"));
    assertEquals(await tensor("true"), seq("True"));
    assertEquals(await tensor(`{"${"a".repeat(200)}":1}`), seq(`{'${"a".repeat(98)}`));
    // reshape(None) is no reshape: the values keep their own shape.
    assertEquals(await tensor("null", "[1,2]"), {
      status: 200,
      body: { data: { names: [], tensor: { shape: [2], values: [1, 2] } }, meta: {} },
    });
    // A bare integer is a one-dimension shape; past 2^53 it is too large, as in a list.
    assertEquals(await tensor("1"), {
      status: 200,
      body: { data: { names: [], tensor: { shape: [1], values: [5] } }, meta: {} },
    });
    assertEquals((await tensor("12345678901234567890123")).body, {
      status: {
        code: -1,
        info: "tensor shape (12345678901234567890123,) is too large",
        reason: "MICROSERVICE_BAD_DATA",
        status: 1,
      },
    });
    // A bool in the list is not an integer to numpy.
    assertEquals(await tensor("[true]"), internal("an integer is required"));
  }));

Deno.test("rest: a negative tensor dimension is the unknown one, as numpy 1.x reshapes", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const tensor = (shape: string, values: string) =>
      post(s, "/predict", `{"data":{"tensor":{"shape":${shape},"values":${values}}}}`);
    const ok = (shape: number[], values: number[], names: string[] = []) => ({
      status: 200,
      body: { data: { names, tensor: { shape, values } }, meta: {} },
    });
    // Any negative size is inferred, not only -1 (checked against numpy 1.24.2 under upstream).
    assertEquals(await tensor("[-2]", "[1,2]"), ok([2], [1, 2]));
    assertEquals(await tensor("[2,-3]", "[1,2,3,4]"), ok([2, 2], [1, 2, 3, 4], ["t:0", "t:1"]));
    assertEquals(await tensor("-2", "[1,2]"), ok([2], [1, 2]));
    assertEquals(
      await tensor("[-2,-1]", "[1,2]"),
      internal("can only specify one unknown dimension"),
    );
    // numpy's text names the shape as it prints one: leading unknowns left out, later ones
    // `newaxis`, a trailing comma only for one dimension.
    assertEquals(
      await tensor("[-2,3]", "[1,2]"),
      internal("cannot reshape array of size 2 into shape (3)"),
    );
    assertEquals(
      await tensor("[0,-1]", "[]"),
      internal("cannot reshape array of size 0 into shape (0,newaxis)"),
    );
    assertEquals(
      await tensor("[2,-1]", "[1,2,3]"),
      internal("cannot reshape array of size 3 into shape (2,newaxis)"),
    );
    assertEquals(
      await tensor("[2]", "[1,2,3]"),
      internal("cannot reshape array of size 3 into shape (2,)"),
    );
  }));
