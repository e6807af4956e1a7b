/**
 * Starting a serving process from a configuration: import and construct the component, build
 * the data plane (model metadata), run `load()`, then bind the transports this process serves
 * (REST, gRPC, and — when it keeps its own metrics — the metrics port). `main.ts` (debug mode
 * and worker roles) and the public `serve()` all come through here.
 * @module
 */
import type { SeldonComponent } from "./component/api.ts";
import { constructComponent, importComponent, runLoad } from "./component/loader.ts";
import {
  GRPC_MAX_MSG_SIZE_ANNOTATION,
  readAnnotations,
  REST_TIMEOUT_ANNOTATION,
} from "./config/annotations.ts";
import type { Config } from "./config/options.ts";
import { parseParameters } from "./config/parameters.ts";
import { parsePythonInt } from "./python/builtins.ts";
import { DataPlane } from "./dataplane/dataplane.ts";
import { type GrpcServer, startGrpc } from "./grpc/server.ts";
import { logger } from "./logging.ts";
import { Collector } from "./metrics/collector.ts";
import type { MetricsRecorder } from "./metrics/custom.ts";
import { defaultLabels } from "./metrics/exposition.ts";
import { startMetricsServer } from "./metrics/server.ts";
import { type RestServer, startRest } from "./rest/server.ts";

const log = logger("microservice");

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

/** Imports the module named by `config.interfaceName` and constructs it with `--parameters`. */
export async function loadComponent(config: Config): Promise<SeldonComponent> {
  const parameters = parseParameters(config.parameters);
  log.info("Importing {name}", { name: config.interfaceName });
  const exported = await importComponent(config.interfaceName, config.modelDir ?? Deno.cwd());
  return constructComponent(exported, parameters);
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
  /** Called after every REST request (max-requests counting). */
  readonly onRestRequest?: () => void;
  /** Called when a REST request is stuck long after its `seldon.io/rest-timeout` deadline. */
  readonly onRestStuck?: () => void;
  /** Log the "running on port" lines at INFO (workers leave that to the supervisor). */
  readonly announce?: boolean;
}

/** Integer annotations that tune the servers (server.md §1.7). */
export interface ServerAnnotations {
  readonly grpcMaxMessageSize: number | undefined;
  /**
   * Set when `seldon.io/grpc-max-message-size` is not an integer: upstream's gRPC workers then
   * crash at start while REST keeps serving (server.md §1.7); unused when gRPC is off.
   */
  readonly grpcError?: string;
  readonly restTimeoutMs: number | undefined;
}

/**
 * Reads the pod annotations file once. A non-integer REST timeout is a start-up error, as
 * upstream; a non-integer gRPC size only disables gRPC (see `grpcError`).
 */
export function serverAnnotations(config: Config): ServerAnnotations {
  const annotations = readAnnotations(config.annotationsFile, (level, message) => {
    if (level === "error") log.error(message);
    else log.info(message);
  });
  let grpc: number | undefined;
  let grpcError: string | undefined;
  try {
    grpc = annotationInt(annotations, GRPC_MAX_MSG_SIZE_ANNOTATION);
  } catch (err) {
    grpcError = `ValueError: ${(err as Error).message}`;
  }
  const timeout = annotationInt(annotations, REST_TIMEOUT_ANNOTATION);
  return {
    grpcError,
    grpcMaxMessageSize: grpc ?? config.grpcMaxMessageSize,
    // gunicorn's worker timeout: int(ms / 1000) seconds, at least 1.
    restTimeoutMs: timeout === undefined
      ? undefined
      : Math.max(1, Math.trunc(timeout / 1000)) * 1000,
  };
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
  const announce = (message: string, port: number) =>
    options.announce === false ? log.debug(message, { port }) : log.info(message, { port });
  const collector = new Collector();
  const plane = await DataPlane.create(component, {
    includeMetrics: config.includeMetricsInResponse,
    unitId: config.unitId,
    unitImage: config.unitImage,
    executorEnabled: config.executorEnabled,
    recorder: options.recorder ?? collector.recorderFor(String(Deno.pid)),
    modelMetadata: config.modelMetadata,
    logError: (message) => log.error(message),
  });
  // initMetadata ran above: metadata cannot depend on load() (server.md §4.4).
  await runLoad(component);
  const annotations = serverAnnotations(config);
  let grpc: GrpcServer | undefined;
  const serveGrpc = options.grpc ?? config.grpcWorkers > 0;
  if (serveGrpc && annotations.grpcError !== undefined) {
    // Upstream's gRPC worker dies on the bad annotation; the other servers keep running.
    if (options.rest === false) throw new Error(annotations.grpcError);
    log.error("gRPC server not started: {error}", { error: annotations.grpcError });
  } else if (serveGrpc) {
    const size = annotations.grpcMaxMessageSize;
    if (size !== undefined) {
      log.info("Setting grpc max message and receive length to {n}", { n: size });
    }
    grpc = await startGrpc(plane, {
      port: config.grpcPort,
      hostname: config.host,
      reusePort: options.reusePort,
      concurrency: config.grpcThreads,
      maxMessageSize: size,
    });
    announce("GRPC microservice running on port {port}", grpc.port);
  }
  let metrics: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  if (options.metrics ?? options.recorder === undefined) {
    const labels = metricsLabels(config);
    metrics = startMetricsServer(config, () => collector.render(labels));
    announce("REST metrics microservice running on port {port}", metrics.port);
  }
  let rest: RestServer | undefined;
  if (options.rest ?? true) {
    rest = startRest(plane, {
      port: config.httpPort,
      hostname: config.host,
      reusePort: options.reusePort,
      maxBodySize: config.maxBodySize,
      payloadPassthrough: config.payloadPassthrough,
      concurrency: config.singleThreaded ? 1 : config.debug ? Infinity : config.threads,
      json: {
        pretty: config.jsonPrettyPrint,
        ascii: config.jsonAsAscii,
        sortKeys: config.jsonSortKeys,
      },
      accessLog: config.accessLog || config.debug,
      accessLogFilter: config.filterMetricsAccessLogs ? config.metricsEndpoint : undefined,
      timeoutMs: config.debug ? undefined : annotations.restTimeoutMs, // gunicorn only
      onRequest: options.onRestRequest,
      onStuck: options.onRestStuck,
    });
    announce("REST microservice running on port {port}", rest.port);
    if (options.announce !== false) {
      log.info("Predictions: POST {url}/api/v1.0/predictions", {
        url: restUrl(config.host, rest.port),
      });
    }
  }
  return {
    plane,
    rest,
    grpc,
    metricsPort: metrics?.port,
    collector,
    annotations,
    stop: async () => {
      await Promise.all([rest?.shutdown(), grpc?.shutdown(), metrics?.shutdown()]);
    },
  };
}

/** The default metrics labels, from the configuration's copy of the environment. */
export function metricsLabels(config: Config) {
  return defaultLabels({
    SELDON_DEPLOYMENT_ID: config.deploymentId,
    PREDICTIVE_UNIT_ID: config.unitId,
    PREDICTIVE_UNIT_IMAGE: config.unitImage,
    PREDICTOR_ID: config.predictorId,
    PREDICTOR_LABELS: config.predictorLabels,
  });
}

function annotationInt(annotations: Record<string, string>, name: string): number | undefined {
  const raw = annotations[name];
  if (raw === undefined) return undefined;
  const n = parsePythonInt(raw); // Python int(): "1_000" yes; "", "1e3", "1.0" no
  if (typeof n !== "number") {
    throw new Error(`invalid literal for int() with base 10: '${raw}' (${name})`);
  }
  return n;
}

/** The base URL a person on this machine reaches the REST port at (a wildcard host → localhost). */
export function restUrl(host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" || host === "" ? "localhost" : host;
  return `http://${name.includes(":") ? `[${name}]` : name}:${port}`;
}
