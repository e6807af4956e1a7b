/**
 * V2 REST over loopback with fetch: health, metadata, readiness, infer (JSON), every error path,
 * and the model name rules.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";
import {
  SeldonMicroserviceException,
  SeldonNotImplementedError,
} from "../../src/protocol/errors.ts";
import { BaseComponent } from "../../src/component/api.ts";

class Doubler {
  predict(X: NDArray) {
    return X.map((v) => (v as number) * 2);
  }
}

const FP32_REQUEST = {
  id: "r1",
  inputs: [{ name: "x", datatype: "FP64", shape: [2, 2], data: [[1, 2], [3, 4]] }],
};

Deno.test("V2 REST: health, server metadata, model metadata and readiness", async () => {
  await withServer(new Doubler(), async (s) => {
    assertEquals((await s.get("/v2/health/live")).json, { live: true });
    assertEquals((await s.get("/v2/health/ready")).json, { ready: true });
    const meta = await s.get("/v2");
    assertEquals(meta.status, 200);
    assertEquals(meta.json.name, "seldon-ts");
    assertEquals(meta.json.extensions, ["binary_tensor_data"]);
    assertEquals(typeof meta.json.version, "string");
    const model = await s.get("/v2/models/Doubler");
    assertEquals(model.json, {
      name: "Doubler",
      versions: [],
      platform: "seldon-ts",
      inputs: [],
      outputs: [],
    });
    assertEquals((await s.get("/v2/models/Doubler/ready")).json, { name: "Doubler", ready: true });
  });
});

Deno.test("V2 REST: infer through predict, nested data, id echoed", async () => {
  await withServer(new Doubler(), async (s) => {
    const r = await s.post("/v2/models/Doubler/infer", FP32_REQUEST);
    assertEquals(r.status, 200);
    assertEquals(r.json, {
      model_name: "Doubler",
      id: "r1",
      outputs: [{ name: "output-0", datatype: "FP64", shape: [2, 2], data: [2, 4, 6, 8] }],
    });
  });
});

Deno.test("V2 REST: unknown model, unknown path, wrong method, bad body", async () => {
  await withServer(new Doubler(), async (s) => {
    const other = await s.post("/v2/models/other/infer", FP32_REQUEST);
    assertEquals(other.status, 404);
    assertEquals(typeof other.json.error, "string");
    assertEquals((await s.get("/v2/models/other")).status, 404);
    assertEquals((await s.get("/v2/models/other/ready")).status, 404);
    assertEquals((await s.get("/v2/nothing")).status, 404);
    assertEquals((await s.get("/v2/models/Doubler/infer")).status, 405);
    const bad = await s.post("/v2/models/Doubler/infer", "{not json");
    assertEquals(bad.status, 400);
    assertEquals(typeof bad.json.error, "string");
    const arr = await s.post("/v2/models/Doubler/infer", "[1]");
    assertEquals(arr.status, 400);
  });
});

Deno.test("V2 REST: a model failure is 500, a user exception keeps its status", async () => {
  const failing = {
    predict(X: NDArray) {
      if (X.size === 1) throw new SeldonMicroserviceException("teapot", { statusCode: 418 });
      throw new Error("boom");
    },
  };
  await withServer(
    failing,
    async (s) => {
      const boom = await s.post("/v2/models/model/infer", FP32_REQUEST);
      assertEquals([boom.status, boom.json], [500, { error: "boom" }]);
      const teapot = await s.post("/v2/models/model/infer", {
        inputs: [{ name: "x", datatype: "FP32", shape: [1], data: [1] }],
      });
      assertEquals([teapot.status, teapot.json], [418, { error: "teapot" }]);
    },
    {},
    { modelName: "model" },
  );
});

Deno.test("V2 REST: predict's output takes the one requested output's name", async () => {
  await withServer(new Doubler(), async (s) => {
    const r = await s.post("/v2/models/Doubler/infer", {
      ...FP32_REQUEST,
      outputs: [{ name: "doubled" }],
    });
    assertEquals(r.json.outputs[0].name, "doubled");
  });
});

Deno.test("V2 REST: a user status that cannot carry a body is answered 500", async () => {
  const model = {
    predict() {
      throw new SeldonMicroserviceException("no content", { statusCode: 204 });
    },
  };
  await withServer(
    model,
    async (s) => {
      const r = await s.post("/v2/models/m/infer", FP32_REQUEST);
      assertEquals([r.status, r.json], [500, { error: "no content" }]);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: an infer answer without outputs is a 500; a not-implemented infer falls back to predict", async () => {
  const broken = { infer: () => ({ nothing: true }) };
  await withServer(
    broken as never,
    async (s) => {
      const r = await s.post("/v2/models/m/infer", FP32_REQUEST);
      assertEquals(r.status, 500);
      assertEquals(typeof r.json.error, "string");
    },
    {},
    { modelName: "m" },
  );
  class Fallback extends BaseComponent {
    override infer(): never {
      throw new SeldonNotImplementedError();
    }
    override predict(X: NDArray) {
      return X;
    }
  }
  await withServer(
    new Fallback(),
    async (s) => {
      const r = await s.post("/v2/models/m/infer", FP32_REQUEST);
      assertEquals(r.status, 200, r.text);
      assertEquals(r.json.outputs[0].data, [1, 2, 3, 4]);
    },
    {},
    { modelName: "m" },
  );
});
