import { assert, assertEquals, assertThrows } from "../../../_helpers/assert.ts";
import { parseJson, stringifyJson } from "../../../../src/protocol/json.ts";
import { NDArray } from "../../../../src/protocol/ndarray.ts";
import {
  decodeRequest,
  decodeRequestText,
  encodeResponse,
} from "../../../../src/protocol/oip/json.ts";
import { OipError } from "../../../../src/protocol/oip/errors.ts";
import { selectOutputs } from "../../../../src/protocol/oip/tensor.ts";
import { expectedList, flatList, nest, SAMPLES } from "./_samples.ts";

/** The request as a client sends it: JSON text, parsed as the server parses it. */
const wire = (v: unknown) => parseJson(stringifyJson(v));

const status400 = (pattern: RegExp) => (e: unknown) =>
  OipError.isOipError(e) && e.status === 400 && pattern.test(e.message);

Deno.test("V2 JSON: every datatype decodes, flat and nested, and answers back equal", () => {
  for (const s of SAMPLES) {
    for (const data of [s.values, nest(s.values, s.shape)]) {
      const req = decodeRequest(wire({
        id: "r1",
        inputs: [{ name: "x", datatype: s.datatype, shape: s.shape, data }],
      }));
      const x = req.inputs[0];
      assertEquals([x.name, x.datatype, x.shape], ["x", s.datatype, s.shape]);
      assertEquals(flatList(x.data.tolist()), expectedList(s), s.datatype);
      const answer = wire(encodeResponse({
        modelName: "m",
        id: req.id,
        outputs: [{ name: "y", data: x.data }],
      })) as Record<string, any>;
      const y = answer.outputs[0];
      assertEquals([answer.model_name, answer.id], ["m", "r1"]);
      assertEquals([y.name, y.datatype, y.shape], ["y", s.datatype, s.shape], s.datatype);
      assertEquals(y.data, s.values, s.datatype);
    }
  }
});

Deno.test("V2 JSON: typed storage per datatype; INT64 beyond 2^53 exact both ways", () => {
  const req = decodeRequest(parseJson(
    '{"inputs":[{"name":"a","datatype":"INT64","shape":[2],"data":[9007199254740993,-9223372036854775808]},' +
      '{"name":"b","datatype":"FP32","shape":[1],"data":[0.1]},' +
      '{"name":"c","datatype":"UINT64","shape":[1],"data":[18446744073709551615]}]}',
  ));
  const [a, b, c] = req.inputs;
  assert(a.data.data instanceof BigInt64Array);
  assert(b.data.data instanceof Float32Array);
  assert(c.data.data instanceof BigUint64Array);
  assertEquals(a.data.tolist(), [9007199254740993n, -9223372036854775808n]);
  const text = stringifyJson(
    encodeResponse({ modelName: "m", outputs: [{ name: "o", data: a.data }] }),
  );
  assert(text.includes("[9007199254740993,-9223372036854775808]"), text);
  const u = stringifyJson(
    encodeResponse({ modelName: "m", outputs: [{ name: "o", data: c.data }] }),
  );
  assert(u.includes("[18446744073709551615]"), u);
});

Deno.test("V2 JSON: shape against element count, with a clear message", () => {
  const req = (shape: unknown, data: unknown, datatype = "FP32") =>
    decodeRequest({ inputs: [{ name: "x", datatype, shape, data }] });
  assertThrows(
    () => req([2, 2], [1, 2, 3]),
    status400(/input 'x': shape \[2, 2\] needs 4 FP32 elements but the data has 3/),
  );
  assertThrows(
    () => req([3], [[1, 2], [3, 4]]),
    status400(/needs 3 FP32 elements but the data has 4/),
  );
  assertThrows(() => req([-1], []), status400(/must hold non-negative integers/));
  assertThrows(() => req("2", [1, 2]), status400(/shape must be a list/));
  assertEquals(req([0, 3], []).inputs[0].data.shape, [0, 3]);
  assertEquals(req([], [7]).inputs[0].data.tolist(), 7);
});

Deno.test("V2 JSON: wrong values, datatypes and structure are 400s naming the input", () => {
  const one = (datatype: string, data: unknown[]) =>
    decodeRequest({ inputs: [{ name: "x", datatype, shape: [data.length], data }] });
  assertThrows(() => one("BOOL", [1]), status400(/BOOL element 0 must be true or false, got 1/));
  assertThrows(
    () => one("UINT8", [256]),
    status400(/UINT8 element 0 must be an integer in 0..255/),
  );
  assertThrows(() => one("INT8", [1.5]), status400(/INT8 element 0/));
  assertThrows(() => one("INT64", [2n ** 63n]), status400(/INT64 element 0 must be an integer/));
  assertThrows(() => one("UINT64", [-1]), status400(/UINT64 element 0/));
  assertThrows(() => one("FP32", [1, "2"]), status400(/FP32 element 1 must be a number, got "2"/));
  assertThrows(() => one("BYTES", [1]), status400(/BYTES element 0 must be a string/));
  assertThrows(() => one("FP8", [1]), status400(/input 'x': unsupported datatype "FP8"/));
  assertThrows(() => decodeRequest([]), status400(/must be a JSON object/));
  assertThrows(() => decodeRequest({}), status400(/must have 'inputs'/));
  assertThrows(
    () => decodeRequest({ inputs: [{ name: "x", datatype: "FP32", shape: [1] }] }),
    status400(/input 'x' has no 'data'/),
  );
  assertThrows(
    () =>
      decodeRequest({
        inputs: [{ name: "x", datatype: "FP32", shape: [1], data: [1], parameters: { a: [] } }],
      }),
    status400(/parameter 'a' must be a string, number or boolean/),
  );
  assertThrows(
    () => decodeRequest({ id: 3, inputs: [] }),
    status400(/id must be a string/),
  );
  const dup = { name: "x", datatype: "FP32", shape: [1], data: [1] };
  assertThrows(() => decodeRequest({ inputs: [dup, dup] }), status400(/given twice/));
  let deep: unknown = [1];
  for (let i = 0; i < 40; i++) deep = [deep];
  assertThrows(() => one("FP32", deep as unknown[]), status400(/nested more than 32/));
});

Deno.test("V2 JSON: parameters at request, input and output level; requested outputs", () => {
  const req = decodeRequest(wire({
    id: "7",
    parameters: { content_type: "np", n: 3, big: 2n ** 60n, f: true },
    inputs: [{ name: "x", datatype: "INT32", shape: [1], data: [1], parameters: { p: "q" } }],
    outputs: [{ name: "b", parameters: { binary_data: false } }, { name: "a" }],
  }));
  assertEquals(req.parameters, { content_type: "np", n: 3, big: 2n ** 60n, f: true });
  assertEquals(req.inputs[0].parameters, { p: "q" });
  assertEquals(req.outputs, [{ name: "b", parameters: { binary_data: false } }, { name: "a" }]);
  const response = {
    modelName: "m",
    modelVersion: "1",
    id: "7",
    parameters: { took: 1.5 },
    outputs: [
      { name: "a", data: NDArray.from([1.5]), parameters: { unit: "cm" } },
      { name: "b", data: [1, 2, 3, 4], shape: [2, 2], datatype: "INT16" as const },
    ],
  };
  const selected = selectOutputs(response, req);
  assertEquals(selected.outputs.map((o) => o.name), ["b", "a"]);
  assertEquals(encodeResponse(selected), {
    model_name: "m",
    model_version: "1",
    id: "7",
    parameters: { took: 1.5 },
    outputs: [
      { name: "b", datatype: "INT16", shape: [2, 2], data: [1, 2, 3, 4] },
      { name: "a", datatype: "FP64", shape: [1], parameters: { unit: "cm" }, data: [1.5] },
    ],
  });
  assertThrows(
    () => selectOutputs(response, { inputs: [], outputs: [{ name: "z" }] }),
    status400(/output 'z' was requested but the model has no such output \(it gave: a, b\)/),
  );
});

Deno.test("V2 JSON answer: datatype from the dtype unless given; plain data with shape; bad outputs are 500s", () => {
  const enc = (o: Record<string, unknown>) =>
    (encodeResponse({ modelName: "m", outputs: [o as never] }).outputs as any[])[0];
  assertEquals(enc({ name: "o", data: new Float32Array([0.5, 1]) }), {
    name: "o",
    datatype: "FP32",
    shape: [2],
    data: [0.5, 1],
  });
  assertEquals(enc({ name: "o", data: NDArray.from([[1, 2]]) }).datatype, "INT64");
  assertEquals(enc({ name: "o", data: NDArray.from([[true]]) }), {
    name: "o",
    datatype: "BOOL",
    shape: [1, 1],
    data: [true],
  });
  assertEquals(enc({ name: "o", data: NDArray.from([["a", "b"]]) }).datatype, "BYTES");
  // An FP64 array answered as FP32: cast (float32 rounding).
  assertEquals(enc({ name: "o", data: NDArray.from([0.1]), datatype: "FP32" }).data, [
    Math.fround(0.1),
  ]);
  // Flat values and a shape; nested values without one.
  assertEquals(
    enc({ name: "o", data: [1, 2, 3, 4, 5, 6], shape: [2, 3], datatype: "UINT8" }).shape,
    [2, 3],
  );
  assertEquals(enc({ name: "o", data: [[1.5, 2], [3, 4]] }), {
    name: "o",
    datatype: "FP64",
    shape: [2, 2],
    data: [1.5, 2, 3, 4],
  });
  assertEquals(enc({ name: "o", data: NDArray.from([1, 2, 3, 4]), shape: [2, 2] }).shape, [2, 2]);
  const status500 = (p: RegExp) => (e: unknown) =>
    OipError.isOipError(e) && e.status === 500 && p.test(e.message);
  assertThrows(
    () => enc({ name: "o", data: [1, 2, 3], shape: [2] }),
    status500(/output 'o': shape \[2\] needs 2/),
  );
  assertThrows(
    () => enc({ name: "o", data: [300], datatype: "UINT8" }),
    status500(/UINT8 element 0/),
  );
  assertThrows(() => enc({ data: [1] }), status500(/no name/));
  assertThrows(
    () => enc({ name: "o", data: NDArray.from([[1], [2, 3]]) }), // ragged: an object array
    status500(/output 'o': BYTES element 0 must be a string or bytes, got a list/),
  );
  assertThrows(
    () => enc({ name: "o", data: [1], datatype: "X" }),
    status500(/unsupported datatype/),
  );
});

Deno.test("V2 JSON text: exact big integers (data nested or flat, parameters), NaN, invalid JSON", () => {
  const text = (data: string, params = "{}") =>
    `{"parameters":${params},"inputs":[{"name":"a","datatype":"INT64","shape":[2],"data":${data}}]}`;
  assertEquals(decodeRequestText(text("[[9007199254740993],[2]]")).inputs[0].data.tolist(), [
    9007199254740993n,
    2n,
  ]);
  assertEquals(decodeRequestText(text("[1,2]")).inputs[0].data.tolist(), [1n, 2n]);
  assertEquals(
    decodeRequestText(text("[1,2]", '{"seed":18446744073709551615}')).parameters,
    { seed: 18446744073709551615n },
  );
  const nan = decodeRequestText(
    '{"inputs":[{"name":"f","datatype":"FP64","shape":[2],"data":[NaN,-Infinity]}]}',
  );
  assertEquals(nan.inputs[0].data.tolist(), [NaN, -Infinity]);
  assertThrows(() => decodeRequestText('{"inputs":'), status400(/JSON is not valid/));
});
