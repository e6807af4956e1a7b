/**
 * The `seldon-core-microservice` command: parse flags and environment, then import and run one
 * role — the supervisor (production: the metrics collector, worker processes for REST and gRPC),
 * the collector, a worker or the custom service (started by the supervisor, `SELDON_TS_ROLE`), or
 * everything in one process (`--debug`). Exit statuses follow upstream: 2 for flag errors, 255
 * for unknown arguments, 1 for bad parameters, import or constructor failures (reported by the
 * worker that found them), 3 when a worker fails to boot (metrics-and-processes.md §6.2).
 * @module
 */
import { type Config, ConfigExit, parseConfig } from "./src/config/options.ts";
import { failureText } from "./src/error_text.ts";
import { logger, setupLogging } from "./src/logging.ts";
import { ROLE_ENV } from "./src/supervisor/self.ts";
import { VERSION } from "./src/version.ts";
import type * as Collector from "./src/roles/collector.ts";
import type * as CustomService from "./src/roles/custom_service.ts";
import type * as GrpcWorker from "./src/roles/grpc_worker.ts";
import type * as RestWorker from "./src/roles/rest_worker.ts";
import type * as Single from "./src/roles/single.ts";
import type * as Supervisor from "./src/supervisor/supervisor.ts";

const log = logger("microservice");

/**
 * The module of each role, imported when that role runs. The specifiers are not literals in
 * `import()`: `deno run` would otherwise load and analyse every role's module graph in every
 * process at start (~2 MiB RSS in the supervisor and the collector, BENCHMARKS.md "session
 * 14"). `deno compile` bundles them through `--include src/roles --include src/supervisor`
 * (deno.json "compile", the Dockerfile; tests/unit/compile_include_test.ts checks both).
 */
export const ROLE_MODULES = {
  rest: "./src/roles/rest_worker.ts",
  grpc: "./src/roles/grpc_worker.ts",
  collector: "./src/roles/collector.ts",
  custom: "./src/roles/custom_service.ts",
  single: "./src/roles/single.ts",
  supervisor: "./src/supervisor/supervisor.ts",
} as const;

/** The module of `role`, typed as the module it is. */
function load<M>(role: keyof typeof ROLE_MODULES): Promise<M> {
  return import(ROLE_MODULES[role]) as Promise<M>;
}

async function main(): Promise<number> {
  const role = Deno.env.get(ROLE_ENV);
  await setupLogging("INFO");
  if (role === undefined) {
    log.info("Starting microservice.py:main");
    log.info("Seldon Core TypeScript version: {version}", { version: VERSION });
  }
  let config: Config;
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
    return await (await load<typeof RestWorker>("rest")).runRestWorker(config);
  }
  if (role === "grpc") {
    return await (await load<typeof GrpcWorker>("grpc")).runGrpcWorker(config);
  }
  if (role === "collector") {
    return await (await load<typeof Collector>("collector")).runCollector(config);
  }
  if (role === "custom") {
    return await (await load<typeof CustomService>("custom")).runCustomService(config);
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
    return await (await load<typeof Single>("single")).runSingle(config);
  }
  try {
    return await (await load<typeof Supervisor>("supervisor")).runSupervisor(config);
  } catch (err) {
    console.error(failureText(err));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
