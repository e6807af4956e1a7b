/**
 * BaseComponent's stubs of the hooks added for `override` (load, customService, infer,
 * modelErrorHandler) behave as if the hook were absent, on a real server.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { BaseComponent, type NDArray, SeldonMicroserviceException } from "../../mod.ts";
import { hasCustomService } from "../../src/serving/component.ts";

class Plain extends BaseComponent {
  override predict(X: NDArray): NDArray {
    if (X.size === 0) throw new SeldonMicroserviceException("empty", { statusCode: 422 });
    if (X.get(0) === 13) throw new Error("unlucky");
    return X.map((v) => v * 2);
  }
}

Deno.test("base component: stubs of customService, infer, load and modelErrorHandler are absent hooks", async () => {
  assertEquals(hasCustomService(Plain), false);
  class WithService extends Plain {
    override customService(): void {}
  }
  assertEquals(hasCustomService(WithService), true);
  await withServer(
    new Plain(),
    async (s) => {
      // load() stub: the server started. infer() stub: V2 falls back to predict.
      const v2 = await s.post("/v2/models/Plain/infer", {
        inputs: [{ name: "x", datatype: "FP64", shape: [2], data: [1, 2] }],
      });
      assertEquals(v2.status, 200);
      assertEquals(v2.json.outputs[0].data, [2, 4]);
      // modelErrorHandler() stub: the default Seldon error body.
      const bad = await s.post("/api/v1.0/predictions", { data: { ndarray: [13] } });
      assertEquals(bad.status, 500);
      assertEquals(bad.json.status.info, "unlucky");
    },
    {},
    { modelName: "Plain" },
  );
});
