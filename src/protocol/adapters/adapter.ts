/**
 * The seam between a transport and the data plane: a wire protocol adapter turns what a
 * transport received into protocol values the hook chains use, and hook results back into that
 * protocol's messages. Each transport picks its adapter once at start-up; the data plane calls
 * only this interface and never asks which transport or wire mode it serves.
 * @module
 */
import type { Decoded, JsonObject } from "../payload.ts";
import type { ResponseBuilder } from "../response.ts";

/** A list request (aggregate): the messages as sent and each one's hook arguments. */
export interface DecodedList {
  readonly messages: readonly unknown[];
  readonly decoded: readonly Decoded[];
}

/** One wire protocol as the data plane sees it. */
export interface WireAdapter {
  /** One request message → the high-level hook's arguments (400 when unusable). */
  decodeMessage(request: unknown, repr?: () => string): Decoded;
  /** aggregate's request → its messages and their hook arguments. */
  decodeList(request: unknown, repr?: () => string): DecodedList;
  /** A feedback request → the canonical proto3-JSON `Feedback` (400 when it does not parse). */
  decodeFeedback(request: unknown): JsonObject;
  /** How responses to messages (and health status) are built. */
  readonly responses: ResponseBuilder;
  /** How send-feedback's response is built (proto mode on every transport, as upstream). */
  readonly feedbackResponses: ResponseBuilder;
  /** A built feedback response → as this protocol sends it. */
  feedbackOut(response: JsonObject): unknown;
  /** A raw hook's result → the response (throws `SerializeError` when it cannot be). */
  rawResponse(raw: unknown): unknown;
  /**
   * The `meta.metrics` items of a raw hook's result to record (the same objects, `[]` when
   * none), read as upstream reads them; throws where upstream's reading fails.
   */
  rawMetricsList(raw: unknown): Record<string, unknown>[];
  /** The custom metrics of a raw hook's result as upstream records them. */
  rawMetrics(metrics: Record<string, unknown>[]): Record<string, unknown>[];
  /** The model metadata document (undefined: it failed validation) as this protocol answers it. */
  metadata(document: Record<string, unknown> | undefined): unknown;
}

/** An error as an HTTP answer: the status the protocol asks for and its JSON body. */
export interface HttpErrorAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** An error as a gRPC status: the numeric code and its details text. */
export interface GrpcErrorAnswer {
  readonly code: number;
  readonly details: string;
}

/** A wire protocol served over HTTP: it also renders errors in its own body shape. */
export interface RestAdapter extends WireAdapter {
  renderError(err: unknown): HttpErrorAnswer;
}

/** A wire protocol served over gRPC: it also maps errors to gRPC statuses. */
export interface GrpcAdapter extends WireAdapter {
  renderError(err: unknown): GrpcErrorAnswer;
}
