/**
 * The Prometheus text exposition and the metrics port (metrics-and-processes.md §1.7, §2.5,
 * §2.8): number formatting, per-series blocks, label merging/sorting/escaping, histogram
 * buckets, the default labels, and the HTTP handler's statuses, bodies and CORS headers.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  type DefaultLabels,
  defaultLabels,
  isValidMetricKey,
  METRICS_CONTENT_TYPE,
} from "../../../src/metrics/exposition.ts";
import { customRegistry, renderRegistry } from "../../../src/metrics/registry.ts";
import { parseSamples } from "../../_helpers/prometheus.ts";
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

function storeWith(metrics: Record<string, unknown>[], method = "predict"): Series[] {
  const store = new MetricsStore();
  store.record(metrics, method);
  return store.series();
}

function render(series: Series[], worker = "7"): Promise<string> {
  return renderRegistry([customRegistry([[worker, series]], LABELS)]);
}

interface Parsed {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a scrape as a scraper reads them: name, labels, numeric value. */
function parsed(text: string): Parsed[] {
  return parseSamples(text).map((x) => ({
    name: x.name,
    labels: x.labels,
    value: Number(x.value),
  }));
}

async function samplesOf(metrics: Record<string, unknown>[]): Promise<Parsed[]> {
  return parsed(await render(storeWith(metrics)));
}

/** `# TYPE` lines: family name → type (a repeated family with another type fails). */
function typesOf(text: string): Record<string, string> {
  const types: Record<string, string> = {};
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    assert(!(m[1] in types) || types[m[1]] === m[2], `family ${m[1]} typed twice`);
    types[m[1]] = m[2];
  }
  return types;
}

/** `tags` plus the default labels of {@link LABELS} and worker 7. */
function withDefaults(tags: Record<string, string>): Record<string, string> {
  return { ...tags, ...LABELS, worker_id: "7" };
}

function sortSamples(samples: Parsed[]): Parsed[] {
  const key = (x: Parsed) =>
    x.name + JSON.stringify(Object.entries(x.labels).sort(([a], [b]) => a < b ? -1 : 1));
  return [...samples].sort((a, b) => key(a) < key(b) ? -1 : 1);
}

/** A histogram of one series of worker 7: cumulative bucket counts, `_count`, `_sum`. */
function assertHistogram(
  text: string,
  key: string,
  tags: Record<string, string>,
  cumulative: (i: number) => number,
  sum: number,
): void {
  const samples = parsed(text);
  const labels = withDefaults(tags);
  const buckets = samples.filter((x) => x.name === `${key}_bucket`);
  assertEquals(buckets.map((x) => x.labels), SPEC_LE.map((le) => ({ ...labels, le })));
  assertEquals(buckets.map((x) => x.value), SPEC_LE.map((_, i) => cumulative(i)));
  assertEquals(samples.filter((x) => x.name === `${key}_count`), [
    { name: `${key}_count`, labels, value: cumulative(50) },
  ]);
  const sums = samples.filter((x) => x.name === `${key}_sum`);
  assertEquals(sums.map((x) => x.labels), [labels]);
  assert(Math.abs(sums[0].value - sum) <= 1e-15, `${key}_sum ${sums[0].value} vs ${sum}`);
}

// ---------------------------------------------------------------------------------------------
// Buckets
// ---------------------------------------------------------------------------------------------

Deno.test("store BUCKETS are the §2.5 edges within 1e-15 relative", () => {
  assertEquals(BUCKETS.length, 50);
  for (let i = 0; i < 50; i++) {
    const want = Number(SPEC_LE[i]);
    const rel = Math.abs(BUCKETS[i] - want) / want;
    assert(rel <= 1e-15, `edge ${i}: ${BUCKETS[i]} vs ${SPEC_LE[i]} (relative ${rel})`);
  }
});

Deno.test("histogram le labels are the §2.5 list, as doubles", async () => {
  const les = (await samplesOf([{ type: "TIMER", key: "t", value: 1 }]))
    .filter((x) => x.name === "t_bucket").map((x) => x.labels.le);
  assertEquals(les.map(Number), SPEC_LE.map(Number));
  assertEquals(les.at(-1), "+Inf");
});

// ---------------------------------------------------------------------------------------------
// Families
// ---------------------------------------------------------------------------------------------

Deno.test("no series renders the empty string", async () => {
  assertEquals(await renderRegistry([customRegistry([], LABELS)]), "");
  assertEquals(await renderRegistry([customRegistry([["1", []]], LABELS)]), "");
});

Deno.test("COUNTER: <key>_total family of TYPE counter, labels, value", async () => {
  const text = await render(storeWith([{ type: "COUNTER", key: "hits", value: 3 }]));
  assertEquals(typesOf(text), { hits_total: "counter" });
  assertEquals(parsed(text), [{
    name: "hits_total",
    labels: withDefaults({ method: "predict" }),
    value: 3,
  }]);
});

Deno.test("COUNTER key already ending in _total is not doubled", async () => {
  const text = await render(storeWith([{ type: "COUNTER", key: "hits_total", value: 1.5 }]));
  assertEquals(typesOf(text), { hits_total: "counter" });
  assertEquals(parsed(text).map((x) => [x.name, x.value]), [["hits_total", 1.5]]);
});

Deno.test("COUNTER values add up and GAUGE keeps the last value", async () => {
  const store = new MetricsStore();
  store.record(
    [{ type: "COUNTER", key: "c", value: 1 }, { type: "GAUGE", key: "g", value: 5 }],
    "x",
  );
  store.record(
    [{ type: "COUNTER", key: "c", value: 41 }, { type: "GAUGE", key: "g", value: 2 }],
    "x",
  );
  const text = await render(store.series());
  assertEquals(typesOf(text), { c_total: "counter", g: "gauge" });
  assertEquals(parsed(text), [
    { name: "c_total", labels: withDefaults({ method: "x" }), value: 42 },
    { name: "g", labels: withDefaults({ method: "x" }), value: 2 },
  ]);
});

Deno.test("a negative COUNTER total (upstream adds any increment) is shown as is", async () => {
  const text = await render(storeWith([{ type: "COUNTER", key: "c", value: -2.5 }]));
  assertEquals(typesOf(text), { c_total: "counter" });
  assertEquals(parsed(text).map((x) => x.value), [-2.5]);
});

Deno.test("GAUGE with user tags beside the default labels", async () => {
  const text = await render(
    storeWith([{ type: "GAUGE", key: "load", value: 0.25, tags: { zone: "eu", alpha: "a" } }]),
  );
  assertEquals(parsed(text), [{
    name: "load",
    labels: withDefaults({ alpha: "a", method: "predict", zone: "eu" }),
    value: 0.25,
  }]);
});

Deno.test("TIMER: 51 cumulative buckets, _count and _sum in seconds", async () => {
  // 0.5 ms → bin 0 (reported at le="0.001"), 20.2 ms twice → [0.019018…, 0.023471…).
  const store = new MetricsStore();
  for (const ms of [0.5, 20.2, 20.2]) store.record([{ type: "TIMER", key: "t", value: ms }], "p");
  const text = await render(store.series());
  assertEquals(typesOf(text), { t: "histogram" });
  assertHistogram(text, "t", { method: "p" }, (i) => (i < 15 ? 1 : 3), 0.5 / 1000 + 0.0404);
});

Deno.test("TIMER value exactly on an edge counts in the bucket above it", async () => {
  // 1 ms = 0.001 s exactly: not in le="0.001", first counted at le="0.0012341553253454693".
  const text = await render(storeWith([{ type: "TIMER", key: "t", value: 1 }]));
  assertHistogram(text, "t", { method: "predict" }, (i) => (i === 0 ? 0 : 1), 0.001);
});

Deno.test("TIMER of exactly 30 s lies above the last finite edge (only in +Inf)", async () => {
  const text = await render(storeWith([{ type: "TIMER", key: "t", value: 30000 }]));
  assertHistogram(text, "t", { method: "predict" }, (i) => (i === 50 ? 1 : 0), 30);
});

Deno.test("negative TIMER values change only _sum", async () => {
  const store = new MetricsStore();
  store.record([{ type: "TIMER", key: "t", value: -5 }], "predict");
  store.record([{ type: "TIMER", key: "t", value: 2 }], "predict");
  // 0.002 s lies in [0.001879790561123359, 0.002319953531544542): first counted at index 4.
  const text = await render(store.series());
  assertHistogram(text, "t", { method: "predict" }, (i) => (i >= 4 ? 1 : 0), -0.005 + 0.002);
});

Deno.test("a user tag named le on a TIMER is replaced by the bucket bound on _bucket lines", async () => {
  const text = await render(
    storeWith([{ type: "TIMER", key: "t", value: 1, tags: { le: "mine" } }]),
  );
  const samples = parsed(text);
  assertEquals(samples.find((x) => x.name === "t_bucket")!.labels.le, "0.001");
  assertEquals(samples.find((x) => x.name === "t_count")!.labels.le, "mine");
});

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

Deno.test("label precedence: user tags < default labels < worker_id", async () => {
  const tags = { model_name: "user", worker_id: "user", deployment_name: "user", extra: "e" };
  const text = await render(storeWith([{ type: "GAUGE", key: "g", value: 1, tags }]), "99");
  assertEquals(parsed(text), [{
    name: "g",
    labels: { ...withDefaults({ extra: "e", method: "predict" }), worker_id: "99" },
    value: 1,
  }]);
});

Deno.test("the method tag overrides a user method tag", async () => {
  const text = await render(
    storeWith([{ type: "GAUGE", key: "g", value: 1, tags: { method: "m" } }]),
  );
  assertEquals(parsed(text)[0].labels.method, "predict");
});

Deno.test("label values escape backslash, newline and double quote", async () => {
  const text = await render(
    storeWith([{ type: "GAUGE", key: "g", value: 1, tags: { v: 'x"\\\ny' } }]),
  );
  assert(text.includes('v="x\\"\\\\\\ny"'), text);
  assertEquals(parsed(text)[0].labels.v, 'x"\\\ny');
});

// ---------------------------------------------------------------------------------------------
// Workers, families, invalid names
// ---------------------------------------------------------------------------------------------

Deno.test("every worker's series is its own series of one family per name", async () => {
  const a = new MetricsStore();
  a.record([{ type: "GAUGE", key: "z", value: 1 }, { type: "COUNTER", key: "a", value: 1 }], "m");
  a.record([{ type: "GAUGE", key: "z", value: 2, tags: { s: "1" } }], "m");
  const b = new MetricsStore();
  b.record([{ type: "COUNTER", key: "a", value: 5 }], "m");
  const text = await renderRegistry([
    customRegistry([["20", a.series()], ["3", b.series()]], LABELS),
  ]);
  assertEquals(
    parsed(text).map((x) => `${x.name} ${x.labels.worker_id} ${x.labels.s ?? "-"} ${x.value}`),
    ["z 20 - 1", "z 20 1 2", "a_total 20 - 1", "a_total 3 - 5"],
  );
  assertEquals(text.match(/# TYPE a_total counter\n/g)!.length, 1);
  assertEquals(text.match(/# TYPE z gauge\n/g)!.length, 1);
});

Deno.test("series with invalid metric or label names, or a clashing type, are skipped and reported", async () => {
  const store = new MetricsStore();
  store.record([
    { type: "GAUGE", key: "my-metric", value: 1 },
    { type: "GAUGE", key: "ok", value: 2 },
    { type: "COUNTER", key: "_total", value: 1 },
    { type: "TIMER", key: "9lives", value: 1 },
    { type: "GAUGE", key: "badlabel", value: 1, tags: { "a-b": "x" } },
    { type: "TIMER", key: "ok", value: 1 },
  ], "predict");
  const skipped: string[] = [];
  const text = await renderRegistry([customRegistry(
    [["7", store.series()]],
    LABELS,
    (key, worker) => skipped.push(`${worker}:${key}`),
  )]);
  assertEquals(skipped, ["7:my-metric", "7:_total", "7:9lives", "7:badlabel", "7:ok"]);
  assertEquals(typesOf(text), { ok: "gauge" });
  assertEquals(parsed(text), [{
    name: "ok",
    labels: withDefaults({ method: "predict" }),
    value: 2,
  }]);
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

Deno.test("the §2.8 example scrape: the same samples as upstream", async () => {
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
  const text = await renderRegistry([
    customRegistry([["4711", w1.series()], ["4712", w2.series()]], labels),
  ]);
  const base = {
    deployment_name: "iris-dep",
    image_name: "registry.local:5000/acme/iris",
    image_version: "2.1",
    method: "predict",
    model_image: "registry.local:5000/acme/iris",
    model_name: "classifier",
    model_version: "2.1",
    predictor_name: "main",
    predictor_version: "v3",
    seldon_deployment_name: "iris-dep",
  };
  const expected: { name: string; labels: Record<string, string>; value: number }[] = [
    { name: "requests_served_total", labels: { ...base, worker_id: "4711" }, value: 2 },
    { name: "requests_served_total", labels: { ...base, worker_id: "4712" }, value: 1 },
    { name: "queue_depth", labels: { ...base, shard: "a", worker_id: "4711" }, value: 7 },
  ];
  for (let i = 0; i < SPEC_LE.length; i++) {
    // le="0.015410178873747385" is index 13
    expected.push({
      name: "infer_ms_bucket",
      labels: { ...base, le: SPEC_LE[i], worker_id: "4711" },
      value: i >= 13 ? 1 : 0,
    });
  }
  expected.push({ name: "infer_ms_sum", labels: { ...base, worker_id: "4711" }, value: 0.0125 });
  expected.push({ name: "infer_ms_count", labels: { ...base, worker_id: "4711" }, value: 1 });
  assertEquals(SPEC_LE[13], "0.015410178873747385");
  assertEquals(sortSamples(parsed(text)), sortSamples(expected));
  assertEquals(typesOf(text), {
    requests_served_total: "counter",
    queue_depth: "gauge",
    infer_ms: "histogram",
  });
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

    body = await render(storeWith([{ type: "COUNTER", key: "c", value: 1 }]));
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
