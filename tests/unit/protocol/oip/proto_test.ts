import protobuf from "protobufjs";
import { assert, assertEquals, assertThrows } from "../../../_helpers/assert.ts";
import { NDArray } from "../../../../src/protocol/ndarray.ts";
import { OipError } from "../../../../src/protocol/oip/errors.ts";
import {
  decodeFlagResponse,
  decodeModelInferRequest,
  decodeModelInferResponse,
  decodeModelMetadataResponse,
  decodeModelRef,
  decodeServerMetadataResponse,
  encodeFlagResponse,
  encodeModelInferRequest,
  encodeModelInferResponse,
  encodeModelMetadataResponse,
  encodeModelRef,
  encodeServerMetadataResponse,
} from "../../../../src/protocol/oip/proto.ts";
import type { InferenceRequest } from "../../../../src/protocol/oip/types.ts";
import { expectedList, flatList, SAMPLES } from "./_samples.ts";

const OURS = new URL("../../../../proto/inference.proto", import.meta.url).pathname;
const CANONICAL = "/work/shared/spec/oip/open_inference_grpc.proto";

function load(path: string): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(path, { keepCase: true });
  root.resolveAll();
  return root;
}

const status400 = (pattern: RegExp) => (e: unknown) =>
  OipError.isOipError(e) && e.status === 400 && pattern.test(e.message);

/** Every message, field and rpc of a root, as comparable text lines. */
function shapeOf(root: protobuf.Root): string[] {
  const out: string[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Type) {
        for (const f of o.fieldsArray) {
          const map = f instanceof protobuf.MapField ? `map<${f.keyType},` : "";
          out.push(
            `${o.fullName}.${f.name}=${f.id} ${map}${f.type} ${f.repeated ? "repeated" : ""} ${
              f.partOf?.name ?? ""
            }`,
          );
        }
      }
      if (o instanceof protobuf.Service) {
        for (const m of o.methodsArray) {
          out.push(`${o.fullName}.${m.name}(${m.requestType})→${m.responseType}`);
        }
      }
      if (o instanceof protobuf.Namespace) walk(o);
    }
  };
  walk(root);
  return out.sort();
}

Deno.test("proto/inference.proto: the canonical file's package, messages, field numbers and rpcs", () => {
  const ours = shapeOf(load(OURS));
  assertEquals(ours, shapeOf(load(CANONICAL)));
  assert(ours.includes(".inference.ModelInferRequest.raw_input_contents=7 bytes repeated "));
  assert(ours.includes(".inference.InferParameter.uint64_param=5 uint64  parameter_choice"));
});

const ROOT = load(CANONICAL);
const ReqT = ROOT.lookupType("inference.ModelInferRequest");
const ResT = ROOT.lookupType("inference.ModelInferResponse");

const CONTENTS: Record<string, string> = {
  BOOL: "bool_contents",
  UINT8: "uint_contents",
  UINT16: "uint_contents",
  UINT32: "uint_contents",
  UINT64: "uint64_contents",
  INT8: "int_contents",
  INT16: "int_contents",
  INT32: "int_contents",
  INT64: "int64_contents",
  FP32: "fp32_contents",
  FP64: "fp64_contents",
  BYTES: "bytes_contents",
};

/** A sample's values as protobufjs takes them (64-bit as strings, BYTES as bytes). */
const pbValues = (datatype: string, values: unknown[]) =>
  values.map((v) =>
    typeof v === "bigint" || datatype.endsWith("64") && !datatype.startsWith("FP")
      ? String(v)
      : datatype === "BYTES"
      ? new TextEncoder().encode(v as string)
      : v
  );

Deno.test("gRPC contents: every datatype from a client of the canonical proto, and answered in contents", () => {
  for (const s of SAMPLES) {
    if (s.datatype === "FP16") continue; // no contents field: raw only (below)
    const bytes = ReqT.encode(ReqT.fromObject({
      model_name: "m",
      id: "i",
      inputs: [{
        name: "x",
        datatype: s.datatype,
        shape: s.shape,
        contents: { [CONTENTS[s.datatype]]: pbValues(s.datatype, s.values) },
      }],
    })).finish();
    const d = decodeModelInferRequest(bytes);
    assertEquals([d.modelName, d.modelVersion, d.raw, d.request.id], ["m", "", false, "i"]);
    const x = d.request.inputs[0];
    assertEquals([x.datatype, x.shape], [s.datatype, s.shape]);
    assertEquals(flatList(x.data.tolist()), expectedList(s), s.datatype);
    const answer = encodeModelInferResponse(
      { modelName: "m", id: "i", outputs: [{ name: "y", data: x.data }] },
      d.raw,
    );
    const pb = ResT.toObject(ResT.decode(answer), {
      longs: String,
      bytes: Array,
      defaults: false,
    }) as any;
    assertEquals(pb.raw_output_contents, undefined);
    const out = pb.outputs[0];
    assertEquals([out.name, out.datatype, out.shape.map(Number)], ["y", s.datatype, s.shape]);
    const got = out.contents[CONTENTS[s.datatype]];
    const want = s.datatype === "BYTES"
      ? s.values.map((v) => Array.from(new TextEncoder().encode(v as string)))
      : pbValues(s.datatype, s.values).map((v) =>
        s.datatype === "BOOL" ? v : typeof v === "string" ? v : v
      );
    assertEquals(got, want, s.datatype);
    // And our own client decodes it back.
    assertEquals(
      flatList(decodeModelInferResponse(answer).outputs[0].data.tolist()),
      expectedList(s),
    );
  }
});

Deno.test("gRPC raw contents: every datatype, views of the message, answered raw", () => {
  for (const s of SAMPLES) {
    // The encoder checks and casts the values into the datatype, as for an output.
    const input = {
      name: "x",
      datatype: s.datatype,
      shape: s.shape,
      data: s.datatype === "INT64" || s.datatype === "UINT64"
        ? new NDArray(
          s.values.map((v) => BigInt(v as number)),
          s.shape,
          s.datatype === "INT64" ? "int64" : "uint64",
        )
        : s.datatype === "BYTES"
        ? new NDArray(s.values, s.shape, "string")
        : new NDArray(
          s.values,
          s.shape,
          ({ BOOL: "bool", FP16: "float16", FP32: "float32", FP64: "float64" } as any)[
            s.datatype
          ] ?? s.datatype.toLowerCase(),
        ),
    };
    const bytes = encodeModelInferRequest({ modelName: "m", request: { inputs: [input] } }, true);
    const pb = ReqT.toObject(ReqT.decode(bytes), { bytes: Array, defaults: false }) as any;
    assertEquals(pb.inputs[0].contents, undefined, s.datatype);
    assertEquals(pb.raw_input_contents.length, 1);
    const d = decodeModelInferRequest(bytes);
    assert(d.raw);
    const x = d.request.inputs[0];
    assertEquals(flatList(x.data.tolist()), expectedList(s), s.datatype);
    if (s.datatype !== "BYTES") {
      // The tensor is the message's memory, or a copy when misaligned.
      const typed = x.data.data as Uint8Array;
      const raw = Uint8Array.from(pb.raw_input_contents[0] as number[]);
      const at = bytes.length - raw.length; // raw_input_contents is the last field written
      assertEquals(
        typed.buffer === bytes.buffer,
        (bytes.byteOffset + at) % typed.BYTES_PER_ELEMENT === 0,
      );
    }
    const answer = encodeModelInferResponse({
      modelName: "m",
      outputs: [{ name: "y", data: x.data }],
    }, true);
    const out = ResT.toObject(ResT.decode(answer), { bytes: Array, defaults: false }) as any;
    assertEquals(out.outputs[0].contents, undefined);
    assertEquals(out.raw_output_contents.length, 1);
    assertEquals(
      new Uint8Array(out.raw_output_contents[0]),
      Uint8Array.from(pb.raw_input_contents[0]),
      s.datatype,
    );
  }
});

Deno.test("gRPC raw contents: a raw tensor shares the message's memory when aligned", () => {
  const f32 = new Float32Array([1, 2, 3, 4]);
  let views = 0, copies = 0;
  for (let pad = 0; pad < 4; pad++) {
    const bytes = ReqT.encode(ReqT.fromObject({
      model_name: "m".repeat(pad + 1),
      inputs: [{ name: "x", datatype: "FP32", shape: [4] }],
      raw_input_contents: [new Uint8Array(f32.buffer)],
    })).finish();
    const data = decodeModelInferRequest(bytes).request.inputs[0].data.data as Float32Array;
    assertEquals(Array.from(data), [1, 2, 3, 4]);
    if (data.buffer === bytes.buffer) views++;
    else copies++;
  }
  assertEquals([views, copies], [1, 3]);
  // Packed fp32_contents too.
  for (let pad = 0; pad < 4; pad++) {
    const bytes = ReqT.encode(ReqT.fromObject({
      model_name: "m".repeat(pad + 1),
      inputs: [{
        name: "x",
        datatype: "FP32",
        shape: [4],
        contents: { fp32_contents: [1, 2, 3, 4] },
      }],
    })).finish();
    const data = decodeModelInferRequest(bytes).request.inputs[0].data.data as Float32Array;
    assertEquals(Array.from(data), [1, 2, 3, 4]);
    if (data.buffer === bytes.buffer) views++;
  }
  assertEquals(views, 2);
});

Deno.test("gRPC: FP16 travels raw; fp32_contents are accepted for FP16 inputs", () => {
  const half = new NDArray(Float16Array.of(0.5, -2), [2], "float16");
  const answer = encodeModelInferResponse(
    { modelName: "m", outputs: [{ name: "h", data: half }] },
    false,
  );
  const pb = ResT.toObject(ResT.decode(answer), { bytes: Array, defaults: false }) as any;
  assertEquals(pb.outputs[0].datatype, "FP16");
  assertEquals(pb.raw_output_contents, [[0x00, 0x38, 0x00, 0xc0]]);
  const bytes = ReqT.encode(ReqT.fromObject({
    inputs: [{ name: "x", datatype: "FP16", shape: [2], contents: { fp32_contents: [0.5, 0.1] } }],
  })).finish();
  const x = decodeModelInferRequest(bytes).request.inputs[0].data;
  assertEquals([x.dtype, x.tolist()], ["float16", [0.5, 0.0999755859375]]);
});

Deno.test("gRPC: parameters of all five kinds, at request, input and output level", () => {
  const bytes = ReqT.encode(ReqT.fromObject({
    parameters: {
      b: { bool_param: true },
      i: { int64_param: "-9223372036854775808" },
      s: { string_param: "x" },
      d: { double_param: 1.5 },
      u: { uint64_param: "18446744073709551615" },
      small: { int64_param: 3 },
    },
    inputs: [{
      name: "x",
      datatype: "INT32",
      shape: [1],
      parameters: { p: { string_param: "q" } },
      contents: { int_contents: [1] },
    }],
    outputs: [{ name: "y", parameters: { binary_data: { bool_param: false } } }],
  })).finish();
  const { request } = decodeModelInferRequest(bytes);
  assertEquals(request.parameters, {
    b: true,
    i: -9223372036854775808n,
    s: "x",
    d: 1.5,
    u: 18446744073709551615n,
    small: 3,
  });
  assertEquals(request.inputs[0].parameters, { p: "q" });
  assertEquals(request.outputs, [{ name: "y", parameters: { binary_data: false } }]);
  const answer = encodeModelInferResponse({
    modelName: "m",
    modelVersion: "2",
    id: "id",
    parameters: request.parameters,
    outputs: [{ name: "y", data: new Int32Array([1]), parameters: { n: 2.5 } }],
  }, false);
  const pb = ResT.toObject(ResT.decode(answer), { longs: String, defaults: false }) as any;
  assertEquals(pb.parameters, {
    b: { bool_param: true },
    i: { int64_param: "-9223372036854775808" },
    s: { string_param: "x" },
    d: { double_param: 1.5 },
    u: { uint64_param: "18446744073709551615" },
    small: { int64_param: "3" },
  });
  assertEquals([pb.model_name, pb.model_version, pb.id], ["m", "2", "id"]);
  assertEquals(pb.outputs[0].parameters, { n: { double_param: 2.5 } });
  assertEquals(decodeModelInferResponse(answer).parameters, request.parameters);
});

Deno.test("gRPC: bad requests are 400s with clear messages", () => {
  const enc = (o: Record<string, unknown>) => ReqT.encode(ReqT.fromObject(o)).finish();
  const x = { name: "x", datatype: "FP32", shape: [2] };
  assertThrows(
    () =>
      decodeModelInferRequest(
        enc({ inputs: [x, { ...x, name: "z" }], raw_input_contents: [new Uint8Array(8)] }),
      ),
    status400(/1 raw_input_contents for 2 inputs/),
  );
  assertThrows(
    () =>
      decodeModelInferRequest(
        enc({
          inputs: [{ ...x, contents: { fp32_contents: [1, 2] } }],
          raw_input_contents: [new Uint8Array(8)],
        }),
      ),
    status400(/input 'x' has both contents and raw_input_contents/),
  );
  assertThrows(
    () => decodeModelInferRequest(enc({ inputs: [{ ...x, contents: { fp64_contents: [1, 2] } }] })),
    status400(/input 'x': FP32 values go in fp32_contents, not fp64_contents/),
  );
  assertThrows(
    () =>
      decodeModelInferRequest(enc({ inputs: [{ ...x, contents: { fp32_contents: [1, 2, 3] } }] })),
    status400(/input 'x': shape \[2\] needs 2 FP32 elements but the data has 3/),
  );
  assertThrows(
    () =>
      decodeModelInferRequest(
        enc({ inputs: [{ ...x, datatype: "INT8", contents: { int_contents: [1, 200] } }] }),
      ),
    status400(/INT8 element 1 must be an integer in -128..127, got 200/),
  );
  assertThrows(
    () => decodeModelInferRequest(enc({ inputs: [x], raw_input_contents: [new Uint8Array(7)] })),
    status400(/7 bytes of data, but shape \[2\] of FP32 needs 8/),
  );
  assertThrows(
    () => decodeModelInferRequest(enc({ inputs: [{ ...x, datatype: "FP128" }] })),
    status400(/unsupported datatype "FP128"/),
  );
  assertThrows(
    () => decodeModelInferRequest(enc({ inputs: [{ ...x, shape: [-2] }] })),
    status400(/non-negative/),
  );
  const good = enc({ model_name: "m", inputs: [{ ...x, contents: { fp32_contents: [1, 2] } }] });
  assertThrows(
    () => decodeModelInferRequest(good.subarray(0, good.length - 3)),
    status400(/not valid protobuf/),
  );
  assertThrows(
    () => decodeModelInferRequest(Uint8Array.of(0x0a, 0x02, 0xff, 0xfe)),
    status400(/not valid UTF-8/),
  );
  assertThrows(
    () => decodeModelInferRequest(Uint8Array.of(0x0f)),
    status400(/not valid protobuf: wire type 7/),
  );
});

Deno.test("gRPC: negative int32 and big int64 contents round-trip through our client", () => {
  const request: InferenceRequest = {
    id: "q",
    inputs: [
      {
        name: "a",
        datatype: "INT32",
        shape: [3],
        data: new NDArray(Int32Array.of(-1, 5, -2147483648), [3], "int32"),
      },
      {
        name: "b",
        datatype: "INT64",
        shape: [2],
        data: new NDArray(BigInt64Array.of(-(2n ** 62n), 2n ** 62n), [2], "int64"),
      },
      { name: "c", datatype: "BOOL", shape: [2], data: NDArray.from([true, false]) },
    ],
    outputs: [{ name: "a" }],
  };
  for (const raw of [false, true]) {
    const d = decodeModelInferRequest(
      encodeModelInferRequest({ modelName: "m", modelVersion: "3", request }, raw),
    );
    assertEquals([d.modelVersion, d.raw, d.request.id, d.request.outputs], ["3", raw, "q", [{
      name: "a",
    }]]);
    assertEquals(d.request.inputs.map((i) => i.data.tolist()), [
      [-1, 5, -2147483648],
      [-(2n ** 62n), 2n ** 62n],
      [true, false],
    ]);
  }
});

Deno.test("gRPC health and metadata messages against the canonical proto", () => {
  const t = (name: string) => ROOT.lookupType(`inference.${name}`);
  const ref = t("ModelReadyRequest").encode({ name: "m", version: "2" }).finish();
  assertEquals(decodeModelRef(ref), { name: "m", version: "2" });
  assertEquals(t("ModelMetadataRequest").decode(encodeModelRef({ name: "m" })).toJSON(), {
    name: "m",
  });
  assertEquals(t("ServerLiveResponse").decode(encodeFlagResponse(true)).toJSON(), { live: true });
  assertEquals(t("ModelReadyResponse").decode(encodeFlagResponse(false)).toJSON(), {});
  assertEquals([
    decodeFlagResponse(encodeFlagResponse(true)),
    decodeFlagResponse(new Uint8Array(0)),
  ], [true, false]);
  const server = { name: "seldon-ts", version: "0.1.0", extensions: ["binary_tensor_data"] };
  assertEquals(
    t("ServerMetadataResponse").decode(encodeServerMetadataResponse(server)).toJSON(),
    server,
  );
  assertEquals(decodeServerMetadataResponse(encodeServerMetadataResponse(server)), server);
  const meta = {
    name: "m",
    versions: ["1"],
    platform: "seldon-ts",
    inputs: [{ name: "x", datatype: "FP32" as const, shape: [-1, 4] }],
    outputs: [{ name: "y", datatype: "INT64" as const, shape: [-1] }],
    parameters: { author: "me", n: 3 },
  };
  const bytes = encodeModelMetadataResponse(meta);
  assertEquals(
    t("ModelMetadataResponse").toObject(t("ModelMetadataResponse").decode(bytes), {
      longs: Number,
    }),
    {
      name: "m",
      versions: ["1"],
      platform: "seldon-ts",
      inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }],
      outputs: [{ name: "y", datatype: "INT64", shape: [-1] }],
      properties: { author: "me", n: "3" },
    },
  );
  assertEquals(decodeModelMetadataResponse(bytes), {
    ...meta,
    parameters: { author: "me", n: "3" },
  });
});
