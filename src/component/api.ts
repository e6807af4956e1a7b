/**
 * What a model author writes against (user-api.md): the hook interface, the base class whose
 * stubs mean "not implemented", the result wrapper and the custom-metric helpers.
 * @module
 */
import { SeldonNotImplementedError } from "../protocol/errors.ts";
import type { NDArray } from "../protocol/ndarray.ts";

/** Custom metric types (metrics-and-processes.md §2.2). */
export type MetricType = "COUNTER" | "GAUGE" | "TIMER";

/** A custom metric; TIMER values are milliseconds. */
export interface Metric {
  type: MetricType;
  key: string;
  value: number;
  tags?: Record<string, string>;
}

/** Which request a hook is serving; read-only. */
export interface HookContext {
  /** The transport that received the request. */
  readonly protocol: "rest" | "grpc";
  /** The operation: `predict`, `transform-input`, `transform-output`, `route`, `aggregate`, `send-feedback`, `health-status`. */
  readonly operation: string;
  /** Request headers (HTTP headers, or gRPC metadata as headers). */
  readonly headers: Headers;
}

/** What a model's error handler may answer instead of the Seldon error body (server.md §5.4). */
export interface ErrorResponse {
  status: number;
  body: unknown;
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

type Awaitable<T> = T | Promise<T>;

/**
 * Every optional hook of a Seldon component. All hooks may be async; `this` is the instance.
 * X is an `NDArray` for ndarray/tensor/tftensor payloads, a string for strData, a `Uint8Array`
 * for binData and the plain JSON value for jsonData.
 */
export interface SeldonComponent {
  /** Runs once per serving process before it accepts traffic. */
  load?(): Awaitable<void>;
  predict?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  predictRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  transformInput?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  transformInputRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  transformOutput?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  transformOutputRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  /** Returns the index of the child to route to (an integer). */
  route?(X: any, names: any, meta: any, ctx: HookContext): Awaitable<unknown>;
  routeRaw?(message: any, ctx: HookContext): Awaitable<unknown>;
  aggregate?(Xs: any[], namesList: any[], ctx: HookContext): Awaitable<unknown>;
  aggregateRaw?(messages: any, ctx: HookContext): Awaitable<unknown>;
  sendFeedback?(
    X: any,
    names: any,
    reward: number,
    truth: any,
    routing: number | undefined,
    ctx: HookContext,
  ): Awaitable<unknown>;
  sendFeedbackRaw?(feedback: any, ctx: HookContext): Awaitable<unknown>;
  healthStatus?(ctx: HookContext): Awaitable<unknown>;
  healthStatusRaw?(ctx: HookContext): Awaitable<unknown>;
  /** Model metadata document (server.md §4.5), computed once per serving process. */
  initMetadata?(): Awaitable<unknown>;
  /** Custom metrics added to every constructed response (validated at run time). */
  metrics?(): Awaitable<Metric[] | Record<string, unknown>[]>;
  /** Tags added to every constructed response's `meta.tags`. */
  tags?(): Awaitable<Record<string, unknown>>;
  /** Output column names for results with two or more dimensions. */
  classNames?: string[] | (() => string[]);
  /** Accepted for compatibility; never used by the server (as upstream v1.18.2). */
  featureNames?: string[] | (() => string[]);
  /** Maps the model's own errors to a REST response; `undefined` falls back to the default. */
  modelErrorHandler?(
    err: unknown,
    ctx: HookContext,
  ): Awaitable<ErrorResponse | Response | undefined | null>;
}

/** A class of a Seldon component: constructed with the typed `--parameters` object. */
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
  predict(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("predict");
  }
  predictRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("predict_raw");
  }
  transformInput(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_input");
  }
  transformInputRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_input_raw");
  }
  transformOutput(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_output");
  }
  transformOutputRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("transform_output_raw");
  }
  route(_X: any, _names: any, _meta: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("route");
  }
  routeRaw(_message: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("route_raw");
  }
  aggregate(_Xs: any[], _namesList: any[], _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("aggregate");
  }
  aggregateRaw(_messages: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("aggregate_raw");
  }
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
  sendFeedbackRaw(_feedback: any, _ctx: HookContext): Awaitable<unknown> {
    return notImplemented("send_feedback_raw");
  }
  healthStatus(_ctx: HookContext): Awaitable<unknown> {
    return notImplemented("health_status");
  }
  healthStatusRaw(_ctx: HookContext): Awaitable<unknown> {
    return notImplemented("health_status_raw");
  }
  initMetadata(): Awaitable<unknown> {
    return notImplemented("init_metadata");
  }
  metrics(): Awaitable<Metric[] | Record<string, unknown>[]> {
    return notImplemented("metrics");
  }
  tags(): Awaitable<Record<string, unknown>> {
    return notImplemented("tags");
  }
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
