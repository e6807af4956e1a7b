/**
 * The `grpc` worker role: a worker serving gRPC on the shared port. Loads the gRPC stack only.
 * @module
 */
import type { Config } from "../config/options.ts";
import { serveGrpc } from "../serving/grpc.ts";
import { runWorker } from "./worker.ts";

/** Runs a gRPC worker until it is told to stop; resolves with the exit status. */
export function runGrpcWorker(config: Config): Promise<number> {
  return runWorker(config, {
    role: "grpc",
    start: ({ plane, annotations }, { onRequest, terminating }) =>
      Promise.resolve(serveGrpc(plane, config, annotations, {
        reusePort: true,
        announce: false,
        onRequest,
        terminating,
      })),
  });
}
