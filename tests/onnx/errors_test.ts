/**
 * OnnxServer on bad input: wrong feature count, wrong type, missing or unknown input or output
 * → 400 (v1 REST, V2 REST) / INVALID_ARGUMENT (V2 gRPC) naming what the model expects; the
 * server keeps serving. Also the start-up errors of a bad `model_uri`.
 */
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { startTestServer } from "../_helpers/server.ts";
import { callError, oipClient } from "../oip/_grpc_client.ts";
import { OnnxServer } from "../../src/runtimes/onnx/server.ts";
import { fileURLToPath } from "node:url";
import { importComponent } from "../../src/component/loader.ts";
import { appFolder } from "../_helpers/spawn.ts";

const MODEL = fileURLToPath(new URL("../../examples/onnx/model.onnx", import.meta.url));
const ROW = Array.from({ length: 64 }, (_, i) => i % 17);

Deno.test("OnnxServer: bad inputs are 400 / INVALID_ARGUMENT with a clear message; serving goes on", async () => {
  const server = await startTestServer(new OnnxServer({ model_uri: MODEL }), {}, {
    modelName: "digits",
  });
  const oip = oipClient(server.running.grpc!.port);
  try {
    const v1 = async (data: unknown) => {
      const a = await server.post("/api/v1.0/predictions", { data });
      assertEquals(a.status, 400, a.text);
      assertEquals(a.json.status.reason, "MICROSERVICE_BAD_DATA");
      return a.json.status.info as string;
    };
    assertEquals(
      await v1({ ndarray: [[1, 2, 3]] }),
      "input 'input' has shape [1, 3]; the model expects [-1, 64] (-1: any size)",
    );
    assertEquals(
      await v1({ ndarray: [ROW.map(String)] }),
      "input 'input': the model expects float32 values, got string values",
    );
    assertEquals(
      await v1({ ndarray: ROW }),
      "input 'input' has shape [64]; the model expects [-1, 64] (-1: any size)",
    );
    const str = await server.post("/api/v1.0/predictions", { strData: "hello" });
    assertEquals(str.status, 400);
    assert(str.json.status.info.includes("expects an array"), str.text);

    const v2 = async (body: unknown) => {
      const a = await server.post("/v2/models/digits/infer", body);
      assertEquals(a.status, 400, a.text);
      return a.json.error as string;
    };
    const input = { name: "input", datatype: "FP32", shape: [1, 64], data: ROW };
    assertEquals(
      await v2({ inputs: [{ ...input, shape: [1, 63], data: ROW.slice(1) }] }),
      "input 'input' has shape [1, 63]; the model expects [-1, 64] (-1: any size)",
    );
    assertEquals(
      await v2({ inputs: [{ ...input, datatype: "FP64" }] }),
      "input 'input' has datatype FP64; the model expects FP32",
    );
    assertEquals(
      await v2({ inputs: [input], outputs: [{ name: "nope" }] }),
      "unknown output 'nope' (the model's outputs: label, probabilities)",
    );
    assertEquals(
      await v2({ inputs: [input, { ...input, name: "other" }] }),
      "unknown input 'other' (the model's inputs: input)",
    );
    const grpcError = await callError(oip, "ModelInfer", {
      model_name: "digits",
      inputs: [{
        name: "x",
        datatype: "FP32",
        shape: ["1", "3"],
        contents: { fp32_contents: [1, 2, 3] },
      }],
    });
    assertEquals(grpcError.code, 3); // INVALID_ARGUMENT
    assertEquals(
      grpcError.details,
      "input 'x' has shape [1, 3]; the model expects [-1, 64] (-1: any size)",
    );

    // Still serving.
    const ok = await server.post("/v2/models/digits/infer", { inputs: [input] });
    assertEquals(ok.status, 200, ok.text);
    assertEquals(ok.json.outputs[0].shape, [1]);
  } finally {
    oip.close();
    await server.close();
  }
});

Deno.test("OnnxServer: model_uri missing or unreadable fails at start with the path", async () => {
  await assertRejects(() => Promise.resolve(new OnnxServer({})), /model_uri/);
  const missing = new OnnxServer({ model_uri: "/nonexistent/dir/model.onnx" });
  await assertRejects(() => missing.load(), /cannot load \/nonexistent\/dir\/model\.onnx/);
  // A folder holding model.onnx, and a relative path.
  const folder = new OnnxServer({
    model_uri: fileURLToPath(new URL("../../examples/onnx", import.meta.url)),
  });
  await folder.load();
  const meta = await folder.initMetadata();
  assertEquals(meta.platform, "onnx_onnxv1");
  const bad = new OnnxServer({ model_uri: MODEL, output_name: "nope" });
  await assertRejects(() => bad.load(), /output_name 'nope' is not a tensor output/);
});

Deno.test("OnnxServer: the interface name gives the built-in unless a user module has that name", async () => {
  const empty = await appFolder({});
  const user = await appFolder({ "OnnxServer.js": "export class OnnxServer { mine = true; }\n" });
  try {
    assertEquals(await importComponent("OnnxServer", empty), OnnxServer);
    const mine = await importComponent("OnnxServer", user) as new () => { mine?: boolean };
    assertEquals(new mine().mine, true);
  } finally {
    await Deno.remove(empty, { recursive: true });
    await Deno.remove(user, { recursive: true });
  }
});
