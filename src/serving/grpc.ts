/**
 * Serving gRPC in this process: `startGrpc` with the configuration's concurrency and the
 * annotated message size. Imported only by processes that serve gRPC (never the REST stack).
 * @module
 */
import type { Config } from "../config/options.ts";
import type { ServerAnnotations } from "../config/server_annotations.ts";
import type { DataPlane } from "../dataplane/dataplane.ts";
import { type GrpcServer, startGrpc } from "../grpc/server.ts";
import { connectionLimits } from "../http/limits.ts";
import { logger } from "../logging.ts";
import { announcer } from "./plane.ts";

const log = logger("microservice");

/** Options of {@link serveGrpc}. */
export interface ServeGrpcOptions {
  /** Share the port with sibling processes. */
  readonly reusePort?: boolean;
  /** Log the "running on port" line at INFO (workers leave that to the supervisor). */
  readonly announce?: boolean;
  /** Called after every RPC (the memory check). */
  readonly onRequest?: (operation: string, status: string, seconds: number) => void;
  /** Aborted when the grace period is about to run out: unfinished RPCs get UNAVAILABLE. */
  readonly terminating?: AbortSignal;
}

/**
 * Starts the gRPC server on `plane`, bound on return. Throws when the gRPC size annotation is
 * not an integer (upstream's gRPC worker dies on it, server.md §1.7).
 */
export function serveGrpc(
  plane: DataPlane,
  config: Config,
  annotations: ServerAnnotations,
  options: ServeGrpcOptions = {},
): GrpcServer {
  if (annotations.grpcError !== undefined) throw new Error(annotations.grpcError);
  const size = annotations.grpcMaxMessageSize;
  if (size !== undefined) {
    log.info("Setting grpc max message and receive length to {n}", { n: size });
  }
  const grpc = startGrpc(plane, {
    port: config.grpcPort,
    hostname: config.host,
    reusePort: options.reusePort,
    concurrency: config.grpcThreads,
    maxMessageSize: size,
    maxConnections: connectionLimits(config).maxConnections,
    onRequest: options.onRequest,
    terminating: options.terminating,
  });
  announcer(options.announce !== false)("GRPC microservice running on port {port}", grpc.port);
  return grpc;
}
