/**
 * The `seldon-core-microservice` command: parse flags and environment, then import and run one
 * role — the supervisor (production: the metrics collector, worker processes for REST and gRPC),
 * the collector, a worker or the custom service (started by the supervisor, `SELDON_TS_ROLE`), or
 * everything in one process (`--debug`). Exit statuses follow upstream: 2 for flag errors, 255
 * for unknown arguments, 1 for bad parameters, import or constructor failures (reported by the
 * worker that found them), 3 when a worker fails to boot (metrics-and-processes.md §6.2).
 * @module
 */
import { ConfigExit, parseConfig } from "./src/config/options.ts";
import { failureText } from "./src/error_text.ts";
import { logger, setupLogging } from "./src/logging.ts";
import { ROLE_ENV } from "./src/supervisor/self.ts";
import { VERSION } from "./src/version.ts";

const log = logger("microservice");

async function main(): Promise<number> {
  const role = Deno.env.get(ROLE_ENV);
  await setupLogging("INFO");
  if (role === undefined) {
    log.info("Starting microservice.py:main");
    log.info("Seldon Core TypeScript version: {version}", { version: VERSION });
  }
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
  // Each role is imported only when it runs: the supervisor never loads the serving stack
  // or the model, a REST worker never loads grpc-js.
  if (role === "rest") {
    return await (await import("./src/roles/rest_worker.ts")).runRestWorker(config);
  }
  if (role === "grpc") {
    return await (await import("./src/roles/grpc_worker.ts")).runGrpcWorker(config);
  }
  if (role === "collector") {
    return await (await import("./src/roles/collector.ts")).runCollector(config);
  }
  if (role === "custom") {
    return await (await import("./src/roles/custom_service.ts")).runCustomService(config);
  }
  if (config.grpcWorkers > 0 && /^2\.9\.[4-6]$/.test(Deno.version.deno)) {
    log.warning(
      "Deno {version} can abort in node:http2 when a gRPC client closes a busy channel; use Deno 2.9.3",
      { version: Deno.version.deno },
    );
  }
  if (config.persistence !== 0) log.error("Persistence: ignored, persistence is deprecated");
  if (config.debug) {
    if (config.tracing !== 0 && Deno.env.get("OTEL_DENO") !== "true") {
      log.warning(
        "Tracing in --debug mode needs OTEL_DENO=true in the environment of this process",
      );
    }
    return await (await import("./src/roles/single.ts")).runSingle(config);
  }
  try {
    return await (await import("./src/supervisor/supervisor.ts")).runSupervisor(config);
  } catch (err) {
    console.error(failureText(err));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
