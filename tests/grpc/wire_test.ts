/**
 * Wire compatibility: clients generated at run time from our `proto/` files by
 * `@grpc/proto-loader` (protobufjs reflection, independent of the server's hand-written codec)
 * talk to the server, as an upstream client built from the same schema would.
 */
import type { Metric } from "../../mod.ts";
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { loaderClient, loaderUnary as unary, rawUnary } from "../_helpers/grpc.ts";
import { NDArray } from "../../mod.ts";

/** google.protobuf.Value (proto-loader object form) → plain JSON. */
function fromValue(v: any): unknown {
  switch (v.kind) {
    case "nullValue":
      return null;
    case "numberValue":
      return v.numberValue;
    case "stringValue":
      return v.stringValue;
    case "boolValue":
      return v.boolValue;
    case "structValue":
      return fromStruct(v.structValue);
    case "listValue":
      return (v.listValue.values ?? []).map(fromValue);
  }
}

function fromStruct(s: any): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s.fields ?? {}).map(([k, v]) => [k, fromValue(v)]));
}

/** plain JSON → google.protobuf.Value object form. */
function toValue(x: unknown): any {
  if (x === null) return { nullValue: "NULL_VALUE" };
  if (typeof x === "number") return { numberValue: x };
  if (typeof x === "string") return { stringValue: x };
  if (typeof x === "boolean") return { boolValue: x };
  if (Array.isArray(x)) return { listValue: { values: x.map(toValue) } };
  return {
    structValue: {
      fields: Object.fromEntries(Object.entries(x as object).map(([k, v]) => [k, toValue(v)])),
    },
  };
}

class Model {
  predict(X: unknown) {
    return NDArray.isNDArray(X) ? X.map((v) => v * 10) : X;
  }
  tags() {
    return { model: "v3", nested: { ok: true } };
  }
  metrics(): Metric[] {
    return [{ type: "GAUGE", key: "temp", value: 0.1, tags: { room: "a" } }];
  }
  initMetadata() {
    return { name: "m", versions: ["1"], inputs: [{ name: "x", datatype: "FP32", shape: [1, 4] }] };
  }
}

Deno.test("grpc wire: a proto-loader client decodes tensor, tags, metrics and jsonData identically", () =>
  withServer(new Model(), async (s) => {
    const client = loaderClient("Model", s.running.grpc!.port);
    try {
      const res = await unary(client, "Predict", {
        meta: { puid: "p-1", tags: { src: toValue("web") } },
        data: { names: ["a", "b"], tensor: { shape: [1, 2], values: [1.5, 2] } },
      });
      assertEquals(res.data.data_oneof, "tensor");
      assertEquals(res.data.tensor.shape, [1, 2]);
      assertEquals(res.data.tensor.values, [15, 20]);
      assertEquals(res.data.names, ["t:0", "t:1"]);
      assertEquals(res.meta.puid, "p-1");
      assertEquals(fromStruct({ fields: res.meta.tags }), {
        src: "web",
        model: "v3",
        nested: { ok: true },
      });
      assertEquals(res.meta.metrics.length, 1);
      assertEquals(res.meta.metrics[0].key, "temp");
      assertEquals(res.meta.metrics[0].type, "GAUGE");
      assertEquals(Math.fround(res.meta.metrics[0].value), Math.fround(0.1));
      assertEquals(res.meta.metrics[0].tags, { room: "a", method: "predict" });

      const json = await unary(client, "Predict", {
        jsonData: toValue({ text: "hola", n: [1, 2] }),
      });
      assertEquals(json.data_oneof, "jsonData");
      assertEquals(fromValue(json.jsonData), { text: "hola", n: [1, 2] });

      const bin = await unary(client, "Predict", { binData: new Uint8Array([0, 1, 2, 255]) });
      assertEquals([...bin.binData], [0, 1, 2, 255]);

      const nd = await unary(client, "Predict", {
        data: { ndarray: toValue([[1, 2], [3, 4]]).listValue },
      });
      assertEquals(nd.data.data_oneof, "ndarray");
      assertEquals(fromValue({ kind: "listValue", listValue: nd.data.ndarray }), [[10, 20], [
        30,
        40,
      ]]);

      const tf = await unary(client, "Predict", {
        data: {
          tftensor: {
            dtype: "DT_FLOAT",
            tensor_shape: { dim: [{ size: "2" }] },
            float_val: [0.5, 1.5],
          },
        },
      });
      assertEquals(tf.data.tftensor.dtype, "DT_FLOAT");
      assertEquals(tf.data.tftensor.tensor_shape.dim.map((d: any) => d.size), ["2"]);
      const content = tf.data.tftensor.tensor_content as Uint8Array;
      assertEquals([
        ...new Float32Array(content.buffer.slice(content.byteOffset, content.byteOffset + 8)),
      ], [5, 15]);

      const meta = await unary(client, "Metadata", {});
      assertEquals(meta.name, "m");
      assertEquals(meta.versions, ["1"]);
      assertEquals(meta.inputs[0].shape, ["1", "4"]);

      const fb = await unary(client, "SendFeedback", {
        request: { data: { tensor: { shape: [1], values: [1] } } },
        reward: 0.5,
      });
      assertEquals(fb.data.data_oneof, "tensor");
    } finally {
      client.close();
    }
  }));

Deno.test("grpc wire: every service and rpc of the spec is served", () =>
  withServer(new Model(), async (s) => {
    const port = s.running.grpc!.port;
    const msg = { data: { tensor: { shape: [1, 1], values: [1] } } };
    const calls: [string, string, unknown][] = [
      ["Generic", "TransformInput", msg],
      ["Generic", "TransformOutput", msg],
      ["Generic", "SendFeedback", { request: msg }],
      ["Model", "Predict", msg],
      ["Model", "SendFeedback", { request: msg }],
      ["Model", "Metadata", {}],
      ["Router", "SendFeedback", { request: msg }],
      ["Transformer", "TransformInput", msg],
      ["OutputTransformer", "TransformOutput", msg],
      ["Seldon", "Predict", msg],
      ["Seldon", "SendFeedback", { request: msg }],
      ["Seldon", "ModelMetadata", { name: "x" }],
    ];
    for (const [service, rpc, req] of calls) {
      const client = loaderClient(service, port);
      try {
        await unary(client, rpc, req);
      } finally {
        client.close();
      }
    }
    // Route/Aggregate exist on Generic, Router and Combiner; without hooks they answer UNKNOWN.
    for (
      const [service, rpc, req] of [["Generic", "Route", msg], ["Router", "Route", msg], [
        "Generic",
        "Aggregate",
        { seldonMessages: [msg] },
      ], ["Combiner", "Aggregate", { seldonMessages: [msg] }]] as const
    ) {
      const client = loaderClient(service, port);
      try {
        const err = await unary(client, rpc, req).then(() => null, (e) => e);
        assertEquals(err?.code, grpc.status.UNKNOWN, `${service}/${rpc}`);
      } finally {
        client.close();
      }
    }
  }));

Deno.test("grpc wire: undecodable request bytes → INTERNAL, oversize → RESOURCE_EXHAUSTED", () =>
  withServer(new Model(), async (s) => {
    const port = s.running.grpc!.port;
    const bad = await rawUnary(port, new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1]));
    assertEquals(bad.code, grpc.status.INTERNAL);
    assertEquals(bad.details, "Exception deserializing request!");
    const big = await rawUnary(port, new Uint8Array(5 * 1024 * 1024));
    assertEquals(big.code, grpc.status.RESOURCE_EXHAUSTED);
  }));

/** The service names that server reflection (`version`: v1alpha or v1) lists on `port`. */
async function reflectedServices(port: number, version: string): Promise<string[] | null> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const call = client.makeBidiStreamRequest(
        `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
        (b: Uint8Array) => Buffer.from(b),
        (b: Uint8Array) => Buffer.from(b).toString("latin1"),
      );
      call.on("data", (d: string) => {
        resolve(d);
        call.end();
      });
      call.on("error", reject);
      call.write(new Uint8Array([0x3a, 0x00])); // list_services: ""
    });
    return text.match(/[A-Za-z]\w*(\.\w+)+/g);
  } finally {
    client.close();
  }
}

const SELDON_SERVICES = [
  "Generic",
  "Model",
  "Router",
  "Transformer",
  "OutputTransformer",
  "Combiner",
  "Seldon",
].map((name) => `seldon.protos.${name}`);

Deno.test("grpc wire: server reflection lists the seven Seldon services", () =>
  withServer(new Model(), async (s) => {
    for (const version of ["v1alpha", "v1"]) {
      const names = await reflectedServices(s.running.grpc!.port, version);
      for (const name of SELDON_SERVICES) {
        assertEquals(names?.includes(name), true, `${version} ${name}`);
      }
    }
  }));

Deno.test("grpc wire: a negative max message size annotation means unlimited, as grpc core", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/annotations`;
  await Deno.writeTextFile(file, 'seldon.io/grpc-max-message-size="-2"\n');
  try {
    await withServer(new Model(), async (s) => {
      // strData of 5 MiB: over the 4 MiB default, accepted and echoed.
      const size = 5 * 1024 * 1024;
      const message = new Uint8Array(5 + size).fill(0x61);
      message.set([0x2a, 0x80, 0x80, 0xc0, 0x02]); // field 5 (strData), varint length 5 * 2^20
      const answer = await rawUnary(s.running.grpc!.port, message, undefined, {
        "grpc.max_receive_message_length": -1,
      });
      assert(answer instanceof Uint8Array, String(answer?.details ?? answer));
      assert(answer.length > size, String(answer.length));
    }, { SELDON_ANNOTATIONS_FILE: file });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("grpc wire: the pod annotation sets the max message size", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/annotations`;
  await Deno.writeTextFile(file, 'seldon.io/grpc-max-message-size="100"\n');
  try {
    await withServer(new Model(), async (s) => {
      const port = s.running.grpc!.port;
      const small = await rawUnary(port, new Uint8Array([0x2a, 2, 0x68, 0x69])); // strData "hi"
      assertEquals(small instanceof Uint8Array || Buffer.isBuffer(small), true);
      const big = await rawUnary(
        port,
        new Uint8Array([0x2a, 120, ...new Uint8Array(120).fill(0x61)]),
      );
      assertEquals(big.code, grpc.status.RESOURCE_EXHAUSTED);
    }, { SELDON_ANNOTATIONS_FILE: file });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("grpc wire: reflection lists the seven Seldon services and the v1alpha reflection service", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    // upstream: enable_server_reflection((...seven services, reflection.SERVICE_NAME), server)
    // (metrics-and-processes.md §1.6 "listing exactly ... plus the reflection service itself").
    // Beside them: the Open Inference Protocol's service (issue 10).
    assertEquals(await reflectedServices(s.running.grpc!.port, "v1alpha"), [
      ...SELDON_SERVICES,
      "inference.GRPCInferenceService",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
  }));
