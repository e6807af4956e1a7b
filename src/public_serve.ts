/**
 * `serve()`: start the server from code on a component instance or class, with the same
 * configuration rules as the command line (environment, defaults); `options` override both.
 * @module
 */
import type { SeldonComponent } from "./component/api.ts";
import { constructComponent } from "./component/loader.ts";
import { type Config, parseConfig } from "./config/options.ts";
import { parseParameters } from "./config/parameters.ts";
import { setupLogging } from "./logging.ts";
import type { Running } from "./serve.ts";

/** Overrides of the configuration for {@link serve}; anything unset comes from env/defaults. */
export type ServeOptions = Partial<Omit<Config, "interfaceName">> & {
  /** Environment to read instead of the process's (default `Deno.env.toObject()`). */
  env?: Record<string, string>;
};

/** A server started by {@link serve}. */
export interface Server {
  /** The bound REST port. */
  readonly port: number;
  /** The bound gRPC port (unless `grpcWorkers` is 0). */
  readonly grpcPort: number | undefined;
  /** The bound metrics port. */
  readonly metricsPort: number | undefined;
  /** Stops serving; in-flight requests finish first. */
  stop(): Promise<void>;
  /** Resolves when the REST server has stopped. */
  readonly finished: Promise<void>;
}

/** A component instance, or a class constructed with the typed `--parameters`. */
export type ComponentOrClass =
  | SeldonComponent
  | (new (parameters: Record<string, any>) => SeldonComponent);

/**
 * The configuration `options` give (flags' defaults, env, overrides), logging set up, and the
 * component (constructed when a class is given).
 * @internal
 */
export async function prepare(
  componentOrClass: ComponentOrClass,
  options: ServeOptions,
): Promise<{ config: Config; component: SeldonComponent }> {
  const { env = Deno.env.toObject(), ...overrides } = options;
  const name = typeof componentOrClass === "function" ? componentOrClass.name || "Model" : "Model";
  const config: Config = Object.freeze({ ...parseConfig([name], env), ...overrides });
  await setupLogging(config.logLevel);
  const component = typeof componentOrClass === "function"
    ? constructComponent(componentOrClass, parseParameters(config.parameters))
    : componentOrClass;
  return { config, component };
}

/**
 * Serves a component (an instance, or a class constructed with the typed `--parameters`) in
 * this process — REST, gRPC and the metrics port, like `--debug` (no worker processes).
 * Resolves once the ports are bound, after `load()` has run.
 */
export async function serve(
  componentOrClass: ComponentOrClass,
  options: ServeOptions = {},
): Promise<Server> {
  const { config, component } = await prepare(componentOrClass, options);
  // Imported here, not at the top: a model importing the public API (this module, through
  // `mod.ts`) must not load the REST and gRPC stacks into every worker.
  const { startServing } = await import("./serve.ts");
  const running: Running = await startServing(component, config);
  const rest = running.rest!;
  return {
    port: rest.port,
    grpcPort: running.grpc?.port,
    metricsPort: running.metricsPort,
    stop: running.stop,
    finished: rest.finished,
  };
}
