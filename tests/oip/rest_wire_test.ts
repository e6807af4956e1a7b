/**
 * V2 REST wire details over loopback, as spec-following clients read them: model metadata's
 * `properties` (open_inference_rest.yaml), readiness as a status code (tritonclient's
 * `is_server_ready` / Kubernetes probes read the status only), unsupported output parameters.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";

const model = { predict: (X: NDArray) => X };

Deno.test("V2 REST: model metadata carries the metadata's custom strings as `properties` (the spec's name) and `parameters`", async () => {
  await withServer(
    model,
    async (s) => {
      const r = await s.get("/v2/models/m");
      assertEquals(r.status, 200, r.text);
      assertEquals(r.json, {
        name: "m",
        versions: [],
        platform: "seldon-ts",
        inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
        outputs: [],
        properties: { owner: "team" },
        parameters: { owner: "team" },
      });
    },
    {
      MODEL_METADATA: JSON.stringify({
        inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
        custom: { owner: "team" },
      }),
    },
    { modelName: "m" },
  );
});
