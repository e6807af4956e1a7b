/**
 * gRPC wire-fidelity audit regressions: a real grpc-js client built by `@grpc/proto-loader`
 * from `proto/prediction.proto` (independent of the server's codec) over loopback.
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { assertEquals } from "./assert.ts";
import { withServer } from "./helpers.ts";
import { protoLoaderSeldon } from "./grpc_helpers.ts";

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
    const client = new grpc.Client(
      `127.0.0.1:${s.running.grpc!.port}`,
      grpc.credentials.createInsecure(),
    );
    const call = (path: string) =>
      new Promise<any>((resolve) =>
        client.makeUnaryRequest(
          path,
          (b: Uint8Array) => Buffer.from(b),
          (b: Uint8Array) => b,
          new Uint8Array(),
          (err) => resolve(err ? { code: err.code, details: err.details } : "ok"),
        )
      );
    try {
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
    } finally {
      client.close();
    }
  }));
