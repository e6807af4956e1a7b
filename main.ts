/**
 * The `seldon-core-microservice` command: parse flags and environment, then run one role —
 * the supervisor (production: worker processes for REST and gRPC, metrics in the supervisor),
 * a worker or the custom service (started by the supervisor, `SELDON_TS_ROLE`), or everything in one process
 * (`--debug`). Exit statuses follow upstream: 2 for flag errors, 255 for unknown arguments,
 * 1 for bad parameters, import or constructor failures, 3 when a worker fails to boot
 * (metrics-and-processes.md §6.2).
 * @module
 */
import { ConfigExit, parseConfig } from "./src/config/options.ts";
import { logger, setupLogging } from "./src/logging.ts";
import { loadComponent, startServing } from "./src/serve.ts";
import { runCustomService } from "./src/supervisor/custom.ts";
import { ROLE_ENV } from "./src/supervisor/self.ts";
import { GRACE_MS, runSupervisor } from "./src/supervisor/supervisor.ts";
import { runWorker } from "./src/supervisor/worker.ts";
import { VERSION } from "./src/version.ts";

const log = logger("microservice");

function describe(err: unknown): string {
  const reason = (err as { reason?: string }).reason;
  const message = err instanceof Error ? err.message : String(err);
  if (reason) return `${reason}: ${message}`;
  if (err instanceof Error && err.name !== "LoadError" && err.stack) return err.stack;
  return message;
}

/** Everything in one process (`--debug`): REST, gRPC and the metrics port. */
async function runSingle(config: ReturnType<typeof parseConfig>): Promise<number> {
  let component;
  try {
    component = await loadComponent(config);
  } catch (err) {
    console.error(describe(err));
    return 1;
  }
  log.info("Starting servers");
  let running;
  try {
    running = await startServing(component, config);
  } catch (err) {
    log.error("Worker failed to boot: {error}", { error: describe(err) });
    return 3;
  }
  // SIGTERM drains in-flight requests for up to the grace period; SIGINT stops at once
  // (upstream's quick shutdown drops in-flight requests).
  await new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
    Deno.addSignalListener("SIGTERM", () => {
      const timer = setTimeout(() => {
        log.warning("In-flight requests did not finish in {s} s: stopping anyway", {
          s: GRACE_MS / 1000,
        });
        resolve();
      }, GRACE_MS);
      running.stop().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  });
  return 0;
}

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
  if (role === "rest" || role === "grpc") return await runWorker(role, config);
  if (role === "custom") return await runCustomService(config);
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
    return await runSingle(config);
  }
  try {
    return await runSupervisor(config);
  } catch (err) {
    console.error(describe(err));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
