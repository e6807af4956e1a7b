/**
 * Differential check against upstream (not a test file: run by hand, see README.md here).
 *
 * Sends the same generated requests to an upstream `seldon-core-microservice` (v1.18.2) and to
 * seldon-ts, one at a time, and prints every difference in status, the headers that matter
 * (content-type, CORS, allow) and the body (JSON compared without regard to key order where both
 * parse; raw text otherwise). `puid` values, `Server` and `Date` are not compared.
 *
 *   deno run -A tests/upstream/diff.ts --upstream http://127.0.0.1:19000 \
 *     --ts http://127.0.0.1:29000 [--only SUBSTRING] [--list] [--show-same]
 */

/** One request of the list. */
export interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** What one server answered. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

const JSON_CT = { "content-type": "application/json" };

const V1_ROUTES = [
  "/predict",
  "/api/v1.0/predictions",
  "/api/v0.1/predictions",
  "/send-feedback",
  "/api/v1.0/feedback",
  "/api/v0.1/feedback",
  "/transform-input",
  "/transform-output",
  "/route",
  "/aggregate",
  "/health/ping",
  "/health/status",
  "/api/v1.0/health/status",
  "/metadata",
  "/api/v1.0/metadata",
  "/seldon.json",
  "/nope",
  "/api/v1.0/nope",
  "/predict/",
  "/PREDICT",
];
const METHODS = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"];

/** Values of every JSON kind, to put where a member is expected. */
const WRONG: unknown[] = [
  null,
  0,
  1.5,
  -1,
  true,
  "s",
  "",
  [],
  [1],
  [[1, 2]],
  [null],
  ["a", "b"],
  {},
  { a: 1 },
  [{ a: 1 }],
  [[1], [2, 3]],
];

const enc = (v: unknown) => JSON.stringify(v);

/** The generated list of requests. */
export function cases(): Case[] {
  const out: Case[] = [];
  const post = (
    name: string,
    path: string,
    body: string | Uint8Array<ArrayBuffer>,
    headers = JSON_CT,
  ) => out.push({ name, method: "POST", path, headers, body });
  const ok = enc({ data: { ndarray: [[1, 2]] } });

  // Every route × method, with a valid body (and without one for GET).
  for (const path of V1_ROUTES) {
    for (const method of METHODS) {
      const hasBody = method !== "GET" && method !== "HEAD";
      out.push({
        name: `route ${method} ${path}`,
        method,
        path,
        headers: hasBody ? JSON_CT : undefined,
        body: hasBody ? ok : undefined,
      });
    }
    out.push({
      name: `route GET json= ${path}`,
      method: "GET",
      path: `${path}?json=${encodeURIComponent(ok)}`,
    });
  }
  // CORS preflight.
  for (const path of ["/predict", "/api/v1.0/predictions", "/health/ping", "/nope"]) {
    out.push({
      name: `preflight ${path}`,
      method: "OPTIONS",
      path,
      headers: {
        origin: "http://example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    out.push({
      name: `origin POST ${path}`,
      method: "POST",
      path,
      headers: { ...JSON_CT, origin: "http://x.y" },
      body: ok,
    });
  }

  const pred = "/api/v1.0/predictions";
  // Payload kinds.
  const payloads: Record<string, unknown> = {
    ndarray2d: { data: { ndarray: [[1, 2], [3, 4]] } },
    ndarray1d: { data: { ndarray: [1, 2, 3] } },
    ndarrayStr: { data: { ndarray: [["a", "b"]] } },
    ndarrayMixed: { data: { ndarray: [[1, "a", null, true]] } },
    ndarrayRagged: { data: { ndarray: [[1], [2, 3]] } },
    ndarrayEmpty: { data: { ndarray: [] } },
    ndarrayScalar: { data: { ndarray: 5 } },
    ndarrayFloat: { data: { ndarray: [[1.0, 2.5, -0.0, 1e300]] } },
    ndarrayBool: { data: { ndarray: [true, false] } },
    ndarrayObj: { data: { ndarray: [{ a: 1 }] } },
    names: { data: { names: ["x", "y"], ndarray: [[1, 2]] } },
    namesShort: { data: { names: ["x"], ndarray: [[1, 2]] } },
    tensor: { data: { tensor: { shape: [2, 2], values: [1, 2, 3, 4] } } },
    tensorNames: { data: { names: ["a", "b"], tensor: { shape: [1, 2], values: [1, 2] } } },
    tensorBadShape: { data: { tensor: { shape: [3], values: [1, 2] } } },
    tensorNoShape: { data: { tensor: { values: [1, 2] } } },
    tensorNoValues: { data: { tensor: { shape: [2] } } },
    tensor1d: { data: { tensor: { shape: [3], values: [1, 2, 3] } } },
    tensorEmpty: { data: { tensor: {} } },
    tftensorF: {
      data: {
        tftensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "2" }] }, floatVal: [1, 2] },
      },
    },
    tftensorD: {
      data: {
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: "1" }, { size: "2" }] },
          doubleVal: [1, 2],
        },
      },
    },
    tftensorI: {
      data: {
        tftensor: { dtype: "DT_INT32", tensorShape: { dim: [{ size: "2" }] }, intVal: [1, 2] },
      },
    },
    tftensorI64: {
      data: {
        tftensor: {
          dtype: "DT_INT64",
          tensorShape: { dim: [{ size: "2" }] },
          int64Val: ["1", "2"],
        },
      },
    },
    tftensorS: {
      data: {
        tftensor: {
          dtype: "DT_STRING",
          tensorShape: { dim: [{ size: "1" }] },
          stringVal: ["YWJj"],
        },
      },
    },
    tftensorEmpty: { data: { tftensor: {} } },
    tftensorSnake: {
      data: {
        tftensor: { dtype: "DT_FLOAT", tensor_shape: { dim: [{ size: 1 }] }, float_val: [1] },
      },
    },
    strData: { strData: "hello" },
    strDataEmpty: { strData: "" },
    binData: { binData: "aGVsbG8=" },
    binDataBad: { binData: "not base64!" },
    binDataEmpty: { binData: "" },
    jsonData: { jsonData: { a: [1, 2], b: "c" } },
    jsonDataList: { jsonData: [1, 2, 3] },
    jsonDataScalar: { jsonData: 3 },
    jsonDataStr: { jsonData: "x" },
    jsonDataNull: { jsonData: null },
    customData: { customData: { "@type": "type.googleapis.com/google.protobuf.Value", value: 1 } },
    metaTags: { meta: { tags: { a: 1, b: "x" } }, data: { ndarray: [1] } },
    metaPuid: { meta: { puid: "abc" }, data: { ndarray: [1] } },
    metaRouting: { meta: { routing: { a: 1 } }, data: { ndarray: [1] } },
    metaRequestPath: { meta: { requestPath: { a: "b" } }, data: { ndarray: [1] } },
    metaMetrics: {
      meta: { metrics: [{ key: "k", type: "COUNTER", value: 1 }] },
      data: { ndarray: [1] },
    },
    metaUnknown: { meta: { nope: 1 }, data: { ndarray: [1] } },
    status: { status: { code: 200, info: "x" }, data: { ndarray: [1] } },
    unknownTop: { foo: 1, data: { ndarray: [1] } },
    unknownData: { data: { foo: 1, ndarray: [1] } },
    empty: {},
    twoKinds: { data: { ndarray: [1] }, strData: "x" },
    dataAndJson: { data: { ndarray: [1] }, jsonData: { a: 1 } },
    snakeCase: { str_data: "x" },
    bigInt: { data: { ndarray: [12345678901234567890, 9007199254740993] } },
  };
  for (const [k, v] of Object.entries(payloads)) {
    post(`payload ${k}`, pred, enc(v));
    post(`payload ${k} /transform-input`, "/transform-input", enc(v));
    post(`payload ${k} /route`, "/route", enc(v));
  }

  // Wrong types in every member.
  const members: [string, (v: unknown) => unknown][] = [
    ["top", (v) => v],
    ["data", (v) => ({ data: v })],
    ["data.names", (v) => ({ data: { names: v, ndarray: [[1, 2]] } })],
    ["data.ndarray", (v) => ({ data: { ndarray: v } })],
    ["data.tensor", (v) => ({ data: { tensor: v } })],
    ["data.tensor.shape", (v) => ({ data: { tensor: { shape: v, values: [1, 2] } } })],
    ["data.tensor.values", (v) => ({ data: { tensor: { shape: [2], values: v } } })],
    ["data.tftensor", (v) => ({ data: { tftensor: v } })],
    ["strData", (v) => ({ strData: v })],
    ["binData", (v) => ({ binData: v })],
    ["jsonData", (v) => ({ jsonData: v })],
    ["customData", (v) => ({ customData: v })],
    ["meta", (v) => ({ meta: v, data: { ndarray: [1] } })],
    ["meta.puid", (v) => ({ meta: { puid: v }, data: { ndarray: [1] } })],
    ["meta.tags", (v) => ({ meta: { tags: v }, data: { ndarray: [1] } })],
    ["meta.routing", (v) => ({ meta: { routing: v }, data: { ndarray: [1] } })],
    ["meta.requestPath", (v) => ({ meta: { requestPath: v }, data: { ndarray: [1] } })],
    ["meta.metrics", (v) => ({ meta: { metrics: v }, data: { ndarray: [1] } })],
    ["status", (v) => ({ status: v, data: { ndarray: [1] } })],
  ];
  for (const [m, f] of members) {
    WRONG.forEach((v) => post(`wrong ${m}=${enc(v)}`, pred, enc(f(v))));
  }

  // Tensor shapes as numpy's reshape reads them.
  const shapes: [string, string][] = [
    ["[-2]", "[1,2]"],
    ["[-2,2]", "[1,2,3,4]"],
    ["[2,-3]", "[1,2,3,4]"],
    ["[-1,-1]", "[1,2]"],
    ["[-2,-1]", "[1,2]"],
    ["[-5,0]", "[]"],
    ["[0,-1]", "[]"],
    ["[-3]", "[1,2,3]"],
    ["[-2,3]", "[1,2]"],
    ["[2.0]", "[1,2]"],
    ["[true]", "[1]"],
    ["[null]", "[1]"],
    ["2", "[1,2]"],
    ["-1", "[1,2]"],
    ["-2", "[1,2]"],
    ["2.0", "[1,2]"],
    ['"2"', "[1,2]"],
    ['""', "[1]"],
    ["[[2]]", "[1,2]"],
    ["[1e400]", "[1]"],
    ["12345678901234567890123", "[1]"],
    [`[${Array(33).fill(1)}]`, "[1]"],
    [`[${Array(32).fill(1)}]`, "[1]"],
    ["[2,2]", "[1,2,3]"],
    ["[3]", '[1,"a",2.5]'],
    ["[2]", "[null,1]"],
    ["[2]", "[true,false]"],
    ["[1]", "[[1]]"],
    ["[1]", '[{"a":1}]'],
  ];
  for (const [shape, values] of shapes) {
    post(
      `shape ${shape} values ${values}`,
      pred,
      `{"data":{"tensor":{"shape":${shape},"values":${values}}}}`,
    );
  }

  // Content types and odd members.
  for (
    const ct of [
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/json; charset=latin-1",
      "text/json",
      "application/x-json",
      "application/octet-stream",
      "application/problem+json",
    ]
  ) post(`content-type ${ct}`, pred, ok, { "content-type": ct });
  const odd: Record<string, unknown> = {
    unicodeNames: { data: { names: ["é", "中", "😀"], ndarray: [[1, 2, 3]] } },
    nestedTags: {
      meta: { tags: { a: { b: [1, null, "x"] }, n: 1.5, t: true } },
      data: { ndarray: [1] },
    },
    tagsNull: { meta: { tags: { a: null } }, data: { ndarray: [1] } },
    metricTypes: {
      meta: {
        metrics: [
          { key: "g", type: "GAUGE", value: 2 },
          { key: "t", type: "TIMER", value: 3.5, tags: { a: "b" } },
        ],
      },
      data: { ndarray: [1] },
    },
    metricBadType: {
      meta: { metrics: [{ key: "g", type: "BAD", value: 2 }] },
      data: { ndarray: [1] },
    },
    metricNoKey: { meta: { metrics: [{ value: 2 }] }, data: { ndarray: [1] } },
    floatsInt: { data: { ndarray: [[1.0, 2.0]] } },
    mixedNumStr: { data: { ndarray: [["a", 1, 2.0]] } },
    hugeFloat: { data: { ndarray: [1e308, -1e308] } },
    negZero: { data: { ndarray: [-0.0] } },
    tensorFloats: { data: { tensor: { shape: [2], values: [1.0, 2.5] } } },
    tensorStrings: { data: { tensor: { shape: [2], values: ["a", "b"] } } },
    deepNdarray: { data: { ndarray: [[[[[[1]]]]]] } },
    emptyNested: { data: { ndarray: [[]] } },
    emptyNames: { data: { names: [], ndarray: [[1, 2]] } },
  };
  for (const [k, v] of Object.entries(odd)) {
    post(`odd ${k}`, pred, enc(v));
    post(`odd ${k} /transform-output`, "/transform-output", enc(v));
  }
  for (const reward of [1, 0, -1.5, "1", true, null, "NaN", [1], { a: 1 }, 1e40]) {
    post(
      `feedback reward=${enc(reward)}`,
      "/api/v1.0/feedback",
      enc({ request: { data: { ndarray: [1] } }, reward }),
    );
  }

  // Body encodings.
  const raw: Record<string, string | Uint8Array<ArrayBuffer>> = {
    empty: "",
    space: " ",
    malformed: "{",
    malformed2: '{"data":',
    trailing: '{"data":{"ndarray":[1]}} x',
    trailingComma: '{"data":{"ndarray":[1,]}}',
    singleQuote: "{'data':1}",
    nan: '{"data":{"ndarray":[NaN, 1]}}',
    inf: '{"data":{"ndarray":[Infinity, -Infinity]}}',
    nanJson: '{"jsonData":{"a":NaN}}',
    bigIntTok: '{"data":{"ndarray":[123456789012345678901234567890]}}',
    bigExp: '{"data":{"ndarray":[1e400]}}',
    dupKey: '{"data":{"ndarray":[1]},"data":{"ndarray":[2]}}',
    // `{"strData":"` + 0xff 0xfe + `"}`: not UTF-8.
    nonUtf8: Uint8Array.of(
      ...new TextEncoder().encode('{"strData":"'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}'),
    ),
    bom: "\ufeff" + ok,
    lone: '{"strData":"\\ud800"}',
    unicode: '{"strData":"h\u00e9\u4e2d\ud83d\ude00"}',
    number: "1",
    string: '"x"',
    list: "[1,2]",
    nul: "null",
    deep: "[".repeat(50) + "]".repeat(50),
  };
  for (const [k, v] of Object.entries(raw)) {
    post(`raw ${k}`, pred, v);
    post(`raw ${k} no-ct`, pred, v, {} as typeof JSON_CT);
    post(`raw ${k} text/plain`, pred, v, { "content-type": "text/plain" });
  }
  // Forms and query.
  const form = (k: string, body: string) =>
    post(k, pred, body, { "content-type": "application/x-www-form-urlencoded" });
  form("form json=", `json=${encodeURIComponent(ok)}`);
  form("form json= bad", "json=%7B");
  form("form no json", "x=1");
  form("form empty", "");
  form("form two json", `json=${encodeURIComponent(ok)}&json=1`);
  form("form json + isDefault", `json=${encodeURIComponent(ok)}&isDefault=true`);
  out.push({
    name: "query json= POST",
    method: "POST",
    path: `${pred}?json=${encodeURIComponent(ok)}`,
  });
  out.push({
    name: "query json= POST+body",
    method: "POST",
    path: `${pred}?json=${encodeURIComponent(ok)}`,
    headers: JSON_CT,
    body: enc({ strData: "b" }),
  });
  out.push({ name: "query json= bad", method: "POST", path: `${pred}?json=%7B` });
  out.push({ name: "query json= empty", method: "POST", path: `${pred}?json=` });
  out.push({ name: "query other", method: "POST", path: `${pred}?x=1` });
  out.push({
    name: "GET /predict json=",
    method: "GET",
    path: `/predict?json=${encodeURIComponent(ok)}`,
  });
  out.push({ name: "GET /predict no json", method: "GET", path: "/predict" });
  // Paths and query strings.
  const q = (name: string, method: string, path: string) => out.push({ name, method, path });
  const okQ = encodeURIComponent(ok);
  for (
    const path of [
      "/api/v1.0/predic%74ions",
      "/api/v1.0/predictions?",
      "/api/v1.0/predictions#x",
      "/api/v1.0//predictions",
      "//api/v1.0/predictions",
      "/api/v1.0/predictions/",
      "/./api/v1.0/predictions",
      "/api/v1.0/../v1.0/predictions",
      "/health/ping?x=1",
      "/health/ping/",
      "/health/status?json=1",
      "/metadata/",
      "/api/v1.0/predictions;x",
    ]
  ) {
    q(`path GET ${path}`, "GET", path);
    out.push({ name: `path POST ${path}`, method: "POST", path, headers: JSON_CT, body: ok });
  }
  for (
    const query of [
      `json=${okQ}&json=%7B`,
      `json=%7B&json=${okQ}`,
      `JSON=${okQ}`,
      `json=${okQ}&isDefault=true`,
      "json=%FF",
      "json=%7B%22strData%22%3A%22%FF%22%7D",
      "json",
      "json=null",
      "json=1",
      "json=%5B%5D",
      "json=%22x%22",
      `json=${encodeURIComponent('{"data":{"ndarray":[NaN]}}')}`,
    ]
  ) {
    q(`query GET /predict?${query}`, "GET", `/predict?${query}`);
    q(`query POST predictions?${query}`, "POST", `${pred}?${query}`);
  }
  // `//` inside a path: werkzeug's 308 to the merged URL when only that one has a route for
  // the method (GET/HEAD/OPTIONS go to the static route first).
  for (
    const path of [
      "/api//v1.0/predictions",
      "/api/v1.0//predictions",
      "/api//v0.1/feedback",
      "/health//ping",
      "/api/v1.0//metadata",
      "/api///v1.0/predictions",
      "/api////v1.0/predictions",
      "/api/v1.0//predictions/",
      "/predict//",
      "/api/%2Fv1.0/predictions",
      "/ap%69//v1.0/predictions",
      "/api//v1.0/predictions/%C3%A9",
      "/%C3%A9//predict",
      "/api//v1.0/predictions?a=1&b=%C3%A9&c='x'&d=%22y%22",
      "/api//v1.0/predictions?",
      "//api//v1.0/feedback?x=%FF",
    ]
  ) {
    for (const method of METHODS) {
      out.push({
        name: `slashes ${method} ${path}`,
        method,
        path,
        headers: { ...JSON_CT, origin: "http://o.example" },
        body: method === "GET" || method === "HEAD" ? undefined : ok,
      });
    }
  }
  for (
    const [name, headers] of Object.entries<Record<string, string>>({
      "x-forwarded-proto https": { "x-forwarded-proto": "https" },
      "x-forwarded-proto http": { "x-forwarded-proto": "http" },
      "x-forwarded-ssl on": { "x-forwarded-ssl": "on" },
      "x-forwarded-protocol ssl": { "x-forwarded-protocol": "ssl" },
      "preflight": { "access-control-request-method": "POST", origin: "http://o.example" },
    })
  ) {
    for (const method of ["POST", "OPTIONS"]) {
      out.push({
        name: `slashes ${name} ${method}`,
        method,
        path: "/api//v1.0/predictions",
        headers,
      });
    }
  }
  form("form non-UTF-8", "json=%7B%22strData%22%3A%22%FF%22%7D");
  form("form bare json", "json");
  form("form json=&json=", `json=&json=${okQ}`);
  post("form raw bytes", pred, new Uint8Array([0x6a, 0x73, 0x6f, 0x6e, 0x3d, 0xff]), {
    "content-type": "application/x-www-form-urlencoded",
  });

  // Multipart.
  const B = "XyZb0undary";
  const mp = (parts: [string, string, string?][]) =>
    parts.map(([n, v, fn]) =>
      `--${B}\r\nContent-Disposition: form-data; name="${n}"${
        fn ? `; filename="${fn}"` : ""
      }\r\n\r\n${v}\r\n`
    ).join("") + `--${B}--\r\n`;
  const mct = { "content-type": `multipart/form-data; boundary=${B}` };
  post("multipart strData", pred, mp([["strData", "hello"]]), mct);
  post("multipart strData file", pred, mp([["strData", "hello", "a.txt"]]), mct);
  post("multipart binData file", pred, mp([["binData", "hello", "a.bin"]]), mct);
  post("multipart binData field", pred, mp([["binData", "hello"]]), mct);
  post("multipart json field", pred, mp([["json", ok]]), mct);
  post(
    "multipart meta + strData",
    pred,
    mp([["meta", enc({ tags: { a: 1 } })], ["strData", "x"]]),
    mct,
  );
  post("multipart meta bad", pred, mp([["meta", "{"], ["strData", "x"]]), mct);
  post("multipart data", pred, mp([["data", enc({ ndarray: [1] })]]), mct);
  post("multipart unknown", pred, mp([["foo", "1"]]), mct);
  post("multipart empty", pred, `--${B}--\r\n`, mct);
  post("multipart no boundary", pred, mp([["strData", "x"]]), {
    "content-type": "multipart/form-data",
  });

  // Feedback.
  const fb = "/api/v1.0/feedback";
  const req = { data: { ndarray: [[1, 2]] } };
  const feedbacks: Record<string, unknown> = {
    full: { request: req, response: req, reward: 1, truth: req },
    rewardOnly: { reward: 0.5 },
    requestOnly: { request: req },
    empty: {},
    withRouting: {
      request: req,
      response: { meta: { routing: { a: 0 } }, data: { ndarray: [1] } },
      reward: 1,
    },
    unknown: { foo: 1 },
  };
  for (const [k, v] of Object.entries(feedbacks)) {
    post(`feedback ${k}`, fb, enc(v));
    post(`feedback ${k} /send-feedback`, "/send-feedback", enc(v));
  }
  for (const m of ["request", "response", "reward", "truth"]) {
    WRONG.forEach((v) => post(`feedback wrong ${m}=${enc(v)}`, fb, enc({ request: req, [m]: v })));
  }
  post("feedback raw malformed", fb, "{");
  post("feedback raw empty", fb, "");

  // Aggregate.
  const ag = "/aggregate";
  const aggs: Record<string, unknown> = {
    two: { seldonMessages: [req, { data: { ndarray: [[3, 4]] } }] },
    one: { seldonMessages: [req] },
    none: { seldonMessages: [] },
    kinds: { seldonMessages: [{ strData: "a" }, { jsonData: { b: 1 } }] },
    tensor: { seldonMessages: [{ data: { tensor: { shape: [1], values: [1] } } }] },
    snake: { seldon_messages: [req] },
    missing: {},
    withMeta: { seldonMessages: [{ meta: { tags: { a: 1 } }, data: { ndarray: [1] } }] },
  };
  for (const [k, v] of Object.entries(aggs)) post(`aggregate ${k}`, ag, enc(v));
  WRONG.forEach((v) =>
    post(`aggregate wrong seldonMessages=${enc(v)}`, ag, enc({ seldonMessages: v }))
  );
  WRONG.forEach((v) => post(`aggregate wrong item=${enc(v)}`, ag, enc({ seldonMessages: [v] })));
  post("aggregate raw list", ag, enc([req]));
  return out;
}

/** Requests to the metrics port (`--upstream-metrics` / `--ts-metrics`). */
export function metricsCases(): Case[] {
  const out: Case[] = [];
  for (
    const path of [
      "/metrics",
      "/prometheus",
      "/",
      "/nope",
      "/metrics/",
      "/health/ping",
      "//metrics",
      "/metrics//",
      "/metrics//x",
      "/api//v1.0/predictions",
      "/metric%73",
      "/%6Detrics?x=1",
    ]
  ) {
    for (const method of ["GET", "POST", "HEAD", "OPTIONS", "PUT"]) {
      out.push({ name: `metrics ${method} ${path}`, method, path });
    }
  }
  return out;
}

/** Upgrade headers werkzeug reads as a websocket request (no body: Deno refuses one). */
const WEBSOCKET = "Connection: close, Upgrade\r\nUpgrade: WebSocket\r\n";

const WEBSOCKET_TARGETS = [
  "GET /health/ping",
  "HEAD /health/ping",
  "GET /api/v1.0/predictions",
  "HEAD /api/v1.0/predictions",
  "OPTIONS /api/v1.0/predictions",
  "POST /api/v1.0/predictions",
  "GET /predict",
  "GET /nope",
  "DELETE /nope",
  "GET /",
  "POST /",
  "GET /api//v1.0/predictions",
  "POST /api//v1.0/predictions",
  "GET /metrics",
  "POST /metrics",
  "OPTIONS /metrics",
];

/** Raw requests to the metrics port. */
export function metricsTcpCases(): { name: string; bytes: string }[] {
  return [
    ...WEBSOCKET_TARGETS.map((t) => ({
      name: `metrics websocket ${t}`,
      bytes: `${t} HTTP/1.1\r\nHost: x\r\n${WEBSOCKET}\r\n`,
    })),
    {
      name: "metrics CONNECT",
      bytes: "CONNECT x:80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    },
  ];
}

/** Raw HTTP/1.x requests (bytes as sent), for what a client library would not send. */
export function tcpCases(): { name: string; bytes: string }[] {
  const body = '{"data":{"ndarray":[1]}}';
  const P = "/api/v1.0/predictions";
  const len = body.length;
  const h = "Host: x\r\nContent-Type: application/json\r\nConnection: close\r\n";
  const chunked = `${len.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const cases: [string, string][] = [
    [
      "http/1.0",
      `POST ${P} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n${body}`,
    ],
    [
      "no host",
      `POST ${P} HTTP/1.1\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${len}\r\n\r\n${body}`,
    ],
    ["chunked", `POST ${P} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\n${chunked}`],
    [
      "expect 100",
      `POST ${P} HTTP/1.1\r\n${h}Expect: 100-continue\r\nContent-Length: ${len}\r\n\r\n${body}`,
    ],
    ["absolute uri", `POST http://x${P} HTTP/1.1\r\n${h}Content-Length: ${len}\r\n\r\n${body}`],
    ["no length", `POST ${P} HTTP/1.1\r\n${h}\r\n`],
    ["short body", `POST ${P} HTTP/1.1\r\n${h}Content-Length: 5\r\n\r\n${body}`],
    ["bad length", `POST ${P} HTTP/1.1\r\n${h}Content-Length: x\r\n\r\n${body}`],
    [
      "two lengths",
      `POST ${P} HTTP/1.1\r\n${h}Content-Length: ${len}\r\nContent-Length: ${len}\r\n\r\n${body}`,
    ],
    ["http/2.0 line", `GET /health/ping HTTP/2.0\r\n${h}\r\n`],
    ["http/1.2", `GET /health/ping HTTP/1.2\r\n${h}\r\n`],
    ["no version", `GET /health/ping\r\n${h}\r\n`],
    ["space in path", `GET /health/ ping HTTP/1.1\r\n${h}\r\n`],
    ["header no colon", `GET /health/ping HTTP/1.1\r\n${h}Bad header\r\n\r\n`],
    ["header space name", `GET /health/ping HTTP/1.1\r\n${h}Bad Name: 1\r\n\r\n`],
    ["long header", `GET /health/ping HTTP/1.1\r\n${h}X-Long: ${"a".repeat(9000)}\r\n\r\n`],
    ["many headers", `GET /health/ping HTTP/1.1\r\n${h}${"X-A: 1\r\n".repeat(120)}\r\n`],
    ["long line", `GET /health/ping?${"a".repeat(5000)} HTTP/1.1\r\n${h}\r\n`],
    ["bare LF", `GET /health/ping HTTP/1.1\nHost: x\nConnection: close\n\n`],
    ["OPTIONS *", `OPTIONS * HTTP/1.1\r\n${h}\r\n`],
    ["CONNECT", `CONNECT x:80 HTTP/1.1\r\n${h}\r\n`],
    ["TRACE", `TRACE /health/ping HTTP/1.1\r\n${h}\r\n`],
    [
      "chunked + length",
      `POST ${P} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n${chunked}`,
    ],
    ["te gzip", `POST ${P} HTTP/1.1\r\n${h}Transfer-Encoding: gzip\r\n\r\n${body}`],
    ...[
      "Host: Example.COM:8080",
      "Host: example.com:80",
      "Host: example.com:443",
      "Host: [::1]:8080",
      "Host: ",
      "Host: h\xe9:8080",
      "Host: B\xfccher.example",
      "Host: a..b",
      "Host: h\r\nX-Forwarded-Proto: https",
      "Host: h\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: on",
      "Host: h:443\r\nX-Forwarded-Proto: https",
      "Host: h\r\nConnection: Upgrade\r\nUpgrade: websocket",
    ].map((host): [string, string] => [
      `slashes ${host}`,
      `POST /api//v1.0/predictions?x=1 HTTP/1.1\r\n${host}\r\nConnection: close\r\n` +
      `Content-Length: ${len}\r\n\r\n${body}`,
    ]),
    [
      "slashes http/1.0 no host",
      `POST /api//v1.0/predictions HTTP/1.0\r\nContent-Length: ${len}\r\n\r\n${body}`,
    ],
    [
      "slashes absolute uri",
      `POST http://other.example:99/api//v1.0/predictions HTTP/1.1\r\n${h}Content-Length: ${len}\r\n\r\n${body}`,
    ],
    [
      "slashes query quotes",
      `POST /api//v1.0/predictions?q='x'&r="y"&s=<z> HTTP/1.1\r\n${h}Content-Length: ${len}\r\n\r\n${body}`,
    ],
    ...WEBSOCKET_TARGETS.map((t): [string, string] => [
      `websocket ${t}`,
      `${t} HTTP/1.1\r\nHost: x\r\n${WEBSOCKET}\r\n`,
    ]),
    [
      "content-encoding gzip",
      `POST ${P} HTTP/1.1\r\n${h}Content-Encoding: gzip\r\nContent-Length: ${len}\r\n\r\n${body}`,
    ],
  ];
  return cases.map(([name, bytes]) => ({ name: `tcp ${name}`, bytes }));
}

/** Sends raw bytes to `base`'s host and port; reads until the server closes (3 s at most). */
async function tcpSend(base: string, bytes: string): Promise<Answer> {
  const u = new URL(base);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  const chunks: Uint8Array[] = [];
  const timer = setTimeout(() => conn.close(), 3000);
  try {
    await conn.write(new TextEncoder().encode(bytes));
    const buf = new Uint8Array(65536);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed already */ }
  }
  let text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  // An interim `100 Continue` head comes before the answer.
  while (/^HTTP\/1\.[01] 1\d\d /.test(text)) text = text.slice(text.indexOf("\r\n\r\n") + 4);
  const [head, ...rest] = text.split("\r\n\r\n");
  const lines = head.split("\r\n");
  const status = Number(lines[0].split(" ")[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  let out = rest.join("\r\n\r\n");
  if (headers["transfer-encoding"] === "chunked") out = `(chunked) ${out}`;
  return ownAddressHidden(base, { status, headers, text: out });
}

/** A redirect's `Location` and page with the server's own port written `<port>` (they differ). */
function ownAddressHidden(base: string, a: Answer): Answer {
  if (a.status < 300 || a.status > 399) return a;
  const port = new RegExp(`:${new URL(base).port}(?=/)`, "g");
  const location = a.headers["location"];
  if (location !== undefined) a.headers["location"] = location.replace(port, ":<port>");
  return { ...a, text: a.text.replace(port, ":<port>") };
}

/** One gRPC call of the list: a service, its rpc and the request (proto-loader form). */
export interface GrpcCase {
  name: string;
  service: string;
  rpc: string;
  request: unknown;
}

/** A JS value as a proto-loader `google.protobuf.Value` (field names as in the .proto). */
function pv(v: unknown): unknown {
  if (v === null) return { null_value: "NULL_VALUE" };
  if (typeof v === "number") return { number_value: v };
  if (typeof v === "string") return { string_value: v };
  if (typeof v === "boolean") return { bool_value: v };
  if (Array.isArray(v)) return { list_value: { values: v.map(pv) } };
  const fields: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as object)) fields[k] = pv(x);
  return { struct_value: { fields } };
}
const plist = (a: unknown[]) => ({ values: a.map(pv) });

/** The generated list of gRPC calls. */
export function grpcCases(): GrpcCase[] {
  const msgs: Record<string, unknown> = {
    ndarray: { data: { ndarray: plist([[1, 2], [3, 4]]) } },
    ndarrayNames: { data: { names: ["a", "b"], ndarray: plist([[1, 2]]) } },
    ndarrayStr: { data: { ndarray: plist([["a", 1]]) } },
    ndarrayRagged: { data: { ndarray: plist([[1], [2, 3]]) } },
    ndarrayEmpty: { data: { ndarray: plist([]) } },
    ndarrayNull: { data: { ndarray: plist([null]) } },
    tensor: { data: { tensor: { shape: [2, 2], values: [1, 2, 3, 4] } } },
    tensorNoShape: { data: { tensor: { values: [1, 2] } } },
    tensorMismatch: { data: { tensor: { shape: [3], values: [1, 2] } } },
    tensorEmpty: { data: { tensor: {} } },
    dataEmpty: { data: {} },
    strData: { strData: "hello" },
    strDataEmpty: { strData: "" },
    binData: { binData: new TextEncoder().encode("hi") },
    jsonData: { jsonData: pv({ a: [1, 2], b: "c" }) },
    jsonDataList: { jsonData: pv([1, 2]) },
    jsonDataNum: { jsonData: pv(3) },
    customData: {
      customData: { type_url: "type.googleapis.com/x.Y", value: new Uint8Array([1]) },
    },
    metaTags: { meta: { tags: { a: pv(1), b: pv("x") } }, data: { ndarray: plist([1]) } },
    metaPuid: { meta: { puid: "abc" }, data: { ndarray: plist([1]) } },
    metaRouting: { meta: { routing: { r: 1 } }, data: { ndarray: plist([1]) } },
    metaMetrics: {
      meta: { metrics: [{ key: "k", type: "GAUGE", value: 2 }] },
      data: { ndarray: plist([1]) },
    },
    metaRequestPath: { meta: { requestPath: { a: "b" } }, data: { ndarray: plist([1]) } },
    empty: {},
    status: { status: { code: 1, info: "x", status: "FAILURE" }, data: { ndarray: plist([1]) } },
  };
  const out: GrpcCase[] = [];
  const calls: [string, string][] = [
    ["Model", "Predict"],
    ["Seldon", "Predict"],
    ["Generic", "TransformInput"],
    ["Generic", "TransformOutput"],
    ["Generic", "Route"],
    ["Transformer", "TransformInput"],
    ["OutputTransformer", "TransformOutput"],
    ["Router", "Route"],
  ];
  for (const [service, rpc] of calls) {
    for (const [k, request] of Object.entries(msgs)) {
      out.push({ name: `grpc ${service}.${rpc} ${k}`, service, rpc, request });
    }
  }
  for (const service of ["Combiner", "Generic"]) {
    const agg: Record<string, unknown> = {
      two: { seldonMessages: [msgs.ndarray, msgs.tensor] },
      one: { seldonMessages: [msgs.strData] },
      none: { seldonMessages: [] },
      empty: {},
    };
    for (const [k, request] of Object.entries(agg)) {
      out.push({ name: `grpc ${service}.Aggregate ${k}`, service, rpc: "Aggregate", request });
    }
  }
  const fb: Record<string, unknown> = {
    full: { request: msgs.ndarray, response: msgs.ndarray, reward: 1, truth: msgs.ndarray },
    reward: { reward: 0.5 },
    empty: {},
    routing: { request: msgs.ndarray, response: msgs.metaRouting, reward: 2 },
  };
  for (const service of ["Model", "Seldon", "Generic", "Router"]) {
    for (const [k, request] of Object.entries(fb)) {
      out.push({
        name: `grpc ${service}.SendFeedback ${k}`,
        service,
        rpc: "SendFeedback",
        request,
      });
    }
  }
  out.push({ name: "grpc Model.Metadata", service: "Model", rpc: "Metadata", request: {} });
  out.push({
    name: "grpc Seldon.ModelMetadata",
    service: "Seldon",
    rpc: "ModelMetadata",
    request: { name: "x" },
  });
  out.push({
    name: "grpc Seldon.GraphMetadata",
    service: "Seldon",
    rpc: "GraphMetadata",
    request: {},
  });
  return out;
}

/** Calls one gRPC case on `target` (host:port): the response, or `{code, details}`. */
async function grpcSend(target: string, c: GrpcCase): Promise<Answer> {
  const { loaderOutcome, protoLoaderSeldon } = await import("../_helpers/grpc.ts");
  const grpc = await import("@grpc/grpc-js");
  // deno-lint-ignore no-explicit-any
  const pkg: any = protoLoaderSeldon();
  const client = new pkg[c.service](target, grpc.credentials.createInsecure());
  try {
    const r = await loaderOutcome(client, c.rpc, c.request);
    return { status: 200, headers: {}, text: JSON.stringify(r) };
  } finally {
    client.close();
  }
}

/** Sends one case; a transport failure is an answer with status 0. */
async function send(base: string, c: Case): Promise<Answer> {
  try {
    const r = await fetch(base + c.path, {
      method: c.method,
      headers: c.headers,
      body: c.body,
      redirect: "manual",
    });
    const text = new TextDecoder("utf-8", { fatal: false }).decode(await r.arrayBuffer());
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => headers[k] = v);
    return ownAddressHidden(base, { status: r.status, headers, text });
  } catch (e) {
    return {
      status: 0,
      headers: {},
      text: `(transport error: ${e instanceof Error ? e.message : e})`,
    };
  }
}

const HEADERS = [
  "content-type",
  "location",
  "allow",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-expose-headers",
  "access-control-allow-credentials",
  "access-control-max-age",
  "vary",
];

/** A header's value in a comparable form (lists as sorted sets). */
function normHeader(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (name === "allow" || name.startsWith("access-control-allow-m") || name === "vary") {
    return v.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean).sort().join(", ");
  }
  return v;
}

/** Python's bare `NaN` / `Infinity` / `-Infinity` tokens (outside strings) as strings. */
function bareLiteralsAsStrings(text: string): string {
  return text.replace(
    /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g,
    (m) => m.startsWith('"') ? m : `"<${m}>"`,
  );
}

/** JSON with sorted keys and puid values hidden; undefined when `text` is not JSON. */
function normJson(text: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(bareLiteralsAsStrings(text));
  } catch {
    return undefined;
  }
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const val = (x as Record<string, unknown>)[k];
        o[k] = k === "puid" && typeof val === "string" ? "<puid>" : walk(val);
      }
      return o;
    }
    return x;
  };
  return JSON.stringify(walk(v));
}

/**
 * Prometheus text as a sorted list of samples (labels sorted, `worker_id` hidden, values as
 * numbers, blank lines dropped); undefined when `text` is not one.
 */
function normProm(text: string): string | undefined {
  if (!text.startsWith("# HELP") && !text.startsWith("# TYPE")) return undefined;
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const m = /^([^{\s]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || line.startsWith("#")) {
      lines.push(line);
      continue;
    }
    const labels = (m[2] ?? "").match(/[a-zA-Z_]\w*="(?:[^"\\]|\\.)*"/g) ?? [];
    const kept = labels.filter((l) => !l.startsWith("worker_id=")).sort();
    lines.push(`${m[1]}{${kept.join(",")}} ${Number(m[3])}`);
  }
  return lines.sort().join("\n");
}

/** The differences between two answers, as lines. */
function differences(a: Answer, b: Answer): string[] {
  const d: string[] = [];
  if (a.status !== b.status) d.push(`status: upstream ${a.status}, ts ${b.status}`);
  for (const h of HEADERS) {
    const x = normHeader(h, a.headers[h]);
    const y = normHeader(h, b.headers[h]);
    if (x !== y) d.push(`${h}: upstream ${enc(x)}, ts ${enc(y)}`);
  }
  const ja = normJson(a.text) ?? normProm(a.text);
  const jb = normJson(b.text) ?? normProm(b.text);
  if (ja !== undefined && jb !== undefined) {
    if (ja !== jb) d.push(`body (json):\n    upstream ${cut(ja)}\n    ts       ${cut(jb)}`);
  } else if (a.text !== b.text) {
    d.push(`body (raw):\n    upstream ${cut(enc(a.text))}\n    ts       ${cut(enc(b.text))}`);
  }
  return d;
}

const cut = (s: string, n = 600) => s.length > n ? s.slice(0, n) + `… (${s.length})` : s;

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

if (import.meta.main) {
  const all = cases();
  if (Deno.args.includes("--list")) {
    for (const c of all) console.log(`${c.method} ${c.path}  ${c.name}`);
    Deno.exit(0);
  }
  const up = arg("--upstream");
  const ts = arg("--ts");
  if (!up || !ts) {
    console.error(
      "usage: diff.ts --upstream URL --ts URL [--upstream-grpc HOST:PORT --ts-grpc HOST:PORT]" +
        " [--upstream-metrics URL --ts-metrics URL] [--only SUBSTRING] [--list] [--show-same]",
    );
    Deno.exit(2);
  }
  const only = arg("--only");
  const chosen = (name: string) => !only || name.includes(only);
  let total = 0;
  let differing = 0;
  const report = (title: string, d: string[]) => {
    total++;
    if (!d.length) return;
    differing++;
    console.log(`\n## ${title}`);
    for (const line of d) console.log("  " + line);
  };
  // REST first, then raw TCP and gRPC, then the metrics port (which counts all of them).
  for (const c of all.filter((c) => chosen(c.name))) {
    const [a, b] = [await send(up, c), await send(ts, c)];
    const d = differences(a, b);
    report(`${c.name}  (${c.method} ${c.path})`, d);
    if (!d.length && Deno.args.includes("--show-same")) {
      console.log(`= ${c.name}: ${a.status} ${cut(a.text, 200)}`);
    }
  }
  for (const c of tcpCases().filter((c) => chosen(c.name))) {
    report(c.name, differences(await tcpSend(up, c.bytes), await tcpSend(ts, c.bytes)));
  }
  const [upG, tsG] = [arg("--upstream-grpc"), arg("--ts-grpc")];
  if (upG && tsG) {
    for (const c of grpcCases().filter((c) => chosen(c.name))) {
      report(c.name, differences(await grpcSend(upG, c), await grpcSend(tsG, c)));
    }
  }
  const [upM, tsM] = [arg("--upstream-metrics"), arg("--ts-metrics")];
  if (upM && tsM) {
    for (const c of metricsCases().filter((c) => chosen(c.name))) {
      report(
        `${c.name}  (${c.method} ${c.path})`,
        differences(await send(upM, c), await send(tsM, c)),
      );
    }
    for (const c of metricsTcpCases().filter((c) => chosen(c.name))) {
      report(c.name, differences(await tcpSend(upM, c.bytes), await tcpSend(tsM, c.bytes)));
    }
  }
  console.log(`\n${total} cases, ${differing} with differences`);
}
