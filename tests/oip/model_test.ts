/**
 * The user API over V2: the `infer` hook with named inputs and outputs, runtime tags and
 * metrics, the model's name rules, `--single-threaded`, one class answering v1 and V2 at once,
 * and REST and gRPC giving equal tensors.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { startTestServer, withServer } from "../_helpers/server.ts";
import { findSeries, workerSeries } from "../_helpers/metrics.ts";
import { counter, SeldonResponse } from "../../src/component/api.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";
import type { InferenceRequest } from "../../src/protocol/oip/types.ts";
import { oipClient } from "./_grpc_client.ts";

/** Adds its two named inputs; tags and metrics at run time and from hooks. */
class Adder {
  infer(request: InferenceRequest) {
    const [a, b] = ["a", "b"].map((n) => request.inputs.find((i) => i.name === n)!.data);
    const sum = a.map((v, i) => (v as number) + (b.data[i] as number));
    return new SeldonResponse({
      outputs: [{ name: "sum", data: sum }, { name: "a", data: a }],
      parameters: { note: "hi" },
    }, { tags: { runtime: "yes" }, metrics: [counter("adds", 1)] });
  }
  tags() {
    return { model: "adder", runtime: "overridden" };
  }
  metrics() {
    return [counter("calls", 1)];
  }
}

const AB = {
  id: "q",
  inputs: [
    { name: "a", datatype: "FP32", shape: [3], data: [1, 2, 3] },
    { name: "b", datatype: "FP32", shape: [3], data: [10, 20, 30] },
  ],
};

Deno.test("V2 model: infer gets named inputs; tags answer as parameters; metrics recorded", async () => {
  await withServer(new Adder(), async (s) => {
    const r = await s.post("/v2/models/adder/versions/7/infer", AB);
    assertEquals(r.status, 200, r.text);
    assertEquals(r.json, {
      model_name: "adder",
      model_version: "7",
      id: "q",
      parameters: { note: "hi", model: "adder", runtime: "yes" },
      outputs: [
        { name: "sum", datatype: "FP32", shape: [3], data: [11, 22, 33] },
        { name: "a", datatype: "FP32", shape: [3], data: [1, 2, 3] },
      ],
    });
    // Only the outputs asked for, in the order asked.
    const one = await s.post("/v2/models/adder/infer", { ...AB, outputs: [{ name: "sum" }] });
    assertEquals(one.json.outputs.map((o: { name: string }) => o.name), ["sum"]);
    const missing = await s.post("/v2/models/adder/infer", { ...AB, outputs: [{ name: "x" }] });
    assertEquals(missing.status, 400);
    // The model ran three times (the unknown output is found missing after it answered).
    const series = workerSeries(s);
    assertEquals(findSeries(series, "COUNTER", "adds", { method: "infer" }).value, 3);
    assertEquals(findSeries(series, "COUNTER", "calls", { method: "infer" }).value, 3);
  }, { PREDICTIVE_UNIT_ID: "adder" });
});

Deno.test("V2 model: the name is --model-name, else PREDICTIVE_UNIT_ID, else the class name", async () => {
  const cases: [Record<string, string>, string][] = [
    [{}, "Adder"],
    [{ PREDICTIVE_UNIT_ID: "node" }, "node"],
    [{ PREDICTIVE_UNIT_ID: "node", SELDON_MODEL_NAME: "named" }, "named"],
  ];
  for (const [env, name] of cases) {
    await withServer(new Adder(), async (s) => {
      assertEquals((await s.get(`/v2/models/${name}/ready`)).json, { name, ready: true });
      assertEquals((await s.get(`/v2/models/${name}`)).json.name, name);
      assertEquals((await s.post(`/v2/models/${name}/infer`, AB)).json.model_name, name);
      assertEquals((await s.post("/v2/models/someone-else/infer", AB)).status, 404);
    }, env);
  }
});

Deno.test("V2 model: one class answers v1 and V2 at once", async () => {
  const model = {
    predict(X: NDArray) {
      return X.map((v) => (v as number) + 1);
    },
  };
  await withServer(model, async (s) => {
    const [v1, v2] = await Promise.all([
      s.post("/api/v1.0/predictions", { data: { ndarray: [[1, 2]] } }),
      s.post("/v2/models/m/infer", {
        inputs: [{ name: "x", datatype: "FP64", shape: [1, 2], data: [1, 2] }],
      }),
    ]);
    assertEquals(v1.json.data.ndarray, [[2, 3]]);
    assertEquals(v2.json.outputs[0].data, [2, 3]);
  }, { SELDON_MODEL_NAME: "m" });
});

Deno.test("V2 model: REST and gRPC give equal tensors", async () => {
  await withServer(new Adder(), async (s) => {
    const rest = await s.post("/v2/models/Adder/infer", AB);
    const client = oipClient(s.running.grpc!.port);
    try {
      const grpc = await client.call("ModelInfer", {
        model_name: "Adder",
        id: "q",
        inputs: AB.inputs.map((i) => ({
          name: i.name,
          datatype: i.datatype,
          shape: i.shape.map(String),
          contents: { fp32_contents: i.data },
        })),
      });
      assertEquals(
        grpc.outputs.map((o: any) => ({
          name: o.name,
          datatype: o.datatype,
          shape: o.shape.map(Number),
          data: o.contents.fp32_contents,
        })),
        rest.json.outputs,
      );
      assertEquals(grpc.id, rest.json.id);
      assertEquals(grpc.model_name, rest.json.model_name);
    } finally {
      client.close();
    }
  });
});

Deno.test("V2 model: --single-threaded runs one infer at a time", async () => {
  let running = 0;
  let most = 0;
  const model = {
    async predict(X: NDArray) {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return X;
    },
  };
  const s = await startTestServer(model, { FLASK_SINGLE_THREADED: "1" }, { modelName: "m" });
  try {
    const body = { inputs: [{ name: "x", datatype: "INT32", shape: [1], data: [1] }] };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => s.post("/v2/models/m/infer", body)),
    );
    assertEquals(answers.map((a) => a.status), [200, 200, 200, 200]);
    assertEquals(most, 1);
  } finally {
    await s.close();
  }
});

Deno.test("V2 model: --grpc-threads 1 runs one ModelInfer at a time", async () => {
  let running = 0;
  let most = 0;
  const model = {
    async predict(X: NDArray) {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return X;
    },
  };
  await withServer(
    model,
    async (s) => {
      const client = oipClient(s.running.grpc!.port);
      try {
        const request = {
          model_name: "m",
          inputs: [{ name: "x", datatype: "INT32", shape: ["1"], contents: { int_contents: [1] } }],
        };
        const answers = await Promise.all(
          Array.from({ length: 4 }, () => client.call("ModelInfer", request)),
        );
        assertEquals(answers.length, 4);
        assertEquals(most, 1);
      } finally {
        client.close();
      }
    },
    {},
    { modelName: "m", grpcThreads: 1 },
  );
});
