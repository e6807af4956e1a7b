/**
 * The Open Inference Protocol (V2) operations of the data plane, transport-blind: health,
 * server and model metadata, model readiness, and infer's hook chain (`infer` → else `predict`
 * on the one input). Custom metrics (`method="infer"`) and `tags()` apply as to v1; tags are
 * answered as response `parameters`. The transport checks nothing but its own wire: the model
 * name and version of every call are checked here.
 * @module
 */
import type { HookContext, SeldonComponent } from "../component/api.ts";
import { SeldonResponse } from "../component/api.ts";
import { collectMetrics, type MetricsRecorder } from "../metrics/custom.ts";
import type { OipAdapter } from "../protocol/adapters/oip.ts";
import { NDArray } from "../protocol/ndarray.ts";
import { OipError } from "../protocol/oip/errors.ts";
import type {
  Datatype,
  InferenceOutput,
  InferenceRequest,
  InferenceResponse,
  ModelMetadata,
  ParameterValue,
  RepositoryModel,
  ServerMetadata,
  TensorMetadata,
} from "../protocol/oip/types.ts";
import { selectOutputs } from "../protocol/oip/tensor.ts";
import { VERSION } from "../version.ts";
import { ABSENT, callOptional, hasHook, implementsHook, isThenable } from "./hooks.ts";
import type { Batcher } from "./batcher.ts";
import {
  type BatchedResult,
  inferKey,
  inferRows,
  InferRunner,
  predictInferKey,
  PredictRunner,
} from "./batch_calls.ts";
import type { Limiter, Ticket } from "./limiter.ts";

/** The custom-metrics `method` label of V2 infer calls. */
export const INFER_METHOD = "infer";

/** The `platform` of model metadata when the metadata document gives none. */
export const DEFAULT_PLATFORM = "seldon-ts";

/** The name of `predict`'s one output tensor when neither the request nor the metadata names it. */
export const DEFAULT_OUTPUT_NAME = "output-0";

/** The extensions `GET /v2` lists. */
export const EXTENSIONS: readonly string[] = ["binary_tensor_data"];

/** The name the server answers to in `GET /v2` / `ServerMetadata`. */
export const SERVER_NAME = "seldon-ts";

/** A V2 call as the data plane sees it: its adapter and the hook context. */
export interface OipCall {
  /** The V2 wire form the transport chose. */
  readonly adapter: OipAdapter;
  /** The context `infer` / `predict` get. */
  context(operation: "infer"): HookContext;
}

/** The model a call names: from the path (REST) or `model_name` / `model_version` (gRPC). */
export interface ModelTarget {
  readonly name: string;
  /** Absent or `""`: any version. */
  readonly version?: string;
}

/** Settings of {@link OipPlane}. */
export interface OipOptions {
  /** The model's name (`--model-name`, else `PREDICTIVE_UNIT_ID`, else the class name). */
  readonly modelName: string;
  /** The validated v1 metadata document (undefined: it failed validation). */
  readonly metadata: Record<string, unknown> | undefined;
  readonly recorder: MetricsRecorder;
  /** Adaptive batching, when on (shared with the v1 operations). */
  readonly batcher?: Batcher;
}

/** The V2 operations against one user component. */
export class OipPlane {
  readonly #user: SeldonComponent;
  readonly #recorder: MetricsRecorder;
  readonly #metadata: ModelMetadata | undefined;
  readonly #versions: readonly string[];
  readonly #outputName: string | undefined;
  #loaded = false;
  readonly #batching:
    | { readonly batcher: Batcher; readonly infer: InferRunner; readonly predict: PredictRunner }
    | undefined;
  /** The model's name in paths and answers. */
  readonly modelName: string;

  constructor(user: SeldonComponent, options: OipOptions) {
    this.#user = user;
    this.#recorder = options.recorder;
    this.modelName = options.modelName;
    this.#metadata = options.metadata === undefined
      ? undefined
      : modelMetadata(options.modelName, options.metadata);
    this.#versions = this.#metadata?.versions ?? [];
    this.#outputName = this.#metadata?.outputs?.[0]?.name;
    const batcher = options.batcher;
    this.#batching = batcher === undefined ? undefined : {
      batcher,
      infer: new InferRunner(user, options.recorder, INFER_METHOD),
      predict: new PredictRunner(user, options.recorder, INFER_METHOD, true),
    };
  }

  /** Marks the model loaded (`load()` returned): from then on it is ready. */
  markLoaded(): void {
    this.#loaded = true;
  }

  /** `GET /v2/health/live`: the process answers. */
  serverLive(): boolean {
    return true;
  }

  /** `GET /v2/health/ready`: every model (the one) is ready. */
  serverReady(): boolean {
    return this.#loaded;
  }

  /** `GET /v2/models/{name}/ready`: the model has loaded (404 for another name). */
  modelReady(target: ModelTarget): boolean {
    this.check(target);
    return this.#loaded;
  }

  /** `POST /v2/repository/index`: the one model and its state. */
  repositoryIndex(): RepositoryModel[] {
    const version = this.#versions[0];
    const ready = this.#loaded;
    return [{
      name: this.modelName,
      ...(version === undefined ? {} : { version }),
      state: ready ? "READY" : "UNAVAILABLE",
      reason: ready ? "" : "loading",
    }];
  }

  /**
   * `POST /v2/repository/models/{name}/load`: every serving process loaded the model at start,
   * so loading it again does nothing (404 for another name).
   */
  repositoryLoad(target: ModelTarget): void {
    this.check(target);
  }

  /**
   * `POST /v2/repository/models/{name}/unload`: refused (400): every serving process serves the
   * model it loaded at start, and one process cannot unload it for the others (404 for another
   * name).
   */
  repositoryUnload(target: ModelTarget): never {
    this.check(target);
    throw new OipError(
      400,
      `Model ${JSON.stringify(target.name)} cannot be unloaded: this server serves the one model ` +
        "it loaded at start",
    );
  }

  /** `GET /v2`: name, version, extensions. */
  serverMetadata(): ServerMetadata {
    return { name: SERVER_NAME, version: VERSION, extensions: EXTENSIONS };
  }

  /** `GET /v2/models/{name}`: from `initMetadata()` / `MODEL_METADATA` (500 if it was invalid). */
  modelMetadata(target: ModelTarget): ModelMetadata {
    this.check(target);
    if (this.#metadata === undefined) {
      throw new OipError(500, "Model metadata is not available: it failed validation (see log)");
    }
    return this.#metadata;
  }

  /**
   * Throws 404 unless `target` names this model: its name, and a version the metadata lists
   * (any version when the metadata lists none; absent or `""` always).
   */
  check(target: ModelTarget): void {
    if (target.name !== this.modelName) {
      throw new OipError(404, `Model ${JSON.stringify(target.name)} not found`);
    }
    const v = target.version;
    if (v !== undefined && v !== "" && this.#versions.length > 0 && !this.#versions.includes(v)) {
      throw new OipError(
        404,
        `Model ${JSON.stringify(target.name)} has no version ${JSON.stringify(v)}`,
      );
    }
  }

  /**
   * infer: the adapter decodes `raw`; `infer(request)` answers when the model has it, else
   * `predict(X, [], meta)` on the one input (`meta`: `{parameters}` when the request has them).
   * The answer gets the request's `id` (whatever the hook's answer names; its own `id` only when
   * the request has none), the model's name and version, `tags()` and runtime tags as
   * parameters, and keeps only the outputs the request asked for.
   */
  async infer(target: ModelTarget, raw: unknown, call: OipCall): Promise<unknown> {
    this.check(target);
    const request = call.adapter.decodeInfer(raw);
    const ctx = call.context("infer");
    let result = callOptional(this.#user, "infer", [request, ctx]);
    if (isThenable(result)) result = await result;
    if (result === ABSENT) result = await this.#predict(request, ctx);
    return await this.#answer(result, false, target, request, raw, call);
  }

  /**
   * {@link infer} under the transport's `--threads` limiter (`ticket`: the call's deadline).
   * With batching on, a request whose inputs can be merged with concurrent ones (same key: see
   * batch_calls.ts) waits for them at most `--max-batch-time` and runs with them as one model
   * call in one slot; any other runs alone.
   */
  inferLimited(
    target: ModelTarget,
    raw: unknown,
    call: OipCall,
    limiter: Limiter,
    ticket?: Ticket,
  ): Promise<unknown> {
    if (this.#batching === undefined) {
      return limiter.run(() => this.infer(target, raw, call), ticket);
    }
    return this.#inferBatched(target, raw, call, limiter, ticket);
  }

  /**
   * {@link inferLimited}, answering at once (no promise, no microtask hop) when the model's
   * hook is synchronous and there is no `metrics()` / `tags()` hook, no runtime metrics and no
   * batching; otherwise a promise, the same way. May throw.
   */
  inferNow(
    target: ModelTarget,
    raw: unknown,
    call: OipCall,
    limiter: Limiter,
    ticket?: Ticket,
  ): unknown {
    if (this.#batching !== undefined) {
      return this.#inferBatched(target, raw, call, limiter, ticket);
    }
    return limiter.runNow(() => this.#inferNow(target, raw, call), ticket);
  }

  /** {@link infer}, synchronous while every step is (see {@link inferNow}). */
  #inferNow(target: ModelTarget, raw: unknown, call: OipCall): unknown {
    this.check(target);
    const request = call.adapter.decodeInfer(raw);
    const ctx = call.context("infer");
    const result = callOptional(this.#user, "infer", [request, ctx]);
    if (isThenable(result)) {
      return (async () => {
        let r = await result;
        if (r === ABSENT) r = await this.#predict(request, ctx);
        return await this.#answer(r, false, target, request, raw, call);
      })();
    }
    if (result !== ABSENT) return this.#answerNow(result, target, request, raw, call);
    if (request.inputs.length !== 1 || !hasHook(this.#user, "predict")) {
      return this.#predict(request, ctx).then((r) =>
        this.#answer(r, false, target, request, raw, call)
      );
    }
    const meta = request.parameters === undefined ? {} : { parameters: request.parameters };
    const predicted = callOptional(this.#user, "predict", [request.inputs[0].data, [], meta, ctx]);
    if (isThenable(predicted) || predicted === ABSENT) {
      return (async () => {
        const r = await predicted;
        if (r === ABSENT) {
          throw new OipError(500, "The model implements neither infer() nor predict()");
        }
        return await this.#answer(
          this.#predictResponse(r, request),
          false,
          target,
          request,
          raw,
          call,
        );
      })();
    }
    return this.#answerNow(this.#predictResponse(predicted, request), target, request, raw, call);
  }

  /**
   * {@link #answer} at once when nothing in it is asynchronous (a plain response, no `metrics()`
   * or `tags()` hook); else its promise.
   */
  #answerNow(
    result: unknown,
    target: ModelTarget,
    request: InferenceRequest,
    raw: unknown,
    call: OipCall,
  ): unknown {
    const user = this.#user;
    if (
      SeldonResponse.isSeldonResponse(result) || hasHook(user, "metrics") || hasHook(user, "tags")
    ) {
      return this.#answer(result, false, target, request, raw, call);
    }
    if (!isResponse(result)) {
      throw new OipError(500, "infer must return an object with an `outputs` array");
    }
    const answer = this.#response(result, result.parameters, target, request);
    return call.adapter.encodeInfer(selectOutputs(answer, request), request, raw);
  }

  async #inferBatched(
    target: ModelTarget,
    raw: unknown,
    call: OipCall,
    limiter: Limiter,
    ticket: Ticket | undefined,
  ): Promise<unknown> {
    const { batcher, infer, predict } = this.#batching!;
    this.check(target);
    const request = call.adapter.decodeInfer(raw);
    const ctx = call.context("infer");
    if (hasHook(this.#user, "infer")) {
      const key = inferKey(request);
      const rows = key === undefined ? 0 : inferRows(request);
      const finish = async (out: BatchedResult) => {
        const result = out.result === ABSENT ? await this.#predict(request, ctx) : out.result;
        return await this.#answer(result, out.recorded, target, request, raw, call);
      };
      const input = { request, ctx };
      if (key === undefined || rows >= batcher.maxRows) {
        return limiter.run(async () => finish((await infer.run([input], [rows]))[0]), ticket);
      }
      return await batcher.submit(infer, "infer", key, input, rows, finish, limiter, ticket);
    }
    const key = implementsHook(this.#user, "predict") ? predictInferKey(request) : undefined;
    const X = request.inputs[0]?.data;
    const rows = key === undefined ? 0 : X.shape[0];
    if (key === undefined || rows < 1 || rows >= batcher.maxRows) {
      return limiter.run(
        async () =>
          this.#answer(await this.#predict(request, ctx), false, target, request, raw, call),
        ticket,
      );
    }
    const meta = request.parameters === undefined ? {} : { parameters: request.parameters };
    const finish = (out: BatchedResult) => {
      if (out.result === ABSENT) {
        throw new OipError(500, "The model implements neither infer() nor predict()");
      }
      const result = this.#predictResponse(out.result, request);
      return this.#answer(result, out.recorded, target, request, raw, call);
    };
    const input = { X, names: [], meta, ctx };
    return await batcher.submit(predict, "infer", key, input, rows, finish, limiter, ticket);
  }

  /** The answer to `request` from the hook's `result` (`recorded`: its runtime metrics were). */
  async #answer(
    result: unknown,
    recorded: boolean,
    target: ModelTarget,
    request: InferenceRequest,
    raw: unknown,
    call: OipCall,
  ): Promise<unknown> {
    const unwrapped = unwrap(result);
    const response = unwrapped.data;
    if (!isResponse(response)) {
      throw new OipError(500, "infer must return an object with an `outputs` array");
    }
    const tags = await this.#metricsAndTags(
      recorded ? undefined : unwrapped.metrics,
      unwrapped.tags,
    );
    const parameters = tags === undefined
      ? response.parameters
      : { ...response.parameters, ...tags };
    const answer = this.#response(response, parameters, target, request);
    return call.adapter.encodeInfer(selectOutputs(answer, request), request, raw);
  }

  /**
   * The answer to `request` from the hook's `response`: the model's name and version unless the
   * response names them, the request's `id` (the response's only when the request has none).
   */
  #response(
    response: InferenceResponse,
    parameters: InferenceResponse["parameters"],
    target: ModelTarget,
    request: InferenceRequest,
  ): InferenceResponse {
    return {
      modelName: response.modelName ?? this.modelName,
      modelVersion: response.modelVersion ?? this.#version(target),
      // "if specified this identifier must be returned in the response" (inference_rest.md)
      id: request.id ?? response.id,
      parameters,
      outputs: response.outputs,
    };
  }

  async #predict(request: InferenceRequest, ctx: HookContext): Promise<unknown> {
    if (request.inputs.length !== 1) {
      throw new OipError(
        400,
        `The model takes one input tensor through predict(), got ${request.inputs.length}; ` +
          "implement infer(request) for named inputs and outputs",
      );
    }
    if (!hasHook(this.#user, "predict")) {
      throw new OipError(500, "The model implements neither infer() nor predict()");
    }
    const input = request.inputs[0];
    const meta = request.parameters === undefined ? {} : { parameters: request.parameters };
    let result = callOptional(this.#user, "predict", [input.data, [], meta, ctx]);
    if (isThenable(result)) result = await result;
    if (result === ABSENT) {
      throw new OipError(500, "The model implements neither infer() nor predict()");
    }
    return this.#predictResponse(result, request);
  }

  /** `predict`'s result as a V2 response with one output (a SeldonResponse keeps its extras). */
  #predictResponse(result: unknown, request: InferenceRequest): unknown {
    const wrapped = SeldonResponse.isSeldonResponse(result) ? result : undefined;
    const data = wrapped ? wrapped.data : result;
    const requested = request.outputs?.length === 1 ? request.outputs[0].name : undefined;
    const output: InferenceOutput = {
      name: requested ?? this.#outputName ?? DEFAULT_OUTPUT_NAME,
      data: asArray(data),
    };
    const response: InferenceResponse = { outputs: [output] };
    return wrapped
      ? new SeldonResponse(response, { tags: wrapped.tags, metrics: wrapped.metrics as never })
      : response;
  }

  /** Records runtime metrics and `metrics()`; the tags to answer (undefined: none). */
  async #metricsAndTags(
    runtime: unknown[] | undefined,
    runtimeTags: Record<string, unknown> | undefined,
  ): Promise<Record<string, ParameterValue> | undefined> {
    if (runtime !== undefined) await collectMetrics(runtime, INFER_METHOD, this.#recorder);
    let fromHook = callOptional(this.#user, "metrics", []);
    if (isThenable(fromHook)) fromHook = await fromHook;
    if (fromHook !== ABSENT) await collectMetrics(fromHook, INFER_METHOD, this.#recorder);
    let tags = callOptional(this.#user, "tags", []);
    if (isThenable(tags)) tags = await tags;
    const all = { ...(isPlainObject(tags) ? tags : {}), ...runtimeTags };
    const keys = Object.keys(all);
    if (keys.length === 0) return undefined;
    const out: Record<string, ParameterValue> = {};
    for (const key of keys) out[key] = parameterValue(all[key]);
    return out;
  }

  /** The version an answer names: the request's, else the metadata's first. */
  #version(target: ModelTarget): string | undefined {
    if (target.version !== undefined && target.version !== "") return target.version;
    return this.#versions[0];
  }
}

/** The V2 model metadata of the v1 document: V2 tensor entries only, `custom` as parameters. */
export function modelMetadata(name: string, doc: Record<string, unknown>): ModelMetadata {
  const versions = Array.isArray(doc.versions)
    ? doc.versions.filter((v): v is string => typeof v === "string" && v !== "")
    : [];
  const platform = typeof doc.platform === "string" && doc.platform !== ""
    ? doc.platform
    : DEFAULT_PLATFORM;
  const custom = isPlainObject(doc.custom) ? doc.custom : {};
  const parameters = Object.fromEntries(
    Object.entries(custom).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
  return {
    name,
    versions,
    platform,
    inputs: tensorMetadata(doc.inputs),
    outputs: tensorMetadata(doc.outputs),
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
  };
}

function tensorMetadata(items: unknown): TensorMetadata[] {
  if (!Array.isArray(items)) return [];
  const out: TensorMetadata[] = [];
  for (const item of items) {
    if (!isPlainObject(item)) continue;
    const { name, datatype, shape } = item;
    if (typeof name !== "string" || typeof datatype !== "string" || !Array.isArray(shape)) {
      continue;
    }
    out.push({ name, datatype: datatype as Datatype, shape: shape.map(Number) });
  }
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function isResponse(x: unknown): x is InferenceResponse {
  return isPlainObject(x) && Array.isArray(x.outputs);
}

function unwrap(
  result: unknown,
): { data: unknown; tags?: Record<string, unknown>; metrics?: unknown[] } {
  if (SeldonResponse.isSeldonResponse(result)) {
    return { data: result.data, tags: result.tags, metrics: result.metrics };
  }
  return { data: result };
}

/** A tag as a parameter: strings, numbers, booleans and bigints as they are, others as JSON. */
function parameterValue(v: unknown): ParameterValue {
  if (
    typeof v === "string" || typeof v === "number" || typeof v === "boolean" ||
    typeof v === "bigint"
  ) {
    return v;
  }
  return JSON.stringify(v) ?? "null";
}

/** `predict`'s result as a tensor: an NDArray, a (typed or nested) array, or one string. */
function asArray(data: unknown): NDArray {
  if (NDArray.isNDArray(data)) return data;
  if (typeof data === "string") return new NDArray([data], [1], "string");
  if (Array.isArray(data) || ArrayBuffer.isView(data)) return NDArray.from(data);
  if (typeof data === "number" || typeof data === "boolean" || typeof data === "bigint") {
    return NDArray.from([data]);
  }
  throw new OipError(
    500,
    "predict() must return an array for a V2 call; implement infer(request) for other answers",
  );
}
