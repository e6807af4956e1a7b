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
  /** The tensor's name. */
  readonly name: string;
  /** Its element type. */
  readonly datatype: Datatype;
  /** Its shape (row-major). */
  readonly shape: readonly number[];
  /** Its parameters (e.g. `binary_data_size`). */
  readonly parameters?: Parameters;
  /** The values, in the datatype's own typed array. */
  readonly data: NDArray;
}

/** An output the client asks for (`outputs` of a request). */
export interface RequestedOutput {
  /** The output's name. */
  readonly name: string;
  /** Its parameters (e.g. `binary_data`). */
  readonly parameters?: Parameters;
}

/** An inference request as a model's `infer` hook receives it. */
export interface InferenceRequest {
  /** The request's `id`, echoed in the answer. */
  readonly id?: string;
  /** Request-level parameters. */
  readonly parameters?: Parameters;
  /** The input tensors, in request order. */
  readonly inputs: readonly InferenceInput[];
  /** The outputs asked for; absent: all of them. */
  readonly outputs?: readonly RequestedOutput[];
}

/**
 * One output tensor of an answer. `data` is an {@link NDArray} (its shape and dtype are the
 * tensor's unless `shape` / `datatype` say otherwise), or flat row-major values with `shape`.
 */
export interface InferenceOutput {
  /** The output's name. */
  readonly name: string;
  /** The values: an NDArray, or flat row-major values. */
  readonly data: NDArray | ArrayLike<unknown>;
  /** The shape (default: the NDArray's). */
  readonly shape?: readonly number[];
  /** The element type (default: from the NDArray's dtype). */
  readonly datatype?: Datatype;
  /** Output-level parameters. */
  readonly parameters?: Parameters;
}

/**
 * What a model's `infer` hook returns. The server fills `modelName` and `modelVersion` when the
 * hook leaves them out; `id` is always the request's when it has one.
 */
export interface InferenceResponse {
  /** The model's name (default: the server's model name). */
  readonly modelName?: string;
  /** The model's version (default: the request's, else the metadata's first). */
  readonly modelVersion?: string;
  /** Used only when the request has none (a request's `id` is always echoed, as the spec says). */
  readonly id?: string;
  /** Response-level parameters. */
  readonly parameters?: Parameters;
  /** The output tensors. */
  readonly outputs: readonly InferenceOutput[];
}

/** Tensor metadata of model metadata (`inputs` / `outputs` of `GET /v2/models/{name}`). */
export interface TensorMetadata {
  /** The tensor's name. */
  readonly name: string;
  /** Its element type. */
  readonly datatype: Datatype;
  /** `-1` for a variable-size dimension. */
  readonly shape: readonly number[];
  /** Extra information. */
  readonly parameters?: Parameters;
}

/** Model metadata (`GET /v2/models/{name}`, gRPC `ModelMetadata`). */
export interface ModelMetadata {
  /** The model's name. */
  readonly name: string;
  /** The versions served. */
  readonly versions?: readonly string[];
  /** The framework / backend. */
  readonly platform: string;
  /** The inputs the model expects. */
  readonly inputs?: readonly TensorMetadata[];
  /** The outputs it produces. */
  readonly outputs?: readonly TensorMetadata[];
  /** Extra information. */
  readonly parameters?: Parameters;
}

/** Server metadata (`GET /v2`, gRPC `ServerMetadata`). */
export interface ServerMetadata {
  /** The server's name. */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** The protocol extensions it supports. */
  readonly extensions: readonly string[];
}

/** One model of the repository index (`POST /v2/repository/index`, the repository extension). */
export interface RepositoryModel {
  /** The model's name. */
  readonly name: string;
  /** Its version, when the metadata lists any (the first). */
  readonly version?: string;
  /** `READY` once loaded, else `UNAVAILABLE`. */
  readonly state: "READY" | "UNAVAILABLE";
  /** Why it is not ready (empty when it is). */
  readonly reason: string;
}
