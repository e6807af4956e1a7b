/**
 * `testClient()`: a model's hooks through the server's REST handler in this process — the same
 * answers a served model gives (v1 predict, V2 infer, metadata, errors, custom metrics).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { gauge, type NDArray, type SeldonComponent, testClient } from "../../mod.ts";
import { withServer } from "../_helpers/server.ts";

class Scaler implements SeldonComponent {
  loaded = false;
  constructor(private params: { scale?: number }) {}
  load() {
    this.loaded = true;
  }
  predict(X: NDArray) {
    if (!this.loaded) throw new Error("not loaded");
    return X.map((v) => v * (this.params.scale ?? 1));
  }
  metrics() {
    return [gauge("rows", 1)];
  }
}

Deno.test("testClient: predict, infer, metadata and metrics answer as the server does", async () => {
  const client = await testClient(Scaler, {
    parameters: '[{"name":"scale","value":"2","type":"FLOAT"}]',
    env: {},
  });
  assertEquals(client.modelName, "Scaler");
  const p = await client.predict({ data: { ndarray: [[1, 2.5]] } });
  assertEquals(p.status, 200);
  assertEquals(p.body, {
    data: { names: ["t:0", "t:1"], ndarray: [[2, 5]] },
    meta: { metrics: [{ key: "rows", type: "GAUGE", value: 1 }] },
  });
  const v2 = await client.infer({
    inputs: [{ name: "x", datatype: "FP64", shape: [1, 2], data: [1, 2] }],
  });
  assertEquals(v2.status, 200);
  assertEquals(v2.body.outputs[0].data, [2, 4]);
  assertEquals((await client.metadata()).status, 200);
  const bad = await client.predict({ nonsense: 1 });
  assertEquals(bad.status, 400);
  assert((await client.metrics()).includes("rows{"), await client.metrics());

  // The same answers over a real socket.
  await withServer(new Scaler({ scale: 2 }), async (s) => {
    for (
      const [payload, answer] of [[{ data: { ndarray: [[1, 2.5]] } }, p], [{ nonsense: 1 }, bad]]
    ) {
      const res = await fetch(`${s.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
      assertEquals(res.status, answer.status);
      const body = await res.json();
      delete body.meta?.metrics;
      delete answer.body.meta?.metrics;
      assertEquals(body, answer.body);
    }
  });
});
