import { assert, assertEquals, assertThrows } from "../../../_helpers/assert.ts";
import { parseJson, stringifyJson } from "../../../../src/protocol/json.ts";
import { NDArray } from "../../../../src/protocol/ndarray.ts";
import {
  binaryOutputWanted,
  decodeBinaryRequest,
  encodeBinaryResponse,
  splitBinaryBody,
} from "../../../../src/protocol/oip/binary.ts";
import { OipError } from "../../../../src/protocol/oip/errors.ts";
import { tensorFromBytes, tensorToBytes } from "../../../../src/protocol/oip/raw.ts";
import { outputTensor } from "../../../../src/protocol/oip/tensor.ts";
import { expectedList, flatList, SAMPLES } from "./_samples.ts";
import type { Datatype } from "../../../../src/protocol/oip/types.ts";
import { decodeRequest } from "../../../../src/protocol/oip/json.ts";

const enc = new TextEncoder();
const status400 = (pattern: RegExp) => (e: unknown) =>
  OipError.isOipError(e) && e.status === 400 && pattern.test(e.message);

/** A binary-extension body: the JSON header, then the tensors' bytes. */
function body(header: unknown, ...tensors: Uint8Array[]): { bytes: Uint8Array; length: number } {
  const json = enc.encode(stringifyJson(header));
  const total = json.length + tensors.reduce((n, t) => n + t.length, 0);
  const bytes = new Uint8Array(total);
  bytes.set(json);
  let p = json.length;
  for (const t of tensors) {
    bytes.set(t, p);
    p += t.length;
  }
  return { bytes, length: json.length };
}

/** Little-endian bytes of a sample, written by hand (not with the codec under test). */
function sampleBytes(datatype: Datatype, values: unknown[]): Uint8Array {
  if (datatype === "BYTES") {
    const parts = values.map((v) => enc.encode(v as string));
    const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
    const dv = new DataView(out.buffer);
    let p = 0;
    for (const part of parts) {
      dv.setUint32(p, part.length, true);
      out.set(part, p + 4);
      p += 4 + part.length;
    }
    return out;
  }
  const size =
    { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4 }[
      datatype as string
    ] ?? 8;
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    switch (datatype) {
      case "BOOL":
        return dv.setUint8(o, v ? 1 : 0);
      case "UINT8":
        return dv.setUint8(o, v as number);
      case "INT8":
        return dv.setInt8(o, v as number);
      case "UINT16":
        return dv.setUint16(o, v as number, true);
      case "INT16":
        return dv.setInt16(o, v as number, true);
      case "FP16":
        return dv.setFloat16(o, v as number, true);
      case "UINT32":
        return dv.setUint32(o, v as number, true);
      case "INT32":
        return dv.setInt32(o, v as number, true);
      case "FP32":
        return dv.setFloat32(o, v as number, true);
      case "FP64":
        return dv.setFloat64(o, v as number, true);
      case "UINT64":
        return dv.setBigUint64(o, BigInt(v as number), true);
      case "INT64":
        return dv.setBigInt64(o, BigInt(v as number), true);
    }
  });
  return out;
}

Deno.test("binary extension: every datatype in and out, byte for byte", () => {
  for (const s of SAMPLES) {
    const raw = sampleBytes(s.datatype, s.values);
    const b = body({
      inputs: [{
        name: "x",
        datatype: s.datatype,
        shape: s.shape,
        parameters: { binary_data_size: raw.length },
      }],
      parameters: { binary_data_output: true },
    }, raw);
    const req = decodeBinaryRequest(b.bytes, String(b.length));
    const x = req.inputs[0];
    assertEquals(x.parameters, undefined); // binary_data_size is the transport's, not the model's
    assertEquals(flatList(x.data.tolist()), expectedList(s), s.datatype);
    const answer = encodeBinaryResponse(
      { modelName: "m", outputs: [{ name: "y", data: x.data }] },
      req,
    );
    assertEquals(answer.bytes.length, 1);
    assertEquals(answer.bytes[0], raw, s.datatype);
    const head = parseJson(new TextDecoder().decode(answer.json)) as any;
    assertEquals(answer.headerLength, answer.json.length);
    assertEquals(head.outputs[0], {
      name: "y",
      datatype: s.datatype,
      shape: s.shape,
      parameters: { binary_data_size: raw.length },
    });
  }
});

Deno.test("binary extension: aligned tensors are views of the body, misaligned ones copies", () => {
  const values = new Float32Array([1, 2, 3, 4, 5, 6]);
  const raw = new Uint8Array(values.buffer);
  for (let pad = 0; pad < 4; pad++) {
    const header = {
      id: "x".repeat(pad), // moves the tensor bytes by `pad`
      inputs: [
        { name: "a", datatype: "FP32", shape: [2, 3], parameters: { binary_data_size: 24 } },
        { name: "b", datatype: "UINT8", shape: [2], parameters: { binary_data_size: 2 } },
      ],
    };
    const b = body(header, raw, Uint8Array.of(9, 8));
    const req = decodeBinaryRequest(b.bytes, b.length);
    const a = req.inputs[0].data.data as Float32Array;
    assert(a instanceof Float32Array);
    assertEquals(Array.from(a), [1, 2, 3, 4, 5, 6]);
    assertEquals(a.buffer === b.bytes.buffer, b.length % 4 === 0, `header ${b.length} bytes`);
    // One-byte elements are always aligned: always a view.
    assert((req.inputs[1].data.data as Uint8Array).buffer === b.bytes.buffer);
  }
  // An answer over a typed array sends that array's memory itself.
  const out = new Float64Array([1.5, 2.5]);
  const tensor = outputTensor({ name: "o", data: out });
  assert(tensorToBytes(tensor).buffer === out.buffer);
});

Deno.test("binary extension: sizes checked with clear 400s", () => {
  const header = (size: number, datatype = "FP32", shape = [2]) => ({
    inputs: [{ name: "x", datatype, shape, parameters: { binary_data_size: size } }],
  });
  const eight = new Uint8Array(8);
  let b = body(header(6), eight);
  assertThrows(
    () => decodeBinaryRequest(b.bytes, b.length),
    status400(
      /input 'x': 6 bytes of data, but shape \[2\] of FP32 needs 8 \(2 elements of 4 bytes\)/,
    ),
  );
  b = body(header(12), eight);
  assertThrows(
    () => decodeBinaryRequest(b.bytes, b.length),
    status400(/binary_data_size is 12 but only 8 bytes of binary data are left/),
  );
  b = body(header(8), eight, Uint8Array.of(1));
  assertThrows(
    () => decodeBinaryRequest(b.bytes, b.length),
    status400(
      /9 bytes of binary data follow the JSON header but the inputs' binary_data_size add up to 8/,
    ),
  );
  b = body(header(-1), eight);
  assertThrows(() => decodeBinaryRequest(b.bytes, b.length), status400(/non-negative integer/));
  assertThrows(
    () => decodeBinaryRequest(b.bytes, b.bytes.length + 1),
    status400(/but the body has only/),
  );
  assertThrows(
    () => decodeBinaryRequest(b.bytes, "12x"),
    status400(/Inference-Header-Content-Length must be/),
  );
  assertThrows(() => decodeBinaryRequest(b.bytes, 3), status400(/JSON is not valid/));
  // data and binary_data_size together
  assertThrows(
    () =>
      decodeRequest({
        inputs: [{
          name: "x",
          datatype: "FP32",
          shape: [2],
          data: [1, 2],
          parameters: { binary_data_size: 8 },
        }],
      }, eight),
    status400(/both 'data' and 'binary_data_size'/),
  );
  // BYTES: cut lengths, too few and too many elements
  const bytesIn = (raw: Uint8Array, n = 2) => {
    const bb = body(header(raw.length, "BYTES", [n]), raw);
    return () => decodeBinaryRequest(bb.bytes, bb.length);
  };
  assertThrows(bytesIn(Uint8Array.of(1, 0, 0)), status400(/BYTES element 0 is cut short/));
  assertThrows(
    bytesIn(Uint8Array.of(5, 0, 0, 0, 1)),
    status400(/BYTES element 0 says 5 bytes but only 1 are left/),
  );
  assertThrows(
    bytesIn(Uint8Array.of(1, 0, 0, 0, 65)),
    status400(/needs 2 BYTES elements but the data has 1/),
  );
  assertThrows(
    bytesIn(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 2),
    status400(/4 bytes left over after the 2 BYTES elements/),
  );
});

Deno.test("binary extension: non-UTF-8 BYTES stay bytes; without the header the body is JSON", () => {
  const raw = Uint8Array.of(2, 0, 0, 0, 0xff, 0xfe, 1, 0, 0, 0, 65);
  const x = tensorFromBytes("input 'x'", "BYTES", [2], raw);
  assertEquals(x.dtype, "object");
  assertEquals(x.tolist(), [Uint8Array.of(0xff, 0xfe), Uint8Array.of(65)]);
  assertEquals(tensorToBytes(outputTensor({ name: "o", data: x })), raw);
  const plain = enc.encode('{"inputs":[{"name":"x","datatype":"INT8","shape":[1],"data":[3]}]}');
  assertEquals(decodeBinaryRequest(plain).inputs[0].data.tolist(), [3]);
  assertEquals(splitBinaryBody(plain, "2").header, enc.encode('{"'));
});

Deno.test("binary extension: outputs binary per output or by the request flag; JSON otherwise", () => {
  const outputs = [
    { name: "a", data: NDArray.from([1.5, 2.5]) },
    { name: "b", data: new Int32Array([7]) },
  ];
  const want = (request: Record<string, unknown>) => {
    const req = { inputs: [], ...request };
    const answer = encodeBinaryResponse({ modelName: "m", outputs }, req as never);
    const head = JSON.parse(new TextDecoder().decode(answer.json));
    return { head, answer, wanted: ["a", "b"].map(binaryOutputWanted(req as never)) };
  };
  assertEquals(want({}).wanted, [false, false]);
  const none = want({});
  assertEquals(none.answer.bytes, []);
  assertEquals(none.head.outputs[1].data, [7]);
  assertEquals(want({ parameters: { binary_data_output: true } }).wanted, [true, true]);
  const mixed = want({
    parameters: { binary_data_output: true },
    outputs: [{ name: "a", parameters: { binary_data: false } }],
  });
  assertEquals(mixed.wanted, [false, true]);
  assertEquals(mixed.head.outputs[0].data, [1.5, 2.5]);
  assertEquals(mixed.head.outputs[1].parameters, { binary_data_size: 4 });
  assertEquals(mixed.head.outputs[1].data, undefined);
  assertEquals(mixed.answer.bytes, [Uint8Array.of(7, 0, 0, 0)]);
  const one = want({ outputs: [{ name: "a", parameters: { binary_data: true } }] });
  assertEquals(one.wanted, [true, false]);
  assertEquals(one.answer.bytes[0], new Uint8Array(Float64Array.of(1.5, 2.5).buffer));
});
