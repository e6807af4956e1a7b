/**
 * Seldon v1 in proto mode (gRPC, protocol.md §2): requests arrive as canonical proto3-JSON
 * messages from the protobuf codec, responses are built as such and must convert back to
 * `SeldonMessage`.
 * @module
 */
import { SerializeError } from "../errors.ts";
import { metadataToProtoJson } from "../metadata.ts";
import { decodeProtoMessage, type JsonObject } from "../payload.ts";
import { parseProtoJson, shortestFloat32 } from "../proto/json.ts";
import { PROTO_RESPONSES } from "../response.ts";
import type { WireAdapter } from "./adapter.ts";

/** The gRPC adapter of the Seldon v1 protocol. */
export const SELDON_PROTO: WireAdapter = {
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
  // Upstream records the metrics of the returned message, whose `value` is a proto float
  // (printed shortest by MessageToJson), not the number the hook wrote.
  rawMetrics: (metrics) =>
    metrics.map((m) => typeof m.value === "number" ? { ...m, value: shortestFloat32(m.value) } : m),
  // An invalid document answers an empty message [QUIRK].
  metadata: (document) => document === undefined ? {} : metadataToProtoJson(document),
};
