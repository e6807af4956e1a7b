/**
 * Tests of the `.proto` files, the binary codec (`src/protocol/proto/codec.ts`) and the strict
 * proto3 JSON parser (`src/protocol/proto/json.ts`).
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import protobuf from "protobufjs";
import { concat } from "../../../_helpers/bytes.ts";
import {
  decodeMessage,
  encodeMessage,
  ProtoDecodeError,
  ProtoEncodeError,
  type ProtoObject,
} from "../../../../src/protocol/proto/codec.ts";
import {
  float32,
  parseProtoJson,
  ProtoJsonError,
  shortestFloat32,
} from "../../../../src/protocol/proto/json.ts";
import { DATA_TYPE, MESSAGES } from "../../../../src/protocol/proto/schema.ts";

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

const PROTO_DIR = new URL("../../../../proto/", import.meta.url).pathname;

/** Loads our .proto files with protobufjs (well-known types come from protobufjs). */
function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string) =>
    target.startsWith("google/protobuf/") ? target : PROTO_DIR + target;
  root.loadSync("prediction.proto", { keepCase: true });
  root.resolveAll();
  return root;
}

const ROOT = loadRoot();
const SeldonMessageT = ROOT.lookupType("seldon.protos.SeldonMessage");
const FeedbackT = ROOT.lookupType("seldon.protos.Feedback");

/** Encodes with protobufjs reflection (proto field names; Value/Struct in protobufjs form). */
function reflectEncode(type: protobuf.Type, obj: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(obj)).finish();
}

/** Decodes with protobufjs reflection to a plain object (proto field names). */
function reflectDecode(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), {
    longs: String,
    enums: String,
    bytes: String,
    defaults: false,
  });
}

/** encode → decode must give back the canonical input unchanged. */
function roundTrip(msg: ProtoObject, type = "SeldonMessage"): Uint8Array {
  const bytes = encodeMessage(type, msg);
  deepStrictEqual(decodeMessage(type, bytes), msg);
  return bytes;
}

const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

// ---------------------------------------------------------------------------------------
// .proto files
// ---------------------------------------------------------------------------------------

Deno.test("proto files: load with protobufjs and resolve every type", () => {
  const root = loadRoot();
  for (
    const name of [
      "seldon.protos.SeldonMessage",
      "seldon.protos.DefaultData",
      "seldon.protos.Tensor",
      "seldon.protos.Meta",
      "seldon.protos.Metric",
      "seldon.protos.SeldonMessageList",
      "seldon.protos.Status",
      "seldon.protos.Feedback",
      "seldon.protos.RequestResponse",
      "seldon.protos.SeldonModelMetadataRequest",
      "seldon.protos.SeldonMessageMetadata",
      "seldon.protos.SeldonModelMetadata",
      "seldon.protos.SeldonGraphMetadata",
      "tensorflow.TensorProto",
      "tensorflow.TensorShapeProto",
      "tensorflow.TensorShapeProto.Dim",
      "tensorflow.VariantTensorDataProto",
      "tensorflow.ResourceHandleProto",
      "tensorflow.ResourceHandleProto.DtypeAndShape",
    ]
  ) {
    const t = root.lookupType(name);
    for (const f of t.fieldsArray) ok(f.resolvedType !== null || f.resolved, `${name}.${f.name}`);
  }
  const e = root.lookupEnum("tensorflow.DataType");
  strictEqual(e.values.DT_INVALID, 0);
  strictEqual(e.values.DT_FLOAT, 1);
  strictEqual(e.values.DT_FLOAT8_E4M3FN, 25);
  strictEqual(e.values.DT_FLOAT_REF, 101);
  strictEqual(e.values.DT_FLOAT8_E4M3FN_REF, 125);
  strictEqual(Object.keys(e.values).length, 51);
  deepStrictEqual(root.lookupEnum("seldon.protos.Metric.MetricType").values, {
    COUNTER: 0,
    GAUGE: 1,
    TIMER: 2,
  });
  deepStrictEqual(root.lookupEnum("seldon.protos.Status.StatusFlag").values, {
    SUCCESS: 0,
    FAILURE: 1,
  });
});

Deno.test("proto files: field numbers and types of the spec tables", () => {
  const f = (type: string, field: string) => ROOT.lookupType(type).fields[field];
  const sm = "seldon.protos.SeldonMessage";
  deepStrictEqual(
    ROOT.lookupType(sm).fieldsArray.map((x) => [x.id, x.name, x.type, x.partOf?.name ?? null]),
    [
      [1, "status", "Status", null],
      [2, "meta", "Meta", null],
      [3, "data", "DefaultData", "data_oneof"],
      [4, "binData", "bytes", "data_oneof"],
      [5, "strData", "string", "data_oneof"],
      [6, "jsonData", "google.protobuf.Value", "data_oneof"],
      [7, "customData", "google.protobuf.Any", "data_oneof"],
    ],
  );
  strictEqual(f("seldon.protos.DefaultData", "tftensor").id, 4);
  strictEqual(f("seldon.protos.DefaultData", "tftensor").partOf?.name, "data_oneof");
  strictEqual(f("seldon.protos.Tensor", "values").type, "double");
  ok(f("seldon.protos.Tensor", "values").packed);
  strictEqual(f("seldon.protos.Meta", "requestPath").id, 4);
  ok(f("seldon.protos.Meta", "routing").map);
  strictEqual(f("seldon.protos.Metric", "value").type, "float");
  strictEqual(f("seldon.protos.Feedback", "reward").id, 3);
  strictEqual(f("seldon.protos.Feedback", "truth").id, 4);
  strictEqual(f("seldon.protos.SeldonMessageMetadata", "shape").type, "int64");
  strictEqual(f("seldon.protos.SeldonGraphMetadata", "models").id, 2);
  strictEqual(f("tensorflow.TensorProto", "uint64_val").id, 17);
  strictEqual(f("tensorflow.TensorProto", "float8_val").id, 18);
  strictEqual(f("tensorflow.TensorShapeProto", "dim").id, 2);
  strictEqual(f("tensorflow.ResourceHandleProto", "dtypes_and_shapes").id, 6);
});

Deno.test("proto files: the seven services", () => {
  const services: Record<string, [string, string, string][]> = {
    Generic: [
      ["TransformInput", "SeldonMessage", "SeldonMessage"],
      ["TransformOutput", "SeldonMessage", "SeldonMessage"],
      ["Route", "SeldonMessage", "SeldonMessage"],
      ["Aggregate", "SeldonMessageList", "SeldonMessage"],
      ["SendFeedback", "Feedback", "SeldonMessage"],
    ],
    Model: [
      ["Predict", "SeldonMessage", "SeldonMessage"],
      ["SendFeedback", "Feedback", "SeldonMessage"],
      ["Metadata", "google.protobuf.Empty", "SeldonModelMetadata"],
    ],
    Router: [["Route", "SeldonMessage", "SeldonMessage"], [
      "SendFeedback",
      "Feedback",
      "SeldonMessage",
    ]],
    Transformer: [["TransformInput", "SeldonMessage", "SeldonMessage"]],
    OutputTransformer: [["TransformOutput", "SeldonMessage", "SeldonMessage"]],
    Combiner: [["Aggregate", "SeldonMessageList", "SeldonMessage"]],
    Seldon: [
      ["Predict", "SeldonMessage", "SeldonMessage"],
      ["SendFeedback", "Feedback", "SeldonMessage"],
      ["ModelMetadata", "SeldonModelMetadataRequest", "SeldonModelMetadata"],
      ["GraphMetadata", "google.protobuf.Empty", "SeldonGraphMetadata"],
    ],
  };
  const pkg = ROOT.lookup("seldon.protos") as protobuf.Namespace;
  const found = pkg.nestedArray.filter((x) => x instanceof protobuf.Service).map((x) => x.name);
  deepStrictEqual(found.sort(), Object.keys(services).sort());
  for (const [name, rpcs] of Object.entries(services)) {
    const svc = ROOT.lookupService(`seldon.protos.${name}`);
    deepStrictEqual(
      svc.methodsArray.map((m) => [m.name, m.requestType, m.responseType]),
      rpcs,
    );
  }
});

Deno.test("proto files: codec tables match the .proto files field by field", () => {
  const scalarKinds = new Set([
    "double",
    "float",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "bool",
    "string",
    "bytes",
  ]);
  // Every message of the .proto files (and the well-known types they use) has a table, and back.
  const protoTypes: string[] = [];
  const collect = (ns: protobuf.NamespaceBase): void => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Type) protoTypes.push(n.fullName.slice(1));
      if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) collect(n);
    }
  };
  collect(ROOT);
  deepStrictEqual([...MESSAGES.keys()].sort(), protoTypes.sort());
  for (const def of MESSAGES.values()) {
    const t = ROOT.lookupType(def.fullName);
    strictEqual(t.fieldsArray.length, def.fields.length, def.fullName);
    // protobufjs bundles some well-known types with camelCase field names (`nullValue`).
    const wellKnown = def.fullName.startsWith("google.protobuf.");
    for (const fd of def.fields) {
      const pf = t.fields[fd.name] ?? (wellKnown ? t.fields[fd.json] : undefined);
      ok(pf, `${def.fullName}.${fd.name} missing in .proto`);
      strictEqual(pf.id, fd.no, `${def.fullName}.${fd.name} number`);
      strictEqual(pf.partOf?.name, fd.oneof, `${def.fullName}.${fd.name} oneof`);
      strictEqual(pf.map, fd.map, `${def.fullName}.${fd.name} map`);
      strictEqual(pf.repeated && !pf.map, fd.repeated, `${def.fullName}.${fd.name} repeated`);
      if (pf.map) strictEqual((pf as unknown as protobuf.MapField).keyType, "string");
      const rt = pf.resolvedType;
      if (rt instanceof protobuf.Enum) {
        strictEqual(fd.kind, "enum");
        deepStrictEqual(
          Object.entries(rt.values).sort(),
          [...(fd.enumDef?.numbers ?? [])].sort(),
          `${def.fullName}.${fd.name} enum values`,
        );
      } else if (rt instanceof protobuf.Type) {
        strictEqual(fd.kind, "message");
        strictEqual(fd.typeName, rt.fullName.slice(1), `${def.fullName}.${fd.name} type`);
      } else {
        ok(scalarKinds.has(pf.type));
        strictEqual(fd.kind, pf.type, `${def.fullName}.${fd.name} type`);
      }
    }
  }
  strictEqual(DATA_TYPE.names.get(125), "DT_FLOAT8_E4M3FN_REF");
});

// ---------------------------------------------------------------------------------------
// binary round trips
// ---------------------------------------------------------------------------------------

Deno.test("codec: tensor round trip (incl. NaN / ±Infinity, names)", () => {
  roundTrip({
    data: {
      names: ["a", "b", "c"],
      tensor: { shape: [2, 3], values: [1, 2.5, -3, "NaN", "Infinity", "-Infinity"] },
    },
  });
  roundTrip({ data: { tensor: { shape: [0] } } });
  roundTrip({ data: { tensor: {} } });
  roundTrip({ data: {} });
  roundTrip({ meta: {} });
  roundTrip({});
});

Deno.test("codec: ndarray round trip with nested lists, strings, bools, null, objects", () => {
  roundTrip({
    data: {
      names: ["x"],
      ndarray: [[1, 2.5, -0.125], ["red", "ü€😀", ""], [true, false, null], [], [[[]]], [{
        k: [1, { z: null }],
        "": "empty key",
      }]],
    },
  });
  roundTrip({ data: { ndarray: [] } });
  const big = Array.from({ length: 300 }, (_, i) => "s".repeat(i));
  roundTrip({ data: { ndarray: big } });
});

Deno.test("codec: tftensor round trip (tensorContent, int64Val, all value lists)", () => {
  roundTrip({
    data: {
      tftensor: {
        dtype: "DT_DOUBLE",
        tensorShape: { dim: [{ size: "1" }, { size: "2" }] },
        tensorContent: "AAAAAAAA+D8AAAAAAAAAQA==",
      },
    },
  });
  roundTrip({
    data: {
      tftensor: {
        dtype: "DT_INT64",
        tensorShape: { dim: [{ size: "3", name: "n" }, {}], unknownRank: true },
        versionNumber: 2,
        floatVal: [0.1, 1.2, -3.4028235e38, 1.4013e-45, "NaN"],
        doubleVal: [0.1, 1e300],
        intVal: [-1, 2147483647, -2147483648],
        stringVal: ["YQ==", ""],
        scomplexVal: [1, 2],
        int64Val: ["7", "-1", "9007199254740993", "-9223372036854775808", "9223372036854775807"],
        boolVal: [true, false],
        dcomplexVal: [0.5, -0.5],
        halfVal: [15360],
        uint32Val: [4294967295, 0],
        uint64Val: ["18446744073709551615", "0", "4294967296"],
        float8Val: "AQI=",
      },
    },
  });
  roundTrip({ data: { tftensor: { dtype: "DT_FLOAT_REF", tensorShape: {} } } });
  roundTrip({ data: { tftensor: { dtype: 77 } } }); // unknown enum number kept (proto3 open enum)
});

Deno.test("codec: binData / strData / jsonData / customData round trips", () => {
  roundTrip({ binData: b64([0, 1, 2, 255]) });
  roundTrip({ binData: "" }); // a oneof member set to its default stays present
  roundTrip({ strData: "the quick fox ü" });
  roundTrip({ strData: "" });
  roundTrip({ jsonData: { a: { b: [1, "two", null, true, { c: {} }] }, n: -1.5, e: [] } });
  roundTrip({ jsonData: null });
  roundTrip({ jsonData: "just a string" });
  roundTrip({ jsonData: 5 });
  roundTrip({ jsonData: [] });
  roundTrip({ customData: { "@type": "type.googleapis.com/acme.Blob", value: b64([1, 2, 3]) } });
  roundTrip({ customData: { "@type": "type.googleapis.com/acme.Empty" } });
  roundTrip({ customData: {} });
});

Deno.test("codec: meta round trip (tags, routing, requestPath, metrics incl. COUNTER omitted)", () => {
  const msg = {
    status: { code: 500, info: "boom", reason: "MICROSERVICE_INTERNAL_ERROR", status: "FAILURE" },
    meta: {
      puid: "req-7",
      tags: { s: "v", n: 1.5, b: true, z: null, l: [1, "a"], o: { x: { y: [] } } },
      routing: { "0": 1, router: -1, zero: 0 },
      requestPath: { clf: "acme/clf:0.3", "": "" },
      metrics: [
        { key: "calls", value: 1 },
        { key: "g", type: "GAUGE", value: 0.1, tags: { a: "b" } },
        { key: "t", type: "TIMER", value: 1.2 },
        { key: "zero", type: "GAUGE" },
        { key: "big", type: "GAUGE", value: 16777216 },
        { key: "nan", type: "GAUGE", value: "NaN" },
      ],
    },
    strData: "x",
  };
  roundTrip(msg);
  roundTrip(msg.meta, "Meta");
  const bytes = encodeMessage("Meta", msg.meta);
  deepStrictEqual(decodeMessage("Meta", bytes), msg.meta);
});

Deno.test("codec: float32 fields print as the shortest round-tripping decimal", () => {
  const out = decodeMessage("Feedback", encodeMessage("Feedback", { reward: 0.1 }));
  deepStrictEqual(out, { reward: 0.1 });
  // A double that is not a float32 is rounded on the wire, then printed shortest.
  deepStrictEqual(
    decodeMessage("Feedback", encodeMessage("Feedback", { reward: 0.30000000000000004 })),
    {
      reward: 0.3,
    },
  );
  deepStrictEqual(decodeMessage("Feedback", encodeMessage("Feedback", { reward: 1 / 3 })), {
    reward: 0.33333334,
  });
  deepStrictEqual(decodeMessage("Feedback", encodeMessage("Feedback", { reward: "Infinity" })), {
    reward: "Infinity",
  });
  deepStrictEqual(decodeMessage("Feedback", encodeMessage("Feedback", { reward: 0 })), {});
});

Deno.test("codec: other message kinds round trip", () => {
  const sm = (v: number) => ({ data: { tensor: { shape: [1], values: [v] } } });
  roundTrip({ seldonMessages: [sm(1), {}, sm(2)] }, "SeldonMessageList");
  deepStrictEqual(
    decodeMessage(
      "SeldonMessageList",
      encodeMessage("SeldonMessageList", { seldonMessages: [sm(1)] }),
    ),
    { seldonMessages: [sm(1)] },
  );
  roundTrip(
    { request: sm(1), response: { meta: { routing: { "0": 1 } } }, reward: 0.5, truth: {} },
    "Feedback",
  );
  const md = {
    name: "my-model",
    versions: ["v1", "v2"],
    platform: "seldon",
    inputs: [
      { messagetype: "tensor", schema: { names: ["a", "b"], shape: [2, 2] } },
      { name: "input", datatype: "BYTES", shape: ["1", "-4"] },
    ],
    outputs: [{ messagetype: "jsonData", schema: { type: "object" } }],
    custom: { "tag-key": "tag-value" },
  };
  deepStrictEqual(
    decodeMessage("SeldonModelMetadata", encodeMessage("SeldonModelMetadata", md)),
    md,
  );
  deepStrictEqual(
    decodeMessage("SeldonModelMetadata", encodeMessage("SeldonModelMetadata", {})),
    {},
  );
  deepStrictEqual(
    decodeMessage(
      "SeldonModelMetadataRequest",
      encodeMessage("SeldonModelMetadataRequest", { name: "m" }),
    ),
    { name: "m" },
  );
  const gm = { name: "g", models: { a: md, b: {} }, inputs: [{ messagetype: "ndarray" }] };
  deepStrictEqual(
    decodeMessage("SeldonGraphMetadata", encodeMessage("SeldonGraphMetadata", gm)),
    gm,
  );
  strictEqual(encodeMessage("Empty", {}).length, 0);
  deepStrictEqual(decodeMessage("Empty", new Uint8Array(0)), {});
  deepStrictEqual(decodeMessage("Empty", encodeMessage("SeldonMessage", sm(3))), {}); // unknown fields skipped
});

Deno.test("codec: encoder accepts non-canonical input and normalises it", () => {
  const bytes = encodeMessage("SeldonMessage", {
    status: { status: 0, code: 0, info: "" },
    meta: { metrics: [{ key: "k", type: 1, value: 1.2 }, { key: "c", type: "COUNTER" }] },
    data: {
      tftensor: {
        dtype: 9,
        tensor_shape: { dim: [{ size: 2 }, { size: 0 }] },
        int64Val: [1, -2, 2n ** 63n - 1n, "3"],
        uint64_val: [2 ** 53],
        tensorContent: new Uint8Array([1, 2, 3]),
        doubleVal: ["1.5", "NaN"],
      },
    },
    strData: "ignored: first oneof member present wins",
    unknownKey: 1,
  });
  deepStrictEqual(decodeMessage("SeldonMessage", bytes), {
    status: {},
    meta: { metrics: [{ key: "k", type: "GAUGE", value: 1.2 }, { key: "c" }] },
    data: {
      tftensor: {
        dtype: "DT_INT64",
        tensorShape: { dim: [{ size: "2" }, {}] },
        tensorContent: "AQID",
        doubleVal: [1.5, "NaN"],
        int64Val: ["1", "-2", "9223372036854775807", "3"],
        uint64Val: ["9007199254740992"],
      },
    },
  });
  // null = unset, except for a google.protobuf.Value field
  deepStrictEqual(
    decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", { meta: null, strData: null })),
    {},
  );
});

Deno.test("codec: encoder rejects values of the wrong type with a path", () => {
  throws(
    () => encodeMessage("SeldonMessage", { data: { tensor: { values: [1, "x"] } } }),
    (e: unknown) =>
      e instanceof ProtoEncodeError &&
      e.message === 'expected a number, got "x" at SeldonMessage.data.tensor.values',
  );
  throws(
    () => encodeMessage("SeldonMessage", { meta: { metrics: [{ type: "BAD" }] } }),
    (e: unknown) =>
      e instanceof ProtoEncodeError &&
      /enum seldon\.protos\.Metric\.MetricType at SeldonMessage\.meta\.metrics\[0\]\.type$/.test(
        e.message,
      ),
  );
  throws(() => encodeMessage("SeldonMessage", { meta: { puid: 5 } }), ProtoEncodeError);
  throws(() => encodeMessage("SeldonMessage", { status: { code: 2 ** 31 } }), ProtoEncodeError);
  throws(() => encodeMessage("SeldonMessage", { jsonData: { d: new Date() } }), ProtoEncodeError);
  throws(
    () => encodeMessage("SeldonMessage", { customData: { "@type": "x", foo: 1 } }),
    ProtoEncodeError,
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  throws(() => encodeMessage("SeldonMessage", { jsonData: cyclic }), ProtoEncodeError);
});

// ---------------------------------------------------------------------------------------
// tolerance and malformed input
// ---------------------------------------------------------------------------------------

Deno.test("test_model_template_app_grpc: SeldonMessage bytes decoded as Feedback", () => {
  // The test sends a plain SeldonMessage (tensor [1,2] shape [2,1]) to SendFeedback: field 3
  // (`data`, length-delimited) lands where Feedback.reward (float, fixed32) is expected.
  const bytes = encodeMessage("SeldonMessage", {
    data: { tensor: { shape: [2, 1], values: [1, 2] } },
  });
  deepStrictEqual(decodeMessage("Feedback", bytes), {});
  // Same through protobufjs-produced bytes.
  const rb = reflectEncode(SeldonMessageT, {
    data: { tensor: { shape: [2, 1], values: [1, 2] } },
  });
  deepStrictEqual(decodeMessage("Feedback", rb), {});
});

Deno.test("codec: wrong wire types and unknown fields are skipped; packed and unpacked", () => {
  const w = protobuf.Writer.create();
  w.uint32((2 << 3) | 0).uint32(5); // meta as varint: wrong wire type → skipped
  w.uint32((99 << 3) | 2).string("unknown"); // unknown field
  w.uint32((98 << 3) | 5).fixed32(1); // unknown fixed32
  w.uint32((97 << 3) | 1).fixed64(1); // unknown fixed64
  w.uint32((96 << 3) | 3).uint32((1 << 3) | 0).uint32(1).uint32((96 << 3) | 4); // unknown group
  w.uint32((3 << 3) | 2).fork(); // data
  w.uint32((2 << 3) | 2).fork(); // tensor
  w.uint32((1 << 3) | 0).int32(2); // shape, unpacked
  w.uint32((1 << 3) | 2).fork().int32(3).int32(4).ldelim(); // shape, packed
  w.uint32((2 << 3) | 1).double(1.5); // values, unpacked
  w.uint32((2 << 3) | 2).fork().double(2.5).double(-1).ldelim(); // values, packed
  w.uint32((2 << 3) | 5).float(9); // values with fixed32: wrong wire type → skipped
  w.ldelim().ldelim();
  w.uint32((5 << 3) | 0).uint32(1); // strData as varint: skipped
  deepStrictEqual(decodeMessage("SeldonMessage", w.finish()), {
    data: { tensor: { shape: [2, 3, 4], values: [1.5, 2.5, -1] } },
  });
});

Deno.test("codec: last oneof member wins; repeated singular message fields merge", () => {
  const a = encodeMessage("SeldonMessage", { strData: "a" });
  const b = encodeMessage("SeldonMessage", { binData: "AAE=" });
  deepStrictEqual(decodeMessage("SeldonMessage", concat(a, b)), { binData: "AAE=" });
  deepStrictEqual(decodeMessage("SeldonMessage", concat(b, a)), { strData: "a" });
  const m1 = encodeMessage("SeldonMessage", { meta: { puid: "p", tags: { a: 1 } } });
  const m2 = encodeMessage("SeldonMessage", { meta: { tags: { b: 2 }, metrics: [{ key: "k" }] } });
  deepStrictEqual(decodeMessage("SeldonMessage", concat(m1, m2)), {
    meta: { puid: "p", tags: { a: 1, b: 2 }, metrics: [{ key: "k" }] },
  });
});

Deno.test("codec: truncated and garbage bytes throw ProtoDecodeError", () => {
  const full = encodeMessage("SeldonMessage", {
    meta: { puid: "abc", tags: { k: [1, 2] }, metrics: [{ key: "m", value: 2 }] },
    data: { names: ["a"], tensor: { shape: [1, 2], values: [1, 2] } },
  });
  let threw = 0;
  for (let n = 1; n < full.length; n++) {
    try {
      decodeMessage("SeldonMessage", full.subarray(0, n));
    } catch (e) {
      ok(e instanceof ProtoDecodeError, `prefix ${n}: ${e}`);
      threw++;
    }
  }
  ok(threw > full.length / 2);
  for (
    const bad of [
      [0x0a], // tag, no length
      [0x0a, 0x05, 0x01], // length beyond the end
      [0x00, 0x01], // field number 0
      [0x0c], // end-group without start
      [0x0e], // wire type 6
      [0x0f], // wire type 7
      [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // varint > 10 bytes
      [0x2a, 0x02, 0xc3, 0x28], // strData with invalid UTF-8 (field 5)
      [0x1a, 0x03, 0x12, 0x05, 0x00], // nested length overruns its parent
    ]
  ) {
    throws(
      () => decodeMessage("SeldonMessage", new Uint8Array(bad)),
      ProtoDecodeError,
      `bytes ${bad}`,
    );
  }
  throws(() => decodeMessage("Feedback", new Uint8Array([0x0a, 0x05, 0x01])), ProtoDecodeError);
});

Deno.test("codec: random bytes never crash or hang", () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 3000; i++) {
    const bytes = new Uint8Array(1 + Math.floor(rand() * 64)).map(() => Math.floor(rand() * 256));
    for (const type of ["SeldonMessage", "Feedback", "SeldonMessageList"]) {
      try {
        decodeMessage(type, bytes);
      } catch (e) {
        ok(e instanceof ProtoDecodeError, `unexpected ${e}`);
      }
    }
  }
});

Deno.test("codec: nesting deeper than protobuf's recursion limit is rejected", () => {
  let v: unknown = 1;
  for (let i = 0; i < 120; i++) v = [v];
  const bytes = encodeMessage("SeldonMessage", { jsonData: v });
  throws(() => decodeMessage("SeldonMessage", bytes), ProtoDecodeError);
  let ok40: unknown = 1;
  for (let i = 0; i < 40; i++) ok40 = [ok40];
  roundTrip({ jsonData: ok40 });
});

// ---------------------------------------------------------------------------------------
// wire compatibility with protobufjs reflection over our .proto files
// ---------------------------------------------------------------------------------------

const REFLECT_MSG = {
  status: { code: 3, info: "x", reason: "r", status: "FAILURE" },
  meta: {
    puid: "p1",
    tags: {
      a: { stringValue: "b" },
      n: { numberValue: 2.5 },
      l: { listValue: { values: [{ boolValue: true }, { nullValue: "NULL_VALUE" }] } },
      s: { structValue: { fields: { k: { numberValue: -1 } } } },
    },
    routing: { r: 2, z: 0 },
    requestPath: { m: "img:1" },
    metrics: [
      { key: "c", value: 1.5 },
      { key: "g", type: "GAUGE", value: 0.25, tags: { x: "y" } },
    ],
  },
  data: { names: ["a", "b"], tensor: { shape: [1, 2], values: [1, 2.5] } },
};

const REFLECT_CANON = {
  status: { code: 3, info: "x", reason: "r", status: "FAILURE" },
  meta: {
    puid: "p1",
    tags: { a: "b", n: 2.5, l: [true, null], s: { k: -1 } },
    routing: { r: 2, z: 0 },
    requestPath: { m: "img:1" },
    metrics: [{ key: "c", value: 1.5 }, { key: "g", type: "GAUGE", value: 0.25, tags: { x: "y" } }],
  },
  data: { names: ["a", "b"], tensor: { shape: [1, 2], values: [1, 2.5] } },
};

const REFLECT_TF = {
  data: {
    tftensor: {
      dtype: "DT_INT64",
      tensor_shape: { dim: [{ size: "2" }, { size: "-1", name: "batch" }] },
      tensor_content: b64([1, 2, 3]),
      float_val: [0.5],
      int64_val: ["1", "-2", "9223372036854775807"],
      uint64_val: ["18446744073709551615"],
      bool_val: [true],
      string_val: [b64([104, 105])],
    },
  },
};

const REFLECT_TF_CANON = {
  data: {
    tftensor: {
      dtype: "DT_INT64",
      tensorShape: { dim: [{ size: "2" }, { size: "-1", name: "batch" }] },
      tensorContent: "AQID",
      floatVal: [0.5],
      stringVal: ["aGk="],
      int64Val: ["1", "-2", "9223372036854775807"],
      boolVal: [true],
      uint64Val: ["18446744073709551615"],
    },
  },
};

Deno.test("interop: bytes from protobufjs reflection decode to the canonical object", () => {
  deepStrictEqual(
    decodeMessage("SeldonMessage", reflectEncode(SeldonMessageT, REFLECT_MSG)),
    REFLECT_CANON,
  );
  deepStrictEqual(
    decodeMessage("SeldonMessage", reflectEncode(SeldonMessageT, REFLECT_TF)),
    REFLECT_TF_CANON,
  );
  const any = { customData: { type_url: "type.googleapis.com/acme.Blob", value: b64([9, 8]) } };
  deepStrictEqual(decodeMessage("SeldonMessage", reflectEncode(SeldonMessageT, any)), {
    customData: { "@type": "type.googleapis.com/acme.Blob", value: "CQg=" },
  });
  const fb = {
    request: { strData: "q" },
    reward: 0.1,
    truth: { binData: b64([1]) },
  };
  deepStrictEqual(decodeMessage("Feedback", reflectEncode(FeedbackT, fb)), {
    request: { strData: "q" },
    reward: 0.1,
    truth: { binData: "AQ==" },
  });
});

Deno.test("interop: our bytes decode with protobufjs reflection", () => {
  deepStrictEqual(
    reflectDecode(SeldonMessageT, encodeMessage("SeldonMessage", REFLECT_CANON)),
    REFLECT_MSG,
  );
  deepStrictEqual(
    reflectDecode(SeldonMessageT, encodeMessage("SeldonMessage", REFLECT_TF_CANON)),
    REFLECT_TF,
  );
  const nd = { data: { ndarray: [[1, "a"], [true, null]] }, jsonData: undefined };
  deepStrictEqual(reflectDecode(SeldonMessageT, encodeMessage("SeldonMessage", nd)), {
    data: {
      ndarray: {
        values: [
          { listValue: { values: [{ numberValue: 1 }, { stringValue: "a" }] } },
          { listValue: { values: [{ boolValue: true }, { nullValue: "NULL_VALUE" }] } },
        ],
      },
    },
  });
  // Byte-identical to protobufjs for a message without maps / Values.
  const plain = { data: { names: ["a"], tensor: { shape: [2, 1], values: [1, 2] } } };
  deepStrictEqual(
    encodeMessage("SeldonMessage", plain),
    new Uint8Array(reflectEncode(SeldonMessageT, plain)),
  );
});

// ---------------------------------------------------------------------------------------
// strict proto3 JSON (upstream test names)
// ---------------------------------------------------------------------------------------

Deno.test("test_proto_metrics", () => {
  const meta = parseProtoJson("Meta", { metrics: [{ type: "COUNTER", key: "a", value: 1 }] });
  deepStrictEqual(meta, { metrics: [{ key: "a", value: 1 }] });
  deepStrictEqual(decodeMessage("Meta", encodeMessage("Meta", meta)), meta);
});

Deno.test("test_proto_tags", () => {
  const meta = parseProtoJson("Meta", {
    tags: { t1: "t2" },
    metrics: [
      { type: "COUNTER", key: "mycounter", value: 1.2 },
      { type: "GAUGE", key: "mygauge", value: 1.2 },
      { type: "TIMER", key: "mytimer", value: 1.2 },
    ],
  });
  const j = decodeMessage("Meta", encodeMessage("Meta", meta)) as {
    tags: Record<string, unknown>;
    metrics: { key: string; type?: string; value: number }[];
  };
  strictEqual(j.tags.t1, "t2");
  strictEqual(j.metrics[0].key, "mycounter");
  strictEqual(j.metrics[0].type, undefined);
  ok(Math.abs(j.metrics[0].value - 1.2) < 0.012);
  strictEqual(j.metrics[1].type, "GAUGE");
  strictEqual(j.metrics[1].key, "mygauge");
  ok(Math.abs(j.metrics[1].value - 1.2) < 0.012);
  strictEqual(j.metrics[2].type, "TIMER");
  strictEqual(j.metrics[2].key, "mytimer");
  ok(Math.abs(j.metrics[2].value - 1.2) < 0.012);
  strictEqual(j.metrics[2].value, 1.2); // shortest float32 representation
});

Deno.test("test_json_to_seldon_message_normal_data", () => {
  const msg = parseProtoJson("SeldonMessage", { data: { tensor: { shape: [1, 1], values: [1] } } });
  const back = decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", msg));
  deepStrictEqual(back, { data: { tensor: { shape: [1, 1], values: [1] } } });
});

Deno.test("test_json_to_seldon_message_ndarray", () => {
  const msg = parseProtoJson("SeldonMessage", { data: { ndarray: [[1]] } });
  deepStrictEqual(decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", msg)), {
    data: { ndarray: [[1]] },
  });
});

Deno.test("test_json_to_seldon_message_bin_data", () => {
  const raw = new Uint8Array([0x80, 0x04, 0x95, 0x00, 0xff, 0x10, 0x3e]);
  const msg = parseProtoJson("SeldonMessage", { binData: b64([...raw]) });
  const back = decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", msg));
  deepStrictEqual(Object.keys(back), ["binData"]);
  const bytes = Uint8Array.from(atob(back.binData as string), (c) => c.charCodeAt(0));
  deepStrictEqual(bytes, raw);
});

Deno.test("test_json_to_seldon_message_str_data", () => {
  const msg = parseProtoJson("SeldonMessage", { strData: "my string data" });
  deepStrictEqual(decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", msg)), {
    strData: "my string data",
  });
});

Deno.test("test_json_to_seldon_message_json_data", () => {
  const msg = parseProtoJson("SeldonMessage", { jsonData: { some: "value" } });
  deepStrictEqual(decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", msg)).jsonData, {
    some: "value",
  });
});

Deno.test("test_json_to_seldon_message_bad_data", () => {
  throws(
    () => parseProtoJson("SeldonMessage", { foo: "bar" }),
    (e: unknown) =>
      e instanceof ProtoJsonError &&
      e.message.startsWith(
        'Message type "seldon.protos.SeldonMessage" has no field named "foo" at "SeldonMessage".\n',
      ),
  );
});

Deno.test("test_json_to_feedback", () => {
  const fb = parseProtoJson("Feedback", {
    request: { data: { tensor: { shape: [1, 1], values: [1] } } },
    response: { data: { tensor: { shape: [1, 1], values: [2] } } },
    reward: 1.0,
  });
  const back = decodeMessage("Feedback", encodeMessage("Feedback", fb)) as {
    request: { data: { tensor: { values: number[] } } };
    response: { data: { tensor: { values: number[] } } };
    reward: number;
  };
  deepStrictEqual(back.request.data.tensor.values, [1]);
  deepStrictEqual(back.response.data.tensor.values, [2]);
  strictEqual(back.reward, 1);
});

Deno.test("test_json_to_feedback_bad_data", () => {
  throws(
    () =>
      parseProtoJson("Feedback", {
        requestBAD: { data: { tensor: { shape: [1, 1], values: [1] } } },
        response: { data: { tensor: { shape: [1, 1], values: [2] } } },
        reward: 1.0,
      }),
    {
      name: "ProtoJsonError",
      message: 'Message type "seldon.protos.Feedback" has no field named "requestBAD" at ' +
        `"Feedback".\n Available Fields(except extensions): "['request', 'response', 'reward', 'truth']"`,
    },
  );
});

Deno.test("test_json_to_seldon_messages", () => {
  const list = parseProtoJson("SeldonMessageList", {
    seldonMessages: [
      { data: { tensor: { shape: [1], values: [1] } } },
      { data: { tensor: { shape: [1], values: [2] } } },
    ],
  });
  const back = decodeMessage("SeldonMessageList", encodeMessage("SeldonMessageList", list)) as {
    seldonMessages: { data: { tensor: { values: number[] } } }[];
  };
  strictEqual(back.seldonMessages.length, 2);
  deepStrictEqual(back.seldonMessages[0].data.tensor.values, [1]);
  deepStrictEqual(back.seldonMessages[1].data.tensor.values, [2]);
});

Deno.test("test_seldon_message_to_json", () => {
  const bytes = reflectEncode(SeldonMessageT, {
    data: { tensor: { shape: [2, 1], values: [1, 2] } },
  });
  const j = decodeMessage("SeldonMessage", bytes) as { data: { tensor: { values: number[] } } };
  deepStrictEqual(j.data.tensor.values, [1, 2]);
});

Deno.test("test_symmetric_json_conversion", () => {
  const doc = { jsonData: { ndarray: [[5, 6, 7]] } };
  const msg = parseProtoJson("SeldonMessage", doc);
  deepStrictEqual(decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", msg)), doc);
});

// Protobuf halves of the metadata tests (validation itself is tested in metadata_test.ts).
const metaRoundTrip = (doc: unknown) =>
  decodeMessage(
    "SeldonModelMetadata",
    encodeMessage(
      "SeldonModelMetadata",
      parseProtoJson("SeldonModelMetadata", doc, {
        ignoreUnknownFields: true,
      }),
    ),
  );

Deno.test("test_v1_only_messagetype (protobuf round trip)", () => {
  for (
    const t of ["tensor", "ndarray", "tftensor", "jsonData", "binData", "strData", "custom_data"]
  ) {
    const doc = {
      name: "my-model-name",
      versions: ["my-model-version-01"],
      platform: "seldon",
      inputs: [{ messagetype: t }],
      outputs: [{ messagetype: t }],
      custom: { "tag-key": "tag-value" },
    };
    deepStrictEqual(metaRoundTrip(doc), doc);
  }
});

Deno.test("test_v1_mixed_multiple_inputs (protobuf round trip)", () => {
  const doc = {
    name: "my-model-name",
    inputs: [
      { messagetype: "tensor", schema: { names: ["a", "b", "c", "d"], shape: [2, 2] } },
      { messagetype: "jsonData" },
    ],
    outputs: [{ messagetype: "binData" }],
  };
  deepStrictEqual(metaRoundTrip(doc), doc);
});

Deno.test("test_v1_array (protobuf round trip)", () => {
  for (const t of ["tensor", "ndarray", "tftensor", "custom_data"]) {
    const doc = {
      name: "my-model-name",
      inputs: [{ messagetype: t, schema: { names: ["a", "b", "c", "d"], shape: [2, 2] } }],
      outputs: [{ messagetype: t, schema: { shape: [1] } }],
    };
    const j = metaRoundTrip(doc) as {
      inputs: { schema: { shape: number[] } }[];
      outputs: { schema: { shape: number[] } }[];
    };
    deepStrictEqual(j.inputs[0].schema.shape, [2.0, 2.0]);
    deepStrictEqual(j.outputs[0].schema.shape, [1.0]);
  }
});

Deno.test("test_v1_json_with_schema (protobuf round trip)", () => {
  const doc = {
    name: "my-model-name",
    inputs: [{
      messagetype: "jsonData",
      schema: {
        type: "object",
        properties: {
          names: { type: "array", items: { type: "string" } },
          data: { type: "array", items: { type: "number", format: "double" } },
        },
      },
    }],
  };
  deepStrictEqual(metaRoundTrip(doc), doc);
});

Deno.test("test_v2 (protobuf round trip)", () => {
  const doc = {
    name: "my-model-name",
    inputs: [{ datatype: "BYTES", name: "input", shape: [1, 4] }],
    outputs: [{ datatype: "BYTES", name: "output", shape: [3] }],
  };
  const j = metaRoundTrip(doc) as { inputs: { shape: string[] }[]; outputs: { shape: string[] }[] };
  deepStrictEqual(j.inputs[0].shape, ["1", "4"]);
  deepStrictEqual(j.outputs[0].shape, ["3"]);
});

Deno.test("test_v1_v2_mix (protobuf round trip)", () => {
  const doc = {
    name: "my-model-name",
    inputs: [{ datatype: "BYTES", name: "input", shape: [1, 4] }, { messagetype: "jsonData" }],
  };
  deepStrictEqual(metaRoundTrip(doc), {
    name: "my-model-name",
    inputs: [{ name: "input", datatype: "BYTES", shape: ["1", "4"] }, { messagetype: "jsonData" }],
  });
});

// ---------------------------------------------------------------------------------------
// strict proto3 JSON: details
// ---------------------------------------------------------------------------------------

function jsonError(type: string, value: unknown): string {
  try {
    parseProtoJson(type, value);
  } catch (e) {
    ok(e instanceof ProtoJsonError, `not a ProtoJsonError: ${e}`);
    return e.message;
  }
  throw new Error("expected a ProtoJsonError");
}

Deno.test("proto json: error messages follow Python json_format", () => {
  strictEqual(
    jsonError("Feedback", { reward: "high" }),
    "Failed to parse reward field: Couldn't parse float: high at Feedback.reward.",
  );
  strictEqual(
    jsonError("SeldonMessage", { strData: "a", binData: "AAEC" }),
    'Message type "seldon.protos.SeldonMessage" should not have multiple "data_oneof" oneof fields at "SeldonMessage".',
  );
  strictEqual(
    jsonError("SeldonMessage", { data: { ndarray: 5 } }),
    "ListValue must be in [] which is 5 at SeldonMessage.data.ndarray",
  );
  strictEqual(
    jsonError("SeldonMessage", { meta: { metrics: [{ type: "BAD", key: "a", value: 1 }] } }),
    "Failed to parse meta field: Failed to parse metrics field: Failed to parse type field: " +
      "Invalid enum value BAD for enum type seldon.protos.Metric.MetricType at " +
      "SeldonMessage.meta.metrics[0].type...",
  );
  strictEqual(
    jsonError("Feedback", { request: { meta: { tags: [] } } }),
    "Failed to parse request field: Failed to parse meta field: Failed to parse tags field: " +
      "Map field tags must be in a dict which is [] at Feedback.request.meta.tags...",
  );
  strictEqual(
    jsonError("SeldonMessage", { data: { names: "a" } }),
    "Failed to parse names field: repeated field names must be in [] which is a at SeldonMessage.data.",
  );
  strictEqual(
    jsonError("SeldonMessage", { status: { code: "abc" } }),
    "Failed to parse status field: Failed to parse code field: invalid literal for int() with base 10: 'abc'..",
  );
  strictEqual(
    jsonError("SeldonMessage", { status: { code: 3e9 } }),
    "Failed to parse status field: Failed to parse code field: Value out of range: 3000000000..",
  );
  strictEqual(
    jsonError("SeldonMessage", { status: { code: 1.5 } }),
    "Failed to parse status field: Failed to parse code field: Couldn't parse integer: 1.5 at SeldonMessage.status.code..",
  );
  strictEqual(
    jsonError("SeldonMessage", { data: { tftensor: { boolVal: ["true"] } } }),
    "Failed to parse boolVal field: Expected true or false without quotes at SeldonMessage.data.tftensor.boolVal[0].",
  );
  strictEqual(
    jsonError("SeldonMessage", { data: { tensor: { values: [1, null] } } }),
    "Failed to parse values field: null is not allowed to be used as an element in a repeated field at SeldonMessage.data.tensor.values[1].",
  );
  strictEqual(
    jsonError("Feedback", { reward: 1e39 }),
    "Failed to parse reward field: Float value too large at Feedback.reward.",
  );
  strictEqual(
    jsonError("SeldonMessage", { customData: { value: "AA==" } }),
    "@type is missing when parsing any message at SeldonMessage.customData",
  );
  ok(jsonError("SeldonMessage", { meta: { puid: 5 } }).startsWith("Failed to parse meta field: "));
  // A message given something else than an object: protobuf 3.20's `for name in js`.
  strictEqual(
    jsonError("SeldonMessage", [1, 2]),
    "Failed to parse 1 field: expected string or bytes-like object.",
  );
  strictEqual(
    jsonError("SeldonMessage", [[1]]),
    "Failed to parse [1] field: unhashable type: 'list'.",
  );
  strictEqual(
    jsonError("Feedback", ["request"]),
    "Failed to parse request field: list indices must be integers or slices, not str.",
  );
  strictEqual(
    jsonError("Feedback", "request"),
    'Message type "seldon.protos.Feedback" has no field named "r" at "Feedback".\n' +
      ` Available Fields(except extensions): "['request', 'response', 'reward', 'truth']"`,
  );
  strictEqual(
    jsonError("Feedback", { request: 7 }),
    "Failed to parse request field: 'int' object is not iterable.",
  );
  strictEqual(
    jsonError("Feedback", { "[x.y]": 1 }),
    "Message type seldon.protos.Feedback does not have extensions at Feedback",
  );
  deepStrictEqual(parseProtoJson("Feedback", []), {});
  deepStrictEqual(parseProtoJson("Feedback", ""), {});
  deepStrictEqual(parseProtoJson("Feedback", { request: [] }), { request: {} });
  // At the top, a value Python cannot iterate escapes ParseDict as a TypeError.
  let escaped: unknown;
  try {
    parseProtoJson("Feedback", 5);
  } catch (e) {
    escaped = e;
  }
  ok(escaped instanceof TypeError && !(escaped instanceof ProtoJsonError), String(escaped));
  strictEqual((escaped as Error).message, "'int' object is not iterable");
  ok(jsonError("SeldonMessage", { binData: "a" }).startsWith("Failed to parse binData field: "));
});

Deno.test("proto json: accepted spellings map to the canonical form", () => {
  deepStrictEqual(
    parseProtoJson("SeldonMessage", {
      data: {
        tftensor: {
          dtype: 9,
          tensor_shape: { dim: [{ size: 2 }, { size: "0" }, { size: "-1" }], unknown_rank: false },
          int64_val: [1, "2", "007", 2n ** 63n - 1n],
          doubleVal: ["NaN", "Infinity", "-Infinity", "1.5", 2, " 3e2 "],
          float_val: [0.1, "1.2", "-inf", "NaN"],
          tensorContent: "-_8",
          version_number: 0,
        },
      },
    }),
    {
      data: {
        tftensor: {
          dtype: "DT_INT64",
          tensorShape: { dim: [{ size: "2" }, {}, { size: "-1" }] },
          floatVal: [0.1, 1.2, "-Infinity", "NaN"],
          doubleVal: ["NaN", "Infinity", "-Infinity", 1.5, 2, 300],
          int64Val: ["1", "2", "7", "9223372036854775807"],
          tensorContent: "+/8=",
        },
      },
    },
  );
  deepStrictEqual(parseProtoJson("Metric", { key: "k", type: 2, value: "0.1" }), {
    key: "k",
    type: "TIMER",
    value: 0.1,
  });
  deepStrictEqual(parseProtoJson("Metric", { key: "k", type: "COUNTER", value: 0 }), { key: "k" });
  deepStrictEqual(parseProtoJson("Feedback", { reward: 0.1 }), { reward: 0.1 });
  deepStrictEqual(parseProtoJson("Feedback", { reward: 1 / 3 }), { reward: 0.33333334 });
  deepStrictEqual(parseProtoJson("Feedback", { reward: null, request: null }), {});
  deepStrictEqual(parseProtoJson("SeldonMessage", { jsonData: null }), { jsonData: null });
  // the later of a null Value member and another oneof member wins, as in Python
  deepStrictEqual(parseProtoJson("SeldonMessage", { binData: "AA==", jsonData: null }), {
    jsonData: null,
  });
  deepStrictEqual(parseProtoJson("SeldonMessage", { strData: "" }), { strData: "" });
  deepStrictEqual(parseProtoJson("SeldonMessage", { meta: {}, data: {} }), { meta: {}, data: {} });
  deepStrictEqual(
    parseProtoJson("SeldonMessage", {
      customData: { "@type": "type.googleapis.com/acme.Blob", value: "AQI" },
    }),
    { customData: { "@type": "type.googleapis.com/acme.Blob", value: "AQI=" } },
  );
  deepStrictEqual(parseProtoJson("SeldonMessage", { customData: {} }), { customData: {} });
  deepStrictEqual(
    parseProtoJson("SeldonMessage", { meta: { tags: { a: null, b: [1, { c: 2n }] } } }),
    { meta: { tags: { a: null, b: [1, { c: 2 }] } } },
  );
  deepStrictEqual(
    parseProtoJson(
      "seldon.protos.SeldonModelMetadata",
      { name: "m", extra: 1, inputs: [{ x: 1 }] },
      {
        ignoreUnknownFields: true,
      },
    ),
    { name: "m", inputs: [{}] },
  );
  deepStrictEqual(parseProtoJson("Empty", {}), {});
  deepStrictEqual(parseProtoJson("Status", { status: 1, code: -1 }), {
    code: -1,
    status: "FAILURE",
  });
});

Deno.test("proto json: float32 helpers", () => {
  strictEqual(float32(0.1), Math.fround(0.1));
  strictEqual(shortestFloat32(0.1), 0.1);
  strictEqual(shortestFloat32(Math.fround(0.1)), 0.1);
  strictEqual(shortestFloat32(1.2), 1.2);
  strictEqual(shortestFloat32(16777217), 16777216);
  strictEqual(shortestFloat32(3.4028234663852886e38), 3.4028235e38);
  strictEqual(shortestFloat32(1 / 3), 0.33333334);
  strictEqual(shortestFloat32(1e-45), 1.4013e-45);
  strictEqual(shortestFloat32(100), 100);
  ok(Number.isNaN(shortestFloat32(NaN)));
  for (const x of [0.1, 1.2, 3.14159, 1e-7, 123456.789, -0.3, 2 ** -130]) {
    const s = shortestFloat32(x);
    strictEqual(Math.fround(s), Math.fround(x));
  }
});

Deno.test("codec: canonical output of parseProtoJson survives encode/decode unchanged", () => {
  const docs: [string, unknown][] = [
    ["SeldonMessage", {
      meta: {
        puid: "x",
        tags: { a: 1 },
        metrics: [{ key: "k", type: "GAUGE", value: 3.3 }, { key: "c", value: 1 }],
      },
      data: { names: ["a"], ndarray: [[1, 2], ["x", true]] },
    }],
    ["Feedback", { request: { strData: "s" }, reward: 0.7, truth: { jsonData: [1] } }],
    ["SeldonMessage", { data: { tftensor: { dtype: "DT_FLOAT", floatVal: [0.1, 0.2, 0.3] } } }],
  ];
  for (const [type, doc] of docs) {
    const canon = parseProtoJson(type, doc);
    deepStrictEqual(decodeMessage(type, encodeMessage(type, canon)), canon);
  }
});

// ---------------------------------------------------------------------------------------
// performance
// ---------------------------------------------------------------------------------------

function timeMs(fn: () => unknown, n: number): number {
  for (let i = 0; i < 50; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

Deno.test("codec: performance of a 10,000-double tensor and a 100x100 ndarray", () => {
  const values = Array.from({ length: 10_000 }, (_, i) => i * 0.001 - 3);
  const tensor = { data: { tensor: { shape: [100, 100], values } } };
  const tb = encodeMessage("SeldonMessage", tensor);
  const nd = {
    data: { ndarray: Array.from({ length: 100 }, (_, i) => values.slice(i * 100, i * 100 + 100)) },
  };
  const nb = encodeMessage("SeldonMessage", nd);
  const r = {
    tensorEncode: timeMs(() => encodeMessage("SeldonMessage", tensor), 300),
    tensorDecode: timeMs(() => decodeMessage("SeldonMessage", tb), 300),
    ndarrayEncode: timeMs(() => encodeMessage("SeldonMessage", nd), 100),
    ndarrayDecode: timeMs(() => decodeMessage("SeldonMessage", nb), 100),
  };
  console.log(
    Object.entries(r).map(([k, v]) => `${k} ${(v * 1000).toFixed(0)}µs`).join(", "),
  );
  // Generous bounds (CI machines vary); typical values are well under 1 ms.
  ok(r.tensorEncode < 2 && r.tensorDecode < 2, JSON.stringify(r));
  deepStrictEqual(
    (decodeMessage("SeldonMessage", tb).data as { tensor: unknown }).tensor,
    tensor.data.tensor,
  );
});
