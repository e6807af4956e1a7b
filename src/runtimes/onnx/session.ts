/**
 * Where `OnnxServer`'s session runs: in the serving process's JavaScript thread (the default),
 * or in a worker thread of its own (`session_thread`), which keeps the event loop free while a
 * run is in progress. `onnxruntime-node`'s `session.run` is asynchronous in name only: it defers
 * the native call with `setImmediate`, then runs it on the calling thread.
 * @module
 */
import * as ort from "npm:onnxruntime-node@1.30.0";

/** A tensor between the server and its session: element type, row-major data, dimensions. */
export interface TensorValue {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** A graph input or output as the runtime describes it. */
export interface ValueInfo {
  readonly name: string;
  readonly isTensor: boolean;
  /** The element type (tensors only). */
  readonly type: string;
  /** The dimensions: numbers, or symbolic names / `null` for dynamic ones. */
  readonly shape: readonly (number | string | null | undefined)[];
}

/** Session options `OnnxServer` sets. */
export interface SessionSettings {
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
}

/** An opened model. */
export interface Session {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Runs the model; a failure rejects with the runtime's error. */
  run(
    feeds: Readonly<Record<string, TensorValue>>,
    fetches: readonly string[],
  ): Promise<Record<string, TensorValue>>;
}

function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ["cpu"] };
  if (settings.intraOpNumThreads !== undefined) {
    options.intraOpNumThreads = settings.intraOpNumThreads;
  }
  if (settings.interOpNumThreads !== undefined) {
    options.interOpNumThreads = settings.interOpNumThreads;
    options.executionMode = "parallel";
  }
  return options;
}

function info(meta: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] }
      : { name: m.name, isTensor: false, type: "", shape: [] }
  );
}

/** Opens `path` in this thread. */
export async function openSession(path: string, settings: SessionSettings): Promise<Session> {
  const session = await ort.InferenceSession.create(path, sessionOptions(settings));
  return {
    inputs: info(session.inputMetadata),
    outputs: info(session.outputMetadata),
    async run(feeds, fetches) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        tensors[name] = new ort.Tensor(t.type as "float32", t.data as Float32Array, t.dims);
      }
      const results = await session.run(tensors, fetches as string[]);
      const out: Record<string, TensorValue> = {};
      for (const [name, v] of Object.entries(results)) {
        out[name] = { type: v.type, data: v.data, dims: v.dims };
      }
      return out;
    },
  };
}

/** Messages to the session thread. */
export type ToThread =
  | { readonly kind: "open"; readonly path: string; readonly settings: SessionSettings }
  | {
    readonly kind: "run";
    readonly id: number;
    readonly feeds: Readonly<Record<string, TensorValue>>;
    readonly fetches: readonly string[];
  };

/** Messages from the session thread. */
export type FromThread =
  | { readonly kind: "opened"; readonly inputs: ValueInfo[]; readonly outputs: ValueInfo[] }
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "ran"; readonly id: number; readonly results: Record<string, TensorValue> }
  | { readonly kind: "error"; readonly id: number; readonly message: string };

/**
 * Opens `path` in a worker thread of its own (`session_thread.ts`). Inputs are copied to it,
 * results transferred back.
 */
export function openSessionThread(path: string, settings: SessionSettings): Promise<Session> {
  const worker = new Worker(new URL("./session_thread.ts", import.meta.url), { type: "module" });
  const pending = new Map<number, PromiseWithResolvers<Record<string, TensorValue>>>();
  let next = 0;
  return new Promise<Session>((resolve, reject) => {
    worker.onerror = (event) => {
      event.preventDefault();
      const err = new Error(`the session thread failed: ${event.message}`);
      reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    worker.onmessage = (event: MessageEvent<FromThread>) => {
      const msg = event.data;
      if (msg.kind === "opened") {
        resolve({
          inputs: msg.inputs,
          outputs: msg.outputs,
          run(feeds, fetches) {
            const id = next++;
            const p = Promise.withResolvers<Record<string, TensorValue>>();
            pending.set(id, p);
            worker.postMessage({ kind: "run", id, feeds, fetches } satisfies ToThread);
            return p.promise;
          },
        });
      } else if (msg.kind === "failed") {
        worker.terminate();
        reject(new Error(msg.message));
      } else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.kind === "ran") p?.resolve(msg.results);
        else p?.reject(new Error(msg.message));
      }
    };
    worker.postMessage({ kind: "open", path, settings } satisfies ToThread);
  });
}
