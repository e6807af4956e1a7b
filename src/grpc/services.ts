/**
 * The seven `seldon.protos` gRPC services (protocol.md §1.3) as grpc-js service definitions,
 * with our protobuf codec as (de)serializers. An rpc name shared by several services is the same
 * handler. A request that does not decode is passed on as a {@link DecodeFailure} so the
 * handler can answer upstream's `INTERNAL` "Exception deserializing request!".
 * @module
 */
import { Buffer } from "node:buffer";
import type { MethodDefinition, ServiceDefinition } from "npm:@grpc/grpc-js@1.14.7";
import { decodeMessage, encodeMessage, type MessageName } from "../protocol/proto/codec.ts";
import { decodeSmallMessage } from "../protocol/proto/small_message.ts";

/** A request whose bytes could not be decoded. */
export class DecodeFailure {
  constructor(readonly error: unknown) {}
}

/** The rpc kinds every service is built from. */
export type RpcKind =
  | "Predict"
  | "TransformInput"
  | "TransformOutput"
  | "Route"
  | "Aggregate"
  | "SendFeedback"
  | "Metadata"
  | "ModelMetadata"
  | "GraphMetadata";

const RPC_TYPES: Record<RpcKind, [MessageName, MessageName]> = {
  Predict: ["SeldonMessage", "SeldonMessage"],
  TransformInput: ["SeldonMessage", "SeldonMessage"],
  TransformOutput: ["SeldonMessage", "SeldonMessage"],
  Route: ["SeldonMessage", "SeldonMessage"],
  Aggregate: ["SeldonMessageList", "SeldonMessage"],
  SendFeedback: ["Feedback", "SeldonMessage"],
  Metadata: ["Empty", "SeldonModelMetadata"],
  ModelMetadata: ["SeldonModelMetadataRequest", "SeldonModelMetadata"],
  GraphMetadata: ["Empty", "SeldonGraphMetadata"],
};

/** Each service and its rpcs, in the order of protocol.md §1.3. */
export const SERVICES: Readonly<Record<string, readonly RpcKind[]>> = {
  Generic: ["TransformInput", "TransformOutput", "Route", "Aggregate", "SendFeedback"],
  Model: ["Predict", "SendFeedback", "Metadata"],
  Router: ["Route", "SendFeedback"],
  Transformer: ["TransformInput"],
  OutputTransformer: ["TransformOutput"],
  Combiner: ["Aggregate"],
  Seldon: ["Predict", "SendFeedback", "ModelMetadata", "GraphMetadata"],
};

/** The protobuf package of the services. */
export const PACKAGE = "seldon.protos";

/** A Buffer view of `bytes` (no copy), as grpc-js wants. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The message type names of an rpc's request and response. */
export function rpcTypes(rpc: RpcKind): readonly [MessageName, MessageName] {
  return RPC_TYPES[rpc];
}

/**
 * One method. On the server the handler encodes its response itself (so an unencodable result
 * gets upstream's exact `INTERNAL` text), hence `responseSerialize` passes bytes through.
 */
function method(
  service: string,
  rpc: RpcKind,
  forServer: boolean,
): MethodDefinition<unknown, unknown> {
  const [req, res] = RPC_TYPES[rpc];
  return {
    path: `/${PACKAGE}.${service}/${rpc}`,
    requestStream: false,
    responseStream: false,
    originalName: rpc.charAt(0).toLowerCase() + rpc.slice(1),
    requestSerialize: (value: unknown) => toBuffer(encodeMessage(req, value)),
    requestDeserialize: (bytes: Buffer) => {
      try {
        return (req === "SeldonMessage" && decodeSmallMessage(bytes)) || decodeMessage(req, bytes);
      } catch (err) {
        return new DecodeFailure(err);
      }
    },
    responseSerialize: forServer
      ? (value: unknown) => value as Buffer
      : (value: unknown) => toBuffer(encodeMessage(res, value)),
    responseDeserialize: (bytes: Buffer) => decodeMessage(res, bytes),
  };
}

/**
 * The grpc-js definition of one service. `forServer: false` gives a client-side definition
 * whose response side decodes (used by tests and tools).
 */
export function serviceDefinition(service: string, forServer = true): ServiceDefinition {
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const rpc of SERVICES[service]) def[rpc] = method(service, rpc, forServer);
  return def as ServiceDefinition;
}
