/**
 * Baselines of the gRPC benchmark: bare grpc-js servers for `seldon.protos.Model/Predict`.
 *
 * - Without arguments (the small payloads): decodes the SeldonMessage and re-encodes it
 *   unchanged, with the same generic codec as the server (`decodeMessage` / `encodeMessage`).
 * - `--answer FILE` (the 1,000,000-double tensor, the floor of issue 13 item 4): decodes each
 *   request as a bare grpc-js server gets it from `@grpc/proto-loader` (protobufjs `decode` then
 *   `toObject`), then answers the bytes in FILE — the server's own answer to that request,
 *   captured once by `bench/grpc.ts` (1,000,000 generated names `t:0`… and the values): the gRPC
 *   counterpart of `bench/large_floor.ts`, which writes the same answer bytes as the server.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { decodeMessage, encodeMessage } from "../src/protocol/proto/codec.ts";

const { values } = parseArgs({ args: Deno.args, options: { answer: { type: "string" } } });

/** Our codec both ways (the small payloads). */
const codec: grpc.MethodDefinition<unknown, unknown> = {
  path: "/seldon.protos.Model/Predict",
  requestStream: false,
  responseStream: false,
  requestSerialize: (v) => Buffer.from(encodeMessage("SeldonMessage", v)),
  requestDeserialize: (bytes) => decodeMessage("SeldonMessage", bytes),
  responseSerialize: (v) => {
    const bytes = encodeMessage("SeldonMessage", v);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  responseDeserialize: (bytes) => decodeMessage("SeldonMessage", bytes),
};

/** proto-loader's generated definition, answering fixed bytes. */
function fixedAnswer(answer: Buffer): grpc.MethodDefinition<unknown, unknown> {
  const proto = fileURLToPath(new URL("../proto/", import.meta.url));
  const pkg = protoLoader.loadSync("prediction.proto", { includeDirs: [proto] });
  const loaded = pkg["seldon.protos.Model"] as grpc.ServiceDefinition;
  const predict = loaded.Predict as grpc.MethodDefinition<unknown, unknown>;
  return { ...predict, responseSerialize: () => answer };
}

const predict = values.answer === undefined
  ? codec
  : fixedAnswer(Buffer.from(Deno.readFileSync(values.answer)));

const server = new grpc.Server({
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
});
server.addService({ Predict: predict }, {
  Predict: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
    cb(null, call.request),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(`running on port ${port}`);
});
