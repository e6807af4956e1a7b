/**
 * V2 gRPC wire details over loopback with a client generated from the canonical `.proto`:
 * requests tritonclient and KServe clients send that the server does not serve are refused
 * with a clear status, not answered wrongly.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";
import { callError, grpc, oipClient } from "./_grpc_client.ts";

const model = { predict: (X: NDArray) => X };
const X = {
  name: "x",
  datatype: "FP32",
  shape: ["1", "3"],
  contents: { fp32_contents: [0.1, 0.7, 0.2] },
};

Deno.test("V2 gRPC: an output asked for with Triton's `classification` is INVALID_ARGUMENT naming it", async () => {
  await withServer(
    model,
    async (s) => {
      const client = oipClient(s.running.grpc!.port);
      try {
        // tritonclient.grpc's InferRequestedOutput("y", class_count=2).
        const err = await callError(client, "ModelInfer", {
          model_name: "m",
          inputs: [X],
          outputs: [{ name: "y", parameters: { classification: { int64_param: "2" } } }],
        });
        assertEquals([err.code, err.details], [
          grpc.status.INVALID_ARGUMENT,
          "requested output 'y': parameter 'classification' (Triton's top-k classification " +
          "extension) is not supported",
        ]);
        const zero = await client.call("ModelInfer", {
          model_name: "m",
          inputs: [X],
          outputs: [{ name: "y", parameters: { classification: { int64_param: "0" } } }],
        });
        assertEquals(zero.outputs[0].contents.fp32_contents.length, 3);
      } finally {
        client.close();
      }
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 gRPC: compressed messages (tritonclient's compression_algorithm) are read; a bomb is RESOURCE_EXHAUSTED", async () => {
  await withServer(
    model,
    async (s) => {
      // grpc's compression algorithms: 1 deflate, 2 gzip.
      for (const algorithm of [1, 2]) {
        const client = oipClient(s.running.grpc!.port, {
          "grpc.default_compression_algorithm": algorithm,
        });
        try {
          const r = await client.call("ModelInfer", { model_name: "m", inputs: [X] });
          assertEquals(r.outputs[0].contents.fp32_contents.length, 3);
          // 16 MiB of zeros compress to ~16 KiB: over the 4 MiB limit once decompressed.
          const err = await callError(client, "ModelInfer", {
            model_name: "m",
            inputs: [{ name: "x", datatype: "UINT8", shape: [String(16 << 20)] }],
            raw_input_contents: [new Uint8Array(16 << 20)],
          });
          assertEquals(err.code, grpc.status.RESOURCE_EXHAUSTED, err.details);
          const again = await client.call("ModelInfer", { model_name: "m", inputs: [X] });
          assertEquals(again.model_name, "m");
        } finally {
          client.close();
        }
      }
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 gRPC: the request's id is the answer's, even when infer() names another", async () => {
  const named = {
    infer: () => ({ id: "from-model", outputs: [{ name: "y", data: [1] }] }),
  };
  await withServer(
    named as never,
    async (s) => {
      const client = oipClient(s.running.grpc!.port);
      try {
        const withId = await client.call("ModelInfer", { model_name: "m", id: "g1", inputs: [X] });
        assertEquals(withId.id, "g1");
        const without = await client.call("ModelInfer", { model_name: "m", inputs: [X] });
        assertEquals(without.id, "from-model");
      } finally {
        client.close();
      }
    },
    {},
    { modelName: "m" },
  );
});
