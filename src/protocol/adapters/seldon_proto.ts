/**
 * Seldon v1 in proto mode (gRPC, protocol.md §2): requests arrive as canonical proto3-JSON
 * messages from the protobuf codec, responses are built as such and must convert back to
 * `SeldonMessage`.
 * @module
 */
import { errorText } from "../../error_text.ts";
import { SeldonMicroserviceException, SerializeError } from "../errors.ts";
import { metadataToProtoJson } from "../metadata.ts";
import { decodeProtoMessage, isObject, type JsonObject } from "../payload.ts";
import { parseProtoJson, shortestFloat32 } from "../proto/json.ts";
import { PROTO_RESPONSES } from "../response.ts";
import type { GrpcAdapter, GrpcErrorAnswer } from "./adapter.ts";

/** The gRPC adapter of the Seldon v1 protocol. */
export const SELDON_PROTO: GrpcAdapter = {
  decodeMessage: (request) => decodeProtoMessage(request as JsonObject),
  decodeList(request) {
    const messages = ((request as JsonObject).seldonMessages as JsonObject[] | undefined) ?? [];
    return { messages, decoded: messages.map(decodeProtoMessage) };
  },
  decodeFeedback: (request) => request as JsonObject,
  responses: PROTO_RESPONSES,
  feedbackResponses: PROTO_RESPONSES,
  feedbackOut: (response) => response,
  rawResponse(raw) {
    try {
      return parseProtoJson("SeldonMessage", raw);
    } catch {
      throw new SerializeError();
    }
  },
  // The message's metrics (converted to a SeldonMessage afterwards, which fails on the rest).
  rawMetricsList(raw) {
    const meta = isObject(raw) ? raw.meta : undefined;
    if (!isObject(meta) || !Array.isArray(meta.metrics)) return [];
    const metrics = meta.metrics as Record<string, unknown>[];
    for (const m of metrics) if (!isObject(m)) throw new Error("'key'");
    return metrics;
  },
  // Upstream records the metrics of the returned message, whose `value` is a proto float
  // (printed shortest by MessageToJson), not the number the hook wrote.
  rawMetrics: (metrics) =>
    metrics.map((m) => typeof m.value === "number" ? { ...m, value: shortestFloat32(m.value) } : m),
  // An invalid document answers an empty message [QUIRK].
  metadata: (document) => document === undefined ? {} : metadataToProtoJson(document),
  renderError,
};

/** gRPC status codes this protocol answers with (the numbers of grpc's `StatusCode`). */
const UNKNOWN = 2;
const INTERNAL = 13;

/**
 * A thrown value as grpcio reports an exception of upstream's servicer (server.md §5.5):
 * `UNKNOWN` with `Exception calling application: …`; an unconvertible raw result `INTERNAL`.
 */
function renderError(err: unknown): GrpcErrorAnswer {
  if (err instanceof SerializeError) return { code: INTERNAL, details: err.message };
  // Upstream's Seldon exception has an empty string form [QUIRK].
  const text = SeldonMicroserviceException.isSeldonError(err) ? "" : errorText(err);
  return { code: UNKNOWN, details: `Exception calling application: ${text}` };
}
