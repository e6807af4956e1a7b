/**
 * V2 gRPC over loopback with a client generated from the canonical `.proto`: every rpc, the
 * status codes of every error path, and server reflection listing the service.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";
import { callError, grpc, oipClient } from "./_grpc_client.ts";

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
