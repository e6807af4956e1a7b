/**
 * gRPC test clients: a grpc-js client per Seldon service, over loopback, each channel with its
 * own subchannel pool. Requests and responses are canonical proto3-JSON objects (our codec);
 * `tests/grpc/wire_test.ts` checks the same calls with clients built independently from the
 * `.proto` files.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { Buffer } from "node:buffer";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serviceDefinition } from "../../src/grpc/services.ts";

const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "proto");

/** A unary-call client for one service. */
export interface SeldonClient {
  call(rpc: string, request: unknown, metadata?: grpc.Metadata): Promise<any>;
  /** The underlying grpc-js client. */
  readonly raw: grpc.Client;
  close(): void;
}

const constructors = new Map<string, grpc.ServiceClientConstructor>();

/** A client of `service` (e.g. `Model`) on 127.0.0.1:`port`. */
export function seldonClient(service: string, port: number): SeldonClient {
  let ctor = constructors.get(service);
  if (!ctor) {
    ctor = grpc.makeGenericClientConstructor(serviceDefinition(service, false), service);
    constructors.set(service, ctor);
  }
  const client = new ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
  });
  return {
    call: (rpc, request, metadata = new grpc.Metadata()) =>
      new Promise((resolve, reject) => {
        (client as any)[rpc](
          request,
          metadata,
          { deadline: Date.now() + 20_000 },
          (err: unknown, res: unknown) => {
            if (err) reject(err);
            else resolve(res);
          },
        );
      }),
    raw: client,
    close: () => client.close(),
  };
}

/** Calls `rpc` once on a fresh client and closes it. */
export async function grpcCall(
  service: string,
  port: number,
  rpc: string,
  request: unknown,
): Promise<any> {
  const client = seldonClient(service, port);
  try {
    return await client.call(rpc, request);
  } finally {
    client.close();
  }
}

/**
 * One unary call with raw message bytes on a fresh channel to 127.0.0.1:`port`: the answer's
 * bytes, or the grpc-js error (`code`, `details`).
 */
export function rawUnary(
  port: number,
  bytes: Uint8Array,
  path = "/seldon.protos.Model/Predict",
  options: grpc.ChannelOptions = {},
): Promise<any> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
  return new Promise<any>((resolve) =>
    client.makeUnaryRequest(
      path,
      (b: Uint8Array) => Buffer.from(b),
      (b: Uint8Array) => b,
      bytes,
      (err, res) => resolve(err ?? res),
    )
  ).finally(() => client.close());
}

/**
 * The `seldon.protos` package as `@grpc/proto-loader` builds it from our `proto/` files
 * (protobufjs reflection, independent of the server's hand-written codec): service client
 * constructors as an upstream client generated from the same schema would have.
 */
export function protoLoaderSeldon(): any {
  const definition = protoLoader.loadSync("prediction.proto", {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  return (grpc.loadPackageDefinition(definition) as any).seldon.protos;
}

let loaderPackage: any;

/** A `@grpc/proto-loader` client of `service` (e.g. `Model`) on 127.0.0.1:`port`. */
export function loaderClient(service: string, port: number): any {
  loaderPackage ??= protoLoaderSeldon();
  return new loaderPackage[service](`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

/** One unary call on a proto-loader client: the response, or a rejection with the grpc-js error. */
export function loaderUnary(client: any, rpc: string, request: unknown): Promise<any> {
  return new Promise((resolve, reject) =>
    client[rpc](request, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res)))
  );
}

/** {@link loaderUnary}, answering a failed call with its status `{code, details}`. */
export function loaderOutcome(client: any, rpc: string, request: unknown): Promise<any> {
  return loaderUnary(client, rpc, request).catch((e: grpc.ServiceError) => ({
    code: e.code,
    details: e.details,
  }));
}
