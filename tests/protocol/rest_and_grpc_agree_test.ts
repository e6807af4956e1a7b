/**
 * Where REST and gRPC must give the same answer, one scenario table run over both: each row is
 * a model, a request and the parts of the answer it expects, registered once as a REST test
 * (GET `?json=`, JSON mode) and once as a gRPC test (a grpc-js client, proto mode), under the
 * names of the upstream tests it ports (test_model/transformer_microservice.py and their
 * `test_proto_*` twins). The only difference allowed is proto3-JSON's: a metric's default type
 * (COUNTER) is not written on the gRPC side. A last test compares whole answers per operation.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { UserObject } from "../_helpers/upstream.ts";
import { BaseComponent, NDArray } from "../../mod.ts";

/** Where each operation is served. */
const OPERATIONS = {
  predict: { path: "/predict", service: "Model", rpc: "Predict" },
  "transform-input": { path: "/transform-input", service: "Transformer", rpc: "TransformInput" },
  "transform-output": {
    path: "/transform-output",
    service: "OutputTransformer",
    rpc: "TransformOutput",
  },
} as const;

/** One row: upstream's REST and gRPC test names, and what both transports must answer. */
interface Scenario {
  readonly rest: string;
  readonly grpc: string;
  readonly operation: keyof typeof OPERATIONS;
  readonly model: () => object;
  readonly request: Record<string, unknown>;
  /** The parts of the answer that are checked: the members of the message, `data` and `meta` it names. */
  readonly expected: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

const TENSOR = { tensor: { shape: [2, 1], values: [1, 2] } };
const MYCOUNTER = { type: "COUNTER", key: "mycounter", value: 1 };
const REQUEST_GAUGE = { key: "request_gauge", type: "GAUGE", value: 100 };
const NODE_ENV = {
  PREDICTIVE_UNIT_ID: "my-test-model",
  PREDICTIVE_UNIT_IMAGE: "my-test-model-image",
};
const TFTENSOR = {
  dtype: "DT_INT64",
  tensorShape: { dim: [{ size: "2" }] },
  tensorContent: "AQAAAAAAAAACAAAAAAAAAA==",
};

/** The rows every operation shares, named after its upstream tests. */
function sharedRows(
  operation: keyof typeof OPERATIONS,
  names: Record<"binArray" | "getsMeta" | "tags" | "metrics", [rest: string, grpc: string]>,
): Scenario[] {
  const row = (
    [rest, grpc]: [string, string],
    rest_: Omit<Scenario, "rest" | "grpc" | "operation">,
  ) => ({ rest, grpc, operation, ...rest_ });
  return [
    row(names.binArray, {
      model: () => new UserObject(true, true),
      request: { binData: "MTIz" },
      expected: {
        data: { tensor: { shape: [3], values: [1, 2, 3] } },
        meta: { tags: { mytag: 1 }, metrics: [MYCOUNTER] },
      },
    }),
    row(names.getsMeta, {
      model: () => new UserObject(true, false, true),
      request: { meta: { puid: "abc" }, data: TENSOR },
      expected: {
        data: { tensor: TENSOR.tensor },
        meta: { tags: { inc_meta: { puid: "abc" } }, metrics: [MYCOUNTER] },
      },
    }),
    row(names.tags, {
      model: () => new UserObject(),
      request: { meta: { tags: { foo: "bar" } }, data: TENSOR },
      expected: { data: { tensor: TENSOR.tensor }, meta: { tags: { foo: "bar", mytag: 1 } } },
    }),
    row(names.metrics, {
      model: () => new UserObject(),
      request: { meta: { metrics: [REQUEST_GAUGE] }, data: TENSOR },
      expected: {
        data: { tensor: TENSOR.tensor },
        meta: { tags: { mytag: 1 }, metrics: [REQUEST_GAUGE, MYCOUNTER] },
      },
    }),
  ];
}

const SCENARIOS: Scenario[] = [
  {
    rest: "test_model_tftensor_ok",
    grpc: "test_proto_tftensor_ok",
    operation: "predict",
    model: () => new UserObject(),
    request: { data: { tftensor: TFTENSOR } },
    expected: { data: { tftensor: TFTENSOR }, meta: { tags: { mytag: 1 }, metrics: [MYCOUNTER] } },
  },
  {
    rest: "test_requestPath_ok",
    grpc: "test_proto_requestPath_ok",
    operation: "predict",
    model: () => new UserObject(),
    request: { meta: { puid: "123" }, data: TENSOR },
    expected: { meta: { requestPath: { "my-test-model": "my-test-model-image" } } },
    env: NODE_ENV,
  },
  {
    rest: "test_requestPath_2nd_node_ok",
    grpc: "test_proto_requestPath_2nd_node_ok",
    operation: "predict",
    model: () => new UserObject(),
    request: { meta: { requestPath: { "earlier-node": "earlier-image" } }, data: TENSOR },
    expected: {
      meta: {
        requestPath: { "my-test-model": "my-test-model-image", "earlier-node": "earlier-image" },
      },
    },
    env: NODE_ENV,
  },
  ...sharedRows("predict", {
    binArray: ["test_model_bin_data_nparray", "test_proto_bin_data_nparray"],
    getsMeta: ["test_model_gets_meta", "test_proto_gets_meta"],
    tags: ["test_model_passes_through_tags", "test_proto_passes_through_tags"],
    metrics: ["test_model_passes_through_metrics", "test_proto_passes_through_metrics"],
  }),
  ...sharedRows("transform-input", {
    binArray: [
      "test_transformer_input_bin_data_nparray",
      "test_transform_input_proto_bin_data_nparray",
    ],
    getsMeta: ["test_transform_input_gets_meta", "test_transform_input_proto_gets_meta"],
    tags: [
      "test_transform_input_passes_through_tags",
      "test_transform_proto_input_passes_through_tags",
    ],
    metrics: [
      "test_transform_input_passes_through_metrics",
      "test_transform_proto_input_passes_through_metrics",
    ],
  }),
  ...sharedRows("transform-output", {
    binArray: [
      "test_transformer_output_bin_data_nparray",
      "test_transform_output_proto_bin_data_nparray",
    ],
    getsMeta: ["test_transform_output_gets_meta", "test_transform_output_proto_gets_meta"],
    tags: [
      "test_transform_output_passes_through_tags",
      "test_transform_proto_output_passes_through_tags",
    ],
    metrics: [
      "test_transform_output_passes_through_metrics",
      "test_transform_proto_output_passes_through_metrics",
    ],
  }),
];

/** The members of `answer`, of its `data` and of its `meta` that `expected` names. */
function partsOf(answer: any, expected: Record<string, any>): Record<string, unknown> {
  const pick = (from: any, keys: Record<string, unknown>) =>
    Object.fromEntries(Object.keys(keys).map((k) => [k, from?.[k]]));
  const parts = pick(answer, expected);
  for (const container of ["data", "meta"]) {
    if (expected[container]) parts[container] = pick(answer?.[container], expected[container]);
  }
  return parts;
}

/** A gRPC answer with the metric type proto3-JSON leaves out (COUNTER, the default) written. */
function withDefaultMetricType(answer: any): any {
  const metrics = answer?.meta?.metrics;
  if (!Array.isArray(metrics)) return answer;
  return {
    ...answer,
    meta: { ...answer.meta, metrics: metrics.map((m) => ({ type: "COUNTER", ...m })) },
  };
}

for (const s of SCENARIOS) {
  const { path, service, rpc } = OPERATIONS[s.operation];
  Deno.test(s.rest, () =>
    withServer(s.model(), async (server) => {
      const r = await server.get(path, s.request);
      assertEquals(r.status, 200, r.text);
      assertEquals(partsOf(r.json, s.expected), s.expected);
    }, s.env));
  Deno.test(s.grpc, () =>
    withServer(s.model(), async (server) => {
      const answer = await grpcCall(service, server.running.grpc!.port, rpc, s.request);
      assertEquals(partsOf(withDefaultMetricType(answer), s.expected), s.expected);
    }, s.env));
}

class EveryHook extends BaseComponent {
  override predict(X: NDArray) {
    return X.map((v) => v * 2);
  }
  override transformInput(X: NDArray) {
    return X.map((v) => v + 1);
  }
  override transformOutput(X: NDArray) {
    return X.map((v) => v - 1);
  }
  override route() {
    return 1;
  }
  override aggregate(Xs: NDArray[]) {
    return Xs[1];
  }
  override sendFeedback() {
    return NDArray.from([[0.5, 1.5]]);
  }
  override tags() {
    return { model: "v3" };
  }
}

Deno.test("grpc: REST and gRPC give equal messages for the same input, per operation", () =>
  withServer(new EveryHook(), async (s) => {
    const msg = {
      data: { names: ["a", "b"], tensor: { shape: [1, 2], values: [1.5, 2] } },
      meta: { puid: "p1", tags: { src: "web" } },
    };
    const ops = [
      ["/predict", "Model", "Predict", msg],
      ["/transform-input", "Generic", "TransformInput", msg],
      ["/transform-output", "Generic", "TransformOutput", msg],
      ["/route", "Router", "Route", msg],
      ["/aggregate", "Combiner", "Aggregate", {
        seldonMessages: [msg, { data: { ndarray: [[3, 4]] } }],
      }],
      ["/send-feedback", "Model", "SendFeedback", { request: msg, reward: 0.5 }],
    ] as const;
    for (const [path, service, rpc, req] of ops) {
      const rest = await s.post(path, req);
      assertEquals(rest.status, 200, path);
      const viaGrpc = await grpcCall(service, s.running.grpc!.port, rpc, req);
      assertEquals(viaGrpc, rest.json, path);
    }
  }, { PREDICTIVE_UNIT_ID: "node", PREDICTIVE_UNIT_IMAGE: "img:1" }));
