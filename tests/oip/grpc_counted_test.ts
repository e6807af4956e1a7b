/**
 * A gRPC worker counts every call it serves (`--max-requests`, the memory check): V2
 * `ModelInfer` calls as well as v1 `Predict` ones.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { DataPlane } from "../../src/dataplane/dataplane.ts";
import { startGrpc } from "../../src/grpc/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";
import { oipClient } from "./_grpc_client.ts";

Deno.test("V2 gRPC: a worker's request counter counts ModelInfer calls too", async () => {
  const plane = await DataPlane.create({ predict: (X: NDArray) => X }, {
    modelName: "m",
    includeMetrics: true,
    executorEnabled: true,
  });
  plane.oip.markLoaded();
  let counted = 0;
  const server = startGrpc(plane, {
    port: 0,
    hostname: "127.0.0.1",
    concurrency: 1,
    // Declared without parameters: a counter, called as each call starts.
    onRequest: () => void counted++,
  });
  const client = oipClient(server.port);
  try {
    const input = {
      name: "x",
      datatype: "FP64",
      shape: ["1", "2"],
      contents: { fp64_contents: [1, 2] },
    };
    for (let i = 0; i < 3; i++) {
      const answer = await client.call("ModelInfer", { model_name: "m", inputs: [input] });
      assertEquals(answer.outputs[0].contents.fp64_contents, [1, 2]);
    }
    await client.call("ServerLive", {});
    assertEquals(counted, 4);
  } finally {
    client.close();
    await server.shutdown(1000);
  }
});
