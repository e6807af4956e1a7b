/**
 * Seeded mutation fuzzing helpers: generators of valid V2 (Open Inference Protocol) requests —
 * REST JSON, REST with the binary tensor extension, gRPC `ModelInferRequest` bytes — and of v1
 * `SeldonMessage` / `Feedback` bytes, and mutations of each (members dropped, duplicated or
 * retyped, shapes against data lengths, bit flips, truncations, lying lengths, deep nesting,
 * `__proto__` keys, non-UTF-8). Every choice comes from the given `rng`, so a seed replays a case.
 * @module
 */
import { DATATYPES } from "../../src/protocol/oip/datatypes.ts";
import { concat } from "./bytes.ts";

/** A source of numbers in [0, 1) (see `seededRandom`). */
export type Rng = () => number;

/** An integer in [lo, hi]. */
export function int(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** One element of `list`. */
export function pick<T>(r: Rng, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

/** True with probability `p`. */
export function chance(r: Rng, p: number): boolean {
  return r() < p;
}

const ENC = new TextEncoder();

/** Element size on the wire of each fixed-size datatype (BYTES: none). */
const SIZE: Record<string, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

const TEXTS = ["", "a", "héllo", "😀", "tab\there", '"quoted"', "\\", "long".repeat(20), "\u0000"];

/** A JSON value valid for `datatype`. */
export function jsonValue(r: Rng, datatype: string): unknown {
  switch (datatype) {
    case "BOOL":
      return chance(r, 0.5);
    case "UINT8":
      return int(r, 0, 255);
    case "INT8":
      return int(r, -128, 127);
    case "UINT16":
      return int(r, 0, 65535);
    case "INT16":
      return int(r, -32768, 32767);
    case "UINT32":
      return int(r, 0, 2 ** 32 - 1);
    case "INT32":
      return int(r, -(2 ** 31), 2 ** 31 - 1);
    case "UINT64":
      return int(r, 0, 2 ** 53 - 1);
    case "INT64":
      return int(r, -(2 ** 53) + 1, 2 ** 53 - 1);
    case "FP16":
      return int(r, -2048, 2048) / 8;
    case "FP32":
      return Math.fround((r() - 0.5) * 1000);
    case "FP64":
      return (r() - 0.5) * 1e6;
    default:
      return pick(r, TEXTS);
  }
}

/** A shape of 0–3 dimensions of 0–4 (mostly 1–3). */
export function shapeOf(r: Rng): number[] {
  const dims = pick(r, [0, 1, 1, 2, 2, 3]);
  return Array.from({ length: dims }, () => chance(r, 0.05) ? 0 : int(r, 1, 3));
}

/** The element count of `shape`. */
export function countOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `flat` as nested lists of `shape` (row-major). */
export function nest(flat: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  if (shape.length === 1) return [...flat];
  const [n, ...rest] = shape;
  const step = countOf(rest);
  return Array.from({ length: n }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), rest));
}

/** Random parameters (string, number, boolean values). */
export function parameters(r: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = int(r, 0, 3); i > 0; i--) {
    out[pick(r, ["content_type", "k", "headers", "x", "p1"])] = pick(r, [
      "s",
      1,
      2.5,
      true,
      false,
      "np",
      -3,
    ]);
  }
  return out;
}

/** A valid V2 REST JSON input tensor named `name`. */
export function jsonTensor(r: Rng, name: string, datatype = pick(r, DATATYPES)): any {
  const shape = shapeOf(r);
  // A scalar has one value; a shape [] is one element.
  const flat = Array.from({ length: countOf(shape) }, () => jsonValue(r, datatype));
  const t: any = { name, datatype, shape, data: chance(r, 0.5) ? flat : nest(flat, shape) };
  if (shape.length === 0 && chance(r, 0.5)) t.data = flat;
  if (chance(r, 0.2)) t.parameters = parameters(r);
  return t;
}

/** Raw little-endian bytes for a tensor of `datatype` and `count` elements. */
export function rawBytes(r: Rng, datatype: string, count: number): Uint8Array {
  if (datatype === "BYTES") {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const b = chance(r, 0.8) ? ENC.encode(pick(r, TEXTS)) : randomBytes(r, int(r, 0, 6));
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, b.length, true);
      parts.push(len, b);
    }
    return concat(...parts);
  }
  const out = new Uint8Array(count * SIZE[datatype]);
  if (datatype === "BOOL") {
    for (let i = 0; i < count; i++) out[i] = int(r, 0, 1);
    return out;
  }
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    const at = i * SIZE[datatype];
    switch (datatype) {
      case "FP16":
        view.setUint16(at, int(r, 0, 0x7bff) | (chance(r, 0.5) ? 0x8000 : 0), true);
        break;
      case "FP32":
        view.setFloat32(at, (r() - 0.5) * 100, true);
        break;
      case "FP64":
        view.setFloat64(at, (r() - 0.5) * 100, true);
        break;
      default:
        for (let k = 0; k < SIZE[datatype]; k++) out[at + k] = int(r, 0, 255);
    }
  }
  return out;
}

/** `n` random bytes. */
export function randomBytes(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(r, 0, 255);
  return out;
}

/** A valid V2 REST infer request object: 1–3 inputs, maybe parameters and outputs. */
export function jsonRequest(r: Rng): any {
  const n = int(r, 1, 3);
  const req: any = {};
  if (chance(r, 0.5)) req.id = pick(r, ["", "r1", "id-é", "x".repeat(40)]);
  req.inputs = Array.from({ length: n }, (_, i) => jsonTensor(r, `in${i}`));
  if (chance(r, 0.3)) req.parameters = parameters(r);
  if (chance(r, 0.3)) req.parameters = { ...req.parameters, binary_data_output: chance(r, 0.5) };
  if (chance(r, 0.3)) {
    req.outputs = [{ name: "output-0" }];
    if (chance(r, 0.5)) req.outputs[0].parameters = { binary_data: chance(r, 0.5) };
  }
  return req;
}

/** A binary-extension body: some inputs of `req` moved to raw bytes after the JSON. */
export interface BinaryRequest {
  readonly object: any;
  readonly tensors: Uint8Array;
}

/** A valid binary-extension request: each input raw with probability 0.6. */
export function binaryRequest(r: Rng): BinaryRequest {
  const object = jsonRequest(r);
  const parts: Uint8Array[] = [];
  for (const t of object.inputs) {
    if (!chance(r, 0.6)) continue;
    const bytes = rawBytes(r, t.datatype, countOf(t.shape));
    delete t.data;
    t.parameters = { ...t.parameters, binary_data_size: bytes.length };
    parts.push(bytes);
  }
  return { object, tensors: concat(...parts) };
}

/** A string far longer than any name: error texts must not repeat it whole. */
const HUGE = "é".repeat(60_000);

const ODD_VALUES: readonly unknown[] = [
  HUGE,
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  2 ** 31,
  2 ** 32,
  2 ** 63,
  "",
  "x",
  "1",
  "FP32",
  [],
  [[]],
  [null],
  [1, [2]],
  {},
  { a: 1 },
  { name: "x" },
  "\u{1F600}",
  "\ud800",
];

const SHAPE_ENTRIES: readonly unknown[] = [
  -1,
  -2,
  0,
  1.5,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53,
  2 ** 60,
  1e300,
  "2",
  null,
  [2],
  true,
  1e9,
  65536,
];

const DATATYPE_NAMES: readonly unknown[] = [
  "fp32",
  "FP8",
  "BF16",
  "STRING",
  "",
  "BYTES ",
  "FP32\u0000",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  7,
  null,
];

const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
];

/** Every (parent, key) pair in `value`'s tree, parents first. */
function slots(
  value: any,
  out: [any, string | number][] = [],
  depth = 0,
): [any, string | number][] {
  if (depth > 12 || value === null || typeof value !== "object") return out;
  const keys: (string | number)[] = Array.isArray(value)
    ? value.map((_, i) => i)
    : Object.keys(value);
  for (const k of keys) {
    out.push([value, k]);
    slots(value[k], out, depth + 1);
  }
  return out;
}

/** A marker replaced by deeply nested lists in the JSON text (see {@link mutationText}). */
export const DEEP = "\u0001DEEP\u0001";

/** Sets an own property, `__proto__` included (an assignment would set the prototype). */
function define(obj: any, key: string, value: unknown) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Mutates a JSON request object in place: one to three structural changes. */
export function mutateObject(r: Rng, root: any): void {
  for (let n = int(r, 1, 3); n > 0; n--) {
    const all = slots(root);
    if (all.length === 0) return;
    const [parent, key] = pick(r, all);
    const k = int(r, 0, 11);
    switch (k) {
      case 0: // drop
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 1: // duplicate
        if (Array.isArray(parent)) {
          parent.splice(key as number, 0, structuredClone(parent[key as number]));
        } else define(parent, `${key}_2`, parent[key]);
        break;
      case 2: // retype
        parent[key] = structuredClone(pick(r, ODD_VALUES));
        break;
      case 3: { // a shape entry
        const t: any = pick(r, root.inputs ?? [{}]);
        if (t && typeof t === "object") {
          if (!Array.isArray(t.shape)) t.shape = [];
          const i = int(r, 0, t.shape.length);
          t.shape[i] = pick(r, SHAPE_ENTRIES);
        }
        break;
      }
      case 4: { // data length against shape
        const t: any = pick(r, root.inputs ?? [{}]);
        if (t && Array.isArray(t.data)) {
          if (chance(r, 0.5)) t.data.pop();
          else t.data.push(structuredClone(t.data[0] ?? 1));
        } else if (t && Array.isArray(t.shape)) {
          t.shape.push(int(r, 2, 4));
        }
        break;
      }
      case 5: { // datatype
        const t: any = pick(r, root.inputs ?? [{}]);
        if (t && typeof t === "object") {
          t.datatype = chance(r, 0.5) ? pick(r, [...DATATYPE_NAMES, HUGE]) : pick(r, DATATYPES);
        }
        break;
      }
      case 6: // hostile key
        if (!Array.isArray(parent) && typeof parent === "object") {
          define(parent, pick(r, HOSTILE_KEYS), structuredClone(pick(r, ODD_VALUES)));
        } else {
          define(root, pick(r, HOSTILE_KEYS), structuredClone(pick(r, ODD_VALUES)));
        }
        break;
      case 7: // deep nesting
        parent[key] = DEEP;
        break;
      case 8: { // binary_data_size
        const t: any = pick(r, root.inputs ?? [{}]);
        if (t && typeof t === "object") {
          t.parameters = {
            ...(typeof t.parameters === "object" ? t.parameters : {}),
            binary_data_size: pick(r, [0, 1, 3, 4, -1, 1.5, "4", 2 ** 53, 1e20, null]),
          };
        }
        break;
      }
      case 9: // huge list
        parent[key] = Array.from({ length: int(r, 100, 5000) }, () => pick(r, [1, 0.5, "a", true]));
        break;
      case 10: // requested outputs
        root.outputs = pick(r, [
          [{ name: "output-0", parameters: { binary_data: true } }],
          [{ name: "nope" }],
          [{ name: "output-0" }, { name: "output-0" }],
          [{ name: "output-0", parameters: { classification: 2 } }],
          [{ name: "output-0", parameters: { binary_data: "yes" } }],
          [{}],
          "output-0",
        ]);
        break;
      default: // parameters
        root.parameters = pick(r, [
          { binary_data_output: true },
          { binary_data_output: 1 },
          { x: null },
          { x: [1] },
          { x: { y: 1 } },
          [],
          "p",
        ]);
    }
  }
}

/** `object` as JSON text, {@link DEEP} markers replaced by lists nested 1–100k deep. */
export function mutationText(r: Rng, object: unknown): string {
  let text = JSON.stringify(object);
  const marker = JSON.stringify(DEEP);
  while (text.includes(marker)) {
    const depth = pick(r, [1, 10, 64, 101, 1000, 20_000, 100_000]);
    const inner = pick(r, ["", "1", '"a"', "true", "{}"]);
    text = text.replace(marker, "[".repeat(depth) + inner + "]".repeat(depth));
  }
  return text;
}

/** Byte-level damage: truncation, bit flips, inserted bytes (invalid UTF-8 among them). */
export function mutateBytes(r: Rng, bytes: Uint8Array): Uint8Array {
  let out: Uint8Array = new Uint8Array(bytes);
  for (let n = int(r, 1, 3); n > 0; n--) {
    const at = out.length === 0 ? 0 : int(r, 0, out.length - 1);
    switch (int(r, 0, 5)) {
      case 0:
        out = out.slice(0, at);
        break;
      case 1:
        if (out.length > 0) out[at] ^= 1 << int(r, 0, 7);
        break;
      case 2:
        out = concat(out.slice(0, at), pick(r, INSERTS), out.slice(at));
        break;
      case 3:
        if (out.length > 0) out[at] = int(r, 0, 255);
        break;
      case 4:
        out = concat(out.slice(0, at), out.slice(at + int(r, 1, 8)));
        break;
      default:
        out = concat(out, randomBytes(r, int(r, 1, 16)));
    }
  }
  return out;
}

const INSERTS: readonly Uint8Array[] = [
  new Uint8Array([0xff]),
  new Uint8Array([0xc3]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  new Uint8Array([0]),
  ENC.encode("NaN"),
  ENC.encode("-Infinity"),
  ENC.encode("1e999"),
  ENC.encode("9".repeat(400)),
  ENC.encode(',"__proto__":{"x":1}'),
  ENC.encode("]"),
  ENC.encode("}"),
  ENC.encode(","),
];

// ---------------------------------------------------------------------------------------------
// Protobuf wire writing (no schema library: the bytes are what a fuzzer wants to control).

/** A varint. */
export function varint(n: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return new Uint8Array(out);
}

/** A length-delimited field. */
export function lenField(field: number, body: Uint8Array): Uint8Array {
  return concat(varint((field << 3) | 2), varint(body.length), body);
}

/** A string field. */
export function strField(field: number, s: string): Uint8Array {
  return lenField(field, ENC.encode(s));
}

/** A varint field. */
export function varField(field: number, n: number | bigint): Uint8Array {
  return concat(varint(field << 3), varint(n));
}

/** A double (fixed64) field. */
export function doubleField(field: number, x: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return concat(varint((field << 3) | 1), b);
}

/** A float (fixed32) field. */
export function floatField(field: number, x: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return concat(varint((field << 3) | 5), b);
}

/** A packed repeated varint field. */
export function packedVarints(field: number, values: readonly (number | bigint)[]): Uint8Array {
  return lenField(field, concat(...values.map(varint)));
}

/** `InferParameter` (oneof bool 1, int64 2, string 3, double 4, uint64 5). */
function inferParameter(r: Rng): Uint8Array {
  switch (int(r, 0, 4)) {
    case 0:
      return varField(1, int(r, 0, 1));
    case 1:
      return varField(2, BigInt(int(r, -1000, 1000)));
    case 2:
      return strField(3, pick(r, TEXTS));
    case 3:
      return doubleField(4, r() * 10);
    default:
      return varField(5, int(r, 0, 1000));
  }
}

/** A `map<string, InferParameter>` field's entries. */
function parameterMap(r: Rng, field: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = int(r, 1, 3); i > 0; i--) {
    parts.push(
      lenField(
        field,
        concat(strField(1, pick(r, ["k", "x", "p"])), lenField(2, inferParameter(r))),
      ),
    );
  }
  return concat(...parts);
}

/** `InferTensorContents` for `datatype`: the typed repeated field of its kind. */
function contents(r: Rng, datatype: string, count: number, unpacked = false): Uint8Array {
  const values = Array.from({ length: count }, () => jsonValue(r, datatype));
  if (unpacked && datatype !== "BYTES") return unpackedContents(datatype, values);
  switch (datatype) {
    case "BOOL":
      return packedVarints(1, values.map((v) => (v ? 1 : 0)));
    case "INT8":
    case "INT16":
    case "INT32":
      return packedVarints(2, values as number[]);
    case "INT64":
      return packedVarints(3, (values as number[]).map((v) => BigInt(v)));
    case "UINT8":
    case "UINT16":
    case "UINT32":
      return packedVarints(4, values as number[]);
    case "UINT64":
      return packedVarints(5, (values as number[]).map((v) => BigInt(v)));
    case "FP16":
    case "FP32": {
      const b = new Uint8Array(4 * count);
      values.forEach((v, i) => new DataView(b.buffer).setFloat32(4 * i, v as number, true));
      return lenField(6, b);
    }
    case "FP64": {
      const b = new Uint8Array(8 * count);
      values.forEach((v, i) => new DataView(b.buffer).setFloat64(8 * i, v as number, true));
      return lenField(7, b);
    }
    default:
      return concat(...values.map((v) => strField(8, v as string)));
  }
}

/** An input tensor of a `ModelInferRequest`, its fields kept apart so they can be mutated. */
export interface GrpcInput {
  name: string;
  datatype: string;
  shape: (number | bigint)[];
  parameters?: Uint8Array;
  /** Encoded `InferTensorContents` fields (empty: no `contents`). */
  contents: Uint8Array[];
}

/** A `ModelInferRequest` as parts (see {@link encodeGrpcRequest}). */
export interface GrpcRequest {
  model: string;
  version?: string;
  id?: string;
  parameters?: Uint8Array;
  inputs: GrpcInput[];
  outputs: Uint8Array[];
  raw: Uint8Array[];
}

/** Repeated scalar contents written unpacked: one field per value (proto3 parsers accept both). */
function unpackedContents(datatype: string, values: unknown[]): Uint8Array {
  const parts = values.map((v) => {
    switch (datatype) {
      case "BOOL":
        return varField(1, v ? 1 : 0);
      case "INT8":
      case "INT16":
      case "INT32":
        return varField(2, v as number);
      case "INT64":
        return varField(3, BigInt(v as number));
      case "UINT8":
      case "UINT16":
      case "UINT32":
        return varField(4, v as number);
      case "UINT64":
        return varField(5, BigInt(v as number));
      case "FP16":
      case "FP32":
        return floatField(6, v as number);
      default:
        return doubleField(7, v as number);
    }
  });
  return concat(...parts);
}

/**
 * A valid `ModelInferRequest` for `model`: 1–3 inputs in `contents` (packed, or sometimes
 * unpacked as proto3 parsers must also accept) or (all of them, as the spec requires) in
 * `raw_input_contents`, maybe parameters and requested outputs.
 */
export function grpcRequest(r: Rng, model: string): GrpcRequest {
  const raw = chance(r, 0.4);
  const req: GrpcRequest = { model, inputs: [], outputs: [], raw: [] };
  if (chance(r, 0.3)) req.version = pick(r, ["", "1"]);
  if (chance(r, 0.5)) req.id = pick(r, ["r1", "", "id-é"]);
  if (chance(r, 0.3)) req.parameters = parameterMap(r, 4);
  for (let i = 0; i < int(r, 1, 3); i++) {
    // FP16 has no contents field: raw only (a request may not mix the two).
    const datatype = raw ? pick(r, DATATYPES) : pick(r, DATATYPES.filter((d) => d !== "FP16"));
    const shape = shapeOf(r);
    const count = countOf(shape);
    const t: GrpcInput = { name: `in${i}`, datatype, shape, contents: [] };
    if (chance(r, 0.2)) t.parameters = parameterMap(r, 4);
    if (raw) req.raw.push(rawBytes(r, datatype, count));
    else t.contents.push(contents(r, datatype, count, chance(r, 0.2)));
    req.inputs.push(t);
  }
  if (chance(r, 0.3)) {
    const o = [strField(1, "output-0")];
    if (chance(r, 0.5)) o.push(parameterMap(r, 2));
    req.outputs.push(concat(...o));
  }
  return req;
}

/** The bytes of a {@link GrpcRequest}. */
export function encodeGrpcRequest(req: GrpcRequest): Uint8Array {
  const parts: Uint8Array[] = [strField(1, req.model)];
  if (req.version !== undefined) parts.push(strField(2, req.version));
  if (req.id !== undefined) parts.push(strField(3, req.id));
  if (req.parameters) parts.push(req.parameters);
  for (const t of req.inputs) {
    const fields = [strField(1, t.name), strField(2, t.datatype), packedVarints(3, t.shape)];
    if (t.parameters) fields.push(t.parameters);
    if (t.contents.length > 0) fields.push(lenField(5, concat(...t.contents)));
    parts.push(lenField(5, concat(...fields)));
  }
  for (const o of req.outputs) parts.push(lenField(6, o));
  for (const b of req.raw) parts.push(lenField(7, b));
  return concat(...parts);
}

/** A valid `ModelInferRequest`'s bytes (see {@link grpcRequest}). */
export function grpcInferRequest(r: Rng, model: string): Uint8Array {
  return encodeGrpcRequest(grpcRequest(r, model));
}

const GRPC_SHAPE_ENTRIES: readonly bigint[] = [
  -1n,
  -2n,
  0n,
  2n ** 31n,
  2n ** 32n + 1n,
  2n ** 53n,
  2n ** 62n,
  2n ** 63n - 1n,
  65536n,
  1000000000n,
];

/** One to three semantic mutations of a request (shapes, datatypes, contents, raw bytes). */
export function mutateGrpcRequest(r: Rng, req: GrpcRequest): void {
  for (let n = int(r, 1, 3); n > 0; n--) {
    const t = req.inputs.length > 0 ? pick(r, req.inputs) : undefined;
    switch (int(r, 0, 11)) {
      case 0: // a shape entry
        if (t) t.shape[int(r, 0, t.shape.length)] = pick(r, GRPC_SHAPE_ENTRIES);
        break;
      case 1: // a dimension more or less
        if (t) chance(r, 0.5) ? t.shape.pop() : t.shape.push(int(r, 2, 4));
        break;
      case 2: // another datatype (the contents stay)
        if (t) {
          t.datatype = chance(r, 0.7) ? pick(r, DATATYPES) : pick(r, DATATYPE_NAMES.map(String));
        }
        break;
      case 3: // contents of another kind, or two kinds
        if (t) {
          const n = Math.min(64, countOf(t.shape.map(Number)) + int(r, -1, 1));
          const other = contents(r, pick(r, DATATYPES), Math.max(0, n), chance(r, 0.3));
          if (chance(r, 0.5)) t.contents = [other];
          else t.contents.push(other);
        }
        break;
      case 4: // contents dropped, or given with raw contents too
        if (t) {
          if (t.contents.length > 0) t.contents = [];
          else {
            const n = Math.min(64, Math.max(0, countOf(t.shape.map(Number))));
            t.contents.push(contents(r, t.datatype, n, false));
          }
        }
        break;
      case 5: // a raw tensor dropped, added, cut or grown
        if (req.raw.length > 0 && chance(r, 0.6)) {
          const i = int(r, 0, req.raw.length - 1);
          const b = req.raw[i];
          req.raw[i] = pick(r, [
            b.slice(0, Math.max(0, b.length - int(r, 1, 4))),
            concat(b, randomBytes(r, int(r, 1, 8))),
            mutateBytes(r, b),
          ]);
        } else if (chance(r, 0.5)) req.raw.pop();
        else req.raw.push(randomBytes(r, int(r, 0, 16)));
        break;
      case 6: // inputs duplicated, dropped, renamed
        if (t) {
          const k = int(r, 0, 2);
          if (k === 0) req.inputs.push({ ...t, shape: [...t.shape], contents: [...t.contents] });
          else if (k === 1) req.inputs.splice(req.inputs.indexOf(t), 1);
          else t.name = pick(r, ["", "in0", "__proto__", "constructor", "\u0000", "é", HUGE]);
        }
        break;
      case 7: // an InferParameter with no value, or two
        (t ?? req).parameters = lenField(
          4,
          concat(
            strField(1, pick(r, ["binary_data_size", "k", "__proto__"])),
            lenField(2, pick(r, [new Uint8Array(0), concat(varField(1, 1), strField(3, "s"))])),
          ),
        );
        break;
      case 8: // requested outputs
        req.outputs = pick(r, [
          [strField(1, "nope")],
          [strField(1, "output-0"), strField(1, "output-0")],
          [concat(
            strField(1, "output-0"),
            lenField(2, concat(strField(1, "classification"), lenField(2, varField(2, 2)))),
          )],
          [new Uint8Array(0)],
        ]);
        break;
      case 9: // model name or version
        if (chance(r, 0.5)) req.model = pick(r, ["", "other", req.model + " ", HUGE]);
        else req.version = pick(r, ["2", "-1", "\u0000"]);
        break;
      case 10: // a huge element count with little data
        if (t) t.shape = [pick(r, [2n ** 20n, 2n ** 26n, 2n ** 30n]), pick(r, [1n, 2n ** 10n])];
        break;
      default: // bytes contents with invalid UTF-8
        if (t) {
          t.contents = [lenField(8, new Uint8Array([0xff, 0xfe])), lenField(8, new Uint8Array())];
        }
    }
  }
}

/** A protobuf-level mutation: fields dropped, duplicated, retyped, lengths lied about. */
export function mutateProto(r: Rng, bytes: Uint8Array): Uint8Array {
  const fields = splitFields(bytes);
  if (fields === undefined || fields.length === 0 || chance(r, 0.3)) return mutateBytes(r, bytes);
  const i = int(r, 0, fields.length - 1);
  const f = fields[i];
  switch (int(r, 0, 6)) {
    case 0:
      fields.splice(i, 1);
      break;
    case 1:
      fields.splice(i, 0, f);
      break;
    case 2: { // same field number, another wire type
      const tag = (f.field << 3) | pick(r, [0, 1, 2, 5, 3, 4, 6, 7]);
      fields[i] = { ...f, bytes: concat(varint(tag), randomBytes(r, int(r, 0, 9))) };
      break;
    }
    case 3: // a length-delimited field's body mutated (nested messages recursively)
      if (f.wire === 2) fields[i] = { ...f, bytes: lenField(f.field, mutateProto(r, f.body!)) };
      break;
    case 4: // a length that lies
      if (f.wire === 2) {
        const lie = Math.max(0, f.body!.length + pick(r, [-2, -1, 1, 2, 1000, 2 ** 31]));
        fields[i] = { ...f, bytes: concat(varint((f.field << 3) | 2), varint(lie), f.body!) };
      }
      break;
    case 5: // an unknown field
      fields.splice(i, 0, {
        field: 99,
        wire: 2,
        bytes: lenField(int(r, 8, 5000), randomBytes(r, int(r, 0, 8))),
      });
      break;
    default: // a huge varint shape entry or a negative one
      fields.splice(i, 0, {
        field: f.field,
        wire: 0,
        bytes: concat(varint(f.field << 3), varint(pick(r, [-1n, 2n ** 62n, 2n ** 32n, 0n]))),
      });
  }
  return concat(...fields.map((x) => x.bytes));
}

interface Field {
  field: number;
  wire: number;
  bytes: Uint8Array;
  body?: Uint8Array;
}

/** Top-level fields of a message, or undefined when the bytes do not parse. */
function splitFields(bytes: Uint8Array): Field[] | undefined {
  const out: Field[] = [];
  let pos = 0;
  const readVarint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length || shift > 63n) throw new Error("varint");
      const b = bytes[pos++];
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return v;
    }
  };
  try {
    while (pos < bytes.length) {
      const start = pos;
      const tag = Number(readVarint());
      const wire = tag & 7;
      let body: Uint8Array | undefined;
      if (wire === 0) readVarint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const n = Number(readVarint());
        body = bytes.subarray(pos, pos + n);
        pos += n;
      } else return undefined;
      if (pos > bytes.length) return undefined;
      out.push({ field: tag >> 3, wire, bytes: bytes.subarray(start, pos), body });
    }
  } catch {
    return undefined;
  }
  return out;
}

/** A valid v1 `SeldonMessage`: data (tensor, ndarray, tftensor-free), strData, binData or jsonData. */
export function seldonMessage(r: Rng): Uint8Array {
  const parts: Uint8Array[] = [];
  if (chance(r, 0.3)) parts.push(lenField(2, meta(r)));
  switch (int(r, 0, 4)) {
    case 0: { // data { names, tensor { shape, values } }
      const shape = shapeOf(r).map((d) => Math.max(1, d));
      const n = countOf(shape);
      const values = new Uint8Array(8 * n);
      for (let i = 0; i < n; i++) new DataView(values.buffer).setFloat64(8 * i, r() * 10, true);
      const tensor = concat(packedVarints(1, shape), lenField(2, values));
      const names = Array.from({ length: int(r, 0, 2) }, (_, i) => strField(1, `c${i}`));
      parts.push(lenField(3, concat(...names, lenField(2, tensor))));
      break;
    }
    case 1: { // data { ndarray: ListValue }
      const rows = Array.from({ length: int(r, 1, 3) }, () =>
        lenField(
          1,
          lenField(
            6, // list_value
            concat(
              ...Array.from({ length: int(r, 1, 3) }, () => lenField(1, doubleField(2, r()))),
            ),
          ),
        ));
      parts.push(lenField(3, lenField(3, concat(...rows))));
      break;
    }
    case 2:
      parts.push(lenField(5, ENC.encode(pick(r, TEXTS)))); // strData
      break;
    case 3:
      parts.push(lenField(4, randomBytes(r, int(r, 0, 16)))); // binData
      break;
    default: // jsonData: a Struct-like Value { struct_value { fields { "a": number } } }
      parts.push(
        lenField(
          6,
          lenField(5, lenField(1, concat(strField(1, "a"), lenField(2, doubleField(2, r()))))),
        ),
      );
  }
  return concat(...parts);
}

function meta(r: Rng): Uint8Array {
  const parts: Uint8Array[] = [strField(1, pick(r, ["p1", "", "puid"]))];
  if (chance(r, 0.5)) {
    parts.push(lenField(2, concat(strField(1, "t"), lenField(2, strField(3, "v")))));
  }
  if (chance(r, 0.3)) {
    parts.push(
      lenField(5, concat(strField(1, "m"), varField(2, int(r, 0, 2)), floatField(3, r()))),
    );
  }
  return concat(...parts);
}

/** A valid v1 `Feedback`: request, response, reward, maybe truth. */
export function feedbackMessage(r: Rng): Uint8Array {
  const parts = [lenField(1, seldonMessage(r)), lenField(2, seldonMessage(r))];
  if (chance(r, 0.7)) parts.push(floatField(3, r()));
  if (chance(r, 0.3)) parts.push(lenField(4, seldonMessage(r)));
  return concat(...parts);
}

/** A `SeldonMessage` whose `jsonData` is a list nested `depth` levels deep. */
export function deepSeldonMessage(depth: number): Uint8Array {
  let value = doubleField(2, 1); // number_value
  for (let i = 0; i < depth; i++) value = lenField(6, lenField(1, value)); // list_value.values
  return lenField(6, value);
}

/**
 * Lines of a server's log that show a crash or a leaked exception: an uncaught error, a worker
 * that exited, a stack trace, a panic or an abort.
 */
export function crashLines(log: string): string[] {
  return log.split("\n").filter((l) =>
    /uncaught|exited|panicked|SIGABRT|Assertion|free\(\)|^\s+at /i.test(l)
  );
}

/** A `google.protobuf.Value` of a random kind (lists and structs nested up to `depth`). */
function oddValue(r: Rng, depth = 0): Uint8Array {
  switch (depth > 3 ? int(r, 0, 3) : int(r, 0, 5)) {
    case 0:
      return varField(1, 0); // null_value
    case 1:
      return doubleField(2, pick(r, [0, -1, 1.5, NaN, Infinity, -Infinity, 1e308, 2 ** 53 + 2]));
    case 2:
      return strField(3, pick(r, [...TEXTS, "1", "nan"]));
    case 3:
      return varField(4, int(r, 0, 1)); // bool_value
    case 4: // struct_value
      return lenField(
        5,
        concat(
          ...Array.from(
            { length: int(r, 0, 3) },
            () =>
              lenField(
                1,
                concat(
                  strField(1, pick(r, ["a", "", "__proto__"])),
                  lenField(2, oddValue(r, depth + 1)),
                ),
              ),
          ),
        ),
      );
    default: // list_value
      return lenField(
        6,
        concat(...Array.from({ length: int(r, 0, 4) }, () => lenField(1, oddValue(r, depth + 1)))),
      );
  }
}

/**
 * A `SeldonMessage` that is valid protobuf with odd contents: shapes against values, negative
 * or huge dimensions, ragged or mixed ndarrays, more names than columns, metrics of unknown
 * types, routing, a status, tftensor and customData bytes.
 */
export function oddSeldonMessage(r: Rng): Uint8Array {
  const parts: Uint8Array[] = [];
  if (chance(r, 0.2)) {
    parts.push(
      lenField(
        1,
        concat(varField(1, int(r, -5, 500)), strField(2, "i"), varField(4, int(r, 0, 3))),
      ),
    );
  }
  if (chance(r, 0.4)) {
    const meta: Uint8Array[] = [strField(1, pick(r, ["", "p"]))];
    if (chance(r, 0.5)) {
      meta.push(lenField(2, concat(strField(1, pick(r, ["t", ""])), lenField(2, oddValue(r)))));
    }
    if (chance(r, 0.3)) {
      meta.push(lenField(3, concat(strField(1, "r"), varField(2, int(r, -3, 3)))));
    }
    if (chance(r, 0.3)) meta.push(lenField(4, concat(strField(1, "a"), strField(2, "b"))));
    if (chance(r, 0.5)) {
      meta.push(lenField(
        5,
        concat(
          strField(1, pick(r, ["m", "", "a b", "1x"])),
          varField(2, pick(r, [0, 1, 2, 3, 99, -1])),
          floatField(3, pick(r, [1, NaN, Infinity, -1])),
          lenField(4, concat(strField(1, pick(r, ["k", ""])), strField(2, "v"))),
        ),
      ));
    }
    parts.push(lenField(2, concat(...meta)));
  }
  const names = Array.from(
    { length: int(r, 0, 4) },
    () => strField(1, pick(r, ["a", "a", "", "é"])),
  );
  switch (int(r, 0, 5)) {
    case 0: { // tensor: shape against values
      const shape = Array.from(
        { length: int(r, 0, 3) },
        () => pick(r, [0, 1, 2, 3, -1, -2, 2 ** 31 - 1, 65536]),
      );
      const n = pick(r, [0, 1, 2, 3, 4, 6, countOf(shape.map((d) => Math.max(0, Math.min(d, 8))))]);
      const values = new Uint8Array(8 * n);
      for (let i = 0; i < n; i++) {
        new DataView(values.buffer).setFloat64(8 * i, pick(r, [1, NaN, -0]), true);
      }
      parts.push(
        lenField(
          3,
          concat(...names, lenField(2, concat(packedVarints(1, shape), lenField(2, values)))),
        ),
      );
      break;
    }
    case 1: // ndarray of odd values (ragged, mixed, nested)
      parts.push(lenField(
        3,
        concat(
          ...names,
          lenField(
            3,
            concat(
              ...Array.from({ length: int(r, 0, 4) }, () => lenField(1, oddValue(r))),
            ),
          ),
        ),
      ));
      break;
    case 2: // tftensor: a TensorProto of random fields
      parts.push(lenField(
        3,
        concat(
          ...names,
          lenField(
            4,
            concat(
              varField(1, int(r, 0, 30)), // dtype
              lenField(2, lenField(2, varField(1, pick(r, [-1, 0, 2, 2 ** 40])))), // tensor_shape.dim.size
              chance(r, 0.5) ? lenField(4, randomBytes(r, int(r, 0, 16))) : new Uint8Array(), // content
            ),
          ),
        ),
      ));
      break;
    case 3: // jsonData of any kind
      parts.push(lenField(6, oddValue(r)));
      break;
    case 4: // customData: an Any
      parts.push(
        lenField(
          7,
          concat(
            strField(1, pick(r, ["type.googleapis.com/x", ""])),
            lenField(2, randomBytes(r, 4)),
          ),
        ),
      );
      break;
    default: // nothing but names
      parts.push(lenField(3, concat(...names)));
  }
  return concat(...parts);
}
