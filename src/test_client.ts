/**
 * `testClient()`: a model's hooks called through the server's own REST handler in this process,
 * without sockets — each call answers exactly what the running server would (status, JSON body),
 * so a model's tests need no port, no process and no network.
 * @module
 */
import { type ComponentOrClass, prepare, type ServeOptions } from "./public_serve.ts";

/** Options of {@link testClient}: configuration overrides, as {@link ServeOptions}. */
export type TestClientOptions = ServeOptions;

/** What the server answered one call. */
export interface TestAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** The parsed JSON body (the text when it is not JSON; `undefined` when empty). */
  readonly body: any;
  /** The response headers. */
  readonly headers: Headers;
}

/** A model served in this process without sockets; see {@link testClient}. */
export interface TestClient {
  /** The model's name in V2 paths (`--model-name`, `PREDICTIVE_UNIT_ID` or the class name). */
  readonly modelName: string;
  /** `POST /api/v1.0/predictions` with `payload` (a SeldonMessage, e.g. `{ data: { ndarray } }`). */
  predict(payload: unknown): Promise<TestAnswer>;
  /** `POST /api/v1.0/feedback` with `feedback` (`{ request, response, reward, truth }`). */
  feedback(feedback: unknown): Promise<TestAnswer>;
  /** `GET /api/v1.0/metadata`: the model's v1 metadata. */
  metadata(): Promise<TestAnswer>;
  /** `GET /health/status`: the `healthStatus` hook's answer. */
  health(): Promise<TestAnswer>;
  /**
   * `POST /v2/models/<modelName>/infer` (Open Inference Protocol) with `request`, the V2 JSON
   * body (`{ inputs: [{ name, datatype, shape, data }] }`).
   */
  infer(request: unknown): Promise<TestAnswer>;
  /**
   * Any REST route: `method` and `path` (e.g. `/transform-input`, `/v2/models/m/ready`); a
   * `body` that is not a string or bytes is sent as JSON.
   */
  request(method: string, path: string, body?: unknown): Promise<TestAnswer>;
  /** The custom metrics the model recorded so far, in Prometheus text (the metrics port's answer). */
  metrics(): Promise<string>;
}

/**
 * Builds the model (an instance, or a class constructed with the typed `parameters` option),
 * runs `initMetadata` and `load()` as a serving process does, and returns a client whose calls
 * go through the server's REST handler in this process. Configuration comes from `options`,
 * then the environment (`options.env`), then the defaults.
 *
 * ```ts ignore
 * import { testClient } from "@seldon-ts/server";
 * import { MyModel } from "./MyModel.ts";
 * const client = await testClient(MyModel, {
 *   parameters: '[{"name":"scale","value":"2","type":"FLOAT"}]',
 * });
 * const { status, body } = await client.predict({ data: { ndarray: [[1, 2]] } });
 * // status 200, body { data: { names: ["t:0", "t:1"], ndarray: [[2, 4]] }, meta: {} }
 * ```
 */
export async function testClient(
  componentOrClass: ComponentOrClass,
  options: TestClientOptions = {},
): Promise<TestClient> {
  const { config, component } = await prepare(componentOrClass, options);
  // The serving stack is imported here, not at the top: a model importing the public API must
  // not load it into every worker.
  const [{ bootPlane }, { createHandler }, { Collector }, { metricsLabels }] = await Promise.all([
    import("./serving/plane.ts"),
    import("./rest/server.ts"),
    import("./metrics/collector.ts"),
    import("./metrics/labels.ts"),
  ]);
  const collector = new Collector();
  const { plane } = await bootPlane(component, config, collector.recorderFor(String(Deno.pid)));
  const handler = createHandler(plane, {
    port: 0,
    hostname: "127.0.0.1",
    maxBodySize: config.maxBodySize,
    payloadPassthrough: config.payloadPassthrough,
    concurrency: config.singleThreaded ? 1 : config.threads,
    json: {
      pretty: config.jsonPrettyPrint,
      ascii: config.jsonAsAscii,
      sortKeys: config.jsonSortKeys,
    },
  });
  const request = async (method: string, path: string, body?: unknown): Promise<TestAnswer> => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      const raw = typeof body === "string" || body instanceof Uint8Array;
      init.body = raw ? body as BodyInit : JSON.stringify(body);
      init.headers = { "content-type": "application/json" };
    }
    const response = await handler(new Request(`http://in-process${path}`, init));
    const text = await response.text();
    let parsed: unknown = text === "" ? undefined : text;
    try {
      if (text !== "") parsed = JSON.parse(text);
    } catch { /* not JSON: the text */ }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const modelName = plane.oip.modelName;
  return {
    modelName,
    predict: (payload) => request("POST", "/api/v1.0/predictions", payload),
    feedback: (feedback) => request("POST", "/api/v1.0/feedback", feedback),
    metadata: () => request("GET", "/api/v1.0/metadata"),
    health: () => request("GET", "/health/status"),
    infer: (req) => request("POST", `/v2/models/${encodeURIComponent(modelName)}/infer`, req),
    request,
    metrics: () => collector.render(metricsLabels(config)),
  };
}
