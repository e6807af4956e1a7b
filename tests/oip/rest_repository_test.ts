/**
 * The V2 model repository extension over loopback (optional in the spec; Triton's and MLServer's
 * `/v2/repository/…`): the index lists the one model, loading it is a no-op success, unloading
 * is refused (every worker serves the model loaded at start), other names are 404.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";

const model = { predict: (X: NDArray) => X };
const OK = { inputs: [{ name: "x", datatype: "INT32", shape: [2], data: [1, 2] }] };

Deno.test("V2 REST repository: index, load, unload, unknown names and methods", async () => {
  await withServer(
    model,
    async (s) => {
      for (const body of ["", "{}", '{"ready": true}']) {
        const index = await s.post("/v2/repository/index", body);
        assertEquals(index.status, 200, index.text);
        assertEquals(index.headers.get("content-type"), "application/json");
        assertEquals(index.json, [{ name: "m", version: "1", state: "READY", reason: "" }]);
      }
      const load = await s.post("/v2/repository/models/m/load", "");
      assertEquals([load.status, load.json], [200, {}]);
      const again = await s.post("/v2/repository/models/m/load", '{"parameters": {}}');
      assertEquals(again.status, 200);
      const other = await s.post("/v2/repository/models/other/load", "");
      assertEquals([other.status, other.json], [404, { error: 'Model "other" not found' }]);
      const unload = await s.post("/v2/repository/models/m/unload", "");
      assertEquals(unload.status, 400);
      assertEquals(unload.json, {
        error: 'Model "m" cannot be unloaded: this server serves the one model it loaded at start',
      });
      assertEquals((await s.post("/v2/repository/models/other/unload", "")).status, 404);
      // Still served after both.
      assertEquals((await s.get("/v2/models/m/ready")).json, { name: "m", ready: true });
      assertEquals((await s.post("/v2/models/m/infer", OK)).status, 200);
      // Only POST; other paths under /v2/repository are 404.
      const get = await s.get("/v2/repository/index");
      assertEquals([get.status, get.headers.get("allow")], [405, "OPTIONS, POST"]);
      for (
        const path of [
          "/v2/repository",
          "/v2/repository/models/m",
          "/v2/repository/models/m/reload",
          "/v2/repository/models//load",
        ]
      ) {
        assertEquals((await s.post(path, "")).status, 404, path);
      }
    },
    { MODEL_METADATA: '{"versions": ["1", "2"]}' },
    { modelName: "m" },
  );
  await withServer(
    model,
    async (s) => {
      // Without versions in the metadata the entry has none.
      const index = await s.post("/v2/repository/index", "");
      assertEquals(index.json, [{ name: "model", state: "READY", reason: "" }]);
    },
    {},
    { modelName: "model" },
  );
});
