/**
 * Conformance: the [gRPC] lines of upstream test_model/router/transformer/combiner_microservice.py
 * and test_metadata.py, with a real grpc-js client over loopback.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { BaseComponent, NDArray, ProtoAny } from "../../mod.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { META_U } from "../_helpers/upstream.ts";

const TENSOR_REQ = { data: { tensor: { shape: [2, 1], values: [1, 2] } } };
const MYCOUNTER = { key: "mycounter", value: 1 };

class UserObject {
  lastMeta: unknown;
  constructor(readonly metricsOk = true, readonly retNparray = false, readonly retMeta = false) {}
  #x(X: unknown, meta: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return this.retNparray ? NDArray.from([1, 2, 3]) : X;
  }
  predict(X: unknown, _n: unknown, meta: unknown) {
    return this.#x(X, meta);
  }
  transformInput(X: unknown, _n: unknown, meta: unknown) {
    return this.#x(X, meta);
  }
  transformOutput(X: unknown, _n: unknown, meta: unknown) {
    return this.#x(X, meta);
  }
  route(_X: unknown, _n: unknown, meta: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return 22;
  }
  aggregate(Xs: unknown[]) {
    return this.retNparray ? NDArray.from([1, 2, 3]) : Xs[0];
  }
  sendFeedback() {}
  tags() {
    return this.retMeta ? { inc_meta: this.lastMeta } : { mytag: 1 };
  }
  metrics() {
    return [{ type: this.metricsOk ? "COUNTER" : "BAD", key: "mycounter", value: 1 }];
  }
}

const LOWLEVEL_TENSOR = { data: { tensor: { shape: [2, 1], values: [9, 9] } } };

/** upstream UserObjectLowLevelGrpc: the deprecated *_grpc hooks, ported to *Raw. */
class UserObjectLowLevelGrpc {
  predictRaw() {
    return LOWLEVEL_TENSOR;
  }
  transformInputRaw() {
    return LOWLEVEL_TENSOR;
  }
  transformOutputRaw() {
    return LOWLEVEL_TENSOR;
  }
  routeRaw() {
    return { data: { tensor: { shape: [1, 1], values: [1] } } };
  }
  aggregateRaw() {
    return LOWLEVEL_TENSOR;
  }
  sendFeedbackRaw() {}
}

function port(s: TestServer): number {
  return s.running.grpc!.port;
}

function assertTagsCounter(res: any) {
  assertEquals(res.meta.tags, { mytag: 1 });
  assertEquals(res.meta.metrics[0], MYCOUNTER);
}

const NODE_ENV = {
  PREDICTIVE_UNIT_ID: "my-test-model",
  PREDICTIVE_UNIT_IMAGE: "my-test-model-image",
};

// ---- test_model_microservice.py ----

Deno.test("test_proto_requestPath_ok", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", {
      ...TENSOR_REQ,
      meta: { tags: { foo: "bar" } },
    });
    assertEquals(res.meta.requestPath, { "my-test-model": "my-test-model-image" });
  }, NODE_ENV));

Deno.test("test_proto_requestPath_2nd_node_ok", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", {
      ...TENSOR_REQ,
      meta: { requestPath: { "earlier-node": "earlier-image" } },
    });
    assertEquals(res.meta.requestPath, {
      "my-test-model": "my-test-model-image",
      "earlier-node": "earlier-image",
    });
  }, NODE_ENV));

Deno.test("test_proto_ok", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", TENSOR_REQ);
    assertTagsCounter(res);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
    assertEquals(res.data.names, ["t:0"]);
  }));

Deno.test("test_proto_passes_through_tags", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", {
      ...TENSOR_REQ,
      meta: { tags: { foo: "bar" } },
    });
    assertEquals(res.meta.tags, { foo: "bar", mytag: 1 });
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
  }));

Deno.test("test_proto_passes_through_metrics", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", {
      ...TENSOR_REQ,
      meta: { metrics: [{ key: "request_gauge", type: "GAUGE", value: 100 }] },
    });
    assertEquals(res.meta.metrics, [
      { key: "request_gauge", type: "GAUGE", value: 100 },
      MYCOUNTER,
    ]);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
  }));

Deno.test("test_proto_lowlevel", () =>
  withServer(new UserObjectLowLevelGrpc(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", TENSOR_REQ);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [9, 9] });
  }));

Deno.test("test_proto_feedback", async () => {
  const rewards: number[] = [];
  const user = {
    sendFeedback: (_X: unknown, _n: unknown, reward: number) => void rewards.push(reward),
  };
  await withServer(user, async (s) => {
    const res = await grpcCall("Model", port(s), "SendFeedback", {
      request: TENSOR_REQ,
      reward: 1.0,
    });
    assertEquals(rewards, [1]);
    assertEquals(res, { data: { tensor: { shape: [0] } }, meta: {} });
    // router variant (test_router_microservice.py test_proto_feedback): routing from the response meta
    const routed = await grpcCall("Router", port(s), "SendFeedback", {
      request: TENSOR_REQ,
      response: { ...TENSOR_REQ, meta: { routing: { "1": 1 } } },
      reward: 1.0,
    });
    assert(routed.meta);
  });
});

Deno.test("test_proto_feedback_custom", () =>
  withServer(new UserObjectLowLevelGrpc(), async (s) => {
    const res = await grpcCall("Model", port(s), "SendFeedback", {
      request: TENSOR_REQ,
      reward: 1.0,
    });
    assertEquals(res, {});
  }));

Deno.test("test_proto_tftensor_ok", () =>
  withServer(new UserObject(), async (s) => {
    const tftensor = {
      dtype: "DT_INT64",
      tensorShape: { dim: [{ size: "2" }] },
      tensorContent: "AQAAAAAAAAACAAAAAAAAAA==",
    };
    const res = await grpcCall("Model", port(s), "Predict", { data: { tftensor } });
    assertTagsCounter(res);
    assertEquals(res.data.tftensor, tftensor);
  }));

Deno.test("test_proto_bin_data", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", { binData: btoa("MTIz") });
    assertEquals(res.binData, btoa("MTIz"));
  }));

Deno.test("test_proto_bin_data_nparray", () =>
  withServer(new UserObject(true, true), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", { binData: "AAE=" });
    assertEquals(res.data.tensor.values, [1, 2, 3]);
  }));

Deno.test("test_get_grpc_server", async () => {
  for (const user of [new UserObject(true, true), new UserObject(), {}]) {
    await withServer(user, (s) => {
      assert(port(s) > 0);
      return Promise.resolve();
    });
  }
});

Deno.test("test_proto_gets_meta", () =>
  withServer(new UserObject(true, false, true), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", {
      ...TENSOR_REQ,
      meta: { puid: "abc" },
    });
    assertEquals(res.meta.tags, { inc_meta: { puid: "abc" } });
    assertEquals(res.meta.metrics[0], MYCOUNTER);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
  }));

// ---- test_router_microservice.py ----

Deno.test("test_router_proto_ok", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Router", port(s), "Route", TENSOR_REQ);
    assertTagsCounter(res);
    assertEquals(res.data.tensor, { shape: [1, 1], values: [22] });
  }));

Deno.test("test_router_proto_lowlevel_ok", () =>
  withServer(new UserObjectLowLevelGrpc(), async (s) => {
    const res = await grpcCall("Router", port(s), "Route", TENSOR_REQ);
    assertEquals(res.data.tensor, { shape: [1, 1], values: [1] });
  }));

Deno.test("test_router_proto_lowlevel_raw_ok", () =>
  withServer(new UserObjectLowLevelGrpc(), async (s) => {
    const res = await grpcCall("Generic", port(s), "Route", TENSOR_REQ);
    assertEquals(res.data.tensor, { shape: [1, 1], values: [1] });
  }));

// ---- test_transformer_microservice.py ----

const TRANSFORMS = [
  {
    rpc: "TransformInput",
    service: "Transformer",
    ok: "test_transform_input_proto_ok",
    lowlevel: "test_transform_input_proto_lowlevel_ok",
    bin: "test_transform_input_proto_bin_data",
    binArray: "test_transform_input_proto_bin_data_nparray",
    getsMeta: "test_transform_input_proto_gets_meta",
    tags: "test_transform_proto_input_passes_through_tags",
    metrics: "test_transform_proto_input_passes_through_metrics",
  },
  {
    rpc: "TransformOutput",
    service: "OutputTransformer",
    ok: "test_transform_output_proto_ok",
    lowlevel: "test_transform_output_proto_lowlevel_ok",
    bin: "test_transform_output_proto_bin_data",
    binArray: "test_transform_output_proto_bin_data_nparray",
    getsMeta: "test_transform_output_proto_gets_meta",
    tags: "test_transform_proto_output_passes_through_tags",
    metrics: "test_transform_proto_output_passes_through_metrics",
  },
];

for (const t of TRANSFORMS) {
  Deno.test(t.ok, () =>
    withServer(new UserObject(), async (s) => {
      const res = await grpcCall(t.service, port(s), t.rpc, TENSOR_REQ);
      assertTagsCounter(res);
      assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
      // the same rpc on the Generic service is the same handler
      assertEquals(await grpcCall("Generic", port(s), t.rpc, TENSOR_REQ), res);
    }));
  Deno.test(t.lowlevel, () =>
    withServer(new UserObjectLowLevelGrpc(), async (s) => {
      const res = await grpcCall(t.service, port(s), t.rpc, TENSOR_REQ);
      assertEquals(res.data.tensor, { shape: [2, 1], values: [9, 9] });
    }));
  Deno.test(t.bin, () =>
    withServer(new UserObject(), async (s) => {
      const res = await grpcCall(t.service, port(s), t.rpc, { binData: "AAE=" });
      assertEquals(res.binData, "AAE=");
    }));
  Deno.test(t.binArray, () =>
    withServer(new UserObject(true, true), async (s) => {
      const res = await grpcCall(t.service, port(s), t.rpc, { binData: "AAE=" });
      assertEquals(res.data.tensor.values, [1, 2, 3]);
    }));
  Deno.test(t.getsMeta, () =>
    withServer(new UserObject(true, false, true), async (s) => {
      const res = await grpcCall(t.service, port(s), t.rpc, {
        ...TENSOR_REQ,
        meta: { puid: "abc" },
      });
      assertEquals(res.meta.tags, { inc_meta: { puid: "abc" } });
      assertEquals(res.meta.metrics[0], MYCOUNTER);
      assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
    }));
  Deno.test(t.tags, () =>
    withServer(new UserObject(), async (s) => {
      const res = await grpcCall(t.service, port(s), t.rpc, {
        ...TENSOR_REQ,
        meta: { tags: { foo: "bar" } },
      });
      assertEquals(res.meta.tags, { foo: "bar", mytag: 1 });
      assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
    }));
  Deno.test(t.metrics, () =>
    withServer(new UserObject(), async (s) => {
      const res = await grpcCall(t.service, port(s), t.rpc, {
        ...TENSOR_REQ,
        meta: { metrics: [{ key: "request_gauge", type: "GAUGE", value: 100 }] },
      });
      assertEquals(res.meta.metrics, [
        { key: "request_gauge", type: "GAUGE", value: 100 },
        MYCOUNTER,
      ]);
    }));
}

// ---- test_combiner_microservice.py ----

const TWO_TENSORS = {
  seldonMessages: [
    { data: { tensor: { shape: [2, 1], values: [1, 2] } } },
    { data: { tensor: { shape: [2, 1], values: [3, 4] } } },
  ],
};

Deno.test("test_aggregate_proto_ok", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Combiner", port(s), "Aggregate", TWO_TENSORS);
    assertTagsCounter(res);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
  }));

Deno.test("test_aggregate_proto_combines_tags", () =>
  withServer(new UserObject(), async (s) => {
    const [a, b] = TWO_TENSORS.seldonMessages;
    const res = await grpcCall("Combiner", port(s), "Aggregate", {
      seldonMessages: [
        { ...a, meta: { tags: { "input-1": "yes", common: 1 } } },
        { ...b, meta: { tags: { "input-2": "yes", common: 2 } } },
      ],
    });
    assertEquals(res.meta.tags, { common: 2, "input-1": "yes", "input-2": "yes", mytag: 1 });
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
  }));

Deno.test("test_aggregate_proto_combines_metrics", () =>
  withServer(new UserObject(), async (s) => {
    const [a, b] = TWO_TENSORS.seldonMessages;
    const res = await grpcCall("Generic", port(s), "Aggregate", {
      seldonMessages: [
        { ...a, meta: { metrics: [{ key: "request_gauge_1", type: "GAUGE", value: 100 }] } },
        { ...b, meta: { metrics: [{ key: "request_gauge_2", type: "GAUGE", value: 200 }] } },
      ],
    });
    assertEquals(res.meta.tags, { mytag: 1 });
    assertEquals(res.meta.metrics, [
      { key: "request_gauge_1", type: "GAUGE", value: 100 },
      { key: "request_gauge_2", type: "GAUGE", value: 200 },
      MYCOUNTER,
    ]);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
  }));

Deno.test("test_aggregate_proto_bin_data", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Combiner", port(s), "Aggregate", {
      seldonMessages: [{ binData: "AAE=" }],
    });
    assertEquals(res.binData, "AAE=");
  }));

Deno.test("test_aggregate_proto_lowlevel_ok", () =>
  withServer(new UserObjectLowLevelGrpc(), async (s) => {
    const res = await grpcCall("Combiner", port(s), "Aggregate", TWO_TENSORS);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [9, 9] });
  }));

// ---- test_metadata.py ----

Deno.test("test_model_metadata_ok_grpc", () =>
  withServer({
    predict: (X: unknown) => X,
    initMetadata: () => structuredClone(META_U),
  }, async (s) => {
    const expected = {
      name: "my-model-name",
      versions: ["model-version"],
      platform: "model-platform",
      inputs: [{ name: "input", datatype: "BYTES", shape: ["1"] }],
      outputs: [{ name: "output", datatype: "BYTES", shape: ["1"] }],
      custom: { "tag-key": "tag-value" },
    };
    assertEquals(await grpcCall("Model", port(s), "Metadata", {}), expected);
    assertEquals(await grpcCall("Seldon", port(s), "ModelMetadata", { name: "ignored" }), expected);
  }));

Deno.test("grpc: customData is echoed back unchanged; invalid metadata answers an empty message", () =>
  withServer(
    { predict: (X: unknown) => X, initMetadata: () => ({ versions: "bad" }) },
    async (s) => {
      const any = { "@type": "type.googleapis.com/acme.Blob", value: btoa("payload") };
      const res = await grpcCall("Model", port(s), "Predict", { customData: any });
      assertEquals(res.customData, any);
      assertEquals(await grpcCall("Model", port(s), "Metadata", {}), {});
    },
  ));

Deno.test("grpc: ProtoAny returned by a hook becomes customData", () =>
  withServer(
    { predict: () => new ProtoAny("type.googleapis.com/x.Y", new Uint8Array([1, 2])) },
    async (s) => {
      const res = await grpcCall("Model", port(s), "Predict", TENSOR_REQ);
      assertEquals(res.customData, { "@type": "type.googleapis.com/x.Y", value: "AQI=" });
    },
  ));

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
      const viaGrpc = await grpcCall(service, port(s), rpc, req);
      assertEquals(viaGrpc, rest.json, path);
    }
  }, { PREDICTIVE_UNIT_ID: "node", PREDICTIVE_UNIT_IMAGE: "img:1" }));
