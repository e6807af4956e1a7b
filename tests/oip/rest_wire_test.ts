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

const INFER = "/v2/models/m/infer";
const X = { name: "x", datatype: "FP32", shape: [1, 3], data: [0.1, 0.7, 0.2] };

Deno.test("V2 REST: an output asked for with Triton's `classification` is a 400 naming it (not raw scores)", async () => {
  await withServer(
    model,
    async (s) => {
      // tritonclient's InferRequestedOutput("y", class_count=2).
      const r = await s.post(INFER, {
        inputs: [X],
        outputs: [{ name: "y", parameters: { classification: 2, binary_data: true } }],
      });
      assertEquals(r.status, 400, r.text);
      assertEquals(r.json, {
        error: "requested output 'y': parameter 'classification' (Triton's top-k " +
          "classification extension) is not supported",
      });
      // class_count=0 is not asked (tritonclient does not send it; a server may read it so).
      const zero = await s.post(INFER, {
        inputs: [X],
        outputs: [{ name: "y", parameters: { classification: 0 } }],
      });
      assertEquals(zero.status, 200, zero.text);
      assertEquals(zero.json.outputs[0].data.length, 3);
    },
    {},
    { modelName: "m" },
  );
});
