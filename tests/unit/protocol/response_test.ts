/**
 * Ports of upstream `python/tests/test_utils.py` (tests-catalog.md § test_utils.py): response
 * construction with type mirroring (protocol.md §4), request decoding (§3), JSON ↔ protobuf
 * conversion of SeldonMessage / Feedback / SeldonMessageList (§2.1), tftensor conversion
 * (§6.4, §6.5); the environment helpers are in `tests/unit/config/env_test.ts`.
 *
 * "build REST" = `buildResponse(…, "json")`; "build gRPC" = `buildResponse(…, "proto")`, whose
 * proto3-JSON result is also sent through the protobuf wire format (encode → decode) so the
 * oneof checks hold for what a gRPC client would receive.
 */
import { assert, assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { DataPlane } from "../../../src/dataplane/dataplane.ts";
import { createHandler } from "../../../src/rest/server.ts";
import { SeldonMicroserviceException } from "../../../src/protocol/errors.ts";
import { NDArray } from "../../../src/protocol/ndarray.ts";
import {
  decodeJsonMessage,
  decodeProtoData,
  decodeProtoMessage,
  type JsonObject,
  type Mode,
  ProtoAny,
} from "../../../src/protocol/payload.ts";
import { decodeMessage, encodeMessage } from "../../../src/protocol/proto/codec.ts";
import { parseProtoJson, ProtoJsonError } from "../../../src/protocol/proto/json.ts";
import { buildResponse, type ResponseContext } from "../../../src/protocol/response.ts";
import { ndarrayToTftensor, tftensorToNDArray } from "../../../src/protocol/tftensor.ts";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Upstream's UserObject: `tags()` → {mytag: 1}, `metrics()` → mycounter (merged into meta). */
const USER_TAGS = { mytag: 1 };
const USER_METRIC = { type: "COUNTER", key: "mycounter", value: 1 };

/** The response context the data plane would use for request `ref` (predict, no own path). */
function ctxFor(ref: JsonObject, mode: Mode): ResponseContext {
  const meta = ref.meta as JsonObject | undefined;
  return {
    ref,
    merge: meta,
    puid: meta?.puid,
    userTags: USER_TAGS,
    runtimeTags: undefined,
    metrics: mode === "proto" ? [parseProtoJson("Metric", USER_METRIC)] : [USER_METRIC],
    ownPath: undefined,
    classNames: (cols) => Array.from({ length: cols }, (_, i) => "t:" + i),
  };
}

/** build REST(req, ret). */
function buildRest(req: JsonObject, ret: unknown): JsonObject {
  return buildResponse(ret, ctxFor(req, "json"), "json");
}

/** build gRPC(req, ret), as received by a client: proto3-JSON → protobuf bytes → proto3-JSON. */
function buildGrpc(req: JsonObject, ret: unknown): JsonObject {
  return wire(buildResponse(ret, ctxFor(req, "proto"), "proto"));
}

/** A SeldonMessage through the protobuf wire format. */
function wire(msg: JsonObject): JsonObject {
  return decodeMessage("SeldonMessage", encodeMessage("SeldonMessage", msg));
}

/** A gRPC request as the server decodes it: proto3-JSON parsed strictly, then sent on the wire. */
function grpcRequest(json: unknown): JsonObject {
  return wire(parseProtoJson("SeldonMessage", json));
}

/** The member of SeldonMessage's `data_oneof` that is set (Python `WhichOneof("data_oneof")`). */
function payloadOneof(msg: JsonObject): string | undefined {
  const set = ["data", "binData", "strData", "jsonData", "customData"].filter((k) =>
    msg[k] !== undefined
  );
  assert(set.length <= 1, `more than one payload member set: ${set}`);
  return set[0];
}

/** The member of DefaultData's `data_oneof` that is set (`sm.data.WhichOneof("data_oneof")`). */
function dataOneof(msg: JsonObject): string | undefined {
  const data = msg.data as JsonObject | undefined;
  if (data === undefined) return undefined;
  const set = ["tensor", "ndarray", "tftensor"].filter((k) => data[k] !== undefined);
  assert(set.length <= 1, `more than one data member set: ${set}`);
  return set[0];
}

function asNDArray(x: unknown): NDArray {
  assert(NDArray.isNDArray(x), `expected an NDArray, got ${x}`);
  return x;
}

/** A REST handler around `user`, called in-process (no port). */
async function restHandler(user: object): Promise<(req: Request) => Promise<Response>> {
  const plane = await DataPlane.create(user, { includeMetrics: true, executorEnabled: true });
  return createHandler(plane, {
    port: 0,
    hostname: "127.0.0.1",
    maxBodySize: 1 << 20,
    payloadPassthrough: false,
    concurrency: 1,
    json: { pretty: false, ascii: true },
  });
}

async function restGet(user: object, path: string, doc: unknown) {
  const handler = await restHandler(user);
  const res = await handler(
    new Request(`http://localhost${path}?json=${encodeURIComponent(JSON.stringify(doc))}`),
  );
  return { status: res.status, json: await res.json() };
}

const isSeldonBadData = (e: unknown) =>
  SeldonMicroserviceException.isSeldonError(e) && e.statusCode === 400 &&
  e.reason === "MICROSERVICE_BAD_DATA";

// ---------------------------------------------------------------------------------------------
// Response construction (protocol.md §4)
// ---------------------------------------------------------------------------------------------

Deno.test("test_create_rest_response_nparray", () => {
  const result = buildRest({}, NDArray.from([[1, 2, 3]]));
  const data = result.data as JsonObject;
  assert(data !== undefined && "tensor" in data, JSON.stringify(result));
  assertEquals((data.tensor as JsonObject).values, [1, 2, 3]);
});

Deno.test("test_create_grpc_response_nparray", () => {
  const sm = buildGrpc({}, NDArray.from([[1, 2, 3]]));
  assertEquals(payloadOneof(sm), "data");
  assertEquals(dataOneof(sm), "tensor");
  assertEquals(((sm.data as JsonObject).tensor as JsonObject).values, [1, 2, 3]);
});

const RAGGED = [["hello", "world"], ["hello", "another", "world"]];
const STRINGS = [["hello", "world"], ["here", "another"]];

Deno.test("test_create_rest_response_text_ndarray", () => {
  const request = { data: { ndarray: structuredClone(RAGGED), names: [] } };
  const before = structuredClone(request);
  const decoded = decodeJsonMessage(request);
  // kind "data": X is the array built from data.ndarray (a ragged list: 1-D object array).
  const features = asNDArray(decoded.X);
  assertEquals(features.tolist(), RAGGED);
  // datadef == request.data: the data member is read as sent (names passed as-is).
  assertEquals(decoded.names, request.data.names);
  assertEquals(request, before);
  const result = buildRest(request, NDArray.from(STRINGS));
  const data = result.data as JsonObject;
  assert("ndarray" in data, JSON.stringify(result));
  assertEquals(data.ndarray, STRINGS);
});

Deno.test("test_create_grpc_response_text_ndarray", () => {
  const request = grpcRequest({ data: { ndarray: RAGGED } });
  assertEquals(request.data, { ndarray: RAGGED });
  const decoded = decodeProtoMessage(request);
  const features = asNDArray(decoded.X);
  // ragged → not a numeric matrix: a 1-D array whose first element is a plain list
  assert(Array.isArray((features.tolist() as unknown[])[0]));
  assertEquals(features.shape, [2]);
  assertEquals(features.tolist(), RAGGED);
  assertEquals(decoded.names, []);
  const sm = buildGrpc(request, NDArray.from(STRINGS));
  assertEquals(dataOneof(sm), "ndarray");
  assertEquals((sm.data as JsonObject).ndarray, STRINGS);
});

Deno.test("test_create_rest_response_ndarray", () => {
  const request = { data: { ndarray: [[5, 6, 7]], names: [] } };
  const result = buildRest(request, NDArray.from([[1, 2, 3]]));
  const data = result.data as JsonObject;
  assert("ndarray" in data && !("tensor" in data), JSON.stringify(result));
  assertEquals(data.ndarray, [[1, 2, 3]]);
  // A plain list return mirrors the same way.
  assertEquals((buildRest(request, [[1, 2, 3]]).data as JsonObject).ndarray, [[1, 2, 3]]);
});

Deno.test("test_create_grpc_response_ndarray", () => {
  const request = grpcRequest({ data: { ndarray: [[5, 6, 7]] } });
  const sm = buildGrpc(request, [[1, 2, 3]]);
  assertEquals(dataOneof(sm), "ndarray");
  assertEquals((sm.data as JsonObject).ndarray, [[1, 2, 3]]);
});

Deno.test("test_create_rest_response_tensor", () => {
  const tensor = { values: [1, 2, 3], shape: [3] };
  const request = { data: { tensor, names: [] } };
  const result = buildRest(request, NDArray.from([1, 2, 3]));
  const data = result.data as JsonObject;
  assert("tensor" in data, JSON.stringify(result));
  assertEquals(data.tensor, { values: [1, 2, 3], shape: [3] });
});

Deno.test("test_create_grpc_response_tensor", () => {
  const request = grpcRequest({ data: { tensor: { shape: [1, 3], values: [5, 6, 7] } } });
  const sm = buildGrpc(request, NDArray.from([[1, 2, 3]]));
  assertEquals(dataOneof(sm), "tensor");
  assertEquals((sm.data as JsonObject).tensor, { shape: [1, 3], values: [1, 2, 3] });
});

Deno.test("test_create_rest_response_strdata", () => {
  const result = buildRest({ strData: "Request data" }, "hello world");
  assert("strData" in result);
  assert((result.strData as string).length > 0);
  assertEquals(result.strData, "hello world");
  assert(!("data" in result));
});

Deno.test("test_create_grpc_response_strdata", () => {
  const request = grpcRequest({ data: { ndarray: [[5, 6, 7]] } });
  const sm = buildGrpc(request, "hello world");
  assertEquals(dataOneof(sm), undefined);
  assertEquals(payloadOneof(sm), "strData");
  assert((sm.strData as string).length > 0);
  assertEquals(sm.strData, "hello world");
});

Deno.test("test_create_grpc_response_jsondata", () => {
  const request = grpcRequest({ data: { ndarray: [[5, 6, 7]] } });
  const sm = buildGrpc(request, { output: "data" });
  assertEquals(dataOneof(sm), undefined);
  assertEquals(payloadOneof(sm), "jsonData");
  assert(sm.jsonData !== null && typeof sm.jsonData === "object");
  assertEquals(sm.jsonData, { output: "data" });
});

Deno.test("test_create_grpc_response_customdata", () => {
  const request = grpcRequest({ data: { ndarray: [[5, 6, 7]] } });
  // upstream: any_pb2.Any(value=b"testdata") (empty type URL)
  const sm = buildGrpc(request, new ProtoAny("", enc.encode("testdata")));
  assertEquals(dataOneof(sm), undefined);
  assertEquals(payloadOneof(sm), "customData");
  const any = sm.customData as JsonObject;
  assert(any !== null && typeof any === "object" && Object.keys(any).length > 0);
  // What the client decodes back is the Any it was given.
  const back = decodeProtoMessage(sm).X;
  assert(ProtoAny.isProtoAny(back));
  assertEquals(dec.decode(back.value), "testdata");
});

Deno.test("test_create_rest_response_jsondata", () => {
  const request = { jsonData: { ndarray: [[5, 6, 7]] } };
  const result = buildRest(request, { output: "data" });
  assert(!("data" in result), JSON.stringify(result));
  assert(result.jsonData !== undefined && Object.keys(result.jsonData as object).length > 0);
  assertEquals(result.jsonData, { output: "data" });
});

Deno.test("test_create_rest_response_jsondata_with_array_input", () => {
  const request = { data: { ndarray: [[5, 6, 7]] } };
  const result = buildRest(request, { output: "data" });
  assert(!("data" in result), JSON.stringify(result));
  assertEquals(result.jsonData, { output: "data" });
});

Deno.test("test_symmetric_json_conversion", () => {
  const jsonRequest = { jsonData: { ndarray: [[5, 6, 7]] } };
  const message = parseProtoJson("SeldonMessage", jsonRequest);
  assertEquals(message, jsonRequest);
  assertEquals(wire(message), jsonRequest);
});

Deno.test("test_create_grpc_response_list", () => {
  const request = grpcRequest({ data: { tensor: { shape: [1, 3], values: [5, 6, 7] } } });
  const sm = buildGrpc(request, ["one", "two", "three"]);
  assertEquals(dataOneof(sm), "ndarray");
  assertEquals((sm.data as JsonObject).ndarray, ["one", "two", "three"]);
});

Deno.test("test_create_rest_response_binary", () => {
  const request = { binData: btoa("input") };
  const result = buildRest(request, enc.encode("binary"));
  assert(!("strData" in result));
  assert("binData" in result);
  assertEquals(result.binData, btoa("binary"));
  assertEquals(result.binData, "YmluYXJ5");
});

Deno.test("test_create_grpc_response_binary", () => {
  const request = grpcRequest({ data: { tensor: { shape: [1, 3], values: [5, 6, 7] } } });
  const sm = buildGrpc(request, enc.encode("binary"));
  assertEquals(dataOneof(sm), undefined);
  assertEquals(payloadOneof(sm), "binData");
  assertEquals(sm.strData ?? "", "");
  assert((sm.binData as string).length > 0);
  assertEquals(sm.binData, "YmluYXJ5");
});

// ---------------------------------------------------------------------------------------------
// JSON → protobuf conversion and request decoding (protocol.md §2.1, §3)
// ---------------------------------------------------------------------------------------------

Deno.test("test_json_to_seldon_message_normal_data", () => {
  const proto = grpcRequest({ data: { tensor: { shape: [1, 1], values: [1] } } });
  const tensor = (proto.data as JsonObject).tensor as JsonObject;
  assertEquals(tensor.values, [1]);
  assertEquals(tensor.shape, [1, 1]);
  const arr = asNDArray(decodeProtoMessage(proto).X);
  assertEquals(arr.shape, [1, 1]);
  assertEquals(arr.get(0, 0), 1);
});

Deno.test("test_json_to_seldon_message_ndarray", () => {
  const proto = grpcRequest({ data: { ndarray: [[1]] } });
  assertEquals((proto.data as JsonObject).ndarray, [[1]]);
  const arr = asNDArray(decodeProtoMessage(proto).X);
  assertEquals(arr.shape, [1, 1]);
  assertEquals(arr.get(0, 0), 1);
});

Deno.test("test_json_to_seldon_message_bin_data", () => {
  // upstream pickles a numpy array; any bytes will do (including non-UTF-8 ones)
  const bytes = new Uint8Array([0x80, 0x04, 0x95, 0, 1, 2, 3, 0xff, 0x2e]);
  const b64 = btoa(String.fromCharCode(...bytes));
  const proto = grpcRequest({ binData: b64 });
  assertEquals(payloadOneof(proto), "binData");
  assert((proto.binData as string).length > 0);
  assertEquals(proto.data, undefined);
  const X = decodeProtoMessage(proto).X;
  assert(!NDArray.isNDArray(X));
  assert(X instanceof Uint8Array);
  assertEquals(Array.from(X), Array.from(bytes));
});

Deno.test("test_json_to_seldon_message_str_data", () => {
  const proto = grpcRequest({ strData: "my string data" });
  assertEquals(payloadOneof(proto), "strData");
  assertEquals(proto.data, undefined);
  const X = decodeProtoMessage(proto).X;
  assert(!NDArray.isNDArray(X));
  assertEquals(X, "my string data");
});

Deno.test("test_json_to_seldon_message_json_data", () => {
  const X = decodeJsonMessage({ jsonData: { some: "value" } }).X;
  assert(!NDArray.isNDArray(X));
  assertEquals(X, { some: "value" });
});

Deno.test("test_json_to_seldon_message_bad_data", async () => {
  // Strict protobuf parsing rejects the unknown field …
  assertThrows(
    () => parseProtoJson("SeldonMessage", { foo: "bar" }),
    (e) => e instanceof ProtoJsonError && /has no field named "foo"/.test(e.message),
  );
  // … and JSON-mode decoding answers the microservice exception (400).
  const err = assertThrows(() => decodeJsonMessage({ foo: "bar" }), isSeldonBadData);
  assert(/^Invalid request data type: /.test(err.message), err.message);
  // In a request: HTTP 400 with the Seldon error body.
  const { status, json } = await restGet({ predict: (X: unknown) => X }, "/predict", {
    foo: "bar",
  });
  assertEquals(status, 400);
  assertEquals(json.status.reason, "MICROSERVICE_BAD_DATA");
  assertEquals(json.status.code, -1);
  assertEquals(json.status.status, 1);
  assert(/^Invalid request data type: /.test(json.status.info), json.status.info);
});

const FEEDBACK = {
  request: { data: { tensor: { shape: [1, 1], values: [1] } } },
  response: { data: { tensor: { shape: [1, 1], values: [2] } } },
  reward: 1.0,
};

Deno.test("test_json_to_feedback", () => {
  const feedback = decodeMessage(
    "Feedback",
    encodeMessage("Feedback", parseProtoJson("Feedback", FEEDBACK)),
  );
  const tensorOf = (m: unknown) => ((m as JsonObject).data as JsonObject).tensor as JsonObject;
  assertEquals(tensorOf(feedback.request).values, [1]);
  assertEquals(tensorOf(feedback.response).values, [2]);
  assertEquals(feedback.reward, 1);
});

Deno.test("test_json_to_feedback_bad_data", async () => {
  const { request, ...rest } = FEEDBACK;
  const bad = { requestBAD: request, ...rest };
  assertThrows(
    () => parseProtoJson("Feedback", bad),
    (e) => e instanceof ProtoJsonError && /has no field named "requestBAD"/.test(e.message),
  );
  // In a request the parse error is the microservice exception: 400 `Invalid JSON: …`.
  const { status, json } = await restGet({}, "/send-feedback", bad);
  assertEquals(status, 400);
  assertEquals(json.status.reason, "MICROSERVICE_BAD_DATA");
  assert(/^Invalid JSON: /.test(json.status.info), json.status.info);
});

Deno.test("test_json_to_seldon_messages", () => {
  const doc = {
    seldonMessages: [
      { data: { tensor: { shape: [1, 1], values: [1] } } },
      { data: { tensor: { shape: [1, 1], values: [2] } } },
    ],
  };
  const list = decodeMessage(
    "SeldonMessageList",
    encodeMessage("SeldonMessageList", parseProtoJson("SeldonMessageList", doc)),
  );
  const messages = list.seldonMessages as JsonObject[];
  assertEquals(messages.length, 2);
  assertEquals(((messages[0].data as JsonObject).tensor as JsonObject).values, [1]);
  assertEquals(((messages[1].data as JsonObject).tensor as JsonObject).values, [2]);
});

Deno.test("test_seldon_message_to_json", () => {
  const json = wire({ data: { tensor: { shape: [2, 1], values: [1, 2] } } });
  assertEquals(((json.data as JsonObject).tensor as JsonObject).values, [1, 2]);
});

Deno.test("test_get_data_from_proto_tensor", () => {
  const request = wire({ data: { tensor: { shape: [2, 1], values: [1, 2] } } });
  const arr = decodeProtoData(request.data as JsonObject);
  assertEquals(arr.shape, [2, 1]);
  assertEquals(arr.get(0, 0), 1);
  assertEquals(arr.get(1, 0), 2);
  assertEquals(arr.tolist(), [[1], [2]]);
});

Deno.test("test_get_data_from_proto_ndarray", () => {
  const request = wire({ data: { ndarray: [[1], [2]] } });
  const arr = decodeProtoData(request.data as JsonObject);
  assertEquals(arr.shape, [2, 1]);
  assertEquals(arr.get(0, 0), 1);
  assertEquals(arr.get(1, 0), 2);
  assertEquals(arr.tolist(), [[1], [2]]);
});

// ---------------------------------------------------------------------------------------------
// tftensor (protocol.md §6.4, §6.5)
// ---------------------------------------------------------------------------------------------

/** `tf.make_tensor_proto(np.array([[1], [2]]))` in proto3 JSON (int64 packed little-endian). */
const TF_2x1_INT64 = {
  dtype: "DT_INT64",
  tensorShape: { dim: [{ size: "2" }, { size: "1" }] },
  tensorContent: "AQAAAAAAAAACAAAAAAAAAA==",
};

Deno.test("test_get_data_from_proto_tftensor", () => {
  const request = grpcRequest({ data: { tftensor: TF_2x1_INT64 } });
  const arr = decodeProtoData(request.data as JsonObject);
  assertEquals(arr.shape, [2, 1]);
  assertEquals(arr.get(0, 0), 1);
  assertEquals(arr.get(1, 0), 2);
});

Deno.test("test_proto_array_to_tftensor", () => {
  const arr = NDArray.from([[1, 2, 3], [4, 5, 6]]);
  assertEquals(arr.dtype, "int64");
  // array_to_grpc_datadef("tftensor", arr): an array result mirrored to a tftensor request
  const ref = grpcRequest({ data: { tftensor: TF_2x1_INT64 } });
  const sm = buildGrpc(ref, arr);
  assertEquals(dataOneof(sm), "tftensor");
  const fromResponse = (sm.data as JsonObject).tftensor as JsonObject;
  const direct = ndarrayToTftensor(arr);
  for (const tftensor of [fromResponse, direct]) {
    const dims = (tftensor.tensorShape as { dim: { size: string }[] }).dim;
    assertEquals(dims.map((d) => Number(d.size)), [2, 3]);
    assertEquals(tftensor.dtype, "DT_INT64");
    // dtype enum value 9 on the wire: field 1 (tag 0x08), varint 9
    const bytes = encodeMessage("tensorflow.TensorProto", tftensor);
    assertEquals([bytes[0], bytes[1]], [0x08, 9]);
    assertEquals(decodeMessage("tensorflow.TensorProto", bytes).dtype, "DT_INT64");
    assertEquals(tftensorToNDArray(tftensor).tolist(), [[1, 2, 3], [4, 5, 6]]);
  }
  // The number 9 and the name DT_INT64 are the same enum value.
  assertEquals(parseProtoJson("TensorProto", { dtype: 9 }).dtype, "DT_INT64");
});

Deno.test("test_proto_tftensor_to_array", () => {
  const tftensor = {
    dtype: "DT_INT64",
    tensorShape: { dim: [{ size: "2" }, { size: "2" }] },
    tensorContent: btoa(
      String.fromCharCode(...new Uint8Array(new BigInt64Array([1n, 2n, 3n, 4n]).buffer)),
    ),
  };
  const datadef = grpcRequest({ data: { names: ["a", "b"], tftensor } }).data as JsonObject;
  assertEquals(datadef.names, ["a", "b"]);
  const array2 = decodeProtoData(datadef);
  assertEquals(array2.shape, [2, 2]);
  assertEquals(array2.tolist(), [[1, 2], [3, 4]]);
});

// ---------------------------------------------------------------------------------------------
// Environment helpers (server.md §1.6)
// ---------------------------------------------------------------------------------------------
