/**
 * gRPC errors as upstream's grpcio server answers them (server.md §5.5): the status code and
 * details of hook failures, bad hook results, unknown methods and undecodable requests, seen by
 * a grpc-js client over loopback (built by `@grpc/proto-loader` where the codec must not matter).
 */
import * as grpc from "@grpc/grpc-js";
import { assertEquals, assertRejects } from "../_helpers/assert.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { grpcCall, loaderClient, loaderOutcome, rawUnary } from "../_helpers/grpc.ts";

const TENSOR_REQ = { data: { tensor: { shape: [2, 1], values: [1, 2] } } };
const port = (s: TestServer) => s.running.grpc!.port;

Deno.test("grpc: a hook result with no payload kind → UNKNOWN with Python's TypeError text", () => {
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
    const client = loaderClient("Model", s.running.grpc!.port);
    try {
      const expected: Record<string, string> = {
        int: "int",
        float: "float",
        bool: "bool",
        none: "NoneType",
        undefined: "NoneType",
      };
      for (const [kind, pyType] of Object.entries(expected)) {
        assertEquals(await loaderOutcome(client, "Predict", { strData: kind }), {
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

Deno.test("grpc: an unknown service or method → UNIMPLEMENTED `Method not found!`", () =>
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
    const model = loaderClient("Model", s.running.grpc!.port);
    try {
      const res = await loaderOutcome(model, "Predict", { strData: "x" });
      assertEquals(res.strData, "x");
    } finally {
      model.close();
    }
  }));

Deno.test("grpc: a request nested deeper than protobuf's 100 levels → INTERNAL, numbers included", () =>
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

Deno.test("grpc: Seldon exceptions and other errors map to UNKNOWN with upstream's details", () =>
  withServer({
    route: () => 1.5,
    predict: () => Promise.reject(new Error("weights not initialised")),
  }, async (s) => {
    const seldon = await assertRejects(() => grpcCall("Router", port(s), "Route", TENSOR_REQ));
    assertEquals(seldon.code, grpc.status.UNKNOWN);
    assertEquals(seldon.details, "Exception calling application: ");
    const other = await assertRejects(() => grpcCall("Model", port(s), "Predict", TENSOR_REQ));
    assertEquals(other.code, grpc.status.UNKNOWN);
    assertEquals(other.details, "Exception calling application: weights not initialised");
    const graph = await assertRejects(() => grpcCall("Seldon", port(s), "GraphMetadata", {}));
    assertEquals(graph.code, grpc.status.UNKNOWN);
    assertEquals(
      graph.details,
      "Exception calling application: GraphMetadata not available on the Model level.",
    );
    const empty = await assertRejects(() => grpcCall("Model", port(s), "Predict", {}));
    assertEquals(empty.code, grpc.status.UNKNOWN);
  }));

Deno.test("grpc: a raw hook result that is not a SeldonMessage → INTERNAL", () =>
  withServer({ predictRaw: () => ({ notAField: 1 }) }, async (s) => {
    const err = await assertRejects(() => grpcCall("Model", port(s), "Predict", TENSOR_REQ));
    assertEquals(err.code, grpc.status.INTERNAL);
    assertEquals(err.details, "Failed to serialize response!");
  }));

Deno.test("grpc: absurd tensor shapes fail as Seldon exceptions (UNKNOWN), never echoed", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    // Tensor.shape is int32: the product of three large ones passes 2^53.
    const big = 2147483647;
    for (
      const [shape, details] of [
        [[big, big, big, 0], ""],
        [[-5, 0], "cannot reshape array of size 0 into shape (0)"],
      ] as const
    ) {
      const err = await assertRejects(() =>
        grpcCall("Model", port(s), "Predict", { data: { tensor: { shape, values: [] } } })
      );
      assertEquals(
        { code: err.code, details: err.details },
        { code: grpc.status.UNKNOWN, details: `Exception calling application: ${details}` },
        JSON.stringify(shape),
      );
    }
    const tf = await assertRejects(() =>
      grpcCall("Model", port(s), "Predict", {
        data: {
          tftensor: {
            dtype: "DT_DOUBLE",
            tensorShape: { dim: [{ size: "9223372036854775807" }, { size: "0" }] },
          },
        },
      })
    );
    assertEquals(tf.code, grpc.status.UNKNOWN);
    // The REST answer of the same tensor names the reason.
    const rest = await s.post("/predict", { data: { tensor: { shape: [1e18, 0], values: [] } } });
    assertEquals(rest.status, 400);
    assertEquals(rest.json.status.info, "tensor shape (1000000000000000000,0) is too large");
    const ok = await grpcCall("Model", port(s), "Predict", {
      data: { tensor: { shape: [big, 0], values: [] } },
    }) as any;
    assertEquals(ok.data.tensor.shape, [big, 0]);
  }));

Deno.test("grpc: an exception text with a lone surrogate or of 200 KB → UNKNOWN, sendable; the server goes on", () => {
  // grpc-js percent-encodes the details with encodeURI, which throws on a lone surrogate (an
  // unhandled rejection ended the worker); a trailer past ~75 KB reset the client's connection.
  const user = {
    predict(X: unknown) {
      if (X === "lone") throw new Error("bad \ud800 text");
      if (X === "huge") throw new Error("h".repeat(200_000));
      return X;
    },
  };
  return withServer(user, async (s) => {
    const lone = await grpcCall("Model", port(s), "Predict", { strData: "lone" }).catch((e) => e);
    assertEquals({ code: lone.code, details: lone.details }, {
      code: grpc.status.UNKNOWN,
      details: "Exception calling application: bad \ufffd text",
    });
    const huge = await grpcCall("Model", port(s), "Predict", { strData: "huge" }).catch((e) => e);
    assertEquals(huge.code, grpc.status.UNKNOWN);
    assertEquals(huge.details.startsWith("Exception calling application: hhh"), true);
    assertEquals(huge.details.endsWith(" ... [truncated, 200031 characters]"), true);
    assertEquals(huge.details.length <= 64 * 1024, true);
    // A short text is sent as it is.
    assertEquals(
      (await grpcCall("Model", port(s), "Predict", { strData: "ok" })).strData,
      "ok",
    );
  });
});
