/**
 * Starting a serving process from a configuration: import and construct the component, run
 * `load()`, build the data plane, then bind the transports. `main.ts` and the public `serve()`
 * both come through here.
 * @module
 */
import type { SeldonComponent } from "./component/api.ts";
import { constructComponent, importComponent, runLoad } from "./component/loader.ts";
import type { Config } from "./config/options.ts";
import { parseParameters } from "./config/parameters.ts";
import { DataPlane } from "./dataplane/dataplane.ts";
import { logger } from "./logging.ts";
import type { MetricsRecorder } from "./metrics/custom.ts";
import { MetricsStore } from "./metrics/store.ts";
import { type RestServer, startRest } from "./rest/server.ts";
import { type GrpcServer, startGrpc } from "./grpc/server.ts";
import {
  GRPC_MAX_MSG_SIZE_ANNOTATION,
  readAnnotations,
  REST_TIMEOUT_ANNOTATION,
} from "./config/annotations.ts";

const log = logger("microservice");

/** A running serving process. */
export interface Running {
  readonly plane: DataPlane;
  readonly rest: RestServer;
  /** The gRPC server, unless `--grpc-workers` is 0. */
  readonly grpc: GrpcServer | undefined;
  /** The in-process custom-metrics store (until the metrics side channel takes them). */
  readonly metrics: MetricsStore;
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
  /** Where custom metrics go (default: a store in this process). */
  readonly recorder?: MetricsRecorder;
}

/** Runs `load()`, builds the data plane and starts REST; resolves when the port is bound. */
export async function startServing(
  component: SeldonComponent,
  config: Config,
  options: StartOptions = {},
): Promise<Running> {
  await runLoad(component);
  const metrics = new MetricsStore();
  const plane = await DataPlane.create(component, {
    includeMetrics: config.includeMetricsInResponse,
    unitId: config.unitId,
    unitImage: config.unitImage,
    executorEnabled: config.executorEnabled,
    recorder: options.recorder ?? metrics,
    modelMetadata: config.modelMetadata,
    logError: (message) => log.error(message),
  });
  const annotations = readAnnotations(config.annotationsFile, (level, message) => {
    if (level === "error") log.error(message);
    else log.info(message);
  });
  const grpcSize = annotationInt(annotations, GRPC_MAX_MSG_SIZE_ANNOTATION) ??
    config.grpcMaxMessageSize;
  const restTimeout = annotationInt(annotations, REST_TIMEOUT_ANNOTATION);
  let grpc: GrpcServer | undefined;
  if (config.grpcWorkers > 0) {
    if (grpcSize !== undefined) {
      log.info("Setting grpc max message and receive length to {n}", { n: grpcSize });
    }
    grpc = await startGrpc(plane, {
      port: config.grpcPort,
      hostname: config.host,
      reusePort: options.reusePort,
      concurrency: config.grpcThreads,
      maxMessageSize: grpcSize,
    });
    log.info("GRPC microservice running on port {port}", { port: grpc.port });
  }
  const rest = startRest(plane, {
    port: config.httpPort,
    hostname: config.host,
    reusePort: options.reusePort,
    maxBodySize: config.maxBodySize,
    payloadPassthrough: config.payloadPassthrough,
    concurrency: config.singleThreaded ? 1 : config.debug ? Infinity : config.threads,
    json: { pretty: config.jsonPrettyPrint, ascii: config.jsonAsAscii },
    accessLog: config.accessLog || config.debug,
    // gunicorn's worker timeout: int(ms / 1000) seconds, at least 1 (server.md §1.7).
    timeoutMs: restTimeout === undefined
      ? undefined
      : Math.max(1, Math.trunc(restTimeout / 1000)) * 1000,
  });
  log.info("REST microservice running on port {port}", { port: rest.port });
  return {
    plane,
    rest,
    grpc,
    metrics,
    stop: async () => {
      await Promise.all([rest.shutdown(), grpc?.shutdown()]);
    },
  };
}

/** An integer annotation; a non-integer value is a start-up error, as upstream. */
function annotationInt(annotations: Record<string, string>, name: string): number | undefined {
  const raw = annotations[name];
  if (raw === undefined) return undefined;
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) {
    throw new Error(`invalid literal for int() with base 10: '${raw}' (${name})`);
  }
  return n;
}
