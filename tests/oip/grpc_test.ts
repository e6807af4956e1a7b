/**
 * V2 gRPC over loopback with a client generated from the canonical `.proto`: every rpc, the
 * status codes of every error path, and server reflection listing the service.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";
import { Buffer } from "node:buffer";
import { callError, grpc, oipClient } from "./_grpc_client.ts";
import type { InferenceRequest, InferenceResponse } from "../../src/protocol/oip/types.ts";

class Doubler {
  predict(X: NDArray) {
    return X.map((v) => (v as number) * 2);
  }
}

const METADATA = JSON.stringify({
  versions: ["1"],
  platform: "custom-platform",
  inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
  outputs: [{ name: "y", datatype: "FP32", shape: [-1, 2] }],
  custom: { owner: "team" },
});

Deno.test("V2 gRPC: health, server metadata, model metadata and readiness", async () => {
  await withServer(new Doubler(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      assertEquals(await client.call("ServerLive", {}), { live: true });
      assertEquals(await client.call("ServerReady", {}), { ready: true });
      assertEquals(await client.call("ModelReady", { name: "Doubler" }), { ready: true });
      assertEquals(await client.call("ModelReady", { name: "Doubler", version: "1" }), {
        ready: true,
      });
      const server = await client.call("ServerMetadata", {});
      assertEquals(server.name, "seldon-ts");
      assertEquals(server.extensions, ["binary_tensor_data"]);
      assertEquals(await client.call("ModelMetadata", { name: "Doubler" }), {
        name: "Doubler",
        versions: ["1"],
        platform: "custom-platform",
        inputs: [{ name: "x", datatype: "FP32", shape: ["-1", "2"] }],
        outputs: [{ name: "y", datatype: "FP32", shape: ["-1", "2"] }],
        properties: { owner: "team" },
      });
    } finally {
      client.close();
    }
  }, { MODEL_METADATA: METADATA });
});

Deno.test("V2 gRPC: an unknown model or version is NOT_FOUND", async () => {
  await withServer(new Doubler(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      for (const rpc of ["ModelReady", "ModelMetadata"]) {
        const other = await callError(client, rpc, { name: "other" });
        assertEquals(other.code, grpc.status.NOT_FOUND);
        const version = await callError(client, rpc, { name: "Doubler", version: "2" });
        assertEquals(version.code, grpc.status.NOT_FOUND);
      }
    } finally {
      client.close();
    }
  }, { MODEL_METADATA: METADATA });
});

const FP32 = { name: "x", datatype: "FP32", shape: ["2", "2"] };

Deno.test("V2 gRPC: ModelInfer with contents answers contents; with raw inputs, raw outputs", async () => {
  await withServer(new Doubler(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      const typed = await client.call("ModelInfer", {
        model_name: "Doubler",
        id: "g1",
        inputs: [{ ...FP32, contents: { fp32_contents: [1, 2, 3, 4.5] } }],
      });
      assertEquals(typed.model_name, "Doubler");
      assertEquals(typed.model_version, "1");
      assertEquals(typed.id, "g1");
      assertEquals(typed.outputs, [{
        name: "y", // metadata outputs[0].name
        datatype: "FP32",
        shape: ["2", "2"],
        contents: { fp32_contents: [2, 4, 6, 9] },
      }]);
      assertEquals(typed.raw_output_contents, undefined);

      const bytes = Buffer.from(new Float32Array([1, 2, 3, 4.5]).buffer);
      const raw = await client.call("ModelInfer", {
        model_name: "Doubler",
        model_version: "1",
        inputs: [FP32],
        raw_input_contents: [bytes],
      });
      assertEquals(raw.outputs, [{ name: "y", datatype: "FP32", shape: ["2", "2"] }]);
      const out = raw.raw_output_contents[0] as Uint8Array;
      assertEquals([...new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + 16))], [
        2,
        4,
        6,
        9,
      ]);
    } finally {
      client.close();
    }
  }, { MODEL_METADATA: METADATA });
});

Deno.test("V2 gRPC: error paths are INVALID_ARGUMENT, NOT_FOUND, UNKNOWN", async () => {
  const model = {
    predict(X: NDArray) {
      if (X.size === 1) throw new Error("boom");
      return X;
    },
  };
  await withServer(
    model,
    async (s) => {
      const client = oipClient(s.running.grpc!.port);
      try {
        const other = await callError(client, "ModelInfer", {
          model_name: "other",
          inputs: [{ ...FP32, contents: { fp32_contents: [1, 2, 3, 4] } }],
        });
        assertEquals(other.code, grpc.status.NOT_FOUND);
        const shape = await callError(client, "ModelInfer", {
          model_name: "m",
          inputs: [{ ...FP32, contents: { fp32_contents: [1, 2, 3] } }],
        });
        assertEquals(shape.code, grpc.status.INVALID_ARGUMENT);
        const two = await callError(client, "ModelInfer", {
          model_name: "m",
          inputs: [
            { ...FP32, contents: { fp32_contents: [1, 2, 3, 4] } },
            { ...FP32, name: "z", contents: { fp32_contents: [1, 2, 3, 4] } },
          ],
        });
        assertEquals(two.code, grpc.status.INVALID_ARGUMENT);
        assertEquals(two.details.includes("infer"), true, two.details);
        const boom = await callError(client, "ModelInfer", {
          model_name: "m",
          inputs: [{ name: "x", datatype: "FP32", shape: ["1"], contents: { fp32_contents: [1] } }],
        });
        assertEquals([boom.code, boom.details], [grpc.status.UNKNOWN, "boom"]);
      } finally {
        client.close();
      }
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 gRPC: a 100 KB model name or datatype is NOT_FOUND / INVALID_ARGUMENT with the echo cut, not a reset connection", async () => {
  await withServer(new Doubler(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      const big = "x".repeat(100_000);
      const model = await callError(client, "ModelInfer", { model_name: big, inputs: [] });
      assertEquals(model.code, grpc.status.NOT_FOUND);
      assertEquals(model.details.startsWith(`Model "xxx`), true);
      assertEquals(/ \.\.\. \[truncated, 100018 characters\]$/.test(model.details), true);
      const datatype = await callError(client, "ModelInfer", {
        model_name: "Doubler",
        inputs: [{ name: "x", datatype: big, shape: [1] }],
      });
      assertEquals(datatype.code, grpc.status.INVALID_ARGUMENT);
      assertEquals(datatype.details.startsWith(`input 'x': unsupported datatype "xxx`), true);
      // The channel still works.
      assertEquals(await client.call("ServerLive", {}), { live: true });
    } finally {
      client.close();
    }
  });
});

Deno.test("V2 gRPC: a model's exception text with a lone surrogate or of 200 KB is UNKNOWN, sendable", async () => {
  const model = {
    infer(request: InferenceRequest): InferenceResponse {
      const name = request.inputs[0].name;
      if (name === "lone") throw new Error("bad \ud800 text");
      throw new Error("h".repeat(200_000));
    },
  };
  await withServer(
    model,
    async (s) => {
      const client = oipClient(s.running.grpc!.port);
      try {
        const input = (name: string) => ({
          model_name: "m",
          inputs: [{ name, datatype: "FP32", shape: [0] }],
        });
        const lone = await callError(client, "ModelInfer", input("lone"));
        assertEquals([lone.code, lone.details], [grpc.status.UNKNOWN, "bad \ufffd text"]);
        const huge = await callError(client, "ModelInfer", input("huge"));
        assertEquals(huge.code, grpc.status.UNKNOWN);
        assertEquals(huge.details.endsWith(" ... [truncated, 200000 characters]"), true);
        assertEquals(await client.call("ServerLive", {}), { live: true });
      } finally {
        client.close();
      }
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 gRPC: an output requested twice is INVALID_ARGUMENT (no answer repeating the tensor)", async () => {
  await withServer(new Doubler(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      const err = await callError(client, "ModelInfer", {
        model_name: "Doubler",
        inputs: [{ ...FP32, contents: { fp32_contents: [1, 2, 3, 4] } }],
        outputs: new Array(1000).fill({ name: "output-0" }),
      });
      assertEquals([err.code, err.details], [
        grpc.status.INVALID_ARGUMENT,
        "requested output 'output-0' is given twice",
      ]);
    } finally {
      client.close();
    }
  });
});
