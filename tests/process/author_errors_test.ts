/**
 * Errors a model author can act on (issue 12): a hook's unhandled exception is logged with its
 * stack and the request's route, once, while the client gets upstream's error body; `load()`
 * logs its start and duration; the banner names the model, URLs and per-worker concurrency; a
 * second server on a port the first one holds exits 1 naming the port (SO_REUSEPORT would let
 * it share).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { appFolder, freePorts, runMain, spawnServer } from "../_helpers/spawn.ts";

const APP = {
  "MyModel.js": `export class MyModel {
  async load() { await new Promise((r) => setTimeout(r, 300)); }
  predict(X) {
    if (JSON.stringify(X.tolist()) === "[1]") throw new Error("boom in predict");
    return X;
  }
}
`,
};

/** Polls `log()` until `test` holds (workers write their lines on their own). */
async function until(log: () => string, test: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 50 && !test(log()); i++) await new Promise((r) => setTimeout(r, 100));
  return log();
}

const count = (text: string, part: string) => text.split(part).length - 1;

Deno.test("author errors: a hook's exception logs its stack once per request with the route; load() is timed; banner", async () => {
  const dir = await appFolder(APP);
  const s = await spawnServer(dir, ["MyModel", "--workers", "2", "--threads", "3"]);
  try {
    const banner = await until(s.log, (t) => t.includes("Workers: "));
    assert(banner.includes("Running load() in process"), banner);
    assert(/load\(\) took 0\.[3-9]\d\d s/.test(banner), banner);
    assert(banner.includes(`Model MyModel: V2 POST ${s.url}/v2/models/MyModel/infer`), banner);
    assert(banner.includes("Workers: 2 REST, 3 request(s) at a time each (--threads)"), banner);
    assert(banner.includes("1 gRPC worker(s) on 127.0.0.1:"), banner);

    const v1 = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"data":{"ndarray":[1]}}',
    });
    assertEquals(v1.status, 500);
    const v1Body = await v1.json();
    assertEquals(v1Body.status.reason, "MICROSERVICE_INTERNAL_ERROR");
    assertEquals(v1Body.status.info, "boom in predict");

    const v2 = await fetch(`${s.url}/v2/models/MyModel/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]}]}',
    });
    assert(v2.status >= 400, String(v2.status));
    const v2Body = JSON.stringify(await v2.json());
    assert(v2Body.includes("boom in predict"), v2Body);

    const grpcErr = await grpcCall("Model", s.grpcPort!, "Predict", {
      data: { ndarray: [1] },
    }).then(() => undefined, (err) => err);
    assert(String(grpcErr?.details).includes("boom in predict"), String(grpcErr));

    const log = await until(s.log, (t) => count(t, "exception in predict(): Error: boom") >= 3);
    assertEquals(count(log, "exception in predict(): Error: boom in predict"), 3, log);
    assert(log.includes("ERROR:  POST /api/v1.0/predictions: exception in predict()"), log);
    assert(log.includes("ERROR:  POST /v2/models/MyModel/infer: exception in predict()"), log);
    assert(log.includes("Model/Predict failed: exception in predict()"), log);
    assert(/at MyModel\.predict \(file:\/\/\S+MyModel\.js:4:/.test(log), log);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("author errors: a Seldon error thrown on purpose logs no stack", async () => {
  const dir = await appFolder({
    "MyModel.js": `import { SeldonMicroserviceException } from "${
      new URL("../../mod.ts", import.meta.url).href
    }";
export class MyModel { predict() { throw new SeldonMicroserviceException("bad row", { statusCode: 400 }); } }
`,
  });
  const s = await spawnServer(dir, ["MyModel", "--model-name", "iris", "--grpc-workers", "0"]);
  try {
    const banner = await until(s.log, (t) => t.includes("Model iris: V2 POST"));
    assert(banner.includes("Model iris: V2 POST"), banner);
    const res = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"data":{"ndarray":[1]}}',
    });
    assertEquals(res.status, 400);
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 300));
    assert(!s.log().includes("exception in predict()"), s.log());
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("author errors: a second server on the first one's REST or gRPC port exits 1 naming the port", async () => {
  const dir = await appFolder(APP);
  const [http, grpc, metrics, free1, free2, free3] = freePorts(6);
  const s = await spawnServer(dir, ["MyModel"], {
    PREDICTIVE_UNIT_HTTP_SERVICE_PORT: String(http),
    PREDICTIVE_UNIT_GRPC_SERVICE_PORT: String(grpc),
    PREDICTIVE_UNIT_METRICS_SERVICE_PORT: String(metrics),
    SELDON_HOST: "127.0.0.1",
  }, false);
  try {
    const rest = await runMain(
      ["MyModel", "--http-port", String(http), "--grpc-port", String(free1)],
      dir,
      { PREDICTIVE_UNIT_METRICS_SERVICE_PORT: String(free2) },
    );
    assertEquals(rest.code, 1, rest.stderr);
    assert(rest.stderr.includes(`REST port ${http} on 127.0.0.1 is already in use`), rest.stderr);
    const g = await runMain(
      ["MyModel", "--http-port", String(free1), "--grpc-port", String(grpc)],
      dir,
      { PREDICTIVE_UNIT_METRICS_SERVICE_PORT: String(free3) },
    );
    assertEquals(g.code, 1, g.stderr);
    assert(g.stderr.includes(`gRPC port ${grpc} on 127.0.0.1 is already in use`), g.stderr);
    const debug = await runMain(["MyModel", "--debug", "--http-port", String(http)], dir);
    assertEquals(debug.code, 1, debug.stderr);
    assert(debug.stderr.includes(`REST port ${http} on 127.0.0.1 is already in use`), debug.stderr);
    // The first server still answers.
    const res = await fetch(`${s.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"data":{"ndarray":[2]}}',
    });
    assertEquals(res.status, 200);
    await res.body?.cancel();
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
