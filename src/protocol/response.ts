/**
 * Response construction (protocol.md §4): what a hook returned → a SeldonMessage that mirrors
 * the reference request's data kind, with class names and merged `meta`. Objects are built with
 * their keys in sorted order, as Flask's `jsonify` writes them, at no extra cost.
 * @module
 */
import { encodeBase64 } from "./base64.ts";
import { badData } from "./errors.ts";
import { isArrayValue, isNumericDType, NDArray } from "./ndarray.ts";
import { isObject, type JsonObject, type Mode, ProtoAny } from "./payload.ts";
import { markObjectFree } from "./object_free.ts";
import { isPlainObject } from "./plain_object.ts";
import { parseProtoJson } from "./proto/json.ts";
import { pyStrBounded, pyTypeName } from "../python/repr.ts";
import { isPyDict, pyAttributeError, pyMappingError, pyTruthy } from "../python/operators.ts";
import { ndarrayToTftensor } from "./tftensor.ts";

/** The parts of request meta merged into a response (§4.5). */
export interface MetaParts {
  tags?: unknown;
  metrics?: unknown;
  requestPath?: unknown;
}

/** Everything besides the data that goes into a constructed response. */
export interface ResponseContext {
  /** The reference request: its data kind is mirrored (§4.2). */
  readonly ref: JsonObject;
  /**
   * Request meta to merge (tags, metrics, requestPath), or none (route, feedback, health). JSON
   * mode passes the request's `meta` as sent, whatever its type (upstream's errors follow).
   */
  readonly merge: MetaParts | unknown;
  /** The puid to copy when Python would call it true (upstream `if puid:`; a non-empty string). */
  readonly puid: unknown;
  /** `tags()` result merged after the request tags. */
  readonly userTags: JsonObject | undefined;
  /** Runtime tags of a SeldonResponse, merged last. */
  readonly runtimeTags: JsonObject | undefined;
  /**
   * Custom metrics to append as the hooks wrote them (already validated, recorded and gated by
   * the include switch); proto mode writes them as proto3-JSON `Metric`s.
   */
  readonly metrics: unknown[];
  /** This node's own `requestPath` entry, if `PREDICTIVE_UNIT_ID` is set. */
  readonly ownPath: Readonly<Record<string, string>> | undefined;
  /** Output column names for a result with ≥ 2 dimensions of `cols` columns. */
  readonly classNames: (cols: number) => unknown;
}

/** The 400 for a return value that has no payload kind (§4.1). */
export function unknownPayload(value: unknown): Error {
  return badData(
    `Unknown data type returned as payload (must be list or np array):${pyStrBounded(value)}`,
  );
}

/**
 * Proto mode (§4.1, gRPC and feedback): upstream builds its message as
 * `"Unknown data type returned as payload:" + R`, which itself fails in Python for any
 * non-string `R`, so the error the client sees is that `TypeError`.
 */
function protoUnknownPayload(value: unknown): Error {
  return new TypeError(`can only concatenate str (not "${pyTypeName(value)}") to str`);
}

/** How one wire mode builds response messages from hook results. */
export interface ResponseBuilder {
  /** The response message for hook result `data` (§4.1–§4.5). */
  build(data: unknown, ctx: ResponseContext): JsonObject;
  /** Sets a built response's output names once an async `classNames()` has settled. */
  setNames(response: JsonObject, names: unknown): void;
}

function builder(mode: Mode): ResponseBuilder {
  return {
    build: (data, ctx) => buildResponse(data, ctx, mode),
    setNames: (response, names) => {
      const out = response.data as JsonObject;
      if (writesNames(names, mode)) out.names = names;
      else delete out.names;
    },
  };
}

/** JSON mode (REST): the request JSON as sent is the reference; names always written. */
export const JSON_RESPONSES: ResponseBuilder = builder("json");
/** Proto mode (gRPC, every feedback): canonical proto3-JSON messages; empty names omitted. */
export const PROTO_RESPONSES: ResponseBuilder = builder("proto");

/** JSON mode writes every names list; proto mode omits an empty repeated field. */
function writesNames(names: unknown, mode: Mode): boolean {
  return mode === "json" || (Array.isArray(names) && names.length > 0);
}

/** Builds the response message for hook result `data` (§4.1–§4.5). */
export function buildResponse(data: unknown, ctx: ResponseContext, mode: Mode): JsonObject {
  // The payload first, then meta (object literals evaluate in order): upstream fails on an
  // unknown payload before it reads the request meta.
  if (typeof data === "string") return { meta: buildMeta(ctx, mode), strData: data };
  if (data instanceof Uint8Array) {
    return { binData: encodeBase64(data), meta: buildMeta(ctx, mode) };
  }
  if (
    Array.isArray(data) || NDArray.isNDArray(data) ||
    (ArrayBuffer.isView(data) && !(data instanceof DataView))
  ) {
    return { data: encodeArray(data, ctx, mode), meta: buildMeta(ctx, mode) };
  }
  if (ProtoAny.isProtoAny(data) && mode === "proto") {
    const customData = { "@type": data.typeUrl, value: encodeBase64(data.value) };
    return { customData, meta: buildMeta(ctx, mode) };
  }
  if (isPlainObject(data)) return { jsonData: data, meta: buildMeta(ctx, mode) };
  throw mode === "proto" ? protoUnknownPayload(data) : unknownPayload(data);
}

type SubKind = "tensor" | "ndarray" | "tftensor";

/** Type mirroring (§4.2): which sub-kind an array result is written as. */
function mirroredKind(ref: JsonObject, numeric: boolean, mode: Mode): SubKind {
  if (!numeric) return "ndarray";
  const data = ref.data;
  if (!isObject(data)) return mode === "json" && "data" in ref ? "ndarray" : "tensor";
  if (mode === "json") {
    if ("tensor" in data) return "tensor";
    if ("tftensor" in data) return "tftensor";
    return "ndarray";
  }
  if (data.tensor !== undefined) return "tensor";
  if (data.tftensor !== undefined) return "tftensor";
  return "ndarray";
}

function encodeArray(value: unknown, ctx: ResponseContext, mode: Mode): JsonObject {
  const array = NDArray.from(value);
  const kind = mirroredKind(ctx.ref, isNumericDType(array.dtype), mode);
  const names = array.ndim >= 2 ? ctx.classNames(array.shape[1]) : [];
  const out: JsonObject = {};
  if (writesNames(names, mode)) out.names = names;
  switch (kind) {
    case "tensor":
      out.tensor = encodeTensor(array, mode);
      break;
    case "tftensor":
      out.tftensor = ndarrayToTftensor(array);
      break;
    case "ndarray":
      out.ndarray = mode === "json" && Array.isArray(value)
        ? listAsIs(value)
        : mode === "proto" && array.ndim === 0
        ? [array.tolist()]
        : isNumericDType(array.dtype) && array.ndim > 0 && array.size > LARGE
        ? markObjectFree(array.tolist() as unknown[])
        : array.tolist();
      break;
  }
  return out;
}

/**
 * A returned list, written unchanged in the JSON-mode ndarray branch (§4.2). Upstream's
 * `jsonify` cannot write the arrays of a list of numpy arrays, so neither do we.
 */
function listAsIs(value: unknown[]): unknown[] {
  if (isArrayValue(value[0])) {
    throw new TypeError("Object of type ndarray is not JSON serializable");
  }
  return value;
}

/** Above this many values, {@link encodeTensor} preallocates its list. */
const LARGE = 1024;

function encodeTensor(array: NDArray, mode: Mode): JsonObject {
  // A loop, not Array.from: 0.04 µs against 0.6–1.1 µs for four float64s (gRPC tensor
  // Predict 10.2 → 9.0 µs, bench/grpc_handler.ts).
  // A large one is allocated at its size first, filled with a fraction so V8 stores it as
  // doubles from the start (1e6 float64s: ~4.5 ms, against ~10 filled with 0 and ~16 of pushes).
  const data = array.data;
  const n = data.length;
  const values: number[] = n > LARGE ? markObjectFree(new Array<number>(n).fill(0.5)) : [];
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    if (n > LARGE) { for (let i = 0; i < n; i++) values[i] = Number(data[i]); }
    else for (let i = 0; i < n; i++) values.push(Number(data[i]));
  } else {
    const numbers = data as Float64Array;
    if (n > LARGE) { for (let i = 0; i < n; i++) values[i] = numbers[i]; }
    else for (let i = 0; i < n; i++) values.push(numbers[i]);
  }
  if (mode === "json") return { shape: [...array.shape], values };
  const out: JsonObject = {};
  if (array.shape.length > 0) out.shape = [...array.shape];
  if (values.length > 0) out.values = values;
  return out;
}

/** The response `meta` (§4.5); always an object, keys in sorted order. */
function buildMeta(ctx: ResponseContext, mode: Mode): JsonObject {
  if (mode === "json" && !plainMeta(ctx)) return buildOddJsonMeta(ctx);
  const merge = ctx.merge as MetaParts | undefined;
  const reqTags = isObject(merge?.tags) ? merge.tags : undefined;
  const tags = reqTags || ctx.userTags || ctx.runtimeTags
    ? { ...reqTags, ...ctx.userTags, ...ctx.runtimeTags }
    : undefined;
  const reqMetrics = Array.isArray(merge?.metrics) ? merge.metrics : [];
  const own = mode === "proto" && ctx.metrics.length > 0
    ? ctx.metrics.map((m) => parseProtoJson("Metric", m))
    : ctx.metrics;
  const metrics = reqMetrics.length > 0 ? [...reqMetrics, ...own] : own;
  const reqPath = isObject(merge?.requestPath) ? merge.requestPath : undefined;
  const path = ctx.ownPath || reqPath ? { ...ctx.ownPath, ...reqPath } : undefined;
  const meta: JsonObject = {};
  if (metrics.length > 0) meta.metrics = metrics;
  if (pyTruthy(ctx.puid)) meta.puid = ctx.puid;
  if (path && Object.keys(path).length > 0) meta.requestPath = path;
  if (tags && Object.keys(tags).length > 0) meta.tags = tags;
  return meta;
}

/**
 * True when JSON-mode meta needs none of upstream's type errors: the merged meta is absent or
 * an object whose tags, metrics and requestPath are absent or of their types, and the
 * reference request's `meta` is absent or an object.
 */
function plainMeta(ctx: ResponseContext): boolean {
  const merge = ctx.merge;
  if (merge !== undefined) {
    if (!isObject(merge)) return false;
    const m = merge as MetaParts;
    if (m.tags !== undefined && !isObject(m.tags)) return false;
    if (m.metrics !== undefined && !Array.isArray(m.metrics)) return false;
    if (m.requestPath !== undefined && !isObject(m.requestPath)) return false;
  }
  return !("meta" in ctx.ref) || isObject(ctx.ref.meta);
}

/**
 * JSON-mode meta of a request whose meta members are not of their types, step by step as
 * upstream's `construct_response_json` runs: `meta.get(…)` on a true non-dict
 * (`AttributeError: 'str' object has no attribute 'get'`), `tags.update(…)` /
 * `metrics.extend(…)` when there is something to add, `if tags:` / `if metrics:` (a true value
 * of another type is echoed as is), the request's `meta.get("puid")`, `{**own, **requestPath}`
 * (`TypeError: 'str' object is not a mapping`). Errors are plain (HTTP 500).
 */
function buildOddJsonMeta(ctx: ResponseContext): JsonObject {
  const merge = ctx.merge;
  let tags: unknown = {};
  let metrics: unknown = [];
  let path: unknown = {};
  if (pyTruthy(merge)) {
    if (!isPyDict(merge)) throw pyAttributeError(merge, "get");
    if ("tags" in merge) tags = merge.tags;
    if ("metrics" in merge) metrics = merge.metrics;
    if ("requestPath" in merge) path = merge.requestPath;
  }
  for (const extra of [ctx.userTags, ctx.runtimeTags]) {
    if (!pyTruthy(extra)) continue;
    if (!isPyDict(tags)) throw pyAttributeError(tags, "update");
    tags = { ...tags, ...extra };
  }
  if (ctx.metrics.length > 0) {
    if (!Array.isArray(metrics)) throw pyAttributeError(metrics, "extend");
    metrics = [...metrics, ...ctx.metrics];
  }
  const meta: JsonObject = {};
  if (pyTruthy(metrics)) meta.metrics = metrics;
  if ("meta" in ctx.ref) {
    const requestMeta = ctx.ref.meta;
    if (!isPyDict(requestMeta)) throw pyAttributeError(requestMeta, "get");
    if (pyTruthy(requestMeta.puid)) meta.puid = requestMeta.puid;
  }
  if (!isPyDict(path)) throw pyMappingError(path);
  const fullPath = { ...ctx.ownPath, ...path };
  if (Object.keys(fullPath).length > 0) meta.requestPath = fullPath;
  if (pyTruthy(tags)) meta.tags = tags;
  return meta;
}
