/**
 * Serving everything in one process: boot the data plane from a constructed component, then bind
 * REST, gRPC and the metrics port. `--debug` (single process), the public `serve()` and the
 * tests come through here; worker processes start one transport each (`src/roles/`).
 * @module
 */
import type { SeldonComponent } from "./component/api.ts";
import type { Config } from "./config/options.ts";
import type { ServerAnnotations } from "./config/server_annotations.ts";
import type { DataPlane } from "./dataplane/dataplane.ts";
import type { GrpcServer } from "./grpc/server.ts";
import { logger } from "./logging.ts";
import { BuiltinMetrics } from "./metrics/builtin.ts";
import { Collector } from "./metrics/collector.ts";
import type { MetricsRecorder } from "./metrics/custom.ts";
import { metricsLabels } from "./metrics/labels.ts";
import { startMetricsServer } from "./metrics/server.ts";
import type { RestServer } from "./rest/server.ts";
import { serveGrpc } from "./serving/grpc.ts";
import { announcer, bootPlane } from "./serving/plane.ts";
import { serveRest } from "./serving/rest.ts";

const log = logger("microservice");

/** Called after every answered request: operation, status, seconds. */
type OnRequest = (operation: string, status: string, seconds: number) => void;

/** A running serving process. */
export interface Running {
  readonly plane: DataPlane;
  /** The REST server, when this process serves REST. */
  readonly rest: RestServer | undefined;
  /** The gRPC server, when this process serves gRPC. */
  readonly grpc: GrpcServer | undefined;
  /** The metrics port, when this process serves its own metrics. */
  readonly metricsPort: number | undefined;
  /** This process's custom-metric series (unless they go to a supervisor). */
  readonly collector: Collector;
  /** The pod annotations this process was started with (read once). */
  readonly annotations: ServerAnnotations;
  /** Stops the transports, letting in-flight requests finish. */
  stop(): Promise<void>;
}

/** Options of {@link startServing}. */
export interface StartOptions {
  /** Share ports with sibling processes. */
  readonly reusePort?: boolean;
  /** Where custom metrics go (default: this process's collector). */
  readonly recorder?: MetricsRecorder;
  /** Serve REST (default true). */
  readonly rest?: boolean;
  /** Serve gRPC (default: `--grpc-workers` > 0). */
  readonly grpc?: boolean;
  /** Serve the metrics port from this process's collector (default: no external recorder). */
  readonly metrics?: boolean;
  /** Called after every REST request (max-requests counting; see `RestOptions.onRequest`). */
  readonly onRestRequest?: OnRequest;
  /** Called when a REST request is stuck long after its `seldon.io/rest-timeout` deadline. */
  readonly onRestStuck?: () => void;
  /** Log the "running on port" lines at INFO (workers leave that to the supervisor). */
  readonly announce?: boolean;
  /** Aborted when the grace period is about to run out: unfinished requests are answered. */
  readonly terminating?: AbortSignal;
}

/**
 * Builds the data plane (which calls `initMetadata`), runs `load()` — in that order, as
 * upstream (server.md §4.4) — and starts the transports; resolves when bound.
 */
export async function startServing(
  component: SeldonComponent,
  config: Config,
  options: StartOptions = {},
): Promise<Running> {
  const batching = config.maxBatchSize > 1;
  const builtin = config.builtinMetrics || batching
    ? new BuiltinMetrics({ requests: config.builtinMetrics, batches: batching })
    : undefined;
  const collector = new Collector(builtin);
  const observe = (protocol: "rest" | "grpc", then?: OnRequest): OnRequest | undefined =>
    builtin && config.builtinMetrics
      ? (operation, status, seconds) => {
        builtin.observe(protocol, operation, status, seconds);
        then?.(operation, status, seconds);
      }
      : then;
  const { plane, annotations } = await bootPlane(
    component,
    config,
    options.recorder ?? collector.recorderFor(String(Deno.pid)),
    builtin?.observeBatch,
  );
  let grpc: GrpcServer | undefined;
  const serveGrpcToo = options.grpc ?? config.grpcWorkers > 0;
  if (serveGrpcToo && annotations.grpcError !== undefined && options.rest !== false) {
    // Upstream's gRPC worker dies on the bad annotation; the other servers keep running.
    log.error("gRPC server not started: {error}", { error: annotations.grpcError });
  } else if (serveGrpcToo) {
    grpc = serveGrpc(plane, config, annotations, {
      reusePort: options.reusePort,
      announce: options.announce,
      terminating: options.terminating,
      onRequest: observe("grpc"),
    });
  }
  let metrics: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  if (options.metrics ?? options.recorder === undefined) {
    const labels = metricsLabels(config);
    metrics = startMetricsServer(
      config,
      () =>
        collector.render(
          labels,
          (key) => log.error("Invalid metric name {key}: series skipped", { key }),
        ),
    );
    announcer(options.announce !== false)(
      "REST metrics microservice running on port {port}",
      metrics.port,
    );
  }
  const rest = options.rest ?? true
    ? serveRest(plane, config, annotations, {
      reusePort: options.reusePort,
      onRequest: observe("rest", options.onRestRequest),
      onStuck: options.onRestStuck,
      announce: options.announce,
      terminating: options.terminating,
    })
    : undefined;
  return {
    plane,
    rest,
    grpc,
    metricsPort: metrics?.port,
    collector,
    annotations,
    stop: async () => {
      await Promise.all([
        rest?.shutdown(),
        grpc?.shutdown(config.gracefulTimeout * 1000),
        metrics?.shutdown(),
      ]);
    },
  };
}
