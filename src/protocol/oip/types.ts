/**
 * The Open Inference Protocol (V2) as the data plane and a model's `infer` hook see it:
 * transport-blind, with tensors decoded into {@link NDArray}s (../shared/spec/oip/). The REST
 * JSON, binary-extension and gRPC codecs convert between their wire forms and these.
 * @module
 */
import type { NDArray } from "../ndarray.ts";

/** A tensor's element type (inference_rest.md, "Tensor Data Types"). */
export type Datatype =
  | "BOOL"
  | "UINT8"
  | "UINT16"
  | "UINT32"
  | "UINT64"
  | "INT8"
  | "INT16"
  | "INT32"
  | "INT64"
  | "FP16"
  | "FP32"
  | "FP64"
  | "BYTES";

/**
 * A parameter value. In gRPC `InferParameter` is a oneof of bool, int64, string, double and
 * uint64: integers beyond ±2^53 arrive as `bigint`; a `bigint` or an integral `number` is sent
 * as int64 (uint64 above the int64 range), any other number as double.
 */
export type ParameterValue = boolean | number | bigint | string;

/** Parameters at request, tensor or output level. */
export type Parameters = Readonly<Record<string, ParameterValue>>;

/** One input tensor of a request, decoded: `data` has the tensor's shape and dtype. */
export interface InferenceInput {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly parameters?: Parameters;
  readonly data: NDArray;
}

/** An output the client asks for (`outputs` of a request). */
export interface RequestedOutput {
  readonly name: string;
  readonly parameters?: Parameters;
}

/** An inference request as a model's `infer` hook receives it. */
export interface InferenceRequest {
  /** The request's `id`, echoed in the answer. */
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly inputs: readonly InferenceInput[];
  /** The outputs asked for; absent: all of them. */
  readonly outputs?: readonly RequestedOutput[];
}

/**
 * One output tensor of an answer. `data` is an {@link NDArray} (its shape and dtype are the
 * tensor's unless `shape` / `datatype` say otherwise), or flat row-major values with `shape`.
 */
export interface InferenceOutput {
  readonly name: string;
  readonly data: NDArray | ArrayLike<unknown>;
  readonly shape?: readonly number[];
  readonly datatype?: Datatype;
  readonly parameters?: Parameters;
}

/**
 * What a model's `infer` hook returns. The server fills `modelName`, `modelVersion` and `id`
 * (the request's) when the hook leaves them out.
 */
export interface InferenceResponse {
  readonly modelName?: string;
  readonly modelVersion?: string;
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly outputs: readonly InferenceOutput[];
}

/** Tensor metadata of model metadata (`inputs` / `outputs` of `GET /v2/models/{name}`). */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: Datatype;
  /** `-1` for a variable-size dimension. */
  readonly shape: readonly number[];
  readonly parameters?: Parameters;
}

/** Model metadata (`GET /v2/models/{name}`, gRPC `ModelMetadata`). */
export interface ModelMetadata {
  readonly name: string;
  readonly versions?: readonly string[];
  readonly platform: string;
  readonly inputs?: readonly TensorMetadata[];
  readonly outputs?: readonly TensorMetadata[];
  readonly parameters?: Parameters;
}

/** Server metadata (`GET /v2`, gRPC `ServerMetadata`). */
export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}
