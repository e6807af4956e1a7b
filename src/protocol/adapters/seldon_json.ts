/**
 * Seldon v1 in JSON mode (REST, protocol.md §2): requests are the JSON values as sent, never
 * normalised through protobuf; responses mirror them (keys sorted by the transport). Feedback
 * is the exception upstream makes: parsed strictly as a proto3-JSON `Feedback`, answered in
 * proto mode and printed with the proto JSON mapping (server.md §3.5).
 * @module
 */
import { errorText } from "../../error_text.ts";
import { badData, SeldonMicroserviceException } from "../errors.ts";
import { decodeJsonMessage, invalidRequest, isObject } from "../payload.ts";
import { parseProtoJson, ProtoJsonError, toPrintedProtoJson } from "../proto/json.ts";
import { pyTypeName } from "../../python/repr.ts";
import { isPyDict, pyAttributeError, pyTruthy } from "../../python/operators.ts";
import { JSON_RESPONSES, PROTO_RESPONSES } from "../response.ts";
import type { HttpErrorAnswer, RestAdapter } from "./adapter.ts";

/** The REST adapter of the Seldon v1 protocol. */
export const SELDON_JSON: RestAdapter = {
  decodeMessage: decodeJsonMessage,
  decodeList(request, repr) {
    notAContainer(request);
    const messages = Array.isArray(request)
      ? request
      : isObject(request) && Array.isArray(request.seldonMessages)
      ? request.seldonMessages
      : undefined;
    if (messages === undefined) throw invalidRequest(request, repr);
    return { messages, decoded: messages.map((m) => decodeJsonMessage(m)) };
  },
  decodeFeedback(request) {
    try {
      return parseProtoJson("Feedback", request);
    } catch (err) {
      if (err instanceof ProtoJsonError) throw badData(`Invalid JSON: ${err.message}`);
      throw err;
    }
  },
  responses: JSON_RESPONSES,
  feedbackResponses: PROTO_RESPONSES,
  feedbackOut: toPrintedProtoJson,
  rawResponse: (raw) => raw,
  rawMetricsList,
  rawMetrics: (metrics) => metrics,
  metadata(document) {
    if (document !== undefined) return document;
    throw new SeldonMicroserviceException("Model metadata unavailable", {
      statusCode: 500,
      reason: "MICROSERVICE_BAD_METADATA",
    });
  },
  renderError,
};

/**
 * A raw result's metrics as upstream's `msg.get("meta", {}).get("metrics", [])` and the metrics
 * update loop read them (a result that is not an object has none): a `meta` that is not a dict
 * has no `get`; metrics that are `null`, a number or a boolean cannot be iterated; a non-empty
 * str or object yields strs, and each item of a list must be a dict — else Python's errors.
 */
function rawMetricsList(raw: unknown): Record<string, unknown>[] {
  if (!isObject(raw) || !("meta" in raw)) return [];
  const meta = raw.meta;
  if (!isPyDict(meta)) throw pyAttributeError(meta, "get");
  const metrics = meta.metrics;
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) {
    if (metrics === null || (typeof metrics !== "object" && typeof metrics !== "string")) {
      throw new TypeError(`'${pyTypeName(metrics)}' object is not iterable`);
    }
    if (pyTruthy(metrics)) throw pyAttributeError("", "get");
    return [];
  }
  for (const m of metrics) if (!isPyDict(m)) throw pyAttributeError(m, "get");
  return metrics as Record<string, unknown>[];
}

/** The Seldon error body: `{"status":{"code":-1,"info":…,"reason":…,"status":1}}`. */
export function errorBody(info: string, reason: string): Record<string, unknown> {
  return { status: { code: -1, info, reason, status: 1 } };
}

/**
 * A thrown value as upstream's Flask error handlers answer it (server.md §5): a Seldon
 * exception with its status and reason, anything else a 500 `MICROSERVICE_INTERNAL_ERROR`.
 */
function renderError(err: unknown): HttpErrorAnswer {
  if (SeldonMicroserviceException.isSeldonError(err)) {
    const reason = typeof err.reason === "string" ? err.reason : errorText(err.reason);
    return { status: err.statusCode, body: errorBody(errorText(err), reason) };
  }
  return { status: 500, body: errorBody(errorText(err), "MICROSERVICE_INTERNAL_ERROR") };
}

/**
 * Upstream tests `"seldonMessages" in request` before anything else, so a JSON scalar that Python
 * cannot search (number, boolean, null) or a string containing that word (then indexed) fails
 * with a TypeError — a 500, not the 400 `Invalid request data type` of other non-lists.
 */
function notAContainer(request: unknown): void {
  if (
    request === null || typeof request === "boolean" || typeof request === "number" ||
    typeof request === "bigint"
  ) {
    throw new TypeError(`argument of type '${pyTypeName(request)}' is not iterable`);
  }
  if (typeof request === "string" && request.includes("seldonMessages")) {
    throw new TypeError("string indices must be integers");
  }
}
