/**
 * Every concrete input→output example of metrics-and-processes.md, one test each, named
 * `metrics-and-processes.md §<section> <what>`.
 * Where two spec lines contradict each other the test asserts upstream's code and says so (a gRPC
 * raw metric is recorded as protobuf's JSON printer gives its float, shortest: `20.2`).
 */
// deno-lint-ignore-file no-explicit-any
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { scrape } from "../_helpers/prometheus.ts";
import { appFolder, runMain, spawnServer } from "../_helpers/spawn.ts";
import { defaultLabels } from "../../src/metrics/exposition.ts";
import { parseSamples } from "../_helpers/prometheus.ts";
import { tagsKey } from "../../src/metrics/store.ts";

import { configExit, err, ex, identity, M, rest } from "../_helpers/spec_examples.ts";

// =============================================================================================
// metrics-and-processes.md
// =============================================================================================

ex(
  M,
  "§2.1",
  "first scrape body empty, 200, content type",
  () =>
    withServer(identity, async (s) => {
      const res = await fetch(`http://127.0.0.1:${s.running.metricsPort}/metrics`);
      assertEquals([res.status, await res.text(), res.headers.get("content-type")], [
        200,
        "",
        "text/plain; version=0.0.4; charset=utf-8",
      ]);
    }),
);
ex(
  M,
  "§1.7",
  "metrics port: GET other path 404, POST 405 (plain)",
  () =>
    withServer(identity, async (s) => {
      const base = `http://127.0.0.1:${s.running.metricsPort}`;
      let res = await fetch(`${base}/nowhere`);
      await res.body?.cancel();
      assertEquals(res.status, 404);
      res = await fetch(`${base}/metrics`, { method: "POST" });
      await res.body?.cancel();
      assertEquals(res.status, 405);
      res = await fetch(`${base}/nowhere`, { method: "POST" });
      await res.body?.cancel();
      assertEquals(res.status, 405);
      assertEquals(res.headers.get("access-control-allow-origin"), "*");
    }),
);
ex(
  M,
  "§2.2",
  "GAUGE q with tags shard a echoed with method predict",
  rest(
    {
      predict: (X: unknown) => X,
      metrics: () => [{ type: "GAUGE", key: "q", value: 3, tags: { shard: "a" } }],
    },
    "/predict",
    { data: { ndarray: [1] } },
    200,
    {
      data: { names: [], ndarray: [1] },
      meta: {
        metrics: [{ type: "GAUGE", key: "q", value: 3, tags: { shard: "a", method: "predict" } }],
      },
    },
  ),
);
ex(
  M,
  "§2.2",
  "INCLUDE_METRICS_IN_CLIENT_RESPONSE=1 → not echoed (still recorded)",
  () =>
    withServer({
      predict: (X: unknown) => X,
      metrics: () => [{ type: "COUNTER", key: "c", value: 1 }],
    }, async (s) => {
      const r = await s.post("/predict", { data: { ndarray: [1] } });
      assertEquals(r.json, { data: { names: [], ndarray: [1] }, meta: {} });
      const m = await scrape(s);
      assert(m.text.includes("c_total{"), m.text);
    }, { INCLUDE_METRICS_IN_CLIENT_RESPONSE: "1" }),
);
ex(M, "§2.3", "two feedbacks reward 42 → 42.0 then 84.0", () =>
  withServer({}, async (s) => {
    const line = (t: string, name: string) =>
      Number(t.split("\n").find((l) => l.startsWith(name + "{"))?.split(" ").pop());
    await s.post("/send-feedback", { request: { data: { ndarray: [1] } }, reward: 42 });
    let m = await scrape(s);
    assertEquals(line(m.text, "seldon_api_model_feedback_reward_total"), 42);
    assertEquals(line(m.text, "seldon_api_model_feedback_total"), 1);
    await s.post("/send-feedback", { request: { data: { ndarray: [1] } }, reward: 42 });
    m = await scrape(s);
    assertEquals(line(m.text, "seldon_api_model_feedback_reward_total"), 84);
  }));
ex(M, "§2.3", "reward 0 or SELDON_EXECUTOR_ENABLED=false → no feedback metrics", async () => {
  await withServer({}, async (s) => {
    await s.post("/send-feedback", { request: { data: { ndarray: [1] } }, reward: 0 });
    assertEquals((await scrape(s)).text, "");
  });
  await withServer({}, async (s) => {
    await s.post("/send-feedback", { request: { data: { ndarray: [1] } }, reward: 3 });
    assertEquals((await scrape(s)).text, "");
  }, { SELDON_EXECUTOR_ENABLED: "FALSE" });
});
ex(M, "§2.4", "tagsKey {mytag:x, method:predict} → method-predict_mytag-x", () => {
  assertEquals(tagsKey({ mytag: "x", method: "predict" }), "method-predict_mytag-x");
});
ex(M, "§2.5", "COUNTER key hits_total not doubled; foo → foo_total", () =>
  withServer({
    predict: (X: unknown) => X,
    metrics: () => [{ type: "COUNTER", key: "hits_total", value: 1 }, {
      type: "COUNTER",
      key: "foo",
      value: 1,
    }],
  }, async (s) => {
    await s.post("/predict", { data: { ndarray: [1] } });
    const t = (await scrape(s)).text;
    assert(t.includes("# TYPE hits_total counter\nhits_total{"), t);
    assert(t.includes("# TYPE foo_total counter\nfoo_total{"), t);
  }));
ex(M, "§2.5", "image split for labels", () => {
  const l = (img: string) => {
    const d: any = defaultLabels({ PREDICTIVE_UNIT_IMAGE: img });
    return [d.model_image ?? d.modelImage, d.model_version ?? d.modelVersion];
  };
  assertEquals(l("seldonio/sklearn-iris:0.1"), ["seldonio/sklearn-iris", "0.1"]);
  assertEquals(l("localhost:32000/sklearn-iris:0.1"), ["localhost:32000/sklearn-iris", "0.1"]);
  assertEquals(l("myimage"), ["", "myimage"]);
  assertEquals(l("host:5000/img"), ["host", "5000/img"]);
});
// metrics-and-processes.md §2.5, the floatToGoString examples: not reproduced; prom-client spells numbers as JS does (`1`, not `1.0`), which Prometheus parses the same (README "Metrics").
ex(M, "§2.5", "bucket le labels", () =>
  withServer({
    predict: (X: unknown) => X,
    metrics: () => [{ type: "TIMER", key: "t", value: 1 }],
  }, async (s) => {
    await s.post("/predict", { data: { ndarray: [1] } });
    const les = parseSamples((await scrape(s)).text).filter((x) => x.name === "t_bucket")
      .map((x) => x.labels.le);
    const expected =
      "0.001, 0.0012341553253454693, 0.0015231393670785815, 0.001879790561123359, 0.002319953531544542, 0.0028631830055097247, 0.0035336125536884733, 0.004361026750842238, 0.005382184388525997, 0.006642451525090608, 0.008197816923039709, 0.010117379411776668, 0.012486417679584787, 0.015410178873747385, 0.019018554321561593, 0.02347185009632733, 0.028967908792092947, 0.03575089889988335, 0.04412216226317853, 0.05445360152285871, 0.06720420230367624, 0.0829404241586763, 0.10236136616184238, 0.12632982515827532, 0.15591062646904755, 0.19241792993472334, 0.2374736129208902, 0.29307932401534564, 0.36170540848218913, 0.44640065608455204, 0.5509277469444613, 0.6799304127720882, 0.8391397397870158, 1.035628778567157, 1.2781267721496807, 1.5774069623151439, 1.9467652027782552, 2.4026106422060365, 2.965194718810281, 3.65951085290597, 4.516404807273444, 5.573945044312399, 6.879113959621136, 8.489895126924784, 10.477849282518772, 12.931293490187748, 15.959224724520412, 19.696162182151948, 24.308123445970867, 29.999999999999996, +Inf"
        .split(", ");
    // The same doubles (prom-client prints the shortest round-trip spelling, as upstream here).
    assertEquals(les.map(Number), expected.map(Number));
    assertEquals(les, expected);
  }));
function bucketValues(text: string, key: string) {
  const out: Record<string, number> = {};
  for (const l of text.split("\n")) {
    const m = new RegExp(`^${key}_(bucket|count|sum)\\{(.*)\\} (\\S+)$`).exec(l);
    if (!m) continue;
    const le = /le="([^"]*)"/.exec(m[2]);
    out[m[1] === "bucket" ? le![1] : m[1]] = Number(m[3]);
  }
  return out;
}
ex(
  M,
  "§2.5",
  "TIMER exactly 1 ms lands above le=0.001",
  () =>
    withServer({
      predict: (X: unknown) => X,
      metrics: () => [{ type: "TIMER", key: "t", value: 1 }],
    }, async (s) => {
      await s.post("/predict", { data: { ndarray: [1] } });
      const b = bucketValues((await scrape(s)).text, "t");
      assertEquals([b["0.001"], b["0.0012341553253454693"], b["count"], b["sum"]], [
        0,
        1,
        1,
        0.001,
      ]);
    }),
);
ex(
  M,
  "§2.5",
  "negative TIMER: no bucket, count 0, sum includes",
  () =>
    withServer({
      predict: (X: unknown) => X,
      metrics: () => [{ type: "TIMER", key: "t", value: -5 }],
    }, async (s) => {
      await s.post("/predict", { data: { ndarray: [1] } });
      const b = bucketValues((await scrape(s)).text, "t");
      assertEquals([b["+Inf"], b["count"], b["sum"]], [0, 0, -0.005]);
    }),
);
ex(M, "§2.8", "fresh example scrape (one worker)", () =>
  withServer({
    predict: (X: unknown) => X,
    metrics: () => [
      { type: "COUNTER", key: "requests_served", value: 2 },
      { type: "GAUGE", key: "queue_depth", value: 7, tags: { shard: "a" } },
      { type: "TIMER", key: "infer_ms", value: 12.5 },
    ],
  }, async (s) => {
    await s.post("/predict", { data: { ndarray: [1] } });
    const text = (await scrape(s)).text;
    const pid = String(Deno.pid);
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
      worker_id: pid,
    };
    const samples = parseSamples(text).map((x) => ({ ...x, value: Number(x.value) }));
    const find = (name: string, labels: Record<string, string>) =>
      samples.filter((x) =>
        x.name === name && JSON.stringify(Object.entries(x.labels).sort()) ===
          JSON.stringify(Object.entries({ ...base, ...labels }).sort())
      ).map((x) => x.value);
    assert(text.includes("# TYPE requests_served_total counter\n"), text);
    assert(text.includes("# TYPE queue_depth gauge\n"), text);
    assert(text.includes("# TYPE infer_ms histogram\n"), text);
    assertEquals(find("requests_served_total", {}), [2]);
    assertEquals(find("queue_depth", { shard: "a" }), [7]);
    assertEquals(find("infer_ms_bucket", { le: "0.001" }), [0]);
    assertEquals(find("infer_ms_bucket", { le: "0.012486417679584787" }), [0]);
    assertEquals(find("infer_ms_bucket", { le: "0.015410178873747385" }), [1]);
    assertEquals(find("infer_ms_bucket", { le: "+Inf" }), [1]);
    assertEquals(find("infer_ms_count", {}), [1]);
    assertEquals(find("infer_ms_sum", {}), [0.0125]);
    const lines = text.split("\n");
    assertEquals(lines.filter((l) => l.startsWith("infer_ms_bucket")).length, 51);
  }, {
    SELDON_DEPLOYMENT_ID: "iris-dep",
    PREDICTIVE_UNIT_ID: "classifier",
    PREDICTIVE_UNIT_IMAGE: "registry.local:5000/acme/iris:2.1",
    PREDICTOR_ID: "main",
    PREDICTOR_LABELS: '{"version":"v3"}',
  }));
ex(
  M,
  "§2.5",
  "user tag named like a default label is overwritten; labels escaped",
  () =>
    withServer({
      predict: (X: unknown) => X,
      metrics: () => [{
        type: "GAUGE",
        key: "g",
        value: 1,
        tags: { model_name: "mine", x: 'a"b\\c\nd', method: "zzz" },
      }],
    }, async (s) => {
      await s.post("/predict", { data: { ndarray: [1] } });
      const t = (await scrape(s)).text;
      assert(t.includes('model_name="NOT_IMPLEMENTED"'), t);
      assert(t.includes('method="predict"'), t);
      assert(t.includes('x="a\\"b\\\\c\\nd"'), t);
    }),
);
ex(
  M,
  "§3.2",
  "GAUGE value 'high' → 500 bad metric body",
  rest(
    { predict: (X: unknown) => X, metrics: () => [{ type: "GAUGE", key: "load", value: "high" }] },
    "/predict",
    { data: { ndarray: [1] } },
    500,
    err(
      'Bad metric created during request: [{"type": "GAUGE", "key": "load", "value": "high"}]',
      "MICROSERVICE_BAD_METRIC",
    ),
  ),
);
ex(
  M,
  "§3.1",
  "single metric object (not list) invalid; missing key invalid; 'abc' type invalid; bool value ok",
  () =>
    withServer({
      predict: (X: unknown) => X,
      metrics: (): any => {
        const i = n++;
        return [
          { type: "COUNTER", key: "a", value: 1 },
          [{ type: "COUNTER", value: 1 }],
          [{ type: "ABC", key: "a", value: 1 }],
          [{ type: "COUNTER", key: "b", value: true }],
        ][i];
      },
    }, async (s) => {
      const st: number[] = [];
      for (let i = 0; i < 4; i++) {
        st.push((await s.post("/predict", { data: { ndarray: [1] } })).status);
      }
      assertEquals(st, [500, 500, 500, 200]);
    }),
);
let n = 0;
ex(
  M,
  "§3.3",
  "tag value not a string → 500 internal 'sequence item 1: expected str instance, int found' (QUIRK, MAY)",
  rest(
    {
      predict: (X: unknown) => X,
      metrics: () => [{ type: "GAUGE", key: "g", value: 1, tags: { shard: 3 } }],
    },
    "/predict",
    { data: { ndarray: [1] } },
    500,
    err("sequence item 1: expected str instance, int found", "MICROSERVICE_INTERNAL_ERROR"),
  ),
);
ex(
  M,
  "§3.3",
  "raw hook unknown metric type → ignored (200)",
  rest(
    { predictRaw: () => ({ meta: { metrics: [{ type: "HISTO", key: "h", value: 1 }] } }) },
    "/predict",
    { data: {} },
    200,
    { meta: { metrics: [{ type: "HISTO", key: "h", value: 1 }] } },
  ),
);
ex(
  M,
  "§4.1",
  "log line format '<date> - <mod>:<fn>:<line> - INFO:  Starting servers'",
  async () => {
    const dir = await appFolder({
      "MyModel.js": "export class MyModel { predict(X) { return X; } }",
    });
    const s = await spawnServer(dir, ["MyModel"]);
    await s.stop();
    await Deno.remove(dir, { recursive: true });
    const re =
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - [^ ]+:[^ ]+:\d+ - INFO: {2}Starting servers$/m;
    assert(re.test(s.log()), s.log());
    assert(/ - INFO: {2}Starting microservice\.py:main$/m.test(s.log()), s.log());
  },
);
ex(M, "§6.2", "REST worker load() throws → exit 3", async () => {
  const dir = await appFolder({
    "MyModel.js":
      "export class MyModel { load() { throw new Error('boom'); } predict(X) { return X; } }",
  });
  const r = await runMain(["MyModel"], dir);
  await Deno.remove(dir, { recursive: true });
  assertEquals(r.code, 3, r.stderr);
});
ex(M, "§6.2", "exit statuses: bad choice 2, unknown 255, bad param 1", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }",
  });
  assertEquals((await runMain(["MyModel", "--service-type", "X"], dir)).code, 2);
  assertEquals((await runMain(["MyModel", "--foo"], dir)).code, 255);
  assertEquals(
    (await runMain(["MyModel", "--parameters", '[{"name":"a","value":"x","type":"INT"}]'], dir))
      .code,
    1,
  );
  const h = await runMain(["--help"], dir);
  assertEquals(h.code, 0);
  await Deno.remove(dir, { recursive: true });
});
ex(M, "§4.3", "access log line format (gunicorn) on stdout", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }",
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-net",
      "-A",
      new URL("../../main.ts", import.meta.url).pathname,
      "MyModel",
      "--access-log",
      "--http-port",
      "0",
      "--grpc-port",
      "0",
      "--metrics-port",
      "0",
      "--host",
      "127.0.0.1",
    ],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const dec = new TextDecoder();
  let errText = "";
  const er = child.stderr.getReader();
  let port = 0;
  while (!port) {
    const { value, done } = await er.read();
    if (done) break;
    errText += dec.decode(value);
    const m = /REST microservice running on port (\d+)/.exec(errText);
    if (m) port = Number(m[1]);
  }
  const body = await (await fetch(`http://127.0.0.1:${port}/api/v1.0/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "curl/8.5.0" },
    body: '{"data":{"ndarray":[1]}}',
  })).text();
  await new Promise((r) => setTimeout(r, 300));
  child.kill("SIGTERM");
  er.releaseLock();
  await child.stderr.cancel();
  const out = dec.decode(await new Response(child.stdout).arrayBuffer());
  await child.status;
  await Deno.remove(dir, { recursive: true });
  const re = new RegExp(
    `^127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] "POST /api/v1\\.0/predictions HTTP/1\\.1" 200 ${
      new TextEncoder().encode(body).length
    } "-" "curl/8\\.5\\.0"$`,
    "m",
  );
  assert(re.test(out), out);
});

// =============================================================================================
// user-api.md
// =============================================================================================

ex(M, "§1.4", "FLASK_SINGLE_THREADED=true → exit 1", () => {
  assertEquals(configExit(["M"], { FLASK_SINGLE_THREADED: "true" }).exitCode, 1);
});
ex(
  M,
  "§2.2",
  "gRPC raw metric 20.2 recorded as its proto float, printed shortest (20.2)",
  () =>
    withServer({
      predictRaw: () => ({
        meta: { metrics: [{ type: "GAUGE", key: "g", value: 20.2 }] },
        strData: "x",
      }),
    }, async (s) => {
      await grpcCall("Model", s.running.grpc!.port, "Predict", { strData: "x" });
      const t = (await scrape(s)).text;
      assert(/\ng\{[^}]*\} 20\.2\n/.test("\n" + t), t);
    }),
);
