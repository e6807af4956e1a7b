/**
 * The protobuf wire form of `inference.GRPCInferenceService`'s health and metadata messages
 * (open_inference_grpc.proto; field numbers as there): requests decoded, responses encoded
 * over protobufjs's `Reader` / `Writer`. Unknown fields are skipped.
 * @module
 */
import protobuf from "protobufjs";
import type { ModelMetadata, ServerMetadata, TensorMetadata } from "./types.ts";

/** `ModelReadyRequest` / `ModelMetadataRequest`: the model and version named. */
export interface ModelRequest {
  readonly name: string;
  readonly version: string;
}

/**
 * Decodes a `ModelReadyRequest` or `ModelMetadataRequest` (`name` = 1, `version` = 2). The
 * empty requests (`ServerLiveRequest`, …) decode with it too: every field is skipped.
 */
export function decodeModelRequest(bytes: Uint8Array): ModelRequest {
  const r = protobuf.Reader.create(bytes);
  let name = "";
  let version = "";
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) name = r.string();
    else if (field === 2 && (tag & 7) === 2) version = r.string();
    else r.skipType(tag & 7);
  }
  return { name, version };
}

/** `ServerLiveResponse`, `ServerReadyResponse`, `ModelReadyResponse`: one bool, field 1. */
export function encodeBoolResponse(value: boolean): Uint8Array {
  const w = protobuf.Writer.create();
  if (value) w.uint32(8).bool(true);
  return w.finish();
}

/** `ServerMetadataResponse`: name = 1, version = 2, extensions = 3. */
export function encodeServerMetadata(meta: ServerMetadata): Uint8Array {
  const w = protobuf.Writer.create();
  if (meta.name !== "") w.uint32(10).string(meta.name);
  if (meta.version !== "") w.uint32(18).string(meta.version);
  for (const e of meta.extensions) w.uint32(26).string(e);
  return w.finish();
}

function writeTensorMetadata(w: protobuf.Writer, field: number, t: TensorMetadata): void {
  w.uint32((field << 3) | 2).fork();
  if (t.name !== "") w.uint32(10).string(t.name);
  w.uint32(18).string(t.datatype);
  if (t.shape.length > 0) {
    w.uint32(26).fork();
    for (const d of t.shape) w.int64(d);
    w.ldelim();
  }
  w.ldelim();
}

/**
 * `ModelMetadataResponse`: name = 1, versions = 2, platform = 3, inputs = 4, outputs = 5
 * (`TensorMetadata` name, datatype, packed int64 shape), and the string parameters as
 * `properties` = 6 (`map<string, string>`).
 */
export function encodeModelMetadata(meta: ModelMetadata): Uint8Array {
  const w = protobuf.Writer.create();
  if (meta.name !== "") w.uint32(10).string(meta.name);
  for (const v of meta.versions ?? []) w.uint32(18).string(v);
  if (meta.platform !== "") w.uint32(26).string(meta.platform);
  for (const t of meta.inputs ?? []) writeTensorMetadata(w, 4, t);
  for (const t of meta.outputs ?? []) writeTensorMetadata(w, 5, t);
  for (const [k, v] of Object.entries(meta.parameters ?? {})) {
    w.uint32(50).fork().uint32(10).string(k).uint32(18).string(String(v)).ldelim();
  }
  return w.finish();
}
