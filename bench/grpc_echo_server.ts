/**
 * Baseline of the gRPC benchmark: a bare grpc-js server whose `seldon.protos.Model/Predict`
 * decodes the SeldonMessage and re-encodes it unchanged, with the same generic codec as the
 * server (`decodeMessage` / `encodeMessage`).
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { decodeMessage, encodeMessage } from "../src/protocol/proto/codec.ts";

const predict: grpc.MethodDefinition<unknown, unknown> = {
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
