/**
 * A V2 gRPC client generated at run time from the canonical `open_inference_grpc.proto`
 * (tests/oip/fixtures/, unchanged from the specification) with @grpc/proto-loader: it shares no
 * code with the server, so answers it reads prove wire compatibility.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const PROTO = fileURLToPath(new URL("./fixtures/open_inference_grpc.proto", import.meta.url));

const definition = protoLoader.loadSync(PROTO, {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(definition) as any;

/** A client of `inference.GRPCInferenceService`. */
export interface OipClient {
  call(rpc: string, request: unknown, metadata?: grpc.Metadata): Promise<any>;
  close(): void;
}

/** A client on 127.0.0.1:`port` (its own subchannel pool). */
export function oipClient(port: number, options: grpc.ChannelOptions = {}): OipClient {
  const client = new loaded.inference.GRPCInferenceService(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
    { "grpc.use_local_subchannel_pool": 1, ...options },
  );
  return {
    call: (rpc, request, metadata = new grpc.Metadata()) =>
      new Promise((resolve, reject) => {
        client[rpc](
          request,
          metadata,
          { deadline: Date.now() + 20_000 },
          (err: unknown, res: unknown) => err ? reject(err) : resolve(res),
        );
      }),
    close: () => client.close(),
  };
}

/** The grpc-js error of a call that must fail. */
export async function callError(
  client: OipClient,
  rpc: string,
  request: unknown,
): Promise<{ code: number; details: string }> {
  try {
    await client.call(rpc, request);
  } catch (err) {
    return err as { code: number; details: string };
  }
  throw new Error(`${rpc} succeeded`);
}

export { grpc };
