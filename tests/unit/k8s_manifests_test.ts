/**
 * The manifests under examples/k8s/: structurally valid for their CRDs (SeldonDeployment as Seldon
 * Core 1.18 defines it, KServe's ServingRuntime and InferenceService), and in agreement with the
 * server: each container's arguments and environment parse with the server's own option parser,
 * worker counts, ports and probe paths are the ones it serves, env names are ones it reads, graph
 * parameters parse as `--parameters`, and each interface name resolves to a class with the hook
 * its graph node calls.
 */
import YAML from "yaml";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, parseConfig } from "../../src/config/options.ts";
import { parseParameters } from "../../src/config/parameters.ts";
import { withServer } from "../_helpers/server.ts";
import { FeatureScaler } from "../../examples/scaler/FeatureScaler.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const K8S = join(ROOT, "examples/k8s");

type Obj = Record<string, any>;

/** The image each manifest names → the model folder it is built from (README "Deploy"). */
const IMAGES: Readonly<Record<string, string | null>> = {
  "seldon-ts-iris:0.1.0": "examples/iris/IrisClassifier.ts#IrisClassifier",
  "seldon-ts-scaler:0.1.0": "examples/scaler/FeatureScaler.ts#FeatureScaler",
  "seldon-ts-onnx:0.1.0": null, // no user model: only prepackaged servers (OnnxServer)
};

/** Paths the REST port answers GET on, for probes. */
const PROBE_PATHS = new Set([
  "/health/ping",
  "/health/status",
  "/api/v1.0/health/status",
  "/v2/health/live",
  "/v2/health/ready",
]);

const NODE_TYPES = ["MODEL", "TRANSFORMER", "ROUTER", "COMBINER", "OUTPUT_TRANSFORMER"];
/** The hook each graph node type calls on the user's class. */
const NODE_HOOK: Readonly<Record<string, string>> = {
  MODEL: "predict",
  TRANSFORMER: "transformInput",
  OUTPUT_TRANSFORMER: "transformOutput",
  ROUTER: "route",
  COMBINER: "aggregate",
};
const PARAMETER_TYPES = ["INT", "FLOAT", "DOUBLE", "STRING", "BOOL"];
const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Every environment variable the server reads (option table, env helpers, `Deno.env.get`). */
async function serverEnvNames(): Promise<Set<string>> {
  const names = new Set<string>();
  async function walk(dir: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(path);
        const re =
          /env: "([A-Z][A-Z0-9_]*)"|env\.([A-Z][A-Z0-9_]*)|env\.get\("([A-Z][A-Z0-9_]*)"\)/g;
        for (const m of text.matchAll(re)) names.add(m[1] ?? m[2] ?? m[3]);
      }
    }
  }
  await walk(join(ROOT, "src"));
  return names;
}

async function manifests(): Promise<{ file: string; docs: Obj[] }[]> {
  const out = [];
  for await (const e of Deno.readDir(K8S)) {
    if (!e.name.endsWith(".yaml")) continue;
    const text = await Deno.readTextFile(join(K8S, e.name));
    const docs = YAML.parseAllDocuments(text).map((d) => {
      assertEquals(d.errors, [], `${e.name}: YAML errors`);
      return d.toJS() as Obj;
    });
    out.push({ file: e.name, docs });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

function isInt(x: unknown): boolean {
  return typeof x === "number" && Number.isInteger(x);
}

/** Checks one container against the server and returns the configuration it starts with. */
function checkContainer(
  where: string,
  c: Obj,
  envNames: Set<string>,
  extraEnv: Record<string, string>,
  substitute: (s: string) => string = (s) => s,
): Config {
  assert(typeof c.name === "string" && DNS_1123.test(c.name), `${where}: container name`);
  assert(typeof c.image === "string" && c.image in IMAGES, `${where}: unknown image ${c.image}`);
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    assert(typeof e.name === "string", `${where}: env name`);
    assertEquals(typeof e.value, "string", `${where}: env ${e.name} must be a string`);
    assert(envNames.has(e.name), `${where}: the server never reads ${e.name}`);
    env[e.name] = e.value;
  }
  const args: string[] = (c.args ?? ["Model"]).map((a: unknown) => {
    assertEquals(typeof a, "string", `${where}: args must be strings`);
    return substitute(a as string);
  });
  const config = parseConfig(args, { ...env, ...extraEnv });
  if (env.GUNICORN_WORKERS) assertEquals(config.workers, Number(env.GUNICORN_WORKERS), where);
  if (env.GRPC_WORKERS) assertEquals(config.grpcWorkers, Number(env.GRPC_WORKERS), where);
  const portOf: Record<string, number> = {
    http: config.httpPort,
    grpc: config.grpcPort,
    metrics: config.metricsPort,
  };
  const served = new Set(Object.values(portOf));
  for (const p of c.ports ?? []) {
    assert(isInt(p.containerPort), `${where}: containerPort must be an integer`);
    assert(served.has(p.containerPort), `${where}: nothing listens on ${p.containerPort}`);
    if (p.name !== undefined) assertEquals(p.containerPort, portOf[p.name], `${where}: ${p.name}`);
  }
  for (const kind of ["readinessProbe", "livenessProbe"]) {
    const probe = c[kind];
    if (probe === undefined) continue;
    if (probe.httpGet) {
      assertEquals(probe.httpGet.port, config.httpPort, `${where}: ${kind} port`);
      assert(PROBE_PATHS.has(probe.httpGet.path), `${where}: ${kind} path ${probe.httpGet.path}`);
    } else {
      assert(probe.tcpSocket, `${where}: ${kind} is httpGet or tcpSocket`);
      const port = probe.tcpSocket.port;
      assert(
        port === config.httpPort || (port === config.grpcPort && config.grpcWorkers > 0),
        `${where}: ${kind} tcp port ${port}`,
      );
    }
    for (const f of ["initialDelaySeconds", "periodSeconds"]) {
      if (probe[f] !== undefined) assert(isInt(probe[f]), `${where}: ${kind}.${f}`);
    }
  }
  return config;
}

/** The class a container serves: the image's model for `Model`, or a prepackaged server. */
async function componentClass(image: string, interfaceName: string): Promise<Obj | undefined> {
  if (interfaceName === "Model") {
    const model = IMAGES[image];
    if (model === null) return undefined;
    const [path, name] = model.split("#");
    return (await import(new URL(path, `file://${ROOT}`).href))[name];
  }
  assert(await isPrepackaged(interfaceName), `${interfaceName}: neither Model nor prepackaged`);
  return undefined; // a prepackaged server's own tests check its hooks
}

/**
 * True for a prepackaged server's interface name (src/component/builtins.ts; until that module
 * exists on this branch, the one the ONNX manifest names).
 */
async function isPrepackaged(interfaceName: string): Promise<boolean> {
  const url = new URL("../../src/component/builtins.ts", import.meta.url).href;
  try {
    const builtins = await import(url);
    return builtins.builtinModule(interfaceName) !== undefined;
  } catch (err) {
    if (!(err instanceof TypeError) || !/Module not found/.test(err.message)) throw err;
    return interfaceName === "OnnxServer";
  }
}

function walkGraph(node: Obj, where: string, visit: (n: Obj) => void): void {
  assert(typeof node.name === "string" && DNS_1123.test(node.name), `${where}: node name`);
  assert(NODE_TYPES.includes(node.type), `${where}: node type ${node.type}`);
  assert(["REST", "GRPC"].includes(node.endpoint?.type), `${where}: endpoint.type`);
  assert(node.implementation === undefined, `${where}: custom containers have no implementation`);
  for (const p of node.parameters ?? []) {
    assertEquals(typeof p.name, "string", where);
    assertEquals(typeof p.value, "string", `${where}: parameter ${p.name} value must be a string`);
    assert(PARAMETER_TYPES.includes(p.type), `${where}: parameter type ${p.type}`);
  }
  visit(node);
  for (const child of node.children ?? []) walkGraph(child, `${where} > ${child.name}`, visit);
}

async function checkSeldonDeployment(file: string, sd: Obj, envNames: Set<string>) {
  assert(DNS_1123.test(sd.metadata?.name), `${file}: metadata.name`);
  const spec = sd.spec;
  if (spec.protocol !== undefined) {
    assert(["seldon", "tensorflow", "kfserving", "v2"].includes(spec.protocol), file);
  }
  if (spec.transport !== undefined) assert(["rest", "grpc"].includes(spec.transport), file);
  if (spec.replicas !== undefined) assert(isInt(spec.replicas), `${file}: replicas integer`);
  assert(Array.isArray(spec.predictors) && spec.predictors.length > 0, `${file}: predictors`);
  for (const pred of spec.predictors) {
    const where = `${file} ${pred.name}`;
    assertEquals(typeof pred.name, "string", where);
    if (pred.replicas !== undefined) assert(isInt(pred.replicas), `${where}: replicas integer`);
    const containers = new Map<string, Obj>();
    for (const cs of pred.componentSpecs ?? []) {
      if (cs.replicas !== undefined) assert(isInt(cs.replicas), `${where}: replicas integer`);
      for (const c of cs.spec?.containers ?? []) containers.set(c.name, c);
    }
    const nodes: Obj[] = [];
    walkGraph(pred.graph, where, (n) => nodes.push(n));
    assertEquals(containers.size, nodes.length, `${where}: one container per graph node`);
    for (const node of nodes) {
      const c = containers.get(node.name);
      assert(c, `${where}: no container named ${node.name}`);
      const parameters = JSON.stringify(node.parameters ?? []);
      parseParameters(parameters);
      // What the Seldon operator sets for a graph node's container.
      const operatorEnv = { PREDICTIVE_UNIT_ID: node.name, PREDICTIVE_UNIT_PARAMETERS: parameters };
      const config = checkContainer(`${where} ${node.name}`, c, envNames, operatorEnv);
      if (node.endpoint.type === "GRPC" || spec.transport === "grpc") {
        assert(config.grpcWorkers > 0, `${where} ${node.name}: a gRPC node needs GRPC_WORKERS`);
        assertEquals(node.endpoint.type, "GRPC", `${where}: transport grpc, endpoint GRPC`);
      } else {
        assert(config.workers > 0, `${where} ${node.name}: a REST node needs REST workers`);
      }
      const cls = await componentClass(c.image, config.interfaceName);
      if (cls !== undefined) {
        const hook = NODE_HOOK[node.type];
        assertEquals(typeof cls.prototype[hook], "function", `${where}: ${node.name} ${hook}`);
      }
    }
  }
}

function checkKServe(file: string, docs: Obj[], envNames: Set<string>) {
  const runtimes = new Map(
    docs.filter((d) => d.kind === "ServingRuntime").map((d) => [d.metadata.name, d]),
  );
  const services = docs.filter((d) => d.kind === "InferenceService");
  assert(services.length > 0, `${file}: no InferenceService`);
  for (const isvc of services) {
    assertEquals(isvc.apiVersion, "serving.kserve.io/v1beta1", file);
    const name = isvc.metadata.name;
    assert(DNS_1123.test(name), `${file}: metadata.name`);
    const predictor = isvc.spec.predictor;
    for (const f of ["minReplicas", "maxReplicas"]) {
      if (predictor[f] !== undefined) assert(isInt(predictor[f]), `${file}: ${f}`);
    }
    const model = predictor.model;
    assertEquals(model.protocolVersion, "v2", `${file}: protocolVersion`);
    const runtime = runtimes.get(model.runtime);
    assert(runtime, `${file}: runtime ${model.runtime} not defined`);
    assertEquals(runtime.apiVersion, "serving.kserve.io/v1alpha1", file);
    assert(runtime.spec.protocolVersions.includes("v2"), `${file}: runtime speaks v2`);
    assert(
      runtime.spec.supportedModelFormats.some((f: Obj) => f.name === model.modelFormat.name),
      `${file}: the runtime supports ${model.modelFormat.name}`,
    );
    const [c] = runtime.spec.containers;
    assertEquals(c.name, "kserve-container", file);
    const config = checkContainer(
      `${file} ${name}`,
      c,
      envNames,
      {},
      (s) => s.replaceAll("{{.Name}}", name),
    );
    assertEquals(config.modelName, name, `${file}: V2 model name = the InferenceService's`);
    assertEquals(c.ports.length, 1, `${file}: KServe routes one port`);
    assertEquals(c.ports[0].containerPort, config.httpPort, `${file}: V2 REST port`);
    assertEquals(c.readinessProbe.httpGet.path, "/v2/health/ready", file);
    assertEquals(c.livenessProbe.httpGet.path, "/v2/health/live", file);
  }
}

Deno.test("k8s manifests: valid for their CRDs and in agreement with the server", async () => {
  const envNames = await serverEnvNames();
  assert(envNames.has("GUNICORN_WORKERS") && envNames.has("GRPC_WORKERS"));
  const seen = new Set<string>();
  for (const { file, docs } of await manifests()) {
    for (const doc of docs) seen.add(`${doc.apiVersion} ${doc.kind}`);
    const sds = docs.filter((d) => d.kind === "SeldonDeployment");
    for (const sd of sds) {
      assertEquals(sd.apiVersion, "machinelearning.seldon.io/v1", file);
      await checkSeldonDeployment(file, sd, envNames);
    }
    if (sds.length === 0) checkKServe(file, docs, envNames);
  }
  assertEquals([...seen].sort(), [
    "machinelearning.seldon.io/v1 SeldonDeployment",
    "serving.kserve.io/v1alpha1 ServingRuntime",
    "serving.kserve.io/v1beta1 InferenceService",
  ]);
});

Deno.test("k8s manifests: the checks catch a bad manifest", async () => {
  const envNames = await serverEnvNames();
  const text = await Deno.readTextFile(join(K8S, "iris-rest.yaml"));
  const bad = [
    text.replace('value: "4"', "value: 4"), // env value not a string
    text.replace("replicas: 2", 'replicas: "2"'),
    text.replace("path: /health/ping", "path: /healthz"),
    text.replace("containerPort: 9000", "containerPort: 8080"),
    text.replace("name: GUNICORN_WORKERS", "name: GUNICORN_WORKER"),
  ];
  for (const variant of bad) {
    const sd = YAML.parse(variant);
    let failed = false;
    try {
      await checkSeldonDeployment("variant", sd, envNames);
    } catch {
      failed = true;
    }
    assert(failed, variant);
  }
});

Deno.test("k8s manifests: the transformer example scales what the model then sees", async () => {
  await withServer(new FeatureScaler({ scale: 0.1 }), async (s) => {
    const r = await s.post("/transform-input", { data: { ndarray: [[51, 35, 14, 2]] } });
    assertEquals(r.status, 200);
    const row = r.json.data.ndarray[0] as number[];
    assertEquals(row.map((v) => Math.round(v * 10) / 10), [5.1, 3.5, 1.4, 0.2]);
  });
});
