/**
 * The `seldon-core-microservice` command: parse flags and environment, load the model class,
 * serve it. Exit statuses follow upstream: 2 for flag errors, 255 for unknown arguments, 1 for
 * bad parameters, import or constructor failures (metrics-and-processes.md §6.2).
 * @module
 */
import { ConfigExit, parseConfig } from "./src/config/options.ts";
import { logger, setupLogging } from "./src/logging.ts";
import { loadComponent, startServing } from "./src/serve.ts";
import { VERSION } from "./src/version.ts";

const log = logger("microservice");

async function main(): Promise<number> {
  await setupLogging("INFO");
  log.info("Starting microservice.py:main");
  log.info("Seldon Core TypeScript version: {version}", { version: VERSION });
  let config;
  try {
    config = parseConfig(Deno.args, Deno.env.toObject());
  } catch (err) {
    if (!(err instanceof ConfigExit)) throw err;
    if (err.stdout) console.log(err.stdout);
    if (err.exitCode === 255) log.error(err.message);
    else if (err.message) console.error(err.message);
    return err.exitCode;
  }
  await setupLogging(config.logLevel);
  if (config.grpcWorkers > 0 && /^2\.9\.[4-6]$/.test(Deno.version.deno)) {
    log.warning(
      "Deno {version} can abort in node:http2 when a gRPC client closes a busy channel; use Deno 2.9.3",
      { version: Deno.version.deno },
    );
  }
  if (config.persistence !== 0) log.error("Persistence: ignored, persistence is deprecated");
  let component;
  try {
    component = await loadComponent(config);
  } catch (err) {
    const reason = (err as { reason?: string }).reason;
    const message = err instanceof Error ? err.message : String(err);
    console.error(
      reason ? `${reason}: ${message}` : `Failed to load ${config.interfaceName}: ${message}`,
    );
    if (!reason && err instanceof Error && !(err.name === "LoadError")) console.error(err.stack);
    return 1;
  }
  let running;
  try {
    running = await startServing(component, config);
  } catch (err) {
    // Upstream's REST worker exits with gunicorn's boot-error status 3 when load() fails.
    log.error("Worker failed to boot: {error}", {
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    return 3;
  }
  const stop = async () => {
    log.info("Shutting down");
    await running.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await running.rest.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
