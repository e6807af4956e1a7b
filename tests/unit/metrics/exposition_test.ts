/**
 * The Prometheus text exposition and the metrics port (metrics-and-processes.md §1.7, §2.5,
 * §2.8): number formatting, per-series blocks, label merging/sorting/escaping, histogram
 * buckets, the default labels, and the HTTP handler's statuses, bodies and CORS headers.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  BUCKET_LABELS,
  type DefaultLabels,
  defaultLabels,
  escapeLabelValue,
  floatToGoString,
  isValidMetricKey,
  METRICS_CONTENT_TYPE,
  renderExposition,
} from "../../../src/metrics/exposition.ts";
import { createMetricsHandler } from "../../../src/metrics/http.ts";
import { errorPage } from "../../../src/http/werkzeug.ts";
import { BUCKETS, MetricsStore, type Series } from "../../../src/metrics/store.ts";

/** The `le` strings exactly as listed in §2.5 (copied independently of the implementation). */
const SPEC_LE = `0.001, 0.0012341553253454693, 0.0015231393670785815, 0.001879790561123359,
0.002319953531544542, 0.0028631830055097247, 0.0035336125536884733, 0.004361026750842238,
0.005382184388525997, 0.006642451525090608, 0.008197816923039709, 0.010117379411776668,
0.012486417679584787, 0.015410178873747385, 0.019018554321561593, 0.02347185009632733,
0.028967908792092947, 0.03575089889988335, 0.04412216226317853, 0.05445360152285871,
0.06720420230367624, 0.0829404241586763, 0.10236136616184238, 0.12632982515827532,
0.15591062646904755, 0.19241792993472334, 0.2374736129208902, 0.29307932401534564,
0.36170540848218913, 0.44640065608455204, 0.5509277469444613, 0.6799304127720882,
0.8391397397870158, 1.035628778567157, 1.2781267721496807, 1.5774069623151439,
1.9467652027782552, 2.4026106422060365, 2.965194718810281, 3.65951085290597,
4.516404807273444, 5.573945044312399, 6.879113959621136, 8.489895126924784,
10.477849282518772, 12.931293490187748, 15.959224724520412, 19.696162182151948,
24.308123445970867, 29.999999999999996, +Inf`.split(/,\s*/);

/** Short default labels so expected lines stay readable. */
const LABELS: DefaultLabels = {
  deployment_name: "dep",
  model_name: "mod",
  model_image: "img",
  model_version: "1",
  predictor_name: "pred",
  predictor_version: "v",
  seldon_deployment_name: "dep",
  image_name: "img",
  image_version: "1",
};

/** The rendered default labels (already in sorted order) of {@link LABELS}. */
const D_HEAD = 'deployment_name="dep",image_name="img",image_version="1"';
const D_MID = 'model_image="img",model_name="mod",model_version="1",predictor_name="pred"';
const D_TAIL = 'predictor_version="v",seldon_deployment_name="dep"';

function storeWith(metrics: Record<string, unknown>[], method = "predict"): Series[] {
  const store = new MetricsStore();
  store.record(metrics, method);
  return store.series();
}

function render(series: Series[], worker = "7"): string {
  return renderExposition([[worker, series]], LABELS);
}

/** Expected histogram lines for one series given per-`le` cumulative counts. */
function histogramLines(
  key: string,
  labelsBeforeLe: string,
  labelsAfterLe: string,
  cumulative: (i: number) => number,
  sum: string,
): string {
  let text = `# HELP ${key} \n# TYPE ${key} histogram\n`;
  SPEC_LE.forEach((le, i) => {
    text += `${key}_bucket{${labelsBeforeLe},le="${le}",${labelsAfterLe}} ` +
      `${floatToGoString(cumulative(i))}\n`;
  });
  const all = `${labelsBeforeLe},${labelsAfterLe}`;
  return text + `${key}_count{${all}} ${floatToGoString(cumulative(50))}\n` +
    `${key}_sum{${all}} ${sum}\n`;
}

// ---------------------------------------------------------------------------------------------
// floatToGoString
// ---------------------------------------------------------------------------------------------

Deno.test("floatToGoString: every example of §2.5", () => {
  const cases: [number, string][] = [
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
    [1, "1.0"],
    [100, "100.0"],
    [1e-5, "1e-05"],
    [2.5e-7, "2.5e-07"],
    [1e16, "1e+16"],
    [1000000, "1e+06"],
    [1234567, "1.234567e+06"],
    [12345678901, "1.2345678901e+010"],
    [-2000000, "-2000000.0"],
    [0.1 + 0.2, "0.30000000000000004"],
    [123456.5, "123456.5"],
    [0.0125, "0.0125"],
  ];
  for (const [x, want] of cases) assertEquals(floatToGoString(x), want, `value ${x}`);
});

Deno.test("floatToGoString: Python repr boundaries and the Go-style rewrite edges", () => {
  const cases: [number, string][] = [
    [0, "0.0"],
    [-0, "-0.0"],
    [0.0001, "0.0001"],
    [0.00001234, "1.234e-05"],
    [999999, "999999.0"],
    [999999.5, "999999.5"],
    [1000000.5, "1.0000005e+06"],
    [10000000, "1e+07"],
    [1e15, "1e+015"],
    [9999999999999998, "9.999999999999998e+015"],
    [1.5e16, "1.5e+16"],
    [1e22, "1e+22"],
    [1e-300, "1e-300"],
    [-1e-5, "-1e-05"],
    [-12345678901, "-12345678901.0"],
    [42, "42.0"],
    [0.0202, "0.0202"],
  ];
  for (const [x, want] of cases) assertEquals(floatToGoString(x), want, `value ${x}`);
});

// ---------------------------------------------------------------------------------------------
// Buckets
// ---------------------------------------------------------------------------------------------

Deno.test("histogram le labels are exactly the §2.5 list", () => {
  assertEquals([...BUCKET_LABELS], SPEC_LE);
});

Deno.test("store BUCKETS are the §2.5 edges within 1e-15 relative", () => {
  assertEquals(BUCKETS.length, 50);
  for (let i = 0; i < 50; i++) {
    const want = Number(SPEC_LE[i]);
    const rel = Math.abs(BUCKETS[i] - want) / want;
    assert(rel <= 1e-15, `edge ${i}: ${BUCKETS[i]} vs ${SPEC_LE[i]} (relative ${rel})`);
  }
});

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

Deno.test("no series renders the empty string", () => {
  assertEquals(renderExposition([], LABELS), "");
  assertEquals(renderExposition([["1", []]], LABELS), "");
});

Deno.test("COUNTER block: <key>_total family, sorted labels, float value", () => {
  const text = render(storeWith([{ type: "COUNTER", key: "hits", value: 3 }]));
  assertEquals(
    text,
    "# HELP hits_total \n# TYPE hits_total counter\n" +
      `hits_total{${D_HEAD},method="predict",${D_MID},${D_TAIL},worker_id="7"} 3.0\n`,
  );
});

Deno.test("COUNTER key already ending in _total is not doubled", () => {
  const text = render(storeWith([{ type: "COUNTER", key: "hits_total", value: 1.5 }]));
  assertEquals(
    text,
    "# HELP hits_total \n# TYPE hits_total counter\n" +
      `hits_total{${D_HEAD},method="predict",${D_MID},${D_TAIL},worker_id="7"} 1.5\n`,
  );
});

Deno.test("COUNTER values add up and GAUGE keeps the last value", () => {
  const store = new MetricsStore();
  store.record(
    [{ type: "COUNTER", key: "c", value: 1 }, { type: "GAUGE", key: "g", value: 5 }],
    "x",
  );
  store.record(
    [{ type: "COUNTER", key: "c", value: 41 }, { type: "GAUGE", key: "g", value: 2 }],
    "x",
  );
  const labels = `${D_HEAD},method="x",${D_MID},${D_TAIL},worker_id="7"`;
  assertEquals(
    render(store.series()),
    "# HELP c_total \n# TYPE c_total counter\n" + `c_total{${labels}} 42.0\n` +
      "# HELP g \n# TYPE g gauge\n" + `g{${labels}} 2.0\n`,
  );
});

Deno.test("GAUGE block with a user tag sorted among the default labels", () => {
  const text = render(
    storeWith([{ type: "GAUGE", key: "load", value: 0.25, tags: { zone: "eu", alpha: "a" } }]),
  );
  assertEquals(
    text,
    "# HELP load \n# TYPE load gauge\n" +
      `load{alpha="a",${D_HEAD},method="predict",${D_MID},${D_TAIL},worker_id="7",zone="eu"} 0.25\n`,
  );
});

Deno.test("TIMER block: 51 cumulative buckets, then _count, then _sum in seconds", () => {
  // 0.5 ms → bin 0 (reported at le="0.001"), 20.2 ms twice → [0.019018…, 0.023471…).
  const store = new MetricsStore();
  for (const ms of [0.5, 20.2, 20.2]) store.record([{ type: "TIMER", key: "t", value: ms }], "p");
  const before = `${D_HEAD}`;
  const after = `method="p",${D_MID},${D_TAIL},worker_id="7"`;
  const sum = floatToGoString(0.5 / 1000 + 20.2 / 1000 + 20.2 / 1000);
  assertEquals(
    render(store.series()),
    histogramLines("t", before, after, (i) => (i < 15 ? 1 : 3), sum),
  );
  assert(render(store.series()).includes(`t_bucket{${before},le="0.001",${after}} 1.0\n`));
  assert(
    render(store.series()).includes(`t_bucket{${before},le="0.02347185009632733",${after}} 3.0\n`),
  );
});

Deno.test("TIMER value exactly on an edge counts in the bucket above it", () => {
  // 1 ms = 0.001 s exactly: not in le="0.001", first counted at le="0.0012341553253454693".
  const text = render(storeWith([{ type: "TIMER", key: "t", value: 1 }]));
  const after = `method="predict",${D_MID},${D_TAIL},worker_id="7"`;
  assertEquals(text, histogramLines("t", D_HEAD, after, (i) => (i === 0 ? 0 : 1), "0.001"));
});

Deno.test("TIMER of exactly 30 s lies above the last finite edge (only in +Inf)", () => {
  // The last finite edge is 29.999999999999996, so 30.0 falls in [29.999…, +Inf].
  const text = render(storeWith([{ type: "TIMER", key: "t", value: 30000 }]));
  const after = `method="predict",${D_MID},${D_TAIL},worker_id="7"`;
  assertEquals(text, histogramLines("t", D_HEAD, after, (i) => (i === 50 ? 1 : 0), "30.0"));
});

Deno.test("negative TIMER values change only _sum", () => {
  const store = new MetricsStore();
  store.record([{ type: "TIMER", key: "t", value: -5 }], "predict");
  store.record([{ type: "TIMER", key: "t", value: 2 }], "predict");
  const after = `method="predict",${D_MID},${D_TAIL},worker_id="7"`;
  // 0.002 s lies in [0.001879790561123359, 0.002319953531544542): first counted at index 4.
  const sum = floatToGoString(-0.005 + 0.002);
  assertEquals(
    render(store.series()),
    histogramLines("t", D_HEAD, after, (i) => (i >= 4 ? 1 : 0), sum),
  );
  assertEquals(sum, "-0.003");
});

Deno.test("a user tag named le on a TIMER is replaced by the bucket bound on _bucket lines", () => {
  const text = render(storeWith([{ type: "TIMER", key: "t", value: 1, tags: { le: "mine" } }]));
  assert(text.includes(`t_bucket{${D_HEAD},le="0.001",method="predict",`));
  assert(text.includes(`t_count{${D_HEAD},le="mine",method="predict",`));
});

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

Deno.test("label precedence: user tags < default labels < worker_id", () => {
  const tags = { model_name: "user", worker_id: "user", deployment_name: "user", extra: "e" };
  const text = render(storeWith([{ type: "GAUGE", key: "g", value: 1, tags }]), "99");
  assertEquals(
    text,
    "# HELP g \n# TYPE g gauge\n" +
      'g{deployment_name="dep",extra="e",image_name="img",image_version="1",method="predict",' +
      `${D_MID},${D_TAIL},worker_id="99"} 1.0\n`,
  );
});

Deno.test("the method tag overrides a user method tag", () => {
  const text = render(storeWith([{ type: "GAUGE", key: "g", value: 1, tags: { method: "m" } }]));
  assert(text.includes('method="predict"'));
  assert(!text.includes('method="m"'));
});

Deno.test("labels are sorted by code point (uppercase and _ before lowercase)", () => {
  const tags = { b: "1", B: "2", _x: "3", a_b: "4", ab: "5" };
  const text = render(storeWith([{ type: "GAUGE", key: "g", value: 1, tags }]));
  const line = text.split("\n")[2];
  const names = [...line.matchAll(/([A-Za-z_]+)="/g)].map((m) => m[1]);
  assertEquals(names, [...names].sort());
  assertEquals(names.slice(0, 5), ["B", "_x", "a_b", "ab", "b"]);
});

Deno.test("label values escape backslash, newline and double quote", () => {
  assertEquals(escapeLabelValue('a\\b\n"c"'), 'a\\\\b\\n\\"c\\"');
  const text = render(storeWith([{ type: "GAUGE", key: "g", value: 1, tags: { v: 'x"\\\ny' } }]));
  assertEquals(
    text,
    "# HELP g \n# TYPE g gauge\n" +
      `g{${D_HEAD},method="predict",${D_MID},${D_TAIL},v="x\\"\\\\\\ny",worker_id="7"} 1.0\n`,
  );
});

// ---------------------------------------------------------------------------------------------
// Workers, ordering, invalid names
// ---------------------------------------------------------------------------------------------

Deno.test("workers and their series render in iteration order, one block per series", () => {
  const a = new MetricsStore();
  a.record([{ type: "GAUGE", key: "z", value: 1 }, { type: "COUNTER", key: "a", value: 1 }], "m");
  a.record([{ type: "GAUGE", key: "z", value: 2, tags: { s: "1" } }], "m");
  const b = new MetricsStore();
  b.record([{ type: "COUNTER", key: "a", value: 5 }], "m");
  const text = renderExposition([["20", a.series()], ["3", b.series()]], LABELS);
  const samples = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assertEquals(
    samples.map((l) => `${l.slice(0, l.indexOf("{"))} ${l.match(/worker_id="(\d+)"/)![1]}`),
    ["z 20", "a_total 20", "z 20", "a_total 3"],
  );
  assertEquals(text.match(/# TYPE a_total counter\n/g)!.length, 2);
  assertEquals(text.match(/# HELP z \n/g)!.length, 2);
});

Deno.test("series with invalid metric names are skipped and reported", () => {
  const store = new MetricsStore();
  store.record([
    { type: "GAUGE", key: "my-metric", value: 1 },
    { type: "GAUGE", key: "ok", value: 2 },
    { type: "COUNTER", key: "_total", value: 1 },
    { type: "TIMER", key: "9lives", value: 1 },
  ], "predict");
  const skipped: string[] = [];
  const text = renderExposition(
    [["7", store.series()]],
    LABELS,
    (key, worker) => skipped.push(`${worker}:${key}`),
  );
  assertEquals(skipped, ["7:my-metric", "7:_total", "7:9lives"]);
  assertEquals(
    text,
    "# HELP ok \n# TYPE ok gauge\n" +
      `ok{${D_HEAD},method="predict",${D_MID},${D_TAIL},worker_id="7"} 2.0\n`,
  );
  assert(isValidMetricKey("GAUGE", "a:b_c9"));
  assert(isValidMetricKey("COUNTER", "x_total"));
  assert(!isValidMetricKey("GAUGE", ""));
});

// ---------------------------------------------------------------------------------------------
// Default labels
// ---------------------------------------------------------------------------------------------

Deno.test("default labels when nothing is set are NOT_IMPLEMENTED everywhere", () => {
  const n = "NOT_IMPLEMENTED";
  assertEquals(defaultLabels({}), {
    deployment_name: n,
    model_name: n,
    model_image: n,
    model_version: n,
    predictor_name: n,
    predictor_version: n,
    seldon_deployment_name: n,
    image_name: n,
    image_version: n,
  });
});

Deno.test("default labels split PREDICTIVE_UNIT_IMAGE at the last colon", () => {
  const pick = (image: string) => {
    const l = defaultLabels({ PREDICTIVE_UNIT_IMAGE: image });
    assertEquals([l.image_name, l.image_version], [l.model_image, l.model_version]);
    return [l.model_image, l.model_version];
  };
  assertEquals(pick("seldonio/sklearn-iris:0.1"), ["seldonio/sklearn-iris", "0.1"]);
  assertEquals(pick("localhost:32000/sklearn-iris:0.1"), ["localhost:32000/sklearn-iris", "0.1"]);
  assertEquals(pick("myimage"), ["", "myimage"]);
  assertEquals(pick("host:5000/img"), ["host", "5000/img"]);
});

Deno.test("default labels read the deployment, unit, predictor and its version", () => {
  const l = defaultLabels({
    SELDON_DEPLOYMENT_ID: "d",
    PREDICTIVE_UNIT_ID: "u",
    PREDICTOR_ID: "p",
    PREDICTOR_LABELS: '{"version":"v9","other":1}',
  });
  assertEquals(
    [l.deployment_name, l.seldon_deployment_name, l.model_name, l.predictor_name],
    ["d", "d", "u", "p"],
  );
  assertEquals(l.predictor_version, "v9");
  assertEquals(defaultLabels({ PREDICTOR_LABELS: "{}" }).predictor_version, "NOT_IMPLEMENTED");
});

// ---------------------------------------------------------------------------------------------
// §2.8 worked example
// ---------------------------------------------------------------------------------------------

Deno.test("the §2.8 example scrape, byte for byte", () => {
  const labels = defaultLabels({
    SELDON_DEPLOYMENT_ID: "iris-dep",
    PREDICTIVE_UNIT_ID: "classifier",
    PREDICTIVE_UNIT_IMAGE: "registry.local:5000/acme/iris:2.1",
    PREDICTOR_ID: "main",
    PREDICTOR_LABELS: '{"version":"v3"}',
  });
  const w1 = new MetricsStore();
  w1.record([
    { type: "COUNTER", key: "requests_served", value: 2 },
    { type: "GAUGE", key: "queue_depth", value: 7, tags: { shard: "a" } },
    { type: "TIMER", key: "infer_ms", value: 12.5 },
  ], "predict");
  const w2 = new MetricsStore();
  w2.record([{ type: "COUNTER", key: "requests_served", value: 1 }], "predict");
  const text = renderExposition([["4711", w1.series()], ["4712", w2.series()]], labels);

  const head = 'deployment_name="iris-dep",image_name="registry.local:5000/acme/iris",' +
    'image_version="2.1"';
  const tail = 'method="predict",model_image="registry.local:5000/acme/iris",' +
    'model_name="classifier",model_version="2.1",predictor_name="main",predictor_version="v3",' +
    'seldon_deployment_name="iris-dep"';
  const firstLine = "requests_served_total{" +
    'deployment_name="iris-dep",image_name="registry.local:5000/acme/iris",image_version="2.1",' +
    'method="predict",model_image="registry.local:5000/acme/iris",model_name="classifier",' +
    'model_version="2.1",predictor_name="main",predictor_version="v3",' +
    'seldon_deployment_name="iris-dep",worker_id="4711"} 2.0\n';
  let expected = "# HELP requests_served_total \n# TYPE requests_served_total counter\n" +
    firstLine +
    "# HELP queue_depth \n# TYPE queue_depth gauge\n" +
    `queue_depth{${head},${tail},shard="a",worker_id="4711"} 7.0\n` +
    "# HELP infer_ms \n# TYPE infer_ms histogram\n";
  for (let i = 0; i < SPEC_LE.length; i++) {
    const count = i >= 13 ? "1.0" : "0.0"; // le="0.015410178873747385" is index 13
    expected += `infer_ms_bucket{${head},le="${SPEC_LE[i]}",${tail},worker_id="4711"} ${count}\n`;
  }
  expected += `infer_ms_count{${head},${tail},worker_id="4711"} 1.0\n` +
    `infer_ms_sum{${head},${tail},worker_id="4711"} 0.0125\n` +
    "# HELP requests_served_total \n# TYPE requests_served_total counter\n" +
    `requests_served_total{${head},${tail},worker_id="4712"} 1.0\n`;
  assertEquals(SPEC_LE[13], "0.015410178873747385");
  assertEquals(text, expected);
  // The lines §2.8 writes out in full or partially.
  assert(text.includes(
    `infer_ms_bucket{${head},le="0.001",${tail},worker_id="4711"} 0.0\n`,
  ));
  assert(text.includes(
    `infer_ms_bucket{${head},le="0.012486417679584787",${tail},worker_id="4711"} 0.0\n`,
  ));
  assert(text.includes(`infer_ms_bucket{${head},le="+Inf",${tail},worker_id="4711"} 1.0\n`));
});

// ---------------------------------------------------------------------------------------------
// The metrics port
// ---------------------------------------------------------------------------------------------

Deno.test("metrics port: statuses, content types, bodies and CORS over HTTP", async () => {
  let body = "";
  let fail = false;
  const seen: string[] = [];
  const errors: unknown[] = [];
  const handler = createMetricsHandler(
    () => {
      if (fail) throw new Error("boom");
      return Promise.resolve(body);
    },
    "/metrics-endpoint",
    {
      onRequest: (req, status) => seen.push(`${req.method} ${new URL(req.url).pathname} ${status}`),
      onError: (err) => errors.push(err),
    },
  );
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const call = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { method, headers });
    return { res, text: await res.text() };
  };
  try {
    // Empty store → 200 with empty body.
    let { res, text } = await call("GET", "/metrics-endpoint");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), METRICS_CONTENT_TYPE);
    assertEquals(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assertEquals(res.headers.get("access-control-allow-origin"), "*");
    assertEquals(res.headers.get("vary"), null);
    assertEquals(text, "");

    body = render(storeWith([{ type: "COUNTER", key: "c", value: 1 }]));
    ({ res, text } = await call("GET", "/metrics-endpoint", { origin: "http://ui.example" }));
    assertEquals(res.status, 200);
    assertEquals(text, body);
    assertEquals(res.headers.get("access-control-allow-origin"), "http://ui.example");
    assertEquals(res.headers.get("vary"), "Origin");

    ({ res, text } = await call("HEAD", "/metrics-endpoint"));
    assertEquals([res.status, text], [200, ""]);
    assertEquals(res.headers.get("content-type"), METRICS_CONTENT_TYPE);

    for (const path of ["/metrics", "/metrics-endpoint/", "/", "/nowhere/deep"]) {
      ({ res, text } = await call("GET", path));
      assertEquals(res.status, 404, path);
      assertEquals(text, errorPage(404));
      assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
      assertEquals(res.headers.get("access-control-allow-origin"), "*");
    }
    assertEquals(
      errorPage(404),
      "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n" +
        "<p>The requested URL was not found on the server. If you entered the URL manually " +
        "please check your spelling and try again.</p>\n",
    );
    ({ res, text } = await call("HEAD", "/nowhere"));
    assertEquals([res.status, text], [404, ""]);

    for (const [method, path] of [["POST", "/metrics-endpoint"], ["PUT", "/nowhere"]]) {
      ({ res, text } = await call(method, path, { origin: "http://o" }));
      assertEquals(res.status, 405, `${method} ${path}`);
      assertEquals(text, errorPage(405));
      assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
      assertEquals(res.headers.get("allow"), "GET, HEAD, OPTIONS");
      assertEquals(res.headers.get("access-control-allow-origin"), "http://o");
    }
    assertEquals(
      errorPage(405),
      "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n" +
        "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n",
    );
    ({ res, text } = await call("DELETE", "/"));
    assertEquals(res.status, 404);

    ({ res, text } = await call("OPTIONS", "/metrics-endpoint"));
    assertEquals([res.status, text], [200, ""]);
    assertEquals(res.headers.get("allow"), "GET, HEAD, OPTIONS");
    assertEquals(res.headers.get("access-control-allow-methods"), null);
    ({ res, text } = await call("OPTIONS", "/metrics-endpoint", {
      origin: "http://o",
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-a",
    }));
    assertEquals(res.status, 200);
    assertEquals(
      res.headers.get("access-control-allow-methods"),
      "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
    );
    assertEquals(res.headers.get("access-control-allow-headers"), "x-a");
    assertEquals(res.headers.get("access-control-allow-origin"), "http://o");

    fail = true;
    ({ res, text } = await call("GET", "/metrics-endpoint"));
    assertEquals(res.status, 500);
    assertEquals(text, errorPage(500));
    assert(text.startsWith("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error"));
    assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(res.headers.get("access-control-allow-origin"), "*");
    assertEquals(errors.length, 1);
    assertEquals(seen[0], "GET /metrics-endpoint 200");
    assertEquals(seen.at(-1), "GET /metrics-endpoint 500");
  } finally {
    await server.shutdown();
  }
});
