/**
 * Request payload decoding: what the hooks receive from a SeldonMessage (protocol.md §3), in
 * JSON mode (REST: a plain JSON value, never normalised through protobuf) and proto mode (gRPC
 * and feedback: a canonical proto3-JSON message).
 * @module
 */
import { decodeBase64Lenient } from "./base64.ts";
import { markNumbersAsFloats } from "./number_tokens.ts";
import { badData } from "./errors.ts";
import { NDArray, resolveShape } from "./ndarray.ts";
import { parseProtoJson } from "./proto/json.ts";
import { pyStrBounded, pyTypeName } from "../python/repr.ts";
import { pyIn, pySubscriptError, pyTruthy } from "../python/operators.ts";
import { checkShape } from "./shape.ts";
import { tftensorToNDArray } from "./tftensor.ts";

/** REST requests are plain JSON values; gRPC requests and feedback are proto3-JSON messages. */
export type Mode = "json" | "proto";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** What a high-level hook is called with. */
export interface Decoded {
  /** NDArray, string, Uint8Array, JSON value or {@link ProtoAny}. */
  readonly X: unknown;
  readonly names: unknown;
  /** JSON mode: the request `meta` as sent (undefined when absent); proto mode: `{}` at least. */
  readonly meta: unknown;
}

const ANY_BRAND = Symbol.for("seldon.ts.ProtoAny");

/** A `google.protobuf.Any` (gRPC `customData`): a type URL and the packed bytes. */
export class ProtoAny {
  /** `typeUrl` is the Any's `@type`; `value` its packed bytes. */
  constructor(readonly typeUrl: string, readonly value: Uint8Array) {
    Object.defineProperty(this, ANY_BRAND, { value: true });
  }
  /** True for a ProtoAny from any copy of this module. */
  static isProtoAny(x: unknown): x is ProtoAny {
    return typeof x === "object" && x !== null &&
      (x as Record<symbol, unknown>)[ANY_BRAND] === true;
  }
}

/** True for a non-null, non-array object. */
export function isObject(x: unknown): x is JsonObject {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** An empty float64 array of shape `[0]` (the "no data" value). */
export function emptyArray(): NDArray {
  return new NDArray(new Float64Array(0), [0], "float64");
}

/** The 400 error for a request that is not a usable SeldonMessage. */
export function invalidRequest(value: unknown, repr?: () => string): Error {
  return badData(`Invalid request data type: ${repr ? repr() : pyStrBounded(value)}`);
}

/**
 * Decodes one JSON-mode request (protocol.md §3.1): the first of `data`, `jsonData`, `strData`,
 * `binData` that is present decides X. Throws 400 `Invalid request data type` when the value is
 * not an object or has none of them; `repr` renders the request for that message.
 */
export function decodeJsonMessage(request: unknown, repr?: () => string): Decoded {
  if (!isObject(request)) throw invalidRequest(request, repr);
  const meta = request.meta;
  if ("data" in request) {
    const data = request.data;
    if (!isObject(data)) return { X: decodeOddData(data), names: [], meta };
    return { X: decodeJsonData(data), names: "names" in data ? data.names : [], meta };
  }
  if ("jsonData" in request) return { X: request.jsonData, names: [], meta };
  if ("strData" in request) return { X: request.strData, names: [], meta };
  if ("binData" in request) {
    const b = request.binData;
    if (typeof b !== "string") {
      // Python's `b64decode` TypeError (a 500, like every other undecodable binData).
      throw new Error(
        `argument should be a bytes-like object or ASCII string, not '${pyTypeName(b)}'`,
      );
    }
    return { X: decodeBase64Lenient(b), names: [], meta };
  }
  throw invalidRequest(request, repr);
}

/**
 * X from a `data` member that is not an object, as upstream's `"tensor" in data` tests and
 * `data["names"]` treat it: `null`, a number or a boolean cannot be searched (`TypeError:
 * argument of type 'NoneType' is not iterable`, a 500); a str or list that holds a payload key
 * (or, non-empty, `names`) is then indexed by it (`string indices must be integers`); any other
 * str or list is a `data` without payload, an empty array.
 */
function decodeOddData(data: unknown): NDArray {
  for (const key of ODD_DATA_KEYS) {
    if (pyIn(key, data)) throw pySubscriptError(data);
  }
  if (pyTruthy(data) && pyIn("names", data)) throw pySubscriptError(data);
  return emptyArray();
}

const ODD_DATA_KEYS = ["tensor", "ndarray", "tftensor"];

/** X from a JSON-mode `data` member: tensor, then ndarray, then tftensor, else empty. */
function decodeJsonData(data: JsonObject): NDArray {
  if ("tensor" in data) {
    const tensor = data.tensor as JsonObject;
    // upstream reads `tensor["values"]` first: a non-dict fails as Python indexes it.
    if (!isObject(tensor)) throw pySubscriptError(tensor);
    if (!("values" in tensor)) throw new Error("'values'");
    if (!("shape" in tensor)) throw new Error("'shape'");
    const values = NDArray.from(tensor.values);
    // numpy 1.x's `reshape(None)` returns the array unchanged.
    if (tensor.shape === null) return values;
    return values.reshape(checkShape(numpyShapeArg(tensor.shape)));
  }
  if ("ndarray" in data) return NDArray.from(data.ndarray);
  if ("tftensor" in data) return tftensorToNDArray(parseProtoJson("TensorProto", data.tftensor));
  return emptyArray();
}

/**
 * The dimensions numpy's `reshape(shape)` reads from a JSON `shape` that is not `null`: a list
 * as is, a str as a sequence of str items (`""` the empty shape), a bare integer as `[n]` (one
 * past 2^53 is then too large, as in a list);
 * anything else (a fractional number, a bool, an object) is refused with numpy's text and the
 * value's repr cut at 100 characters (`%.100R`).
 */
function numpyShapeArg(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if ((typeof raw === "number" && Number.isInteger(raw)) || typeof raw === "bigint") return [raw];
  if (typeof raw === "string") {
    if (raw === "") return [];
    throw new TypeError("'str' object cannot be interpreted as an integer");
  }
  throw new TypeError(
    `expected a sequence of integers or a single integer, got '${
      pyStrBounded(raw, 200).slice(0, 100)
    }'`,
  );
}

/**
 * Decodes a canonical proto3-JSON SeldonMessage (gRPC, feedback parts): numbers are doubles,
 * so ndarray integers become float64. Throws 400 `Unknown data in SeldonMessage` when no
 * payload member is set.
 */
export function decodeProtoMessage(message: JsonObject): Decoded {
  const meta = message.meta ?? {};
  const data = message.data as JsonObject | undefined;
  if (data !== undefined) {
    return { X: decodeProtoData(data), names: data.names ?? [], meta };
  }
  if (message.binData !== undefined) {
    return { X: decodeBase64Lenient(message.binData as string), names: [], meta };
  }
  if (message.strData !== undefined) return { X: message.strData, names: [], meta };
  if (message.jsonData !== undefined) {
    markNumbersAsFloats(message.jsonData);
    return { X: message.jsonData, names: [], meta };
  }
  if (message.customData !== undefined) {
    const any = message.customData as JsonObject;
    const bytes = decodeBase64Lenient(String(any.value ?? ""));
    return { X: new ProtoAny(String(any["@type"] ?? ""), bytes), names: [], meta };
  }
  throw badData("Unknown data in SeldonMessage");
}

/** X from a proto-mode `DefaultData` (always float64 for numbers). */
export function decodeProtoData(data: JsonObject): NDArray {
  if (data.tensor !== undefined) {
    const tensor = data.tensor as { shape?: number[]; values?: number[] };
    const values = tensor.values ?? [];
    const shape = tensor.shape ?? (values.length === 0 ? [0] : []);
    // A loop: `Float64Array.from(values, Number)` takes the iterator path (~10× slower).
    const n = values.length;
    const flat = new Float64Array(n);
    for (let i = 0; i < n; i++) flat[i] = Number(values[i]);
    // One array, not a flat one reshaped (what `reshape` does, without the second array).
    return new NDArray(flat, resolveShape(checkShape(shape), n), "float64");
  }
  if (data.ndarray !== undefined) {
    return NDArray.from(data.ndarray, undefined, { numbersAreFloat: true });
  }
  if (data.tftensor !== undefined) return tftensorToNDArray(data.tftensor as JsonObject);
  return emptyArray();
}
