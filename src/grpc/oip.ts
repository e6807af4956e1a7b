/**
 * The Open Inference Protocol (V2) on the gRPC port: `inference.GRPCInferenceService` as a
 * grpc-js service beside the Seldon services, over our own codecs (requests arrive as bytes and
 * are decoded here, so a bad message is `INVALID_ARGUMENT`). Errors: 400 → `INVALID_ARGUMENT`,
 * unknown model → `NOT_FOUND`, the server's own failures `INTERNAL`, a model's exception
 * `UNKNOWN` (oip_errors.ts).
 * @module
 */
import type { Buffer } from "node:buffer";
import type * as grpc from "npm:@grpc/grpc-js@1.14.7";
import { errorText, logText } from "../error_text.ts";
import type { DataPlane, HookContext } from "../dataplane/dataplane.ts";
import { unhandledText } from "../dataplane/hooks.ts";
import type { InFlight } from "../dataplane/inflight.ts";
import type { Limiter, Ticket } from "../dataplane/limiter.ts";
import type { OipCall } from "../dataplane/oip.ts";
import { logger } from "../logging.ts";
import { OIP_GRPC } from "../protocol/adapters/oip_grpc.ts";
import { GRPC_CODE, oipGrpcError } from "../protocol/adapters/oip_errors.ts";
import { OipError } from "../protocol/oip/errors.ts";
import {
  decodeModelInferRequest,
  decodeModelRef,
  encodeFlagResponse,
  encodeModelMetadataResponse,
  encodeServerMetadataResponse,
  type ModelRef,
} from "../protocol/oip/proto.ts";
import { toBuffer } from "./services.ts";
import { statusName } from "./status_names.ts";
import { sendableStatus } from "./details.ts";

const log = logger("grpc");

/** The service's full name (package `inference`). */
export const OIP_SERVICE = "inference.GRPCInferenceService";

/** The rpcs of {@link OIP_SERVICE}, in the order of the `.proto`. */
export const OIP_RPCS = [
  "ServerLive",
  "ServerReady",
  "ModelReady",
  "ServerMetadata",
  "ModelMetadata",
  "ModelInfer",
] as const;

type OipRpc = typeof OIP_RPCS[number];

/** The operation label of each rpc in request metrics (as the V2 REST routes name them). */
const OPERATIONS: Readonly<Record<OipRpc, string>> = {
  ServerLive: "server-live",
  ServerReady: "server-ready",
  ModelReady: "model-ready",
  ServerMetadata: "server-metadata",
  ModelMetadata: "model-metadata",
  ModelInfer: "infer",
};

/** Request bytes → the answer's bytes (may throw; may be async for ModelInfer). */
type Handler = (
  bytes: Uint8Array,
  call: OipGrpcCall,
  ticket?: Ticket,
) => Uint8Array | Promise<Uint8Array>;

/** A V2 gRPC call as the data plane sees it; headers are built only when a hook reads them. */
class OipGrpcCall implements OipCall {
  readonly adapter = OIP_GRPC;
  #headers: Headers | undefined;
  constructor(readonly metadata: grpc.Metadata) {}

  get headers(): Headers {
    return this.#headers ??= metadataHeaders(this.metadata);
  }

  context(operation: "infer"): HookContext {
    return new OipHookContext(this, operation);
  }
}

/** The hook context of a V2 gRPC call: `headers` is read from the call only when asked. */
class OipHookContext implements HookContext {
  readonly protocol = "grpc";
  constructor(readonly call: OipGrpcCall, readonly operation: "infer") {}
  get headers(): Headers {
    return this.call.headers;
  }
}

function metadataHeaders(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value !== "string") continue;
    try {
      headers.set(key, value);
    } catch { /* not a valid HTTP header value */ }
  }
  return headers;
}

function handlers(plane: DataPlane, limiter: Limiter): Record<OipRpc, Handler> {
  const oip = plane.oip;
  return {
    ServerLive: () => encodeFlagResponse(oip.serverLive()),
    ServerReady: () => encodeFlagResponse(oip.serverReady()),
    ModelReady: (bytes) => encodeFlagResponse(oip.modelReady(modelTarget(bytes))),
    ServerMetadata: () => encodeServerMetadataResponse(oip.serverMetadata()),
    ModelMetadata: (bytes) => encodeModelMetadataResponse(oip.modelMetadata(modelTarget(bytes))),
    ModelInfer: (bytes, call, ticket) => {
      const message = decodeModelInferRequest(bytes);
      const target = { name: message.modelName, version: message.modelVersion };
      oip.check(target);
      return oip.inferNow(target, message, call, limiter, ticket) as
        | Uint8Array
        | Promise<Uint8Array>;
    },
  };
}

function modelTarget(bytes: Uint8Array): ModelRef {
  try {
    return decodeModelRef(bytes);
  } catch (err) {
    throw new OipError(400, `The request does not decode: ${errorText(err)}`);
  }
}

/**
 * grpc-js method definitions whose (de)serializers pass bytes through. A request arrives as a
 * plain `Uint8Array` view of grpc-js's `Buffer`: the codecs copy with `slice()`, which on a
 * `Buffer` would be another view (an unaligned one cannot back a typed array).
 */
function serviceDefinition(): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<Uint8Array, Buffer>> = {};
  for (const rpc of OIP_RPCS) {
    def[rpc] = {
      path: `/${OIP_SERVICE}/${rpc}`,
      requestStream: false,
      responseStream: false,
      originalName: rpc.charAt(0).toLowerCase() + rpc.slice(1),
      requestSerialize: (value: Uint8Array) => toBuffer(value),
      requestDeserialize: (bytes: Buffer) =>
        new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      responseSerialize: (value: Buffer) => value,
      responseDeserialize: (bytes: Buffer) => bytes,
    };
  }
  return def as grpc.ServiceDefinition;
}

/** What the V2 service shares with the gRPC transport. */
export interface OipGrpcDeps {
  readonly plane: DataPlane;
  /** The transport's `--grpc-threads` limiter: ModelInfer takes a slot as v1 Predict does. */
  readonly limiter: Limiter;
  /** Unanswered calls, when the worker answers them at its graceful timeout. */
  readonly inflight?: InFlight;
  /** Called after every answered call. */
  readonly onRequest?: (operation: string, status: string, seconds: number) => void;
  /** Called as every call starts (the worker's request counter: `--max-requests`). */
  readonly onServed?: () => void;
  /** Is this the transport's "shutting down" error? (answered `UNAVAILABLE`) */
  readonly isUnavailable: (err: unknown) => boolean;
}

/** Adds `inference.GRPCInferenceService` to `server`. */
export function addOipService(server: grpc.Server, deps: OipGrpcDeps): void {
  const table = handlers(deps.plane, deps.limiter);
  const impl: grpc.UntypedServiceImplementation = {};
  for (const rpc of OIP_RPCS) {
    const handle = table[rpc];
    impl[rpc] = (
      call: grpc.ServerUnaryCall<Uint8Array, Buffer>,
      done: grpc.sendUnaryData<Buffer>,
    ) => {
      deps.onServed?.();
      const start = deps.onRequest ? performance.now() : 0;
      const callback: grpc.sendUnaryData<Buffer> = deps.onRequest
        ? (err, value) => {
          done(err, value);
          deps.onRequest!(
            OPERATIONS[rpc],
            statusName(err?.code),
            (performance.now() - start) / 1000,
          );
        }
        : done;
      const ctx = new OipGrpcCall(call.metadata);
      const run = (ticket?: Ticket) => {
        try {
          return Promise.resolve(handle(call.request, ctx, ticket));
        } catch (err) {
          return Promise.reject(err);
        }
      };
      const answered = deps.inflight === undefined ? run() : deps.inflight.run(run);
      answered.then(
        (bytes) => callback(null, toBuffer(bytes)),
        (err) => {
          if (deps.isUnavailable(err)) {
            callback(sendableStatus({ code: GRPC_CODE.UNAVAILABLE, details: errorText(err) }));
            return;
          }
          const answer = oipGrpcError(err);
          const unhandled = unhandledText(err);
          if (
            unhandled !== undefined ||
            (answer.code !== GRPC_CODE.INVALID_ARGUMENT && answer.code !== GRPC_CODE.NOT_FOUND)
          ) {
            log.error("{method} failed: {error}", {
              method: `${OIP_SERVICE}/${rpc}`,
              error: unhandled ?? logText(errorText(err)),
            });
          }
          callback(sendableStatus(answer));
        },
      );
    };
  }
  server.addService(serviceDefinition(), impl);
}
