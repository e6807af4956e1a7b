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

const log = logger("microservice");

/** A running serving process. */
export interface Running {
  readonly plane: DataPlane;
  readonly rest: RestServer;
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
  const rest = startRest(plane, {
    port: config.httpPort,
    hostname: config.host,
    reusePort: options.reusePort,
    maxBodySize: config.maxBodySize,
    payloadPassthrough: config.payloadPassthrough,
    concurrency: config.singleThreaded ? 1 : config.debug ? Infinity : config.threads,
    json: { pretty: config.jsonPrettyPrint, ascii: config.jsonAsAscii },
    accessLog: config.accessLog || config.debug,
  });
  log.info("REST microservice running on port {port}", { port: rest.port });
  return {
    plane,
    rest,
    metrics,
    stop: async () => {
      await rest.shutdown();
    },
  };
}
