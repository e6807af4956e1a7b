/**
 * Element types of the ONNX Runtime, of {@link NDArray} and of the Open Inference Protocol, and
 * the conversions between an `NDArray` and a runtime tensor's data. Written only on the public
 * user API (`mod.ts`).
 * @module
 */
import { type Datatype, type DType, NDArray, SeldonMicroserviceException } from "../../../mod.ts";

/** A tensor element type as `onnxruntime-node` names it (`Tensor.type`, metadata `type`). */
export type OrtType =
  | "float32"
  | "float64"
  | "float16"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool"
  | "string";

const V2: Readonly<Record<OrtType, Datatype>> = {
  float32: "FP32",
  float64: "FP64",
  float16: "FP16",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  bool: "BOOL",
  string: "BYTES",
};

/** True for an element type this server converts (the runtime knows a few more, e.g. int4). */
export function isOrtType(type: string): type is OrtType {
  return Object.hasOwn(V2, type);
}

/** The Open Inference Protocol datatype of a runtime element type. */
export function v2Datatype(type: OrtType): Datatype {
  return V2[type];
}

/** A bad request: 400 over REST (`MICROSERVICE_BAD_DATA`), `INVALID_ARGUMENT` over V2 gRPC. */
export function badInput(message: string): SeldonMicroserviceException {
  return new SeldonMicroserviceException(message, { statusCode: 400 });
}

const FLOATS: Readonly<Record<string, (n: number) => ArrayLike<number>>> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int8: (n) => new Int8Array(n),
  int16: (n) => new Int16Array(n),
  int32: (n) => new Int32Array(n),
  uint8: (n) => new Uint8Array(n),
  uint16: (n) => new Uint16Array(n),
  uint32: (n) => new Uint32Array(n),
};

/** The data of a runtime tensor of element type `type` holding `x`'s values (cast like numpy). */
export function tensorData(x: NDArray, type: OrtType, what: string): unknown {
  const src = x.data;
  const numeric = x.dtype !== "string" && x.dtype !== "object";
  if (type === "string") {
    if (x.dtype !== "string" && x.dtype !== "object") {
      throw badInput(`${what}: the model expects strings, got ${x.dtype} values`);
    }
    return Array.from(src as ArrayLike<unknown>, (v) => bytesText(v));
  }
  if (!numeric) {
    throw badInput(`${what}: the model expects ${type} values, got ${x.dtype} values`);
  }
  if (type === "float16") {
    throw badInput(`${what}: float16 inputs are not supported by OnnxServer`);
  }
  if (type === "int64" || type === "uint64") {
    const Big = type === "int64" ? BigInt64Array : BigUint64Array;
    if (src instanceof Big) return src;
    const out = new Big(src.length);
    for (let i = 0; i < src.length; i++) out[i] = toBigInt(src[i]);
    return out;
  }
  if (type === "bool") {
    if (src instanceof Uint8Array && x.dtype === "bool") return src;
    return Uint8Array.from(src as ArrayLike<unknown>, (v) => (Number(v) !== 0 ? 1 : 0));
  }
  const make = FLOATS[type];
  const probe = make(0);
  if (src.constructor === probe.constructor) return src;
  const out = make(src.length) as unknown as number[];
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  return out;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  const n = Number(v);
  return Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
}

function bytesText(v: unknown): string {
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
}

/** An `NDArray` over a runtime tensor's data (a view, not a copy, for numeric types). */
export function fromTensor(type: string, data: unknown, dims: readonly number[]): NDArray {
  if (type === "string") return new NDArray(Array.from(data as string[]), dims, "string");
  if (type === "bool") return new NDArray(data as Uint8Array, dims, "bool");
  if (type === "float16" && data instanceof Uint16Array) {
    const bits = new Float16Array(data.buffer, data.byteOffset, data.length);
    return new NDArray(bits, dims, "float16");
  }
  if (!isOrtType(type)) {
    throw new SeldonMicroserviceException(`OnnxServer cannot convert outputs of type ${type}`, {
      statusCode: 500,
      reason: "MICROSERVICE_INTERNAL_ERROR",
    });
  }
  return new NDArray(data as Float32Array, dims, type as DType);
}
