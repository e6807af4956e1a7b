/**
 * The ONNX example (examples/onnx/: 8×8 digits, logistic regression) served with no code
 * (`main.ts OnnxServer --parameters model_uri`): v1 REST and gRPC, V2 REST and gRPC answer what
 * scikit-learn answered for the rows `train.py` recorded.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { spawnServer } from "../_helpers/spawn.ts";
import { oipClient } from "../oip/_grpc_client.ts";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REF = JSON.parse(
  await Deno.readTextFile(new URL("../../examples/onnx/reference.json", import.meta.url)),
) as { input: number[][]; label: number[]; probabilities: number[][]; class_names: string[] };
const ROWS = REF.input.length;

function params(extra: Record<string, string> = {}): string {
  const list = [{ name: "model_uri", value: "examples/onnx/model.onnx", type: "STRING" }];
  for (const [name, value] of Object.entries(extra)) list.push({ name, value, type: "STRING" });
  return JSON.stringify(list);
}

/** Float32 results against scikit-learn's float64 ones. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  assertEquals(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert(
      Math.abs(Number(actual[i]) - expected[i]) <= 1e-5,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

Deno.test("ONNX example with no code: v1 REST/gRPC and V2 REST/gRPC answer the recorded values", async () => {
  const server = await spawnServer(ROOT, ["OnnxServer", "--parameters", params()]);
  try {
    // Seldon v1 REST: the first output (label) for an ndarray, and for a tensor.
    const v1 = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: REF.input } });
    assertEquals(v1.status, 200);
    assertEquals(v1.json.data.ndarray, REF.label);
    const tensor = await post(`${server.url}/api/v1.0/predictions`, {
      data: { tensor: { shape: [ROWS, 64], values: REF.input.flat() } },
    });
    assertEquals(tensor.json.data.tensor, { shape: [ROWS], values: REF.label });
    const tftensor = await post(`${server.url}/api/v1.0/predictions`, {
      data: {
        tftensor: {
          dtype: "DT_FLOAT",
          tensorShape: { dim: [{ size: String(ROWS) }, { size: "64" }] },
          floatVal: REF.input.flat(),
        },
      },
    });
    assertEquals(tftensor.json.data.tftensor.dtype, "DT_INT64");
    // Several values come as tensorContent (as TensorFlow's make_tensor_proto writes them).
    const content = Uint8Array.from(
      atob(tftensor.json.data.tftensor.tensorContent),
      (c) => c.charCodeAt(0),
    );
    assertEquals([...new BigInt64Array(content.buffer)].map(Number), REF.label);

    // Seldon v1 gRPC.
    const model = seldonClient("Model", server.grpcPort!);
    try {
      const answer = await model.call("Predict", { data: { ndarray: REF.input } });
      assertEquals(answer.data.ndarray, REF.label);
    } finally {
      model.close();
    }

    // V2 REST: every output, datatypes from the graph; then only the one asked for.
    const v2 = await post(`${server.url}/v2/models/OnnxServer/infer`, {
      id: "r1",
      inputs: [{ name: "input", datatype: "FP32", shape: [ROWS, 64], data: REF.input.flat() }],
    });
    assertEquals(v2.status, 200);
    assertEquals(v2.json.id, "r1");
    assertEquals(v2.json.outputs.map((o: any) => [o.name, o.datatype, o.shape]), [
      ["label", "INT64", [ROWS]],
      ["probabilities", "FP32", [ROWS, 10]],
    ]);
    assertEquals(v2.json.outputs[0].data, REF.label);
    assertClose(v2.json.outputs[1].data, REF.probabilities.flat(), "V2 REST probabilities");
    const one = await post(`${server.url}/v2/models/OnnxServer/infer`, {
      inputs: [{ name: "pixels", datatype: "FP32", shape: [1, 64], data: REF.input[0] }],
      outputs: [{ name: "probabilities" }],
    });
    assertEquals(one.json.outputs.map((o: any) => o.name), ["probabilities"]);
    assertClose(one.json.outputs[0].data, REF.probabilities[0], "V2 REST one output");

    // V2 model metadata from the session.
    const meta = await (await fetch(`${server.url}/v2/models/OnnxServer`)).json();
    assertEquals(meta.platform, "onnx_onnxv1");
    assertEquals(meta.inputs, [{ name: "input", datatype: "FP32", shape: [-1, 64] }]);
    assertEquals(meta.outputs, [
      { name: "label", datatype: "INT64", shape: [-1] },
      { name: "probabilities", datatype: "FP32", shape: [-1, 10] },
    ]);

    // V2 gRPC.
    const oip = oipClient(server.grpcPort!);
    try {
      const answer = await oip.call("ModelInfer", {
        model_name: "OnnxServer",
        inputs: [{
          name: "input",
          datatype: "FP32",
          shape: [String(ROWS), "64"],
          contents: { fp32_contents: REF.input.flat() },
        }],
      });
      const byName = Object.fromEntries(answer.outputs.map((o: any) => [o.name, o]));
      assertEquals(byName.label.datatype, "INT64");
      assertEquals(byName.label.contents.int64_contents.map(Number), REF.label);
      assertClose(
        byName.probabilities.contents.fp32_contents,
        REF.probabilities.flat(),
        "V2 gRPC probabilities",
      );
      const grpcMeta = await oip.call("ModelMetadata", { name: "OnnxServer" });
      assertEquals(grpcMeta.platform, "onnx_onnxv1");
      assertEquals(grpcMeta.inputs[0].shape.map(Number), [-1, 64]);
    } finally {
      oip.close();
    }
  } finally {
    await server.stop();
  }
});

Deno.test("ONNX example: output_name and class_names give v1 the probabilities with names", async () => {
  const server = await spawnServer(ROOT, [
    "OnnxServer",
    "--parameters",
    params({ output_name: "probabilities", class_names: REF.class_names.join(",") }),
  ]);
  try {
    const v1 = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: REF.input } });
    assertEquals(v1.status, 200);
    assertEquals(v1.json.data.names, REF.class_names);
    assertClose(v1.json.data.ndarray.flat(), REF.probabilities.flat(), "v1 probabilities");
  } finally {
    await server.stop();
  }
});

Deno.test("ONNX example: session_thread (the session in a worker thread) answers the same", async () => {
  const server = await spawnServer(ROOT, [
    "OnnxServer",
    "--parameters",
    JSON.stringify([
      { name: "model_uri", value: "examples/onnx/model.onnx", type: "STRING" },
      { name: "session_thread", value: "true", type: "BOOL" },
    ]),
  ]);
  try {
    const v2 = await post(`${server.url}/v2/models/OnnxServer/infer`, {
      inputs: [{ name: "input", datatype: "FP32", shape: [ROWS, 64], data: REF.input.flat() }],
    });
    assertEquals(v2.status, 200);
    assertEquals(v2.json.outputs[0].data, REF.label);
    assertClose(v2.json.outputs[1].data, REF.probabilities.flat(), "session_thread probabilities");
    const v1 = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2]] } });
    assertEquals(v1.status, 400);
    const again = await post(`${server.url}/api/v1.0/predictions`, {
      data: { ndarray: REF.input },
    });
    assertEquals(again.json.data.ndarray, REF.label);
  } finally {
    await server.stop();
  }
});

Deno.test("README: the ONNX section's command and curl examples answer as printed", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Serving an ONNX model with no code"));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const parameters = /--parameters '([^']+)'/.exec(blocks[0])?.[1];
  assert(parameters, blocks[0]);
  const server = await spawnServer(ROOT, ["OnnxServer", "--parameters", parameters]);
  try {
    for (const block of blocks.slice(1, 3)) {
      const path = /http:\/\/localhost:9000(\S+)/.exec(block)![1];
      const body = /-d '([^']+)'/.exec(block)![1];
      const printed = [...block.matchAll(/^# (\{.*\})$/gm)].map((m) => JSON.parse(m[1]));
      const answer = await post(`${server.url}${path}`, JSON.parse(body));
      assertEquals(answer.status, 200);
      assertEquals(answer.json, printed[0]);
      if (printed.length > 1) {
        const meta = await (await fetch(`${server.url}/v2/models/OnnxServer`)).json();
        assertEquals(meta, printed[1]);
      }
    }
  } finally {
    await server.stop();
  }
});
