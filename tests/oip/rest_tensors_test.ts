/**
 * V2 REST tensors over loopback: every datatype both ways (JSON), flat and nested data, binary
 * tensor data in and out (Triton's extension), and exact int64 beyond 2^53.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { NDArray } from "../../src/protocol/ndarray.ts";
import type { InferenceRequest, InferenceResponse } from "../../src/protocol/oip/types.ts";

/** Answers every input as an output of the same name (an `infer` hook). */
class Echo {
  infer(request: InferenceRequest): InferenceResponse {
    return { outputs: request.inputs.map((i) => ({ name: i.name, data: i.data })) };
  }
}

/** One value set per datatype, as JSON sends them. */
export const VALUES: Readonly<Record<string, unknown[]>> = {
  BOOL: [true, false, true, true],
  UINT8: [0, 1, 254, 255],
  UINT16: [0, 1, 65534, 65535],
  UINT32: [0, 1, 4294967294, 4294967295],
  UINT64: [0, 1, 2, 9007199254740991],
  INT8: [-128, -1, 0, 127],
  INT16: [-32768, -1, 0, 32767],
  INT32: [-2147483648, -1, 0, 2147483647],
  INT64: [-9007199254740991, -1, 0, 9007199254740991],
  FP16: [0.5, -1, 2, 65504],
  FP32: [0.5, -1.25, 3.5, 1048576],
  FP64: [0.1, -1e300, 3.141592653589793, 5e-324],
  BYTES: ["a", "", "héllo", "x y"],
};

function tensors(nested: boolean) {
  return Object.entries(VALUES).map(([datatype, data]) => ({
    name: `t_${datatype}`,
    datatype,
    shape: [2, 2],
    data: nested ? [data.slice(0, 2), data.slice(2)] : data,
  }));
}

Deno.test("V2 REST: every datatype round-trips through JSON, flat and nested", async () => {
  await withServer(new Echo(), async (s) => {
    for (const nested of [false, true]) {
      const r = await s.post("/v2/models/Echo/infer", { inputs: tensors(nested) });
      assertEquals(r.status, 200, r.text);
      assertEquals(r.json.outputs, tensors(false));
    }
  });
});

Deno.test("V2 REST: int64 and uint64 beyond 2^53 stay exact", async () => {
  await withServer(new Echo(), async (s) => {
    const body = '{"inputs":[{"name":"a","datatype":"INT64","shape":[2],' +
      '"data":[-9223372036854775808,9223372036854775807]},{"name":"b","datatype":"UINT64",' +
      '"shape":[1],"data":[18446744073709551615]}]}';
    const r = await s.post("/v2/models/Echo/infer", body);
    assertEquals(r.status, 200, r.text);
    assertEquals(r.text.includes("[-9223372036854775808,9223372036854775807]"), true);
    assertEquals(r.text.includes("[18446744073709551615]"), true);
  });
});

/** A binary-extension body: the JSON object, then the tensors' bytes. */
function binaryBody(
  header: unknown,
  ...tensors: Uint8Array[]
): { body: Uint8Array<ArrayBuffer>; n: number } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const size = tensors.reduce((a, t) => a + t.length, json.length);
  const body = new Uint8Array(size);
  body.set(json);
  let at = json.length;
  for (const t of tensors) {
    body.set(t, at);
    at += t.length;
  }
  return { body, n: json.length };
}

/** Splits a binary answer into its JSON object and the bytes after it. */
async function readBinary(res: Response): Promise<{ json: any; tail: Uint8Array }> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  // The whole answer's length is announced, as Triton does (not a chunked stream).
  assertEquals(res.headers.get("content-length"), String(bytes.length));
  const n = Number(res.headers.get("inference-header-content-length"));
  return {
    json: JSON.parse(new TextDecoder().decode(bytes.subarray(0, n))),
    tail: bytes.subarray(n),
  };
}

function le(values: number[], Kind: Float32ArrayConstructor | Int32ArrayConstructor) {
  return new Uint8Array(new Kind(values).buffer);
}

Deno.test("V2 REST: binary inputs in, binary outputs out (per output and for all)", async () => {
  await withServer(new Echo(), async (s) => {
    const f = le([1.5, -2, 3, 4], Float32Array);
    const i = le([7, 8], Int32Array);
    const strings = new Uint8Array([1, 0, 0, 0, 0x61, 2, 0, 0, 0, 0x62, 0x63]);
    const header = {
      inputs: [
        { name: "f", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
        { name: "i", datatype: "INT32", shape: [2], parameters: { binary_data_size: 8 } },
        { name: "s", datatype: "BYTES", shape: [2], parameters: { binary_data_size: 11 } },
        { name: "j", datatype: "FP64", shape: [1], data: [0.25] },
      ],
      outputs: [
        { name: "f", parameters: { binary_data: true } },
        { name: "i" },
        { name: "s", parameters: { binary_data: true } },
        { name: "j" },
      ],
    };
    const { body, n } = binaryBody(header, f, i, strings);
    const res = await fetch(`${s.url}/v2/models/Echo/infer`, {
      method: "POST",
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(n),
      },
      body,
    });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/octet-stream");
    const { json, tail } = await readBinary(res);
    assertEquals(json.outputs, [
      { name: "f", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
      { name: "i", datatype: "INT32", shape: [2], data: [7, 8] },
      { name: "s", datatype: "BYTES", shape: [2], parameters: { binary_data_size: 11 } },
      { name: "j", datatype: "FP64", shape: [1], data: [0.25] },
    ]);
    assertEquals([...tail], [...f, ...strings]);

    // binary_data_output: every output as bytes; JSON inputs in.
    const all = await fetch(`${s.url}/v2/models/Echo/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        parameters: { binary_data_output: true },
        inputs: [{ name: "x", datatype: "INT32", shape: [2], data: [7, 8] }],
      }),
    });
    const answer = await readBinary(all);
    assertEquals(answer.json.outputs[0].parameters, { binary_data_size: 8 });
    assertEquals([...answer.tail], [...i]);
  });
});

Deno.test("V2 REST: predict gets the input's own dtype; its result's dtype is the output's", async () => {
  const seen: string[] = [];
  const model = {
    predict(X: NDArray) {
      seen.push(`${X.dtype} ${X.shape.join("x")}`);
      return X;
    },
  };
  await withServer(
    model,
    async (s) => {
      for (const [datatype, data] of Object.entries(VALUES)) {
        const r = await s.post("/v2/models/m/infer", {
          inputs: [{ name: "x", datatype, shape: [4], data }],
        });
        assertEquals(r.status, 200, r.text);
        assertEquals(r.json.outputs, [{ name: "output-0", datatype, shape: [4], data }]);
      }
    },
    {},
    { modelName: "m" },
  );
  assertEquals(seen, [
    "bool 4",
    "uint8 4",
    "uint16 4",
    "uint32 4",
    "uint64 4",
    "int8 4",
    "int16 4",
    "int32 4",
    "int64 4",
    "float16 4",
    "float32 4",
    "float64 4",
    "string 4",
  ]);
});
