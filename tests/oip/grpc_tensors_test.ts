/**
 * V2 gRPC tensors with the canonical-proto client: every datatype both ways through typed
 * `contents` and through `raw_input_contents` / `raw_output_contents`, parameters of all five
 * kinds, and the max message size.
 */
import { Buffer } from "node:buffer";
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import type { InferenceRequest, InferenceResponse } from "../../src/protocol/oip/types.ts";
import { rawUnary } from "../_helpers/grpc.ts";
import { callError, grpc, oipClient } from "./_grpc_client.ts";

const INFER = "/inference.GRPCInferenceService/ModelInfer";

/** Answers every input as an output of the same name, and echoes the request's parameters. */
class Echo {
  infer(request: InferenceRequest): InferenceResponse {
    return {
      parameters: request.parameters,
      outputs: request.inputs.map((i) => ({ name: i.name, data: i.data })),
    };
  }
}

/** Per datatype: its `contents` field and values as proto-loader reads them (int64 as strings). */
const CONTENTS: readonly [string, string, unknown[], Uint8Array][] = [
  ["BOOL", "bool_contents", [true, false, true], new Uint8Array([1, 0, 1])],
  ["UINT8", "uint_contents", [0, 7, 255], new Uint8Array([0, 7, 255])],
  ["UINT16", "uint_contents", [0, 7, 65535], bytesOf(new Uint16Array([0, 7, 65535]))],
  ["UINT32", "uint_contents", [0, 7, 4294967295], bytesOf(new Uint32Array([0, 7, 4294967295]))],
  [
    "UINT64",
    "uint64_contents",
    ["0", "7", "18446744073709551615"],
    bytesOf(new BigUint64Array([0n, 7n, 18446744073709551615n])),
  ],
  ["INT8", "int_contents", [-128, 7, 127], bytesOf(new Int8Array([-128, 7, 127]))],
  ["INT16", "int_contents", [-32768, 7, 32767], bytesOf(new Int16Array([-32768, 7, 32767]))],
  [
    "INT32",
    "int_contents",
    [-2147483648, 7, 2147483647],
    bytesOf(new Int32Array([-2147483648, 7, 2147483647])),
  ],
  [
    "INT64",
    "int64_contents",
    ["-9223372036854775808", "7", "9223372036854775807"],
    bytesOf(new BigInt64Array([-9223372036854775808n, 7n, 9223372036854775807n])),
  ],
  [
    "FP32",
    "fp32_contents",
    [0.5, -1.25, 1048576],
    bytesOf(new Float32Array([0.5, -1.25, 1048576])),
  ],
  [
    "FP64",
    "fp64_contents",
    [0.1, -1e300, 5e-324],
    bytesOf(new Float64Array([0.1, -1e300, 5e-324])),
  ],
  [
    "BYTES",
    "bytes_contents",
    [Buffer.from("a"), Buffer.from(""), Buffer.from("héllo")],
    new Uint8Array([
      1,
      0,
      0,
      0,
      0x61,
      0,
      0,
      0,
      0,
      6,
      0,
      0,
      0,
      ...new TextEncoder().encode("héllo"),
    ]),
  ],
];

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

Deno.test("V2 gRPC: every datatype both ways through contents", async () => {
  await withServer(new Echo(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      const inputs = CONTENTS.map(([datatype, field, values]) => ({
        name: `t_${datatype}`,
        datatype,
        shape: ["3"],
        contents: { [field]: values },
      }));
      const answer = await client.call("ModelInfer", { model_name: "Echo", inputs });
      assertEquals(answer.outputs, inputs);
      assertEquals(answer.raw_output_contents, undefined);
    } finally {
      client.close();
    }
  });
});

Deno.test("V2 gRPC: every datatype (FP16 too) both ways through raw contents", async () => {
  await withServer(new Echo(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      const all = [
        ...CONTENTS,
        ["FP16", "", [], bytesOf(new Uint16Array([0x3800, 0xbc00, 0x7bff]))] as const,
      ];
      const inputs = all.map(([datatype]) => ({ name: `t_${datatype}`, datatype, shape: ["3"] }));
      const answer = await client.call("ModelInfer", {
        model_name: "Echo",
        inputs,
        raw_input_contents: all.map(([, , , bytes]) => Buffer.from(bytes)),
      });
      assertEquals(answer.outputs, inputs);
      assertEquals(
        answer.raw_output_contents.map((b: Uint8Array) => [...b]),
        all.map(([, , , bytes]) => [...bytes]),
      );
    } finally {
      client.close();
    }
  });
});

Deno.test("V2 gRPC: parameters of all five kinds travel; mixed contents, garbage, oversize are refused", async () => {
  await withServer(new Echo(), async (s) => {
    const client = oipClient(s.running.grpc!.port);
    try {
      const parameters = {
        b: { bool_param: true },
        i: { int64_param: "-9007199254740993" },
        s: { string_param: "text" },
        d: { double_param: 0.5 },
        u: { uint64_param: "18446744073709551615" },
      };
      const input = {
        name: "x",
        datatype: "INT32",
        shape: ["1"],
        contents: { int_contents: [1] },
      };
      const answer = await client.call("ModelInfer", {
        model_name: "Echo",
        parameters,
        inputs: [input],
      });
      const kinds = Object.fromEntries(
        Object.entries(answer.parameters).map(([k, v]: [string, any]) => [k, {
          [v.parameter_choice]: v[v.parameter_choice],
        }]),
      );
      assertEquals(kinds.b, parameters.b);
      assertEquals(kinds.s, parameters.s);
      assertEquals(kinds.d, parameters.d);
      assertEquals(Object.values(kinds.i)[0], "-9007199254740993");
      assertEquals(Object.values(kinds.u)[0], "18446744073709551615");
      const mixed = await callError(client, "ModelInfer", {
        model_name: "Echo",
        inputs: [input],
        raw_input_contents: [Buffer.from(new Uint8Array(4))],
      });
      assertEquals(mixed.code, grpc.status.INVALID_ARGUMENT);
      // Bytes that are no ModelInferRequest; a 5 MiB message (over the default 4 MiB limit).
      const port = s.running.grpc!.port;
      const garbage = await rawUnary(port, new Uint8Array([0x0a, 0xff, 0xff]), INFER);
      assertEquals(garbage.code, grpc.status.INVALID_ARGUMENT, String(garbage.details));
      const big = await rawUnary(port, new Uint8Array(5 * 1024 * 1024), INFER);
      assertEquals(big.code, grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      client.close();
    }
  });
});
