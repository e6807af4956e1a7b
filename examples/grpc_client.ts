/**
 * A minimal gRPC client for a running server, built at run time from `proto/` with
 * `@grpc/proto-loader` (as any protobuf toolchain would generate one):
 *
 *   deno run -A --config deno.json examples/grpc_client.ts [host:port]
 *
 * Sends one iris row as a `tensor` to `seldon.protos.Model/Predict` and prints the answer.
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const address = Deno.args[0] ?? "localhost:5000";
const definition = protoLoader.loadSync("prediction.proto", {
  includeDirs: [fileURLToPath(new URL("../proto/", import.meta.url))],
  keepCase: true,
  longs: String,
  enums: String,
});
// deno-lint-ignore no-explicit-any
const seldon = (grpc.loadPackageDefinition(definition) as any).seldon.protos;
const client = new seldon.Model(address, grpc.credentials.createInsecure());

const request = { data: { tensor: { shape: [1, 4], values: [5.1, 3.5, 1.4, 0.2] } } };
client.Predict(request, (err: grpc.ServiceError | null, response: unknown) => {
  client.close();
  if (err) {
    console.error(`${grpc.status[err.code]}: ${err.details}`);
    Deno.exit(1);
  }
  console.log(JSON.stringify(response));
});
