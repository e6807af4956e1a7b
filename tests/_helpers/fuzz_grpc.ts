/**
 * gRPC fuzz plumbing: unary calls with raw message bytes on one channel (grpc-js, identity
 * serializers), answers as a status code and details or the response bytes, and a decoder of
 * V2 answers built from the canonical `.proto` (protobufjs) to tell a valid success.
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";

/** An answer: `code` 0 with `bytes`, or a status code and its details. */
export interface GrpcAnswer {
  readonly code: number;
  readonly details: string;
  readonly bytes?: Uint8Array;
  readonly ms: number;
}

/** A channel sending raw bytes to any method path. */
export interface RawChannel {
  call(path: string, bytes: Uint8Array, timeoutMs?: number): Promise<GrpcAnswer>;
  close(): void;
}

/** A raw-bytes channel to 127.0.0.1:`port` (its own subchannel pool). */
export function rawChannel(port: number): RawChannel {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  return {
    call: (path, bytes, timeoutMs = 5000) => {
      const start = performance.now();
      return new Promise((resolve) =>
        client.makeUnaryRequest(
          path,
          (b: Uint8Array) => Buffer.from(b),
          (b: Buffer) => new Uint8Array(b),
          bytes,
          new grpc.Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err: grpc.ServiceError | null, res?: Uint8Array) =>
            resolve(
              err
                ? { code: err.code, details: err.details, ms: performance.now() - start }
                : { code: 0, details: "", bytes: res, ms: performance.now() - start },
            ),
        )
      );
    },
    close: () => client.close(),
  };
}

const OIP_PROTO = fileURLToPath(
  new URL("../oip/fixtures/open_inference_grpc.proto", import.meta.url),
);
let oipRoot: protobuf.Root | undefined;

/** A V2 message type of the canonical `.proto` (e.g. `ModelInferResponse`). */
export function oipType(name: string): protobuf.Type {
  oipRoot ??= new protobuf.Root().loadSync(OIP_PROTO, { keepCase: true });
  return oipRoot.lookupType(`inference.${name}`);
}

/** grpc status names by code, for reports. */
export const STATUS_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(grpc.status).filter(([, v]) => typeof v === "number").map(([k, v]) => [v, k]),
);

export { grpc };

const TO_OBJECT = { longs: String, bytes: Array, defaults: false } as const;

/** JSON with -0 written as 0 (an echo may not keep the sign of a zero). */
function norm(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "number" && Object.is(v, -0) ? 0 : v));
}

/**
 * What is wrong with a `ModelInferResponse` answering `request` from a model that echoes input
 * `i` as `output-<i>`, or undefined: both decoded by protobufjs from the canonical `.proto`;
 * every requested output (all when none is named) with the input's datatype and shape, and the
 * same `contents` values or the same `raw_output_contents` bytes.
 */
export function echoProblem(request: Uint8Array, response: Uint8Array): string | undefined {
  const Req = oipType("ModelInferRequest");
  const Res = oipType("ModelInferResponse");
  let res: any;
  try {
    res = Res.toObject(Res.decode(response), TO_OBJECT);
  } catch (err) {
    return `the answer does not decode: ${err}`;
  }
  const req: any = Req.toObject(Req.decode(request), TO_OBJECT);
  const asked = (name: string) =>
    !req.outputs?.length || req.outputs.some((o: any) => o.name === name);
  const inputs: any[] = (req.inputs ?? [])
    .map((t: any, i: number) => ({ ...t, i, name: `output-${i}` }))
    .filter((t: any) => asked(t.name));
  const outputs: any[] = res.outputs ?? [];
  const heads = (ts: any[]) =>
    norm(ts.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape ?? [] })));
  if (heads(inputs) !== heads(outputs)) {
    return `tensors: sent ${heads(inputs)}, got ${heads(outputs)}`;
  }
  if ((req.raw_input_contents ?? []).length > 0) {
    const want = norm(inputs.map((t) => req.raw_input_contents[t.i]));
    const got = norm(res.raw_output_contents ?? []);
    return want === got ? undefined : `raw contents: sent ${want}, got ${got}`;
  }
  for (let j = 0; j < inputs.length; j++) {
    const nonEmpty = (c: any) =>
      norm(Object.fromEntries(Object.entries(c ?? {}).filter(([, v]: any) => v.length > 0)));
    const want = nonEmpty(inputs[j].contents);
    const got = nonEmpty(outputs[j].contents);
    if (want !== got) return `contents of ${inputs[j].datatype}: sent ${want}, got ${got}`;
  }
  return undefined;
}

const PROTO_DIR = fileURLToPath(new URL("../../proto/", import.meta.url));
let seldonRoot: protobuf.Root | undefined;

/** A Seldon message type of `proto/prediction.proto` (e.g. `SeldonMessage`), by protobufjs. */
export function seldonType(name: string): protobuf.Type {
  if (seldonRoot === undefined) {
    const root = new protobuf.Root();
    // google/protobuf/* are protobufjs's own common types; the rest live under proto/.
    root.resolvePath = (_origin, target) =>
      target.startsWith("google/protobuf/") ? target : PROTO_DIR + target;
    seldonRoot = root.loadSync("prediction.proto", { keepCase: true });
  }
  return seldonRoot.lookupType(`seldon.protos.${name}`);
}
