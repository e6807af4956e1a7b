/**
 * The model calls of batches (see batcher.ts): which requests may share one (their merge keys)
 * and the calls themselves — `predict` on the concatenated rows (Seldon v1, and V2 through
 * `predict`), `infer` on a request whose every input is concatenated — with the result split
 * back by row. A batch of one calls the hook exactly as an unbatched request does.
 *
 * What one batched call returns is shared by its members: runtime tags go to every answer;
 * runtime metrics are recorded once (they describe the one call) and echoed in every answer.
 * The model sees the first member's hook context; v1 `meta` without `puid` (the rest is equal
 * across the batch: it is part of the key).
 * @module
 */
import type { HookContext, SeldonComponent } from "../component/api.ts";
import { SeldonResponse } from "../component/api.ts";
import { collectMetrics, type MetricsRecorder } from "../metrics/custom.ts";
import { NDArray } from "../protocol/ndarray.ts";
import { OipError } from "../protocol/oip/errors.ts";
import type {
  InferenceInput,
  InferenceOutput,
  InferenceRequest,
  InferenceResponse,
  Parameters,
} from "../protocol/oip/types.ts";
import { concatRows, rowKey, splitFlatRows, splitRows } from "../protocol/rows.ts";
import type { BatchRunner } from "./batcher.ts";
import { ABSENT, callOptional, isThenable } from "./hooks.ts";

/** One member's share of a batched call: the hook's result (or {@link ABSENT}). */
export interface BatchedResult {
  /** What the hook returned for this member's rows (a SeldonResponse keeps tags and metrics). */
  readonly result: unknown;
  /** Its runtime metrics were recorded already (once for the batch): echo them only. */
  readonly recorded: boolean;
}

/** A `predict` call's arguments. */
export interface PredictInput {
  readonly X: NDArray;
  readonly names: unknown;
  readonly meta: unknown;
  readonly ctx: HookContext;
}

/** An `infer` call's arguments. */
export interface InferInput {
  readonly request: InferenceRequest;
  readonly ctx: HookContext;
}

/**
 * The merge key of a Seldon v1 predict (`undefined`: it runs alone): the array's dtype, storage
 * and trailing shape, its column names and its `meta` but `puid`.
 */
export function predictKey(X: unknown, names: unknown, meta: unknown): string | undefined {
  if (!NDArray.isNDArray(X)) return undefined;
  const rows = rowKey(X);
  const rest = stableJson([names, withoutPuid(meta)]);
  return rows === undefined || rest === undefined ? undefined : `p|${rows}|${rest}`;
}

/** The merge key of a V2 request answered by `predict` on its one input. */
export function predictInferKey(request: InferenceRequest): string | undefined {
  if (request.inputs.length !== 1) return undefined;
  const rows = rowKey(request.inputs[0].data);
  const rest = stableJson(request.parameters ?? null);
  return rows === undefined || rest === undefined ? undefined : `v|${rows}|${rest}`;
}

/**
 * The merge key of a V2 request answered by `infer`: request parameters, requested outputs and,
 * per input, name, datatype, storage, trailing shape and parameters (but `binary_data_size`).
 * Every input must have the same rows.
 */
export function inferKey(request: InferenceRequest): string | undefined {
  if (inferRows(request) === 0) return undefined;
  const inputs: unknown[] = [];
  for (const input of request.inputs) {
    const rows = rowKey(input.data);
    if (rows === undefined) return undefined;
    inputs.push([input.name, input.datatype, rows, inputParameters(input)]);
  }
  const rest = stableJson([request.parameters ?? null, request.outputs ?? null, inputs]);
  return rest === undefined ? undefined : `i|${rest}`;
}

/** The rows of a V2 request: its inputs' common first dimension (0 when they differ). */
export function inferRows(request: InferenceRequest): number {
  const inputs = request.inputs;
  if (inputs.length === 0) return 0;
  const rows = inputs[0].data.shape[0] ?? 0;
  for (const input of inputs) if (input.data.shape[0] !== rows) return 0;
  return rows;
}

/** `predict` on the batch's rows, concatenated; its result split back by row. */
export class PredictRunner implements BatchRunner<PredictInput, BatchedResult> {
  /**
   * @param method the custom metrics' `method` label (`predict`, or `infer` for V2)
   * @param bytesAreRows a `Uint8Array` result is row data (V2), not `binData` (v1)
   */
  constructor(
    readonly user: SeldonComponent,
    readonly recorder: MetricsRecorder,
    readonly method: string,
    readonly bytesAreRows: boolean,
  ) {}

  async run(
    inputs: readonly PredictInput[],
    rows: readonly number[],
  ): Promise<readonly BatchedResult[]> {
    const first = inputs[0];
    const batched = inputs.length > 1;
    const X = batched ? concatRows(inputs.map((i) => i.X)) : first.X;
    const meta = batched ? withoutPuid(first.meta) : first.meta;
    let result = callOptional(this.user, "predict", [X, first.names, meta, first.ctx]);
    if (isThenable(result)) result = await result;
    if (!batched) return [{ result, recorded: false }];
    if (result === ABSENT) return inputs.map(() => ({ result, recorded: false }));
    const wrapped = SeldonResponse.isSeldonResponse(result) ? result : undefined;
    const parts = splitRows(wrapped ? wrapped.data : result, rows, this.bytesAreRows);
    return perMember(parts, wrapped, this.method, this.recorder);
  }
}

/** `infer` on one request holding every member's rows; its outputs split back by row. */
export class InferRunner implements BatchRunner<InferInput, BatchedResult> {
  constructor(
    readonly user: SeldonComponent,
    readonly recorder: MetricsRecorder,
    readonly method: string,
  ) {}

  async run(
    inputs: readonly InferInput[],
    rows: readonly number[],
  ): Promise<readonly BatchedResult[]> {
    const first = inputs[0];
    const batched = inputs.length > 1;
    const request = batched ? mergeRequests(inputs.map((i) => i.request)) : first.request;
    let result = callOptional(this.user, "infer", [request, first.ctx]);
    if (isThenable(result)) result = await result;
    if (!batched) return [{ result, recorded: false }];
    if (result === ABSENT) return inputs.map(() => ({ result, recorded: false }));
    const wrapped = SeldonResponse.isSeldonResponse(result) ? result : undefined;
    const response = wrapped ? wrapped.data : result;
    if (!isResponse(response)) {
      throw new OipError(500, "infer must return an object with an `outputs` array");
    }
    return perMember(splitResponse(response, rows), wrapped, this.method, this.recorder);
  }
}

/**
 * Each member's part of a batched result; a `SeldonResponse`'s tags go to every part, its
 * metrics are recorded once and given to every part.
 */
async function perMember(
  parts: readonly unknown[],
  wrapped: SeldonResponse | undefined,
  method: string,
  recorder: MetricsRecorder,
): Promise<readonly BatchedResult[]> {
  if (wrapped === undefined) return parts.map((part) => ({ result: part, recorded: false }));
  const metrics = await collectMetrics(wrapped.metrics, method, recorder);
  return parts.map((part) => ({
    result: new SeldonResponse(part, { tags: wrapped.tags, metrics: metrics as never }),
    recorded: true,
  }));
}

/**
 * One request with every member's rows: the first's parameters and requested outputs (equal
 * across the batch), each input concatenated; no `id` (each member answers its own).
 */
function mergeRequests(requests: readonly InferenceRequest[]): InferenceRequest {
  const first = requests[0];
  const inputs = first.inputs.map((input, j): InferenceInput => {
    const data = concatRows(requests.map((r) => r.inputs[j].data));
    const parameters = inputParameters(input);
    return {
      name: input.name,
      datatype: input.datatype,
      shape: data.shape,
      data,
      ...(parameters === null ? {} : { parameters }),
    };
  });
  return {
    ...(first.parameters === undefined ? {} : { parameters: first.parameters }),
    inputs,
    ...(first.outputs === undefined ? {} : { outputs: first.outputs }),
  };
}

/** Each member's share of a batched `infer` answer: every output split by row. */
function splitResponse(response: InferenceResponse, rows: readonly number[]): InferenceResponse[] {
  const perOutput = response.outputs.map((o) => splitOutput(o, rows));
  return rows.map((_, i) => ({
    ...(response.modelName === undefined ? {} : { modelName: response.modelName }),
    ...(response.modelVersion === undefined ? {} : { modelVersion: response.modelVersion }),
    ...(response.id === undefined ? {} : { id: response.id }),
    ...(response.parameters === undefined ? {} : { parameters: response.parameters }),
    outputs: perOutput.map((parts) => parts[i]),
  }));
}

function splitOutput(output: InferenceOutput, rows: readonly number[]): InferenceOutput[] {
  const data = output.data;
  if (NDArray.isNDArray(data) && output.shape === undefined) {
    return splitRows(data, rows, true).map((part) => ({ ...output, data: part as NDArray }));
  }
  const flat = NDArray.isNDArray(data) ? data.data : data;
  const shape = output.shape ?? (NDArray.isNDArray(data) ? data.shape : [flat.length]);
  return splitFlatRows(flat, shape, rows).map(([part, partShape]) => ({
    ...output,
    data: NDArray.isNDArray(data) ? new NDArray(part as never, partShape, data.dtype) : part,
    shape: partShape,
  }));
}

function isResponse(x: unknown): x is InferenceResponse {
  return typeof x === "object" && x !== null && Array.isArray((x as InferenceResponse).outputs);
}

/** An input's parameters but `binary_data_size` (how it travelled); null when none are left. */
function inputParameters(input: InferenceInput): Parameters | null {
  const p = input.parameters;
  if (p === undefined) return null;
  const { binary_data_size: _size, ...rest } = p;
  return Object.keys(rest).length === 0 ? null : rest;
}

/** A v1 `meta` object without its `puid` (other values as they are). */
function withoutPuid(meta: unknown): unknown {
  if (typeof meta !== "object" || meta === null || !("puid" in meta)) return meta;
  const { puid: _puid, ...rest } = meta as Record<string, unknown>;
  return rest;
}

/** JSON text of a key part (bigints spelled out); undefined when it has none. */
function stableJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    // A bigint (JSON cannot spell one); the replacer is the slow path.
    try {
      return JSON.stringify(value, (_, v) => typeof v === "bigint" ? `${v}n` : v);
    } catch {
      return undefined;
    }
  }
}
