/**
 * Conformance: upstream test_microservice.py [cli] lines, plus command-line behaviour: the real
 * program spawned as a subprocess from an app folder, talked to over loopback.
 */
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";
import { join } from "node:path";
import { appFolder, runMain, type Spawned, spawnServer } from "../_helpers/spawn.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { type ConfigExit, parseConfig } from "../../src/config/options.ts";
import { toBuffer } from "../../src/grpc/services.ts";
import { decodeMessage, encodeMessage } from "../../src/protocol/proto/codec.ts";

const MY_MODEL = `
export class MyModel {
  predict(X, featureNames) { return X; }
  sendFeedback(features, featureNames, reward, truth, routing) { return []; }
}
`;

const PREDICT_DOC = { data: { names: ["a", "b"], ndarray: [[1.0, 2.0]] } };

async function getJson(url: string, doc: unknown) {
  const res = await fetch(`${url}?json=${encodeURIComponent(JSON.stringify(doc))}`);
  assert(res.status >= 200 && res.status < 300, `status ${res.status}`);
  return await res.json();
}

async function withApp(
  files: Record<string, string>,
  args: string[],
  fn: (s: Spawned) => Promise<void>,
  env = {},
) {
  const dir = await appFolder(files);
  const server = await spawnServer(dir, args, env);
  try {
    await fn(server);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function checkPredictAndFeedback(s: Spawned) {
  assertEquals(await getJson(`${s.url}/predict`, PREDICT_DOC), {
    data: { names: ["t:0", "t:1"], ndarray: [[1.0, 2.0]] },
    meta: {},
  });
  const feedback = {
    request: PREDICT_DOC,
    response: { meta: { routing: { router: 0 } }, data: PREDICT_DOC.data },
    reward: 1,
  };
  assertEquals(await getJson(`${s.url}/send-feedback`, feedback), {
    data: { ndarray: [] },
    meta: {},
  });
}

Deno.test("test_model_template_app_rest", () =>
  withApp(
    { "MyModel.js": MY_MODEL },
    ["MyModel", "--service-type", "MODEL"],
    checkPredictAndFeedback,
  ));

Deno.test("test_model_template_app_rest_submodule", () =>
  withApp(
    { "mymodule/my_model.js": MY_MODEL },
    ["mymodule.my_model.MyModel", "--service-type", "MODEL"],
    checkPredictAndFeedback,
  ));

Deno.test("test_model_template_app_tracing_config", async () => {
  const dir = await appFolder({
    "MyModel.js": MY_MODEL,
    "tracing.yaml":
      "sampler:\n  type: const\n  param: 1\nlocal_agent:\n  reporting_host: 0.0.0.0\n  reporting_port: 5775\nlogging: true\n",
  });
  const s = await spawnServer(dir, ["MyModel", "--service-type", "MODEL", "--tracing"], {
    JAEGER_CONFIG_PATH: join(dir, "tracing.yaml"),
  });
  try {
    await checkPredictAndFeedback(s);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test_model_template_app_rest_tags and test_model_template_app_rest_metrics", () =>
  withApp({ "MyModel.js": MY_MODEL }, ["MyModel", "--service-type", "MODEL"], async (s) => {
    // test_model_template_app_rest_tags
    assertEquals(
      await getJson(`${s.url}/predict`, { meta: { tags: { foo: "bar" } }, ...PREDICT_DOC }),
      {
        data: { names: ["t:0", "t:1"], ndarray: [[1.0, 2.0]] },
        meta: { tags: { foo: "bar" } },
      },
    );
    // test_model_template_app_rest_metrics
    const metrics = [{ key: "mygauge", type: "GAUGE", value: 100 }];
    assertEquals(await getJson(`${s.url}/predict`, { meta: { metrics }, ...PREDICT_DOC }), {
      data: { names: ["t:0", "t:1"], ndarray: [[1.0, 2.0]] },
      meta: { metrics },
    });
  }));

Deno.test("test_health_status", () =>
  withApp({ "MyModel.js": MY_MODEL }, ["MyModel", "--service-type", "MODEL"], async (s) => {
    const res = await fetch(`${s.url}/health/status`);
    assertEquals(res.status, 200);
    assertEquals(await res.json(), { meta: {}, strData: "healthy" });
  }));

Deno.test("test_persistence_flag_exist", () =>
  withApp(
    { "MyModel.js": MY_MODEL },
    ["MyModel", "--service-type", "MODEL", "--persistence", "1"],
    async (s) => {
      const res = await fetch(`${s.url}/health/status`);
      assertEquals(res.status, 200);
      await res.body?.cancel();
    },
  ));

Deno.test("test_model_template_bad_params", async () => {
  const r = await runMain([
    "seldon-core-microservice",
    "--parameters",
    '[{"type":"FLOAT","name":"foo","value":"abc"}]',
  ]);
  assertEquals(r.code, 1);
  assert(r.stderr.includes("MICROSERVICE_BAD_PARAMETER"), r.stderr);
  assert(
    r.stderr.includes("Bad model parameter: foo with value abc can't be parsed as a FLOAT"),
    r.stderr,
  );
});

Deno.test("test_model_template_bad_params_type", async () => {
  const r = await runMain([
    "seldon-core-microservice",
    "--parameters",
    '[{"type":"FOO","name":"foo","value":"abc"}]',
  ]);
  assertEquals(r.code, 1);
  assert(
    r.stderr.includes("Bad model parameter type: FOO valid are INT, FLOAT, DOUBLE, STRING, BOOL"),
    r.stderr,
  );
});

Deno.test("cli: --help prints the flag table and exits 0", async () => {
  const r = await runMain(["--help"]);
  assertEquals(r.code, 0);
  for (
    const flag of [
      "--http-port",
      "--grpc-workers",
      "PREDICTIVE_UNIT_HTTP_SERVICE_PORT",
      "GUNICORN_WORKERS",
    ]
  ) {
    assert(r.stdout.includes(flag), flag);
  }
});

Deno.test("cli: bad flag values exit 2 naming the flag, before any port is opened", async () => {
  for (
    const [args, text] of [
      [["MyModel", "--service-type", "BOGUS"], "argument --service-type: invalid choice: 'BOGUS'"],
      [["MyModel", "--http-port", "abc"], "argument --http-port: invalid int value: 'abc'"],
      [["MyModel", "--log-level", "LOUD"], "argument --log-level: invalid choice"],
      [["--http-port", "9000"], "the following arguments are required: interface_name"],
      [["MyModel", "--p", "1"], "ambiguous option: --p"],
      [["MyModel", "--workers", "0"], "argument --workers: 0 is outside"],
      [["MyModel", "--grpc-port", "70000"], "argument --grpc-port: 70000 is outside"],
    ] as const
  ) {
    const r = await runMain([...args]);
    assertEquals(r.code, 2, r.stderr);
    assert(r.stderr.includes(text), r.stderr);
    assertEquals(
      r.stderr.trim().split("\n").filter((l) => l.includes("error:")).length,
      1,
      r.stderr,
    );
    assert(!r.stderr.includes("running on port"), r.stderr);
  }
});

Deno.test("cli: unknown arguments exit 255", async () => {
  const r = await runMain(["MyModel", "REST"]);
  assertEquals(r.code, 255);
  assert(
    r.stderr.includes(
      "Unknown args ['REST']. Note since 1.5.0 this CLI does not take API type (REST, GRPC)",
    ),
  );
});

Deno.test("cli: bad env values, parameters JSON, missing module, failing constructor exit 1", async () => {
  const dir = await appFolder({
    "MyModel.js": MY_MODEL,
    "Broken.js": "export class Broken { constructor() { throw new Error('no weights'); } }",
  });
  try {
    let r = await runMain(["MyModel"], dir, { GUNICORN_WORKERS: "abc" });
    assertEquals(r.code, 1);
    assert(r.stderr.includes("GUNICORN_WORKERS"), r.stderr);
    r = await runMain(["MyModel", "--parameters", "not json"], dir);
    assertEquals(r.code, 1);
    assert(r.stderr.includes("MICROSERVICE_BAD_PARAMETER"), r.stderr);
    r = await runMain(["NoSuchModel"], dir);
    assertEquals(r.code, 1);
    assert(r.stderr.includes("NoSuchModel"), r.stderr);
    r = await runMain(["Broken"], dir);
    assertEquals(r.code, 1);
    assert(r.stderr.includes("no weights"), r.stderr);
    r = await runMain(["MyModel"], dir, { SELDON_LOG_LEVEL: "LOUD" });
    assertEquals(r.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: parameters reach the constructor typed, and async load() finishes before the port opens", () =>
  withApp(
    {
      "Params.ts": `
export class Params {
  loaded = false;
  constructor(readonly p: Record<string, unknown>) {}
  async load() { await new Promise((r) => setTimeout(r, 300)); this.loaded = true; }
  predict() { return { ...this.p, n: String(this.p.n), loaded: this.loaded }; }
}`,
    },
    [
      "./Params.ts#Params",
      "--parameters",
      '[{"name":"alpha","value":"0.5","type":"FLOAT"},{"name":"layers","value":"3","type":"INT"},' +
      '{"name":"tag","value":"v2","type":"STRING"},{"name":"verbose","value":"yes","type":"BOOL"},' +
      '{"name":"n","value":"9007199254740993","type":"INT"}]',
    ],
    async (s) => {
      const body = await getJson(`${s.url}/predict`, { data: { ndarray: [1] } });
      assertEquals(body.jsonData, {
        alpha: 0.5,
        layers: 3,
        tag: "v2",
        verbose: true,
        n: "9007199254740993",
        loaded: true,
      });
    },
  ));

Deno.test("cli: a failing load() stops the server with a non-zero exit", async () => {
  const dir = await appFolder({
    "M.js": "export class M { load() { throw new Error('load failed'); } }",
  });
  try {
    const r = await runMain(["M"], dir);
    assert(r.code !== 0);
    assert(r.stderr.includes("load failed"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test_model_template_app_grpc, test_model_template_app_grpc_tags, test_model_template_app_grpc_metrics", () =>
  withApp({ "MyModel.js": MY_MODEL }, ["MyModel", "--service-type", "MODEL"], async (s) => {
    const tensor = { shape: [1, 2], values: [1, 2] };
    const client = seldonClient("Model", s.grpcPort!);
    try {
      // test_model_template_app_grpc
      const res = await client.call("Predict", { data: { tensor } });
      assertEquals(res.data.tensor, tensor);
      // SendFeedback called with a plain SeldonMessage as its body must not fail [QUIRK].
      const raw = await new Promise((resolve, reject) => {
        client.raw.makeUnaryRequest(
          "/seldon.protos.Model/SendFeedback",
          (m: Record<string, unknown>) => toBuffer(encodeMessage("SeldonMessage", m)),
          (b: Uint8Array) => decodeMessage("SeldonMessage", b),
          { data: { tensor: { shape: [2, 1], values: [1, 2] } } },
          (err: unknown, value: unknown) => (err ? reject(err) : resolve(value)),
        );
      });
      assert(typeof raw === "object");
      // test_model_template_app_grpc_tags
      const tagged = await client.call("Predict", {
        data: { tensor },
        meta: { tags: { foo: "bar" } },
      });
      assertEquals(tagged.data.tensor, tensor);
      assertEquals(tagged.meta.tags.foo, "bar");
      // test_model_template_app_grpc_metrics
      const withMetrics = await client.call("Predict", {
        data: { tensor },
        meta: { metrics: [{ key: "mygauge", type: "GAUGE", value: 100 }] },
      });
      assertEquals(withMetrics.data.tensor, tensor);
      assertEquals(withMetrics.meta.metrics[0].key, "mygauge");
      assertEquals(withMetrics.meta.metrics[0].value, 100);
    } finally {
      client.close();
    }
  }));

Deno.test("cli: GRPC_WORKERS=0 starts no gRPC server", () =>
  withApp({ "MyModel.js": MY_MODEL }, ["MyModel"], async (s) => {
    assertEquals(s.grpcPort, undefined);
    const res = await fetch(`${s.url}/health/ping`);
    assertEquals(await res.text(), "pong");
  }, { GRPC_WORKERS: "0" }));

Deno.test("cli: argparse errors print the usage then exactly `<prog>: error: <text>`", async () => {
  const r = await runMain(["MyModel", "--h", "3"]);
  assertEquals(r.code, 2);
  const lines = r.stderr.trim().split("\n").filter((l) => !l.includes(" - INFO:  "));
  assert(lines[0].startsWith("usage: seldon-core-microservice [-h]"), r.stderr);
  assertEquals(
    lines[lines.length - 1],
    "seldon-core-microservice: error: ambiguous option: --h could match --help, --http-port",
  );
  const e = assertThrows(() => parseConfig(["MyModel", "--service-type", "X"], {})) as ConfigExit;
  assert(
    e.message.endsWith(
      "\nseldon-core-microservice: error: argument --service-type: invalid choice: 'X' " +
        "(choose from 'MODEL', 'ROUTER', 'TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR')",
    ),
    e.message,
  );
  assert(e.message.includes("[--service-type {MODEL,ROUTER,"), e.message);
});
