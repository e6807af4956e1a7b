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

Deno.test("V2 REST: decided wire details hold over loopback (binary flags, bare NaN, HEAD, /v2/, error content type)", async () => {
  await withServer(
    model,
    async (s) => {
      // binary_data_output for all, an output's own `binary_data: false` wins; "yes" is not true.
      const mixed = await s.post(INFER, {
        parameters: { binary_data_output: true },
        inputs: [X],
        outputs: [{ name: "y", parameters: { binary_data: false } }],
      });
      assertEquals(mixed.headers.get("inference-header-content-length"), null);
      assertEquals(mixed.json.outputs[0].data.length, 3);
      const yes = await s.post(INFER, {
        inputs: [X],
        outputs: [{ name: "y", parameters: { binary_data: "yes" } }],
      });
      assertEquals(yes.headers.get("content-type"), "application/json");
      assertEquals(yes.json.outputs[0].data.length, 3);
      // Non-finite numbers are written bare (as Triton and Python's json do).
      const nan = await s.post(
        INFER,
        '{"inputs":[{"name":"x","datatype":"FP64","shape":[3],"data":[NaN,Infinity,-Infinity]}]}',
      );
      assertEquals(nan.status, 200, nan.text);
      assertEquals(nan.text.includes('"data":[NaN,Infinity,-Infinity]'), true, nan.text);
      // GET routes answer HEAD without a body; `/v2/` is server metadata.
      for (const path of ["/v2", "/v2/", "/v2/models/m", "/v2/models/m/ready", "/v2/health/live"]) {
        const head = await s.fetch(path, { method: "HEAD" });
        assertEquals([head.status, head.text], [200, ""], path);
      }
      assertEquals((await s.get("/v2/")).json.extensions, ["binary_tensor_data"]);
      // Every error is JSON `{"error": …}` with a JSON content type.
      for (
        const r of [
          await s.get("/v2/models/other"),
          await s.get("/v2/nothing"),
          await s.get(INFER),
          await s.post(INFER, "{"),
        ]
      ) {
        assertEquals(r.headers.get("content-type"), "application/json");
        assertEquals(Object.keys(r.json), ["error"]);
      }
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: a shape error shows the shape as sent (strings quoted)", async () => {
  await withServer(
    model,
    async (s) => {
      const r = await s.post(INFER, {
        inputs: [{ name: "x", datatype: "FP32", shape: ["1", 2.5, null], data: [1] }],
      });
      assertEquals([r.status, r.json], [400, {
        error: "input 'x': shape [\"1\", 2.5, null] must hold non-negative integers",
      }]);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: the request's id is the answer's, even when infer() names another", async () => {
  const named = {
    infer: () => ({ id: "from-model", outputs: [{ name: "y", data: [1] }] }),
  };
  await withServer(
    named as never,
    async (s) => {
      const withId = await s.post(INFER, { id: "r1", inputs: [X] });
      assertEquals(withId.json.id, "r1");
      const without = await s.post(INFER, { inputs: [X] });
      assertEquals(without.json.id, "from-model");
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST: path segments named like Object.prototype members are 404s, not a crash", async () => {
  await withServer(
    model,
    async (s) => {
      const paths = [
        "/v2/models/m/constructor",
        "/v2/models/m/toString",
        "/v2/models/m/__proto__",
        "/v2/models/m/hasOwnProperty",
        "/v2/models/m/versions/1/valueOf",
        "/v2/repository/models/m/constructor",
        "/v2/repository/models/m/__proto__",
      ];
      for (const path of paths) {
        for (const method of ["GET", "POST", "OPTIONS"]) {
          const r = await s.fetch(path, { method, body: method === "POST" ? "{}" : undefined });
          assertEquals([r.status, r.json], [404, { error: "Not Found" }], `${method} ${path}`);
        }
      }
      const coding = await s.fetch(INFER, {
        method: "POST",
        headers: { "content-encoding": "constructor" },
        body: JSON.stringify({ inputs: [X] }),
      });
      assertEquals(coding.status, 415, coding.text);
      assertEquals((await s.get("/v2/health/live")).json, { live: true });
    },
    {},
    { modelName: "m" },
  );
});
