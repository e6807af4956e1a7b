/**
 * gRPC wire-fidelity audit regressions: a real grpc-js client built by `@grpc/proto-loader`
 * from `proto/prediction.proto` (independent of the server's codec) over loopback.
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { protoLoaderSeldon, rawUnary } from "../_helpers/grpc.ts";

const seldon = protoLoaderSeldon();

/** The error status of a unary call ({code, details}), or the response when it succeeds. */
function unary(client: any, rpc: string, request: unknown): Promise<any> {
  return new Promise((resolve) =>
    client[rpc](
      request,
      (err: grpc.ServiceError | null, res: unknown) =>
        resolve(err ? { code: err.code, details: err.details } : res),
    )
  );
}

Deno.test("audit grpc: a hook result with no payload kind → UNKNOWN with Python's TypeError text", () => {
  // upstream construct_response raises "Unknown data type returned as payload:" + R, which
  // fails for a non-str R (protocol.md §4.1 proto mode; server.md §5.5 "any other exception").
  const results: Record<string, unknown> = {
    int: 5,
    float: 1.5,
    bool: true,
    none: null,
    undefined: undefined,
  };
  const user = { predict: (X: unknown) => results[X as string] };
  return withServer(user, async (s) => {
    const client = new seldon.Model(
      `127.0.0.1:${s.running.grpc!.port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const expected: Record<string, string> = {
        int: "int",
        float: "float",
        bool: "bool",
        none: "NoneType",
        undefined: "NoneType",
      };
      for (const [kind, pyType] of Object.entries(expected)) {
        assertEquals(await unary(client, "Predict", { strData: kind }), {
          code: grpc.status.UNKNOWN,
          details:
            `Exception calling application: can only concatenate str (not "${pyType}") to str`,
        }, kind);
      }
      // REST (JSON mode) keeps its own 400 text.
      const rest = await s.post("/predict", { strData: "int" });
      assertEquals(rest.status, 400);
      assertEquals(
        rest.json.status.info,
        "Unknown data type returned as payload (must be list or np array):5",
      );
    } finally {
      client.close();
    }
  });
});

Deno.test("audit grpc: an unknown service or method → UNIMPLEMENTED `Method not found!`", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const call = (path: string) =>
      rawUnary(s.running.grpc!.port, new Uint8Array(), path).then((e) =>
        e instanceof Uint8Array ? "ok" : { code: e.code, details: e.details }
      );
    for (
      const path of [
        "/seldon.protos.Model/Nope",
        "/seldon.protos.Nope/Predict",
        "/seldon.protos.Transformer/Predict",
      ]
    ) {
      assertEquals(
        await call(path),
        { code: grpc.status.UNIMPLEMENTED, details: "Method not found!" },
        path,
      );
    }
    // A known method is unaffected.
    const model = new seldon.Model(
      `127.0.0.1:${s.running.grpc!.port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const res = await unary(model, "Predict", { strData: "x" });
      assertEquals(res.strData, "x");
    } finally {
      model.close();
    }
  }));

Deno.test("audit grpc: reflection lists the seven Seldon services and the v1alpha reflection service", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    // upstream: enable_server_reflection((...seven services, reflection.SERVICE_NAME), server)
    // (metrics-and-processes.md §1.6 "listing exactly ... plus the reflection service itself").
    const client = new grpc.Client(
      `127.0.0.1:${s.running.grpc!.port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const call = client.makeBidiStreamRequest(
          "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
          (b: Uint8Array) => Buffer.from(b),
          (b: Uint8Array) => Buffer.from(b).toString("latin1"),
        );
        call.on("data", (d: string) => {
          resolve(d);
          call.end();
        });
        call.on("error", reject);
        call.write(new Uint8Array([0x3a, 0x00])); // list_services: ""
      });
      assertEquals(text.match(/[A-Za-z]\w*(\.\w+)+/g), [
        "seldon.protos.Generic",
        "seldon.protos.Model",
        "seldon.protos.Router",
        "seldon.protos.Transformer",
        "seldon.protos.OutputTransformer",
        "seldon.protos.Combiner",
        "seldon.protos.Seldon",
        "grpc.reflection.v1alpha.ServerReflection",
      ]);
    } finally {
      client.close();
    }
  }));

Deno.test("audit grpc: a raw hook's metrics are recorded as the proto float of the answer", () =>
  // upstream records `seldon_message_to_json(msg.meta)["metrics"]` of the returned message:
  // `Metric.value` is a proto float, printed shortest (metrics-and-processes.md §2.2).
  withServer({
    predictRaw: () => ({
      meta: { metrics: [{ type: "GAUGE", key: "g", value: 0.123456789 }] },
      strData: "x",
    }),
  }, async (s) => {
    const client = new seldon.Model(
      `127.0.0.1:${s.running.grpc!.port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const res = await unary(client, "Predict", { strData: "q" });
      assertEquals(res.meta.metrics[0].value, Math.fround(0.123456789));
      const series = s.running.collector.store(String(Deno.pid))!.series();
      assertEquals(series.map((x) => [x.key, x.value]), [["g", 0.12345679]]);
    } finally {
      client.close();
    }
  }));

Deno.test("audit grpc: a request nested deeper than protobuf's 100 levels → INTERNAL, numbers included", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    // grpcio's deserializer (protobuf, recursion limit 100) rejects a jsonData of 50 nested lists
    // whose innermost Value (level 101) is a number, exactly as when it is a string.
    const varint = (n: number) => {
      const out: number[] = [];
      for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
      out.push(n);
      return out;
    };
    const nested = (n: number, leaf: number[]) => {
      let value = leaf;
      for (let i = 0; i < n; i++) {
        const list = [0x0a, ...varint(value.length), ...value];
        value = [0x32, ...varint(list.length), ...list];
      }
      return new Uint8Array([0x32, ...varint(value.length), ...value]);
    };
    const call = (bytes: Uint8Array) =>
      rawUnary(s.running.grpc!.port, bytes).then((e) => ({ code: e.code, details: e.details }));
    const deserializing = {
      code: grpc.status.INTERNAL,
      details: "Exception deserializing request!",
    };
    const number = [0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
    const string = [0x1a, 1, 0x61];
    assertEquals(await call(nested(50, number)), deserializing);
    assertEquals(await call(nested(50, string)), deserializing);
    // One level less decodes (and then fails in the hook's array conversion: UNKNOWN).
    assertEquals((await call(nested(49, number))).code, grpc.status.UNKNOWN);
  }));

Deno.test("audit grpc: numbers of a jsonData list are doubles, so a mixed echo writes `4.0`", () =>
  // protocol.md §3.1 (proto mode: jsonData numbers are doubles), §4.1 (a list returned from a
  // jsonData request goes to `data`), §6.1 (string array: floats printed like "1.0").
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const client = new seldon.Model(
      `127.0.0.1:${s.running.grpc!.port}`,
      grpc.credentials.createInsecure(),
    );
    const number = (v: number) => ({ numberValue: v });
    try {
      const row = (a: string, b: number) => ({
        listValue: { values: [{ stringValue: a }, number(b)] },
      });
      const res = await unary(client, "Predict", {
        jsonData: { listValue: { values: [row("x", 4), row("y", -2)] } },
      });
      assertEquals(
        res.data.ndarray.values.map((r: any) => r.listValue.values.map((v: any) => v.stringValue)),
        [["x", "4.0"], ["y", "-2.0"]],
      );
      const flat = await unary(client, "Predict", {
        jsonData: { listValue: { values: [{ stringValue: "x" }, number(4)] } },
      });
      assertEquals(flat.data.ndarray.values.map((v: any) => v.stringValue), ["x", "4.0"]);
      // REST (JSON mode) writes the returned list back unchanged.
      const rest = await s.post("/predict", { jsonData: ["x", 4, 0.5] });
      assertEquals(rest.json.data.ndarray, ["x", 4, 0.5]);
    } finally {
      client.close();
    }
  }));
