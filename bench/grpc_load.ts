/**
 * gRPC load generator of the benchmark (runs in a process of its own): `channels` grpc-js
 * clients, each on its own subchannel (`grpc.use_local_subchannel_pool`) and so its own HTTP/2
 * connection, each keeping `inflight` unary `seldon.protos.Model/Predict` calls in flight for
 * `seconds` (after a short warm-up). Requests are encoded once; responses are checked to be OK
 * and non-empty but not decoded. Prints `start` when counting starts, then one JSON line
 * `{"requests", "seconds", "errors", "firstError"}` when it stops.
 *
 *   deno run -A bench/grpc_load.ts --port P [--seconds 5] [--channels 4] [--inflight 8]
 *     [--payload ndarray|tensor|tensor1e6|grpc-v2-fp64|grpc-v2-fp32|grpc-v2-int64]
 *
 * `tensor1e6` is a `tensor` of 1,000,000 doubles (shape [1, 1000000], no names; 8 MB): the servers
 * must allow messages that large (`--grpc-max-message-size 64m`).
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { encodeMessage } from "../src/protocol/proto/codec.ts";
import { NDArray } from "../src/protocol/ndarray.ts";
import { encodeModelInferRequest } from "../src/protocol/oip/proto.ts";

/** The benchmark requests, as SeldonMessage JSON. */
export const PAYLOADS: Record<string, unknown> = {
  ndarray: { data: { names: ["a", "b", "c", "d"], ndarray: [[5.1, 3.5, 1.4, 0.2]] } },
  tensor: {
    data: { names: ["a", "b", "c", "d"], tensor: { shape: [1, 4], values: [5.1, 3.5, 1.4, 0.2] } },
  },
  tensor1e6: {
    data: {
      tensor: {
        shape: [1, 1_000_000],
        values: Array.from({ length: 1_000_000 }, (_, i) => (i % 1000) / 7),
      },
    },
  },
};

/** A V2 `ModelInfer` request of four values of shape [1, 4] as `contents`, to model `Identity`. */
function v2Request(data: NDArray, datatype: "FP64" | "FP32" | "INT64"): Uint8Array {
  return encodeModelInferRequest({
    modelName: "Identity",
    request: { inputs: [{ name: "x", datatype, shape: [1, 4], data }] },
  }, false);
}

/**
 * Every benchmark call by name: its method path and request bytes. `grpc-v1-*` are the v1
 * {@link PAYLOADS}; `grpc-v2-*` V2 `ModelInfer` calls of four FP64, FP32 or INT64 values.
 */
export const GRPC_CALLS: Record<string, { path: string; bytes: Buffer }> = {
  ...Object.fromEntries(
    Object.entries(PAYLOADS).map(([name, payload]) => [
      `grpc-v1-${name}`,
      {
        path: "/seldon.protos.Model/Predict",
        bytes: Buffer.from(encodeMessage("SeldonMessage", payload)),
      },
    ]),
  ),
  "grpc-v2-fp64": {
    path: "/inference.GRPCInferenceService/ModelInfer",
    bytes: Buffer.from(
      v2Request(new NDArray(Float64Array.of(5.1, 3.5, 1.4, 0.2), [1, 4], "float64"), "FP64"),
    ),
  },
  "grpc-v2-fp32": {
    path: "/inference.GRPCInferenceService/ModelInfer",
    bytes: Buffer.from(
      v2Request(new NDArray(Float32Array.of(5.1, 3.5, 1.4, 0.2), [1, 4], "float32"), "FP32"),
    ),
  },
  "grpc-v2-int64": {
    path: "/inference.GRPCInferenceService/ModelInfer",
    bytes: Buffer.from(
      v2Request(new NDArray(BigInt64Array.of(5n, -3n, 1n, 200n), [1, 4], "int64"), "INT64"),
    ),
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string" },
      seconds: { type: "string", default: "5" },
      warmup: { type: "string", default: "1" },
      channels: { type: "string", default: "4" },
      inflight: { type: "string", default: "8" },
      payload: { type: "string", default: "ndarray" },
    },
  });
  const chosen = GRPC_CALLS[values.payload] ?? GRPC_CALLS[`grpc-v1-${values.payload}`];
  if (chosen === undefined || values.port === undefined) throw new Error("--port, --payload");
  const { path, bytes: request } = chosen;
  const serialize = () => request;
  const deserialize = (b: Buffer) => b;
  const clients = Array.from(
    { length: Number(values.channels) },
    () =>
      new grpc.Client(`127.0.0.1:${values.port}`, grpc.credentials.createInsecure(), {
        "grpc.use_local_subchannel_pool": 1,
        "grpc.max_receive_message_length": -1,
        "grpc.max_send_message_length": -1,
      }),
  );
  let counting = false;
  let stopping = false;
  let requests = 0;
  let errors = 0;
  let firstError = "";
  const loop = (client: grpc.Client) =>
    new Promise<void>((resolve) => {
      const next = () => {
        if (stopping) return resolve();
        client.makeUnaryRequest(path, serialize, deserialize, null, (err, res) => {
          if (err || res === undefined || res.length === 0) {
            errors++;
            firstError ||= err ? `${err.code} ${err.details}` : "empty response";
          } else if (counting) requests++;
          next();
        });
      };
      next();
    });
  const loops = clients.flatMap((c) =>
    Array.from({ length: Number(values.inflight) }, () => loop(c))
  );
  await new Promise((r) => setTimeout(r, Number(values.warmup) * 1000));
  console.log("start"); // the orchestrator samples the server's CPU on these two lines
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
  counting = false;
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ requests, seconds, errors, firstError }));
  stopping = true;
  await Promise.all(loops);
  for (const c of clients) c.close();
  Deno.exit(0);
}
