/**
 * What a model author writes against (user-api.md): the hook interface, the base class whose
 * stubs mean "not implemented", the result wrapper and the custom-metric helpers.
 * @module
 */
import { SeldonNotImplementedError } from "../protocol/errors.ts";
import type { NDArray } from "../protocol/ndarray.ts";
import type { InferenceRequest, InferenceResponse } from "../protocol/oip/types.ts";

/** Custom metric types (metrics-and-processes.md §2.2). */
export type MetricType = "COUNTER" | "GAUGE" | "TIMER";

/** A custom metric; TIMER values are milliseconds. */
export interface Metric {
  /** `COUNTER` (adds), `GAUGE` (sets) or `TIMER` (milliseconds). */
  type: MetricType;
  /** The Prometheus metric name. */
  key: string;
  /** A number (booleans count as 0/1). */
  value: number;
  /** Extra labels; the server adds `method` = the operation's metric label. */
  tags?: Record<string, string>;
}

/** Which request a hook is serving; read-only. */
export interface HookContext {
  /** The transport that received the request. */
  readonly protocol: "rest" | "grpc";
  /** The operation: `predict`, `transform-input`, `transform-output`, `route`, `aggregate`, `send-feedback`, `health-status`, `infer` (V2). */
  readonly operation: string;
  /** Request headers (HTTP headers, or gRPC metadata as headers). */
  readonly headers: Headers;
}

/** What a model's error handler may answer instead of the Seldon error body (server.md §5.4). */
export interface ErrorResponse {
  /** HTTP status code. */
  status: number;
  /** The body, sent JSON-encoded with `Content-Type: application/json`. */
  body: unknown;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** What a high-level hook may return (user-api.md §3). */
export type HookResult =
  | NDArray
  | unknown[]
  | ArrayBufferView
  | string
  | Record<string, unknown>
  | SeldonResponse;

/** A hook's result: the value itself, or a promise of it (every hook may be async). */
export type Awaitable<T> = T | Promise<T>;

/**
 * Every optional hook of a Seldon component. All hooks may be async; `this` is the instance.
 * X is an `NDArray` for ndarray/tensor/tftensor payloads, a string for strData, a `Uint8Array`
 * for binData, the plain JSON value for jsonData and a `ProtoAny` for gRPC customData.
 * A high-level hook's result is sent as: string → `strData`, `Uint8Array` → `binData`, NDArray,
 * nested array or typed array → `data` in the request's kind (ndarray/tensor/tftensor;
 * non-numeric → ndarray), plain object → `jsonData`, `ProtoAny` → `customData` (gRPC only);
 * a {@link SeldonResponse} wraps any of these with runtime tags and metrics.
 */
export interface SeldonComponent {
  /**
   * Runs once per serving process, after `initMetadata` and before the process accepts
   * traffic. Throwing {@link SeldonNotImplementedError} is ignored; any other error is fatal.
   */
  load?(): Awaitable<void>;
  /**
   * Extra user code run in a process of its own (upstream `custom_service`), e.g. another
   * server: the supervisor starts it once at launch with a freshly constructed component (no
   * `load()`), and stops it with the server. Not run in `--debug` mode.
   */
  customService?(): Awaitable<void>;
  /**
   * The prediction. `X`: NDArray (ndarray/tensor/tftensor), string (strData), Uint8Array
   * (binData) or the JSON value (jsonData); `names`: `data.names` or `[]`; `meta`: the request
   * meta (when absent: `undefined` on REST, `{}` on gRPC). Return an NDArray, nested array,
   * typed array, Uint8Array, string, plain object or {@link SeldonResponse} (sent as described
   * on {@link SeldonComponent}). Absent: answers `[]`.
   */
  predict?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  /**
   * An Open Inference Protocol (V2) inference with named input and output tensors (REST
   * `POST /v2/models/{name}/infer`, gRPC `ModelInfer`). Without it, a V2 request with one input
   * calls {@link predict} with that input's `NDArray`, `names` `[]` and `meta`
   * `{parameters}` (`{}` without request parameters), and the result becomes one output tensor.
   * The answer's `id`, `modelName` and `modelVersion` are filled in when left out; a
   * {@link SeldonResponse} wrapping the answer adds runtime tags (as response parameters) and
   * metrics (`method="infer"`).
   */
  infer?(
    request: InferenceRequest,
    ctx: HookContext,
  ): Awaitable<InferenceResponse | SeldonResponse>;
  /**
   * Replaces the whole predict chain. `message`: REST → the request JSON exactly as received
   * (any JSON type); gRPC → the SeldonMessage as proto3-JSON. The result is sent unchanged.
   */
  predictRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  /** Input transformer; arguments and results as {@link predict}. Absent: returns `X`. */
  transformInput?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  /** Raw input transformer; `message` as for {@link predictRaw}. */
  transformInputRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  /** Output transformer; arguments and results as {@link predict}. Absent: returns `X`. */
  transformOutput?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  /** Raw output transformer; `message` as for {@link predictRaw}. */
  transformOutputRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  /**
   * Returns the index of the child to route to (an integer, or a {@link SeldonResponse} of
   * one); arguments as {@link predict}. Absent: 400 `Route not defined`.
   */
  route?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  /** Raw router; `message` as for {@link predictRaw}; the result is sent unchanged. */
  routeRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  /**
   * Combines several messages: `Xs` one X per message (decoded as for {@link predict}),
   * `namesList` one names list per message; no meta. Absent: 400 `Aggregate not defined`.
   */
  aggregate?(Xs: any[], namesList: any[], ctx: HookContext): Awaitable<unknown>;
  /**
   * Raw combiner. `messages`: REST → the request JSON as received (an array or
   * `{seldonMessages}`); gRPC → the SeldonMessageList as proto3-JSON.
   */
  aggregateRaw?(messages: any, ctx: HookContext): Awaitable<unknown>;
  /**
   * Feedback: `X` from `request.data` (an empty array otherwise), its names, the reward, `truth`
   * from `truth.data`, and `routing` = this unit's entry of `response.meta.routing`
   * (`undefined` when absent). May return nothing.
   */
  sendFeedback?(
    X: any,
    names: any,
    reward: number,
    truth: any,
    routing: number | undefined,
    ctx: HookContext,
  ): Awaitable<unknown>;
  /** Raw feedback: the Feedback as proto3-JSON on both transports; nothing answers `{}`. */
  sendFeedbackRaw?(feedback: any, ctx: HookContext): Awaitable<unknown>;
  /**
   * `/health/status` (REST only): the result is encoded like a prediction's. Absent:
   * `"healthy"`; throwing an error answers an error status.
   */
  healthStatus?(ctx: HookContext): Awaitable<unknown>;
  /** `/health/status` (REST only): the result is sent unchanged as the body. */
  healthStatusRaw?(ctx: HookContext): Awaitable<unknown>;
  /**
   * Model metadata document (server.md §4.5), computed once per serving process, before
   * `load()` runs.
   */
  initMetadata?(): Awaitable<unknown>;
  /**
   * Custom metrics for every constructed response (validated at run time): recorded for the
   * metrics port, and echoed in `meta.metrics` while `INCLUDE_METRICS_IN_CLIENT_RESPONSE` is
   * `true` (the default).
   */
  metrics?(): Awaitable<Metric[] | Record<string, unknown>[]>;
  /** Tags added to every constructed response's `meta.tags`. */
  tags?(): Awaitable<Record<string, unknown>>;
  /**
   * Output column names (`data.names`) for results with two or more dimensions: an array, or a
   * method (may be async). Absent: `t:0`, `t:1`, ….
   */
  classNames?: string[] | (() => Awaitable<string[]>);
  /** Accepted for compatibility; never used by the server (as upstream v1.18.2). */
  featureNames?: string[] | (() => string[]);
  /**
   * REST only: asked for every error of a request (thrown by a hook, or by the server, e.g. on
   * input numpy would reject) except a `SeldonMicroserviceException` or
   * `SeldonNotImplementedError` itself (subclasses are offered). Return
   * `{status, body, headers?}` or a `Response`; `undefined` or `null` keeps the default answer.
   */
  modelErrorHandler?(
    err: unknown,
    ctx: HookContext,
  ): Awaitable<ErrorResponse | Response | undefined | null>;
}

/**
 * A class of a Seldon component: constructed with the typed `--parameters` object, e.g.
 * `[{"name":"scale","value":"2","type":"FLOAT"}]` → `{scale: 2}` (`{}` without parameters).
 */
export type SeldonComponentClass = new (parameters: Record<string, any>) => SeldonComponent;

function notImplemented(name: string): never {
  throw new SeldonNotImplementedError(`${name} is not implemented`);
}

/**
 * A base class whose hooks all throw {@link SeldonNotImplementedError}, which the server treats
 * as "hook absent" wherever server.md says so. Extend it and override what the model needs.
 * `classNames` is left undeclared so that a subclass may define it as an array property or as a
 * method; without it, output columns are named `t:0`, `t:1`, ….
 */
export class BaseComponent implements SeldonComponent {
  /** Not implemented: the server answers as if there were no `predict` (`[]`). */
  predict(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("predict");
  }
  /** Not implemented: the server uses `predict`. */
  predictRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("predict_raw");
  }
  /** Not implemented: the input passes through unchanged. */
  transformInput(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_input");
  }
  /** Not implemented: the server uses `transformInput`. */
  transformInputRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_input_raw");
  }
  /** Not implemented: the output passes through unchanged. */
  transformOutput(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_output");
  }
  /** Not implemented: the server uses `transformOutput`. */
  transformOutputRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_output_raw");
  }
  /** Not implemented: 400 `route is not implemented` (not treated as absent). */
  route(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("route");
  }
  /** Not implemented: the server uses `route`. */
  routeRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("route_raw");
  }
  /** Not implemented: 400 `aggregate is not implemented` (not treated as absent). */
  aggregate(_Xs: any[], _namesList: any[], _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("aggregate");
  }
  /** Not implemented: the server uses `aggregate`. */
  aggregateRaw(_messages: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("aggregate_raw");
  }
  /** Not implemented: feedback answers an empty array. */
  sendFeedback(
    _X: any,
    _names: any,
    _reward: number,
    _truth: any,
    _routing: number | undefined,
    _ctx: HookContext,
  ): Awaitable<unknown> {
    return notImplemented("send_feedback");
  }
  /** Not implemented: the server uses `sendFeedback`. */
  sendFeedbackRaw(_feedback: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("send_feedback_raw");
  }
  /** Not implemented: `/health/status` answers `"not implemented - assuming healthy"`. */
  healthStatus(_ctx: HookContext): Awaitable<unknown> {
    return notImplemented("health_status");
  }
  /** Not implemented: the server uses `healthStatus`. */
  healthStatusRaw(_ctx: HookContext): Awaitable<unknown> {
    return notImplemented("health_status_raw");
  }
  /** Not implemented: the metadata comes from `MODEL_METADATA` and the defaults. */
  initMetadata(): Awaitable<unknown> {
    return notImplemented("init_metadata");
  }
  /** Not implemented: no custom metrics. */
  metrics(): Awaitable<Metric[] | Record<string, unknown>[]> {
    return notImplemented("metrics");
  }
  /** Not implemented: no extra tags. */
  tags(): Awaitable<Record<string, unknown>> {
    return notImplemented("tags");
  }
}

const STUB_BRAND = Symbol.for("seldon.ts.notImplementedStub");
for (const name of Object.getOwnPropertyNames(BaseComponent.prototype)) {
  const hook = (BaseComponent.prototype as unknown as Record<string, unknown>)[name];
  if (name !== "constructor" && typeof hook === "function") {
    Object.defineProperty(hook, STUB_BRAND, { value: true });
  }
}

/**
 * True when `hook` is one of {@link BaseComponent}'s not-implemented stubs (from any copy of
 * this module): the model does not implement it, and a call would only say so.
 */
export function isNotImplementedStub(hook: unknown): boolean {
  return typeof hook === "function" &&
    (hook as unknown as Record<symbol, unknown>)[STUB_BRAND] === true;
}

const RESPONSE_BRAND = Symbol.for("seldon.ts.SeldonResponse");

/** A hook result plus per-request ("runtime") tags and metrics. */
export class SeldonResponse {
  /** The result data, encoded as a bare return value would be. */
  readonly data: unknown;
  /** Runtime tags, merged over `tags()` in `meta.tags`. */
  readonly tags: Record<string, unknown>;
  /** Runtime metrics, recorded and echoed after `metrics()`. */
  readonly metrics: unknown[];

  /** Wraps `data` (any value a hook may return) with runtime `tags` and `metrics`. */
  constructor(data: unknown, options: { tags?: Record<string, unknown>; metrics?: Metric[] } = {}) {
    this.data = data;
    this.tags = options.tags ?? {};
    this.metrics = options.metrics ?? [];
  }

  /** True for a SeldonResponse from any copy of this module. */
  static isSeldonResponse(x: unknown): x is SeldonResponse {
    return typeof x === "object" && x !== null &&
      (x as Record<symbol, unknown>)[RESPONSE_BRAND] === true;
  }
}
Object.defineProperty(SeldonResponse.prototype, RESPONSE_BRAND, { value: true });

function metricOf(
  type: MetricType,
  key: string,
  value: number,
  tags?: Record<string, string>,
): Metric {
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new TypeError(`${type.toLowerCase()} value must be a number, got ${typeof value}`);
  }
  return tags === undefined ? { type, key, value } : { type, key, value, tags };
}

/** A COUNTER metric (adds `value`). Throws `TypeError` for a non-numeric value. */
export function counter(key: string, value: number, tags?: Record<string, string>): Metric {
  return metricOf("COUNTER", key, value, tags);
}

/** A GAUGE metric (sets `value`). Throws `TypeError` for a non-numeric value. */
export function gauge(key: string, value: number, tags?: Record<string, string>): Metric {
  return metricOf("GAUGE", key, value, tags);
}

/** A TIMER metric (`value` in milliseconds). Throws `TypeError` for a non-numeric value. */
export function timer(key: string, value: number, tags?: Record<string, string>): Metric {
  return metricOf("TIMER", key, value, tags);
}
