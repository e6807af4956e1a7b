/**
 * Per-call JS cost of the server's gRPC Predict path in-process (no sockets): the registered
 * handler's request deserializer, handler and response serializer as grpc-js calls them, on an
 * identity model. `deno run -A bench/grpc_handler.ts [ndarray|tensor]`
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { DataPlane } from "../src/dataplane/dataplane.ts";
import { buildGrpcServer } from "../src/grpc/server.ts";
import { encodeMessage } from "../src/protocol/proto/codec.ts";
import { PAYLOADS } from "./grpc_load.ts";
import { Identity } from "./identity.ts";

const plane = await DataPlane.create(new Identity(), {
  includeMetrics: true,
  executorEnabled: true,
});
const server = buildGrpcServer(plane, { port: 0, hostname: "", concurrency: 1 });
type Handler = {
  func: (call: unknown, cb: (err: unknown, value?: unknown) => void) => void;
  serialize: (v: unknown) => Buffer;
  deserialize: (b: Buffer) => unknown;
};
const h = (server as unknown as { handlers: Map<string, Handler> }).handlers.get(
  "/seldon.protos.Model/Predict",
)!;
const bytes = Buffer.from(encodeMessage("SeldonMessage", PAYLOADS[Deno.args[0] ?? "ndarray"]));
// What grpc-js's server hands over for a grpc-js client's call.
const metadata = grpc.Metadata.fromHttp2Headers({
  "user-agent": "grpc-node-js/1.14.7",
  "grpc-accept-encoding": "identity,deflate,gzip",
  "accept-encoding": "identity",
});
const once = () =>
  new Promise<Buffer>((resolve, reject) =>
    h.func({ request: h.deserialize(bytes), metadata }, (err, value) => {
      if (err) reject(err);
      else resolve(h.serialize(value));
    })
  );
for (let i = 0; i < 20000; i++) await once();
const rounds: number[] = [];
for (let r = 0; r < 7; r++) {
  const n = 20000;
  const t = performance.now();
  for (let i = 0; i < n; i++) await once();
  rounds.push((performance.now() - t) / n * 1000);
}
rounds.sort((a, b) => a - b);
console.log(
  `gRPC Predict handler µs/call: best ${rounds[0].toFixed(2)}, median ${rounds[3].toFixed(2)}`,
);
Deno.exit(0);
