/**
 * Conformance: the [gRPC] lines of upstream test_model/router/transformer/combiner_microservice.py
 * and test_metadata.py, with a real grpc-js client over loopback.
 * Lines whose REST twin must answer the same are rows of `tests/protocol/rest_and_grpc_agree_test.ts`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ProtoAny } from "../../mod.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { META_U, UserObject } from "../_helpers/upstream.ts";

const TENSOR_REQ = { data: { tensor: { shape: [2, 1], values: [1, 2] } } };
const MYCOUNTER = { key: "mycounter", value: 1 };

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

// ---- test_model_microservice.py ----

Deno.test("test_proto_ok", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", TENSOR_REQ);
    assertTagsCounter(res);
    assertEquals(res.data.tensor, { shape: [2, 1], values: [1, 2] });
    assertEquals(res.data.names, ["t:0"]);
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

Deno.test("test_proto_bin_data", () =>
  withServer(new UserObject(), async (s) => {
    const res = await grpcCall("Model", port(s), "Predict", { binData: btoa("MTIz") });
    assertEquals(res.binData, btoa("MTIz"));
  }));

Deno.test("test_get_grpc_server", async () => {
  for (const user of [new UserObject(true, true), new UserObject(), {}]) {
    await withServer(user, (s) => {
      assert(port(s) > 0);
      return Promise.resolve();
    });
  }
});

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
  },
  {
    rpc: "TransformOutput",
    service: "OutputTransformer",
    ok: "test_transform_output_proto_ok",
    lowlevel: "test_transform_output_proto_lowlevel_ok",
    bin: "test_transform_output_proto_bin_data",
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
