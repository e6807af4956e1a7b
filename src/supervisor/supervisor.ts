/**
 * The supervisor (production mode): starts the metrics collector process, then `--grpc-workers`
 * gRPC and `--workers` REST worker processes sharing their ports (SO_REUSEPORT), restarts
 * crashed workers and the collector, replaces recycled workers (max-requests, SIGHUP) before
 * draining the old, forwards SIGTERM/SIGINT, and writes the pidfile. It holds no metrics.
 * This module only wires the parts: the worker pool (pool.ts), the control channel server
 * (control_server.ts), auxiliary children (auxiliary.ts: the collector, the custom service),
 * the collector's line (collector_process.ts), the private folder, signals.
 * It never serves model requests, and never loads the serving stack or the user's model: a
 * worker that cannot load the model reports it over the control channel, and the supervisor
 * stops the server with that status (metrics-and-processes.md §1, §6, §7).
 * @module
 */
import { join } from "node:path";
import type { Config } from "../config/options.ts";
import { parseParameters } from "../config/parameters.ts";
import { restUrl } from "../config/rest_url.ts";
import { annotationLog, serverAnnotations } from "../config/server_annotations.ts";
import { tracingSetup } from "../config/tracing.ts";
import { errorText } from "../error_text.ts";
import { probePort } from "../listen.ts";
import { logger } from "../logging.ts";
import { loadYaml } from "../yaml.ts";
import { Auxiliary } from "./auxiliary.ts";
import { heartbeatMs } from "./channel.ts";
import { spawnProcess } from "./child.ts";
import { type AttachResult, CollectorControl } from "./collector_process.ts";
import { type ControlServer, startControlServer } from "./control_server.ts";
import { Pool, type Role } from "./pool.ts";
import {
  COLLECTOR_SOCKET_NAME,
  makePrivateDir,
  SOCKET_NAME,
  sweepStaleDirs,
} from "./private_dir.ts";
import { COLLECTOR_ENV, CONTROL_ENV, exposeGcEnv, ROLE_ENV, selfCommand } from "./self.ts";

const log = logger("supervisor");

function freePort(hostname: string): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * The ports every worker shares and the metrics port (chosen now when 0, so a restarted
 * collector serves where the first one did) and how to start this program again.
 */
function children(config: Config) {
  const httpPort = config.httpPort || freePort(config.host);
  const grpcPort = config.grpcPort || freePort(config.host);
  const metricsPort = config.metricsPort || freePort(config.host);
  const self = selfCommand();
  const args = [
    ...self.args,
    ...Deno.args,
    "--http-port",
    String(httpPort),
    "--grpc-port",
    String(grpcPort),
    "--metrics-port",
    String(metricsPort),
  ];
  /** Starts this program with `env` added (`SELDON_TS_ROLE` names the role). */
  const spawn = (env: Record<string, string>) => spawnProcess(self.command, args, env);
  return { httpPort, grpcPort, metricsPort, spawn };
}

/**
 * V8's `gc()`: the global one when `--expose-gc` was given (a `deno compile`d binary has it), else
 * one obtained at run time as Node allows (`v8.setFlagsFromString("--expose-gc")`, then a new
 * context's `gc`), so a plain `deno run` gets it too. `node:v8` and `node:vm` are imported only
 * then: at start they cost the supervisor ~8 ms before it spawns the workers.
 */
async function exposedGc(): Promise<((options: object) => void) | undefined> {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === "function") return global as (options: object) => void;
  try {
    const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([
      import("node:v8"),
      import("node:vm"),
    ]);
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc");
    return typeof gc === "function" ? gc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One memory-reducing full collection a second after every worker is ready: start-up (module
 * loading, spawning) leaves a grown heap that an idle supervisor keeps otherwise (~4–5 MiB
 * anonymous memory, BENCHMARKS.md "session 14"). Returns a function that cancels it.
 */
function compactOnce(): () => void {
  const timer = setTimeout(async () => {
    (await exposedGc())?.({ type: "major", execution: "sync", flavor: "last-resort" });
  }, 1000);
  Deno.unrefTimer(timer);
  return () => clearTimeout(timer);
}

/** The ports the banner names. */
interface Ports {
  readonly http: number;
  readonly grpc: number;
  readonly metrics: number;
}

/**
 * Upstream's start-up lines, once every worker serves, then the banner: the model's V2 name
 * (`--model-name`, else `PREDICTIVE_UNIT_ID`, else the class a worker reported, as the data
 * plane names it), the URLs, and how many requests each worker runs at once.
 */
function logServing(config: Config, grpcWorkers: number, ports: Ports, className?: string) {
  if (grpcWorkers > 0) {
    log.info("GRPC microservice running on port {port} with {n} processes", {
      port: ports.grpc,
      n: config.grpcWorkers,
    });
  }
  log.info("REST microservice running on port {port} with {n} workers", {
    port: ports.http,
    n: config.workers,
  });
  const url = restUrl(config.host, ports.http);
  log.info("Predictions: POST {url}/api/v1.0/predictions", { url });
  const name = config.modelName ?? config.unitId ?? className ?? "model";
  log.info("Model {name}: V2 POST {url}/v2/models/{name}/infer, metrics {metrics}/metrics", {
    name,
    url,
    metrics: restUrl(config.host, ports.metrics),
  });
  const grpcText = grpcWorkers > 0
    ? `; ${grpcWorkers} gRPC worker(s) on ${
      restUrl(config.host, ports.grpc).slice("http://".length)
    }, ${config.grpcThreads} call(s) at a time each (--grpc-threads)`
    : "";
  log.info(
    "Workers: {rest} REST, {threads} request(s) at a time each (--threads){grpc}. " +
      "A worker runs its hooks one request at a time unless --threads is raised (async hooks too, as upstream)",
    { rest: config.workers, threads: config.singleThreaded ? 1 : config.threads, grpc: grpcText },
  );
}

/** The environment that exports the workers' traces (`--tracing`), logged once. */
async function tracingEnv(config: Config): Promise<Record<string, string>> {
  if (config.tracing === 0) return {};
  log.info("Initializing tracing");
  if (Deno.env.get("JAEGER_CONFIG_PATH")) await loadYaml();
  const setup = tracingSetup(config.interfaceName, Deno.env.toObject());
  for (const warning of setup.warnings) log.warning(warning);
  log.info("Tracing: OpenTelemetry export to {endpoint}", {
    endpoint: setup.env.OTEL_EXPORTER_OTLP_ENDPOINT ??
      Deno.env.get("OTEL_EXPORTER_OTLP_ENDPOINT") ??
      Deno.env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
  });
  return setup.env;
}

/**
 * How long the gRPC workers wait for the metrics collector to listen before they start anyway.
 * Start-up order: the collector and the REST workers boot together, the gRPC workers once the
 * collector listens. Three processes booting at once on two cores made the first
 * `/health/ping` ~70 ms later (BENCHMARKS.md "session 16"); a REST worker binds once its link
 * to the collector is up (`roles/worker.ts`), so the metrics port answers when `/health/ping`
 * does, as upstream's (whose metrics server starts before its REST server).
 */
const GRPC_AFTER_COLLECTOR_MS = 1_000;

/** Resolves after `ms` on a timer that never keeps the process alive. */
function afterMs(ms: number): Promise<void> {
  return new Promise((resolve) => Deno.unrefTimer(setTimeout(resolve, ms)));
}

/** Runs the supervisor until shutdown; resolves with the process exit status. */
export async function runSupervisor(config: Config): Promise<number> {
  // Fail fast, before any process or port, on bad parameters. The model itself is never
  // imported here: the first worker that cannot import or construct it reports why
  // (`bootFailed`), and the server stops with that status.
  parseParameters(config.parameters);
  // A second server on a port the first one holds must not share it: workers bind with
  // SO_REUSEPORT, so the ports are probed first with a plain bind (fails on any holder).
  try {
    probePort("REST", config.host, config.httpPort);
    if (config.grpcWorkers > 0) probePort("gRPC", config.host, config.grpcPort);
    probePort("metrics", config.host, config.metricsPort);
  } catch (err) {
    log.error("{error}", { error: errorText(err) });
    return 1;
  }
  /** `--graceful-timeout`: how long a stopping child may take before it is killed. */
  const graceMs = config.gracefulTimeout * 1000;

  const dir = await makePrivateDir();
  // Folders left by supervisors killed with -9 (whose workers died too) go now.
  sweepStaleDirs(dir).then((removed) => {
    for (const path of removed) log.info("Removed stale folder {path}", { path });
  });
  /** Removes the pidfile and the private folder (on exit, and when start-up fails). */
  const cleanup = async () => {
    if (config.pidfile) await Deno.remove(config.pidfile).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const socketPath = join(dir, SOCKET_NAME);
  const collectorSocket = join(dir, COLLECTOR_SOCKET_NAME);

  const { httpPort, grpcPort, metricsPort, spawn } = children(config);
  const workerEnv = {
    ...(await tracingEnv(config)),
    ...exposeGcEnv(),
    [CONTROL_ENV]: socketPath,
    [COLLECTOR_ENV]: collectorSocket,
  };

  const annotations = serverAnnotations(config, annotationLog(log));
  // A non-integer `seldon.io/grpc-max-message-size` makes upstream's gRPC workers crash at
  // start; REST and metrics keep serving (server.md §1.7).
  let grpcWorkers = config.grpcWorkers;
  if (grpcWorkers > 0 && annotations.grpcError !== undefined) {
    log.error("gRPC workers not started: {error}", { error: annotations.grpcError });
    grpcWorkers = 0;
  }
  const pool = new Pool({
    spawn: (role) => spawn({ ...workerEnv, [ROLE_ENV]: role }),
    graceMs,
    // gunicorn's worker timeout (5000 s without the annotation): a REST worker silent for
    // longer is killed (its client sees the connection closed) and replaced.
    timeoutMs: annotations.restTimeoutMs,
    watchdogEveryMs: heartbeatMs(annotations.restTimeoutMs),
    onDrop: (pid) => collectorControl.clear(pid),
    onDrain: (pid) => control.drain(pid),
  });
  const collectorControl = new CollectorControl(collectorSocket, () => ({
    retired: pool.pids.filter((pid) => !pool.accepts(pid)),
    live: pool.pids.filter((pid) => pool.accepts(pid)),
  }));

  // Auxiliary children, beside the workers: each is started when it is needed (one needed by
  // the workers before they start), restarted after a crash if its options say so, and stopped
  // after the workers.
  /** The `customService()` process: started once a worker reports one, never restarted. */
  const custom = new Auxiliary({
    name: "custom service",
    spawn: () => spawn({ [ROLE_ENV]: "custom", [CONTROL_ENV]: socketPath }),
    expected: () => pool.stopping,
  });
  /**
   * The metrics collector: first, beside the REST workers (see {@link GRPC_AFTER_COLLECTOR_MS});
   * restarted at once when it dies (the workers keep their metrics). The first one failing (the
   * metrics port is in use) stops the server.
   */
  let firstCollector: Promise<AttachResult> | undefined;
  const collector = new Auxiliary({
    name: "metrics collector",
    spawn: () =>
      spawn({ ...exposeGcEnv(), [ROLE_ENV]: "collector", [COLLECTOR_ENV]: collectorSocket }),
    // Soon enough to serve again within a second; not a hot loop if it cannot start at all.
    restartAfterMs: 100,
    expected: () => pool.stopping || !collectorControl.served,
    onStart: (child) => {
      const attached = collectorControl.attach(child);
      firstCollector ??= attached;
    },
  });

  /** The model's class name, as the first worker that loaded it reported. */
  let className: string | undefined;
  /** A worker reported that the model cannot be loaded (printed once). */
  let bootFailed = false;
  let control: ControlServer;
  try {
    control = startControlServer(socketPath, {
      // The first worker to load the model tells whether it has a `customService()`.
      loaded: (_pid, customService, name) => {
        className ??= name;
        if (customService && !pool.stopping) custom.start();
      },
      // Every worker finds the same failure: print the first, stop everything.
      bootFailed: (_pid, status, message) => {
        if (!bootFailed) {
          bootFailed = true;
          console.error(message);
        }
        pool.shutdown(status);
      },
      ready: (pid) => pool.ready(pid),
      beat: (pid) => pool.beat(pid),
      recycle: (pid, reason) => pool.recycle(pid, reason),
      closed: (pid) => pool.listenerClosed(pid),
    });
    if (config.pidfile) await Deno.writeTextFile(config.pidfile, `${Deno.pid}\n`);
  } catch (err) {
    await cleanup();
    throw err;
  }
  Deno.addSignalListener("SIGTERM", () => pool.shutdown(0));
  Deno.addSignalListener("SIGINT", () => pool.shutdown(130));
  Deno.addSignalListener("SIGHUP", () => {
    log.info("Handling signal: hup; restarting REST workers");
    pool.replaceAll("rest");
  });

  collector.start();
  const serving = pool.start(Array<Role>(config.workers).fill("rest"), {
    roles: Array<Role>(grpcWorkers).fill("grpc"),
    after: Promise.race([firstCollector, afterMs(GRPC_AFTER_COLLECTOR_MS)]),
  });
  const started = await firstCollector!;
  if (started.ok) {
    log.info("REST metrics microservice running on port {port}", { port: metricsPort });
    log.info("Starting servers");
  } else {
    // It printed why (e.g. the metrics port is in use).
    pool.shutdown(started.code || 1);
  }
  let cancelCompaction = () => {};
  if (await serving && !pool.stopping) {
    logServing(
      config,
      grpcWorkers,
      { http: httpPort, grpc: grpcPort, metrics: metricsPort },
      className,
    );
    cancelCompaction = compactOnce();
  }
  const exitCode = await pool.done;
  cancelCompaction();
  // The collector last of all, so metrics recorded during the drain stay visible to the end.
  await custom.stop(graceMs);
  await collector.stop(graceMs);
  collectorControl.close();
  control.close();
  await cleanup();
  return exitCode;
}
