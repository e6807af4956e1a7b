/**
 * `OnnxServer`: the prepackaged server for ONNX models (interface name `OnnxServer`), on
 * `onnxruntime-node`'s CPU runtime. Written only on the public user API (`mod.ts`), like any
 * user model.
 *
 * Parameters (`--parameters`): `model_uri` (STRING, required: an `.onnx` file, or a folder
 * holding `model.onnx`; relative to the working directory; `file://` accepted),
 * `output_name` (STRING: the output Seldon v1 answers, default the first tensor output),
 * `class_names` (STRING, comma-separated: v1 `names`), `intra_op_threads` and
 * `inter_op_threads` (INT: the runtime's thread pools; default the runtime's own),
 * `session_thread` (BOOL: run the session in a worker thread of its own, so the event loop stays
 * free during a run; default false, the JavaScript thread, which costs less per call).
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BaseComponent,
  type InferenceRequest,
  type InferenceResponse,
  logger,
  NDArray,
  SeldonMicroserviceException,
  type TensorMetadata,
} from "../../../mod.ts";
import {
  openSession,
  openSessionThread,
  type Session,
  type SessionSettings,
  type TensorValue,
  type ValueInfo,
} from "./session.ts";
import { badInput, fromTensor, isOrtType, type OrtType, tensorData, v2Datatype } from "./types.ts";

const log = logger("OnnxServer");

/** A graph input or output as the session describes it. */
interface Port {
  readonly name: string;
  /** The element type; `undefined` for a non-tensor value (sequence, map). */
  readonly type: OrtType | undefined;
  /** Its dimensions; `-1` for a symbolic or unknown one. */
  readonly shape: readonly number[];
}

/** What a loaded model serves. */
interface Loaded {
  readonly session: Session;
  readonly inputs: readonly Port[];
  readonly outputs: readonly Port[];
  /** The output Seldon v1 answers. */
  readonly v1Output: string;
}

/** The `--parameters` OnnxServer reads. */
export interface OnnxServerParameters {
  /** An `.onnx` file or a folder holding `model.onnx`. */
  model_uri?: string;
  /** The output Seldon v1 answers. */
  output_name?: string;
  /** Comma-separated class names (v1 `names`). */
  class_names?: string;
  /** Threads of one operator. */
  intra_op_threads?: number;
  /** Threads across operators. */
  inter_op_threads?: number;
  /** Run the session in a worker thread of its own (the event loop stays free during runs). */
  session_thread?: boolean;
}

/** The path of the `.onnx` file `uri` names. */
export function modelPath(uri: string): string {
  const path = uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  const absolute = isAbsolute(path) ? path : resolve(Deno.cwd(), path);
  let isDir = false;
  try {
    isDir = Deno.statSync(absolute).isDirectory;
  } catch { /* reported by the runtime when it opens the file */ }
  return isDir ? join(absolute, "model.onnx") : absolute;
}

/** A prepackaged server for one ONNX model (see the module's documentation). */
export class OnnxServer extends BaseComponent {
  /** v1 column names, when the `class_names` parameter gives them. */
  declare classNames?: string[];
  readonly #path: string;
  readonly #settings: SessionSettings;
  readonly #thread: boolean;
  readonly #outputName: string | undefined;
  #loading: Promise<Loaded> | undefined;
  #model: Loaded | undefined;

  /** Reads the parameters; the model is opened by `initMetadata()` / `load()`. */
  constructor(params: OnnxServerParameters = {}) {
    super();
    if (typeof params.model_uri !== "string" || params.model_uri === "") {
      throw new Error(
        'OnnxServer needs the parameter model_uri (STRING): an .onnx file or a folder holding model.onnx, e.g. --parameters \'[{"name":"model_uri","value":"model.onnx","type":"STRING"}]\'',
      );
    }
    this.#path = modelPath(params.model_uri);
    this.#outputName = params.output_name || undefined;
    this.#settings = {
      ...(params.intra_op_threads !== undefined
        ? { intraOpNumThreads: threads("intra_op_threads", params.intra_op_threads) }
        : {}),
      ...(params.inter_op_threads !== undefined
        ? { interOpNumThreads: threads("inter_op_threads", params.inter_op_threads) }
        : {}),
    };
    this.#thread = params.session_thread === true;
    if (typeof params.class_names === "string" && params.class_names !== "") {
      this.classNames = params.class_names.split(",").map((s) => s.trim());
    }
  }

  /** Opens the session (once) and reads its inputs and outputs. */
  override async load(): Promise<void> {
    this.#model = await this.#open();
  }

  /** Model metadata from the graph: platform `onnx_onnxv1`, V2 tensor entries (`-1`: dynamic). */
  override async initMetadata(): Promise<Record<string, unknown>> {
    const model = await this.#open();
    const entry = (p: Port): TensorMetadata => ({
      name: p.name,
      datatype: v2Datatype(p.type!),
      shape: p.shape,
    });
    return {
      platform: "onnx_onnxv1",
      inputs: model.inputs.filter((p) => p.type !== undefined).map(entry),
      outputs: model.outputs.filter((p) => p.type !== undefined).map(entry),
    };
  }

  /**
   * Seldon v1: the array (ndarray, tensor, tftensor) is the model's single input, cast to its
   * element type; the answer is one output (`output_name`, else the first tensor output).
   */
  override async predict(X: unknown): Promise<NDArray> {
    const model = this.#loaded();
    if (!NDArray.isNDArray(X)) {
      throw badInput("OnnxServer expects an array: data.ndarray, data.tensor or data.tftensor");
    }
    if (model.inputs.length !== 1) {
      throw badInput(
        `the model has ${model.inputs.length} inputs (${
          model.inputs.map((p) => p.name).join(", ")
        }); Seldon v1 sends one array: use the Open Inference Protocol (V2) with named inputs`,
      );
    }
    const input = model.inputs[0];
    const feeds = { [input.name]: toTensor(input, X, `input '${input.name}'`) };
    const results = await run(model.session, feeds, [model.v1Output]);
    return outputArray(results[model.v1Output]);
  }

  /**
   * Open Inference Protocol (V2): inputs matched by name (a model with one input takes a lone
   * request input whatever its name), datatypes as the graph says; all tensor outputs, or those
   * the request asks for.
   */
  override async infer(request: InferenceRequest): Promise<InferenceResponse> {
    const model = this.#loaded();
    const feeds: Record<string, TensorValue> = {};
    const lone = model.inputs.length === 1 && request.inputs.length === 1;
    for (const input of model.inputs) {
      const given = lone ? request.inputs[0] : request.inputs.find((i) => i.name === input.name);
      if (given === undefined) {
        throw badInput(
          `missing input '${input.name}' (the model's inputs: ${names(model.inputs)})`,
        );
      }
      const expected = v2Datatype(input.type!);
      if (given.datatype !== expected) {
        throw badInput(
          `input '${given.name}' has datatype ${given.datatype}; the model expects ${expected}`,
        );
      }
      feeds[input.name] = toTensor(input, given.data, `input '${given.name}'`);
    }
    if (!lone) {
      const unknown = request.inputs.filter((i) => !model.inputs.some((p) => p.name === i.name));
      if (unknown.length > 0) {
        throw badInput(
          `unknown input '${unknown[0].name}' (the model's inputs: ${names(model.inputs)})`,
        );
      }
    }
    const tensorOutputs = model.outputs.filter((p) => p.type !== undefined);
    const wanted = request.outputs === undefined || request.outputs.length === 0
      ? tensorOutputs.map((p) => p.name)
      : request.outputs.map((o) => o.name);
    for (const name of wanted) {
      if (!tensorOutputs.some((p) => p.name === name)) {
        throw badInput(`unknown output '${name}' (the model's outputs: ${names(tensorOutputs)})`);
      }
    }
    const results = await run(model.session, feeds, wanted);
    return { outputs: wanted.map((name) => ({ name, data: outputArray(results[name]) })) };
  }

  #loaded(): Loaded {
    if (this.#model === undefined) {
      throw new SeldonMicroserviceException("OnnxServer: the model is not loaded", {
        statusCode: 503,
        reason: "MICROSERVICE_UNAVAILABLE",
      });
    }
    return this.#model;
  }

  #open(): Promise<Loaded> {
    this.#loading ??= this.#create();
    return this.#loading;
  }

  async #create(): Promise<Loaded> {
    let session: Session;
    try {
      const open = this.#thread ? openSessionThread : openSession;
      session = await open(this.#path, this.#settings);
    } catch (err) {
      throw new Error(`OnnxServer cannot load ${this.#path}: ${(err as Error).message ?? err}`);
    }
    const inputs = session.inputs.map(port);
    const outputs = session.outputs.map(port);
    for (const p of inputs) {
      if (p.type === undefined) {
        throw new Error(`OnnxServer: input '${p.name}' of ${this.#path} is not a tensor`);
      }
    }
    const v1Output = this.#outputName ?? outputs.find((p) => p.type !== undefined)?.name;
    if (v1Output === undefined || !outputs.some((p) => p.name === v1Output && p.type)) {
      throw new Error(
        `OnnxServer: ${
          this.#outputName ? `output_name '${this.#outputName}' is not` : "no output is"
        } a tensor output of ${this.#path} (tensor outputs: ${
          names(outputs.filter((p) => p.type))
        })`,
      );
    }
    log.info("Loaded {path}: inputs {inputs}, outputs {outputs}", {
      path: this.#path,
      inputs: describe(inputs),
      outputs: describe(outputs),
    });
    return { session, inputs, outputs, v1Output };
  }
}

function threads(name: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`OnnxServer: ${name} must be a whole number ≥ 0 (0: the runtime's default)`);
  }
  return n;
}

function port(meta: ValueInfo): Port {
  if (!meta.isTensor || !isOrtType(meta.type)) {
    return { name: meta.name, type: undefined, shape: [] };
  }
  const shape = meta.shape.map((d) => (typeof d === "number" && d >= 0 ? d : -1));
  return { name: meta.name, type: meta.type, shape };
}

function names(ports: readonly Port[]): string {
  return ports.map((p) => p.name).join(", ");
}

function describe(ports: readonly Port[]): string {
  return ports.map((p) => `${p.name} ${p.type ?? "(not a tensor)"} [${p.shape.join(", ")}]`)
    .join("; ");
}

function toTensor(input: Port, x: NDArray, what: string): TensorValue {
  const data = tensorData(x, input.type!, what);
  const shape = x.shape;
  const expected = input.shape;
  const fits = shape.length === expected.length &&
    expected.every((d, i) => d < 0 || d === shape[i]);
  if (!fits) {
    throw badInput(
      `${what} has shape [${shape.join(", ")}]; the model expects [${
        expected.join(", ")
      }] (-1: any size)`,
    );
  }
  return { type: input.type!, data, dims: shape };
}

/** Errors the runtime raises for what a request sent: answered 400, others 500. */
const INPUT_ERROR =
  /invalid dimensions|invalid rank|unexpected input data type|missing in 'feeds'|invalid (input|output) name|shape mismatch|incompatible dimensions|broadcast/i;

async function run(
  session: Session,
  feeds: Record<string, TensorValue>,
  fetches: readonly string[],
): Promise<Record<string, TensorValue>> {
  try {
    return await session.run(feeds, fetches);
  } catch (err) {
    const message = String((err as Error)?.message ?? err).trim();
    if (INPUT_ERROR.test(message)) {
      throw badInput(`ONNX Runtime rejected the input: ${message}`);
    }
    throw new SeldonMicroserviceException(`ONNX Runtime failed: ${message}`, {
      statusCode: 500,
      reason: "MICROSERVICE_INTERNAL_ERROR",
    });
  }
}

function outputArray(value: TensorValue | undefined): NDArray {
  if (value === undefined) {
    throw new SeldonMicroserviceException("ONNX Runtime returned no such output", {
      statusCode: 500,
      reason: "MICROSERVICE_INTERNAL_ERROR",
    });
  }
  return fromTensor(value.type, value.data, value.dims);
}
