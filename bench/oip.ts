/**
 * Large tensors through the Open Inference Protocol, side by side in one run: a 1,000,000-value
 * FP32 tensor sent to an identity model (`bench/identity.ts`, `main.ts` with one REST and one
 * gRPC worker) through V2 REST with binary tensor data (in and out), V2 REST JSON, Seldon v1
 * REST JSON (`ndarray`), V2 gRPC `raw_input_contents` and V2 gRPC typed `contents`. Baselines
 * (in this process): a bare `Deno.serve` echoing the same 4 MB of bytes, a bare grpc-js server
 * echoing the raw ModelInfer message, and copying the bytes once in memory.
 *
 *   deno run --unstable-net -A bench/oip.ts [--requests 10] [--rounds 3]
 *
 * One request in flight; requests are encoded once before the clock starts, answers are read as
 * bytes and not decoded. Per path: the median wall time per request and the server's CPU time
 * per request (supervisor and workers, from /proc). Rounds alternate the paths so machine noise
 * hits all alike.
 */
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { NDArray } from "../src/protocol/ndarray.ts";
import { encodeModelInferRequest } from "../src/protocol/oip/proto.ts";
import { median, spawnSeldon, stopServer, treeCpuSeconds } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const N = 1_000_000;

/** Deterministic values (no integral floats: v1 JSON would keep those as ints). */
const floats = new Float32Array(N);
for (let i = 0; i < N; i++) floats[i] = Math.fround((i % 1000) / 7 + 0.5);
const bytes = new Uint8Array(floats.buffer);

const header = new TextEncoder().encode(JSON.stringify({
  inputs: [{ name: "x", datatype: "FP32", shape: [1, N], parameters: { binary_data_size: 4 * N } }],
  parameters: { binary_data_output: true },
}));
const binaryBody = new Uint8Array(header.length + bytes.length);
binaryBody.set(header);
binaryBody.set(bytes, header.length);
const list = JSON.stringify(Array.from(floats));
const v2Json = `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,${N}],"data":${list}}]}`;
const v1Json = `{"data":{"ndarray":[${list}]}}`;
const tensor = new NDArray(floats, [1, N], "float32");
const message = {
  modelName: "m",
  request: { inputs: [{ name: "x", datatype: "FP32" as const, shape: [1, N], data: tensor }] },
};
const grpcRaw = encodeModelInferRequest(message, true);
const grpcContents = encodeModelInferRequest(message, false);

const ports = { http: 19_500 + Math.floor(Math.random() * 400), grpc: 0, metrics: 0 };
ports.grpc = ports.http + 1000;
ports.metrics = ports.http + 2000;
const server = await spawnSeldon(join(here, ".."), "./identity.ts#Identity", [
  "--http-port",
  String(ports.http),
  "--grpc-port",
  String(ports.grpc),
  "--metrics-port",
  String(ports.metrics),
  "--grpc-workers",
  "1",
  "--model-name",
  "m",
  "--grpc-max-message-size",
  "64m",
]);
const base = `http://127.0.0.1:${ports.http}`;
const echo = Deno.serve(
  { port: 0, hostname: "127.0.0.1", onListen() {} },
  async (req) => new Response(await req.bytes()),
);
const LIMITS = {
  "grpc.max_receive_message_length": 64 << 20,
  "grpc.max_send_message_length": 64 << 20,
};
const client = new grpc.Client(
  `127.0.0.1:${ports.grpc}`,
  grpc.credentials.createInsecure(),
  LIMITS,
);
/** A bare grpc-js server answering every ModelInfer with the request's bytes. */
const echoGrpc = new grpc.Server(LIMITS);
echoGrpc.addService({
  ModelInfer: {
    path: "/inference.GRPCInferenceService/ModelInfer",
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
}, {
  ModelInfer: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
    cb(null, call.request),
});
const echoGrpcPort = await new Promise<number>((resolve, reject) =>
  echoGrpc.bindAsync(
    "127.0.0.1:0",
    grpc.ServerCredentials.createInsecure(),
    (err, port) => err ? reject(err) : resolve(port),
  )
);
const echoClient = new grpc.Client(
  `127.0.0.1:${echoGrpcPort}`,
  grpc.credentials.createInsecure(),
  LIMITS,
);

async function post(url: string, body: BodyInit, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: "POST", body, headers });
  const answer = await res.arrayBuffer();
  if (res.status !== 200) {
    throw new Error(`${url}: ${res.status} ${new TextDecoder().decode(answer).slice(0, 200)}`);
  }
  return answer.byteLength;
}

function unary(body: Uint8Array, via = client): Promise<number> {
  return new Promise((resolve, reject) =>
    via.makeUnaryRequest(
      "/inference.GRPCInferenceService/ModelInfer",
      (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      (b: Buffer) => b,
      body,
      (err, res) => err ? reject(err) : resolve((res as Buffer).length),
    )
  );
}

const JSON_TYPE = { "content-type": "application/json" };
const PATHS: Record<string, { send: () => Promise<number>; server: boolean; sent: number }> = {
  "V2 REST binary": {
    send: () =>
      post(`${base}/v2/models/m/infer`, binaryBody, {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(header.length),
      }),
    server: true,
    sent: binaryBody.length,
  },
  "V2 REST JSON": {
    send: () => post(`${base}/v2/models/m/infer`, v2Json, JSON_TYPE),
    server: true,
    sent: v2Json.length,
  },
  "v1 REST JSON": {
    send: () => post(`${base}/api/v1.0/predictions`, v1Json, JSON_TYPE),
    server: true,
    sent: v1Json.length,
  },
  "V2 gRPC raw": { send: () => unary(grpcRaw), server: true, sent: grpcRaw.length },
  "V2 gRPC contents": { send: () => unary(grpcContents), server: true, sent: grpcContents.length },
  "bare Deno.serve echo": {
    send: () => post(`http://127.0.0.1:${echo.addr.port}/`, bytes, {}),
    server: false,
    sent: bytes.length,
  },
  "bare grpc-js echo": {
    send: () => unary(grpcRaw, echoClient),
    server: false,
    sent: grpcRaw.length,
  },
};

const results = new Map<string, { ms: number[]; cpuMs: number[]; received: number }>();
for (const name of Object.keys(PATHS)) results.set(name, { ms: [], cpuMs: [], received: 0 });
for (const p of Object.values(PATHS)) await p.send(); // warm-up (JIT, connections)
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, path] of Object.entries(PATHS)) {
    const r = results.get(name)!;
    await path.send();
    const cpu0 = treeCpuSeconds(server.child.pid);
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      r.received = await path.send();
      r.ms.push(performance.now() - t);
    }
    r.cpuMs.push(((treeCpuSeconds(server.child.pid) - cpu0) / REQUESTS) * 1000);
  }
}

const copy: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  bytes.slice();
  copy.push(performance.now() - t);
}

console.log(
  `1,000,000 FP32 values, ${REQUESTS} requests x ${ROUNDS} rounds, one in flight (Deno ${Deno.version.deno})`,
);
console.log(
  "path".padEnd(22) + "sent MB".padStart(9) + "answer MB".padStart(11) +
    "median ms".padStart(11) + "server CPU ms".padStart(15),
);
for (const [name, path] of Object.entries(PATHS)) {
  const r = results.get(name)!;
  console.log(
    name.padEnd(22) + (path.sent / 1e6).toFixed(2).padStart(9) +
      (r.received / 1e6).toFixed(2).padStart(11) + median(r.ms).toFixed(1).padStart(11) +
      (path.server ? median(r.cpuMs).toFixed(1) : "-").padStart(15),
  );
}
console.log(`copying the 4 MB once in memory: ${median(copy).toFixed(2)} ms`);

client.close();
echoClient.close();
echoGrpc.forceShutdown();
await echo.shutdown();
await stopServer(server);
