/**
 * Table form of the Seldon protobuf schema (`proto/prediction.proto` and the TensorFlow
 * subset under `proto/tensorflow/`), shared by the binary codec (`codec.ts`) and the strict
 * proto3 JSON parser (`json.ts`). The tables are written by hand for speed and to avoid
 * loading `.proto` files at run time; `tests/unit/protocol/proto/codec_test.ts` checks them field by
 * field against the `.proto` files loaded with protobufjs.
 * @module
 */

/** Scalar protobuf types that occur in the schema. */
export type ScalarType =
  | "double"
  | "float"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "bool"
  | "string"
  | "bytes";

/** What a field holds: a scalar, an enum value or a message. */
export type FieldKind = ScalarType | "enum" | "message";

/** Well-known types with a special JSON form. */
export type WellKnown = "Value" | "Struct" | "ListValue" | "Any";

/** A protobuf enum: number ↔ name. */
export interface EnumDef {
  /** Fully qualified name, e.g. `seldon.protos.Metric.MetricType`. */
  readonly fullName: string;
  /** Name of each known number. */
  readonly names: ReadonlyMap<number, string>;
  /** Number of each known name. */
  readonly numbers: ReadonlyMap<string, number>;
}

/** One field of a message (or the value half of a map field). */
export interface FieldDef {
  /** Field number. */
  readonly no: number;
  /** Name in the `.proto` file. */
  readonly name: string;
  /** proto3 JSON name (lowerCamelCase of {@link name}). */
  readonly json: string;
  /** Element type. For a map field: the type of the map's values. */
  readonly kind: FieldKind;
  /** `repeated` (not set for map fields). */
  readonly repeated: boolean;
  /** `map<string, …>` field: entries are key (1, string) / value (2, this field's kind). */
  readonly map: boolean;
  /** Name of the containing oneof, if any. */
  readonly oneof?: string;
  /** Enum of an `enum` field. */
  readonly enumDef?: EnumDef;
  /** Fully qualified message type of a `message` field. */
  readonly typeName?: string;
  /** Wire type of one element (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
  readonly wireType: number;
  /** Repeated numeric field: packed on the wire (the decoder also accepts unpacked). */
  readonly packed: boolean;
}

/** One message type. */
export interface MessageDef {
  /** Fully qualified name, e.g. `seldon.protos.SeldonMessage`. */
  readonly fullName: string;
  /** Simple name, used at the start of JSON error paths (`Feedback.reward`). */
  readonly name: string;
  /** Fields in field-number order. */
  readonly fields: readonly FieldDef[];
  /** Field by number (sparse array). */
  readonly byNo: readonly (FieldDef | undefined)[];
  /** Field by JSON name and by proto name. */
  readonly byKey: ReadonlyMap<string, FieldDef>;
  /** Set for google.protobuf.Value / Struct / ListValue / Any. */
  readonly wellKnown?: WellKnown;
}

// ---------------------------------------------------------------------------------------
// Number helpers (shared by the codec and the JSON parser)
// ---------------------------------------------------------------------------------------

/** Canonical JSON of a double: the number, or "NaN" / "Infinity" / "-Infinity". */
export function canonDouble(v: number): number | string {
  if (v - v === 0) return v;
  return v !== v ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

/** Rounds a double to the nearest float32 (`Math.fround`). */
export function float32(x: number): number {
  return Math.fround(x);
}

/**
 * The shortest decimal (as a JS number) that reads back as the same float32, the way Python
 * protobuf prints `float` fields (`ToShortestFloat`: 6 significant digits, more until the
 * value round-trips). The input is first rounded to float32. Non-finite values pass through.
 */
export function shortestFloat32(x: number): number {
  const f = Math.fround(x);
  if (f - f !== 0 || f === 0) return f;
  if (Number.isInteger(f) && f < 1e6 && f > -1e6) return f;
  for (let p = 6; p < 17; p++) {
    const r = Number(f.toPrecision(p));
    if (Math.fround(r) === f) return r;
  }
  return f;
}

// ---------------------------------------------------------------------------------------
// Table builders
// ---------------------------------------------------------------------------------------

/** proto3 JSON name: drop underscores, upper-casing the letter after each. */
export function jsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/_/g, "");
}

function makeEnum(fullName: string, values: readonly (readonly [string, number])[]): EnumDef {
  const names = new Map<number, string>();
  const numbers = new Map<string, number>();
  for (const [n, v] of values) {
    if (!names.has(v)) names.set(v, n);
    numbers.set(n, v);
  }
  return { fullName, names, numbers };
}

const WIRE: Record<FieldKind, number> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  int64: 0,
  uint64: 0,
  bool: 0,
  enum: 0,
  string: 2,
  bytes: 2,
  message: 2,
};

interface FieldOpts {
  repeated?: boolean;
  map?: boolean;
  oneof?: string;
  enumDef?: EnumDef;
  typeName?: string;
}

function field(no: number, name: string, kind: FieldKind, opts: FieldOpts = {}): FieldDef {
  const wireType = WIRE[kind];
  const repeated = opts.repeated ?? false;
  return {
    no,
    name,
    json: jsonName(name),
    kind,
    repeated,
    map: opts.map ?? false,
    oneof: opts.oneof,
    enumDef: opts.enumDef,
    typeName: opts.typeName,
    wireType,
    packed: repeated && wireType !== 2,
  };
}

const msgField = (no: number, name: string, typeName: string, opts: FieldOpts = {}) =>
  field(no, name, "message", { ...opts, typeName });

function message(fullName: string, fields: FieldDef[], wellKnown?: WellKnown): MessageDef {
  const sorted = [...fields].sort((a, b) => a.no - b.no);
  const byNo: (FieldDef | undefined)[] = [];
  const byKey = new Map<string, FieldDef>();
  for (const f of sorted) {
    byNo[f.no] = f;
    byKey.set(f.json, f);
    byKey.set(f.name, f);
  }
  const name = fullName.slice(fullName.lastIndexOf(".") + 1);
  return { fullName, name, fields: sorted, byNo, byKey, wellKnown };
}

// ---------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------

/** `seldon.protos.Metric.MetricType`. */
export const METRIC_TYPE: EnumDef = makeEnum("seldon.protos.Metric.MetricType", [
  ["COUNTER", 0],
  ["GAUGE", 1],
  ["TIMER", 2],
]);

/** `seldon.protos.Status.StatusFlag`. */
export const STATUS_FLAG: EnumDef = makeEnum("seldon.protos.Status.StatusFlag", [
  ["SUCCESS", 0],
  ["FAILURE", 1],
]);

const DT_BASE = [
  "FLOAT",
  "DOUBLE",
  "INT32",
  "UINT8",
  "INT16",
  "INT8",
  "STRING",
  "COMPLEX64",
  "INT64",
  "BOOL",
  "QINT8",
  "QUINT8",
  "QINT32",
  "BFLOAT16",
  "QINT16",
  "QUINT16",
  "UINT16",
  "COMPLEX128",
  "HALF",
  "RESOURCE",
  "VARIANT",
  "UINT32",
  "UINT64",
  "FLOAT8_E5M2",
  "FLOAT8_E4M3FN",
] as const;

/** `tensorflow.DataType`, including the `_REF` variants (101..125). */
export const DATA_TYPE: EnumDef = makeEnum("tensorflow.DataType", [
  ["DT_INVALID", 0],
  ...DT_BASE.map((n, i) => [`DT_${n}`, i + 1] as const),
  ...DT_BASE.map((n, i) => [`DT_${n}_REF`, i + 101] as const),
]);

/** `google.protobuf.NullValue` (only used inside Value). */
export const NULL_VALUE: EnumDef = makeEnum("google.protobuf.NullValue", [["NULL_VALUE", 0]]);

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

const S = "seldon.protos.";
const TF = "tensorflow.";
const G = "google.protobuf.";
const DATA_ONEOF = { oneof: "data_oneof" };
const REP = { repeated: true };
const MAP = { map: true };

const DEFS: MessageDef[] = [
  message(S + "SeldonMessage", [
    msgField(1, "status", S + "Status"),
    msgField(2, "meta", S + "Meta"),
    msgField(3, "data", S + "DefaultData", DATA_ONEOF),
    field(4, "binData", "bytes", DATA_ONEOF),
    field(5, "strData", "string", DATA_ONEOF),
    msgField(6, "jsonData", G + "Value", DATA_ONEOF),
    msgField(7, "customData", G + "Any", DATA_ONEOF),
  ]),
  message(S + "DefaultData", [
    field(1, "names", "string", REP),
    msgField(2, "tensor", S + "Tensor", DATA_ONEOF),
    msgField(3, "ndarray", G + "ListValue", DATA_ONEOF),
    msgField(4, "tftensor", TF + "TensorProto", DATA_ONEOF),
  ]),
  message(S + "Tensor", [field(1, "shape", "int32", REP), field(2, "values", "double", REP)]),
  message(S + "Meta", [
    field(1, "puid", "string"),
    msgField(2, "tags", G + "Value", MAP),
    field(3, "routing", "int32", MAP),
    field(4, "requestPath", "string", MAP),
    msgField(5, "metrics", S + "Metric", REP),
  ]),
  message(S + "Metric", [
    field(1, "key", "string"),
    field(2, "type", "enum", { enumDef: METRIC_TYPE }),
    field(3, "value", "float"),
    field(4, "tags", "string", MAP),
  ]),
  message(S + "SeldonMessageList", [msgField(1, "seldonMessages", S + "SeldonMessage", REP)]),
  message(S + "Status", [
    field(1, "code", "int32"),
    field(2, "info", "string"),
    field(3, "reason", "string"),
    field(4, "status", "enum", { enumDef: STATUS_FLAG }),
  ]),
  message(S + "Feedback", [
    msgField(1, "request", S + "SeldonMessage"),
    msgField(2, "response", S + "SeldonMessage"),
    field(3, "reward", "float"),
    msgField(4, "truth", S + "SeldonMessage"),
  ]),
  message(S + "RequestResponse", [
    msgField(1, "request", S + "SeldonMessage"),
    msgField(2, "response", S + "SeldonMessage"),
  ]),
  message(S + "SeldonModelMetadataRequest", [field(1, "name", "string")]),
  message(S + "SeldonMessageMetadata", [
    field(1, "messagetype", "string"),
    msgField(2, "schema", G + "Value"),
    field(3, "name", "string"),
    field(4, "datatype", "string"),
    field(5, "shape", "int64", REP),
  ]),
  message(S + "SeldonModelMetadata", [
    field(1, "name", "string"),
    field(2, "versions", "string", REP),
    field(3, "platform", "string"),
    msgField(4, "inputs", S + "SeldonMessageMetadata", REP),
    msgField(5, "outputs", S + "SeldonMessageMetadata", REP),
    field(6, "custom", "string", MAP),
  ]),
  message(S + "SeldonGraphMetadata", [
    field(1, "name", "string"),
    msgField(2, "models", S + "SeldonModelMetadata", MAP),
    msgField(3, "inputs", S + "SeldonMessageMetadata", REP),
    msgField(4, "outputs", S + "SeldonMessageMetadata", REP),
  ]),
  // --- tensorflow ---
  message(TF + "TensorProto", [
    field(1, "dtype", "enum", { enumDef: DATA_TYPE }),
    msgField(2, "tensor_shape", TF + "TensorShapeProto"),
    field(3, "version_number", "int32"),
    field(4, "tensor_content", "bytes"),
    field(5, "float_val", "float", REP),
    field(6, "double_val", "double", REP),
    field(7, "int_val", "int32", REP),
    field(8, "string_val", "bytes", REP),
    field(9, "scomplex_val", "float", REP),
    field(10, "int64_val", "int64", REP),
    field(11, "bool_val", "bool", REP),
    field(12, "dcomplex_val", "double", REP),
    field(13, "half_val", "int32", REP),
    msgField(14, "resource_handle_val", TF + "ResourceHandleProto", REP),
    msgField(15, "variant_val", TF + "VariantTensorDataProto", REP),
    field(16, "uint32_val", "uint32", REP),
    field(17, "uint64_val", "uint64", REP),
    field(18, "float8_val", "bytes"),
  ]),
  message(TF + "TensorShapeProto", [
    msgField(2, "dim", TF + "TensorShapeProto.Dim", REP),
    field(3, "unknown_rank", "bool"),
  ]),
  message(TF + "TensorShapeProto.Dim", [field(1, "size", "int64"), field(2, "name", "string")]),
  message(TF + "VariantTensorDataProto", [
    field(1, "type_name", "string"),
    field(2, "metadata", "bytes"),
    msgField(3, "tensors", TF + "TensorProto", REP),
  ]),
  message(TF + "ResourceHandleProto", [
    field(1, "device", "string"),
    field(2, "container", "string"),
    field(3, "name", "string"),
    field(4, "hash_code", "uint64"),
    field(5, "maybe_type_name", "string"),
    msgField(6, "dtypes_and_shapes", TF + "ResourceHandleProto.DtypeAndShape", REP),
  ]),
  message(TF + "ResourceHandleProto.DtypeAndShape", [
    field(1, "dtype", "enum", { enumDef: DATA_TYPE }),
    msgField(2, "shape", TF + "TensorShapeProto"),
  ]),
  // --- google.protobuf ---
  message(G + "Empty", []),
  message(G + "Value", [
    field(1, "null_value", "enum", { enumDef: NULL_VALUE, oneof: "kind" }),
    field(2, "number_value", "double", { oneof: "kind" }),
    field(3, "string_value", "string", { oneof: "kind" }),
    field(4, "bool_value", "bool", { oneof: "kind" }),
    msgField(5, "struct_value", G + "Struct", { oneof: "kind" }),
    msgField(6, "list_value", G + "ListValue", { oneof: "kind" }),
  ], "Value"),
  message(G + "Struct", [msgField(1, "fields", G + "Value", MAP)], "Struct"),
  message(G + "ListValue", [msgField(1, "values", G + "Value", REP)], "ListValue"),
  message(G + "Any", [field(1, "type_url", "string"), field(2, "value", "bytes")], "Any"),
];

/** Every message type of the schema, by fully qualified name. */
export const MESSAGES: ReadonlyMap<string, MessageDef> = new Map(
  DEFS.map((d) => [d.fullName, d]),
);

/** Message names accepted by {@link lookupMessage} in their short form. */
export type MessageName =
  | "SeldonMessage"
  | "DefaultData"
  | "Tensor"
  | "Meta"
  | "Metric"
  | "SeldonMessageList"
  | "Status"
  | "Feedback"
  | "RequestResponse"
  | "SeldonModelMetadataRequest"
  | "SeldonMessageMetadata"
  | "SeldonModelMetadata"
  | "SeldonGraphMetadata"
  | "TensorProto"
  | "TensorShapeProto"
  | "Empty";

const SHORT = new Map<string, MessageDef>();
for (const d of DEFS) if (!SHORT.has(d.name)) SHORT.set(d.name, d);

/**
 * Finds a message type by fully qualified name (`seldon.protos.Feedback`,
 * `tensorflow.TensorProto`, `google.protobuf.Empty`) or by simple name (`Feedback`).
 * Throws for an unknown name.
 */
export function lookupMessage(name: string): MessageDef {
  const def = MESSAGES.get(name) ?? SHORT.get(name);
  if (def === undefined) throw new Error(`Unknown protobuf message type: ${name}`);
  return def;
}

/** The message type of a `message` field (internal tables are consistent, so never fails). */
export function fieldMessage(f: FieldDef): MessageDef {
  return lookupMessage(f.typeName as string);
}

/** True when a canonical scalar holds the proto3 default of its field. */
export function isDefaultCanon(f: FieldDef, v: unknown): boolean {
  if (v === 0 || v === "" || v === false) return true;
  if (f.kind === "int64" || f.kind === "uint64") return v === "0";
  if (f.kind === "enum") return v === (f.enumDef as EnumDef).names.get(0);
  return false;
}
