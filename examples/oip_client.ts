/**
 * A minimal Open Inference Protocol (V2) gRPC client for a running server, built at run time
 * from `proto/inference.proto` with `@grpc/proto-loader` (as any protobuf toolchain would
 * generate one from the protocol's canonical `.proto`):
 *
 *   deno run -A --config deno.json examples/oip_client.ts [host:port] [model-name]
 *
 * Sends one iris row as an FP64 tensor to `inference.GRPCInferenceService/ModelInfer` and prints
 * the answer.
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const address = Deno.args[0] ?? "localhost:5000";
const model = Deno.args[1] ?? "IrisClassifier";
const definition = protoLoader.loadSync("inference.proto", {
  includeDirs: [fileURLToPath(new URL("../proto/", import.meta.url))],
  keepCase: true,
  longs: String,
  enums: String,
});
// deno-lint-ignore no-explicit-any
const inference = (grpc.loadPackageDefinition(definition) as any).inference;
const client = new inference.GRPCInferenceService(address, grpc.credentials.createInsecure());

const request = {
  model_name: model,
  inputs: [{
    name: "x",
    datatype: "FP64",
    shape: [1, 4],
    contents: { fp64_contents: [5.1, 3.5, 1.4, 0.2] },
  }],
};
client.ModelInfer(request, (err: grpc.ServiceError | null, response: unknown) => {
  client.close();
  if (err) {
    console.error(`${grpc.status[err.code]}: ${err.details}`);
    Deno.exit(1);
  }
  console.log(JSON.stringify(response));
});
