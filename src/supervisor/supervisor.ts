/**
 * The supervisor (production mode): starts the metrics collector process, then `--grpc-workers`
 * gRPC and `--workers` REST worker processes sharing their ports (SO_REUSEPORT), restarts crashed
 * workers (and the collector), replaces recycled ones (max-requests,
 * SIGHUP) before draining the old, forwards SIGTERM/SIGINT, and writes the pidfile.
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
import { logger } from "../logging.ts";
import { heartbeatMs, LineWriter, readLines, type WorkerMessage } from "./channel.ts";
import { CollectorFailed, CollectorProcess } from "./collector_process.ts";
import {
  COLLECTOR_SOCKET_NAME,
  makePrivateDir,
  SOCKET_NAME,
  sweepStaleDirs,
} from "./private_dir.ts";
import { COLLECTOR_ENV, CONTROL_ENV, exposeGcEnv, ROLE_ENV, selfCommand } from "./self.ts";

const log = logger("supervisor");

/** How long a replacement may take to become ready before the old worker is stopped anyway. */
const READY_TIMEOUT_MS = 60_000;

type Role = "rest" | "grpc";

interface Worker {
  readonly role: Role;
  readonly child: Deno.ChildProcess;
  readonly pid: number;
  readonly ready: Promise<void>;
  markReady(): void;
  isReady: boolean;
  /** Being replaced or shut down: its exit is expected and its metrics are dropped. */
  retiring: boolean;
  /** When its last heartbeat arrived (REST workers under a timeout). */
  lastBeat: number;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
async function stopChild(child: Deno.ChildProcess, graceMs: number): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, graceMs);
  await child.status;
  clearTimeout(timer);
}

function freePort(hostname: string): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Runs the supervisor until shutdown; resolves with the process exit status. */
export async function runSupervisor(config: Config): Promise<number> {
  // Fail fast, before any process or port, on bad parameters. The model itself is never
  // imported here: the first worker that cannot import or construct it reports why
  // (`bootFailed`), and the server stops with that status.
  parseParameters(config.parameters);
  /** `--graceful-timeout`: how long a stopping worker may take before it is killed. */
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
  let control: Deno.Listener;
  try {
    control = Deno.listen({ transport: "unix", path: socketPath });
    if (config.pidfile) await Deno.writeTextFile(config.pidfile, `${Deno.pid}\n`);
  } catch (err) {
    await cleanup();
    throw err;
  }
  const workers = new Map<number, Worker>();
  let shuttingDown = false;
  let exitCode = 0;
  /** A worker reported that the model cannot be loaded (printed once). */
  let bootFailed = false;
  /** The `customService()` process, once a worker reported the model has one. */
  let custom: Deno.ChildProcess | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const httpPort = config.httpPort || freePort(config.host);
  const grpcPort = config.grpcPort || freePort(config.host);
  // A fixed port, so a restarted collector serves where the first one did.
  const metricsPort = config.metricsPort || freePort(config.host);
  const self = selfCommand();
  const gcEnv = exposeGcEnv();
  const childArgs = [
    ...self.args,
    ...Deno.args,
    "--http-port",
    String(httpPort),
    "--grpc-port",
    String(grpcPort),
  ];

  let tracingEnv: Record<string, string> = {};
  if (config.tracing !== 0) {
    log.info("Initializing tracing");
    const setup = tracingSetup(config.interfaceName, Deno.env.toObject());
    for (const warning of setup.warnings) log.warning(warning);
    tracingEnv = setup.env;
    log.info("Tracing: OpenTelemetry export to {endpoint}", {
      endpoint: tracingEnv.OTEL_EXPORTER_OTLP_ENDPOINT ??
        Deno.env.get("OTEL_EXPORTER_OTLP_ENDPOINT") ??
        Deno.env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    });
  }

  // The collector first: a metrics port held by another program fails before any worker runs.
  let collector: CollectorProcess;
  try {
    collector = await CollectorProcess.start({
      command: self.command,
      args: [...childArgs, "--metrics-port", String(metricsPort)],
      env: { ...gcEnv },
      socket: join(dir, COLLECTOR_SOCKET_NAME),
      liveWorkers: () =>
        [...workers.values()].filter((w) => w.isReady && !w.retiring).map((w) => w.pid),
    });
  } catch (err) {
    control.close();
    await cleanup();
    if (err instanceof CollectorFailed) return err.code || 1;
    throw err;
  }
  log.info("REST metrics microservice running on port {port}", { port: metricsPort });
  log.info("Starting servers");

  function spawn(role: Role): Worker {
    const child = new Deno.Command(self.command, {
      args: childArgs,
      env: {
        ...tracingEnv,
        ...gcEnv,
        [ROLE_ENV]: role,
        [CONTROL_ENV]: socketPath,
        [COLLECTOR_ENV]: join(dir, COLLECTOR_SOCKET_NAME),
      },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const worker: Worker = {
      role,
      child,
      pid: child.pid,
      ready,
      markReady: () => {
        worker.isReady = true;
        markReady();
      },
      isReady: false,
      retiring: false,
      lastBeat: Date.now(),
    };
    workers.set(child.pid, worker);
    log.info("Booting {role} worker with pid: {pid}", { role, pid: child.pid });
    child.status.then((status) => onExit(worker, status));
    return worker;
  }

  /** The `customService()` process: started once, not restarted, stopped with the server. */
  function spawnCustomService(): Deno.ChildProcess {
    const child = new Deno.Command(self.command, {
      args: childArgs,
      env: { [ROLE_ENV]: "custom", [CONTROL_ENV]: socketPath },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    log.info("Starting custom service with pid: {pid}", { pid: child.pid });
    child.status.then((status) => {
      if (!shuttingDown) {
        log.warning("Custom service {pid} exited ({code})", {
          pid: child.pid,
          code: status.signal ?? status.code,
        });
      }
    });
    return child;
  }

  function onExit(worker: Worker, status: Deno.CommandStatus): void {
    workers.delete(worker.pid);
    collector.forget(worker.pid);
    if (shuttingDown || worker.retiring) {
      if (workers.size === 0 && shuttingDown) resolveDone();
      return;
    }
    if (!worker.isReady) {
      log.error("Worker failed to boot (pid {pid}, exit {code}).", {
        pid: worker.pid,
        code: status.code,
      });
      // 1: the model could not be imported or constructed (upstream fails in its main process)
      // or the port is held by another program; otherwise load() failed, gunicorn's "Worker
      // failed to boot" status 3.
      shutdown(status.code === 1 ? 1 : 3);
      return;
    }
    log.warning("{role} worker {pid} exited ({code}); starting a replacement", {
      role: worker.role,
      pid: worker.pid,
      code: status.signal ?? status.code,
    });
    spawn(worker.role);
  }

  /**
   * Starts replacements first, then drains the old workers (no gap with one worker). They are
   * told to stop together: a listener closing while a sibling's clients reconnect would reset
   * the connections queued on it. A worker still running after the grace is killed (it
   * answers what it could not finish shortly before, see worker.ts).
   */
  async function replace(olds: Worker[]): Promise<void> {
    olds = olds.filter((old) => !old.retiring);
    if (olds.length === 0 || shuttingDown) return;
    for (const old of olds) old.retiring = true;
    const fresh = olds.map((old) => spawn(old.role).ready);
    await Promise.race([Promise.all(fresh), new Promise((r) => setTimeout(r, READY_TIMEOUT_MS))]);
    for (const old of olds) {
      collector.clear(old.pid);
      kill(old, "SIGTERM");
      const timer = setTimeout(() => kill(old, "SIGKILL"), graceMs);
      Deno.unrefTimer(timer);
      old.child.status.then(() => clearTimeout(timer));
    }
  }

  function kill(worker: Worker, signal: Deno.Signal): void {
    try {
      worker.child.kill(signal);
    } catch { /* already gone */ }
  }

  function shutdown(code: number): void {
    if (shuttingDown) return;
    shuttingDown = true;
    exitCode = code;
    log.info("Shutting down: Master");
    if (workers.size === 0) resolveDone();
    for (const worker of workers.values()) kill(worker, "SIGTERM");
    const timer = setTimeout(() => {
      for (const worker of workers.values()) {
        log.warning("Worker {pid} did not stop in time: killing it", { pid: worker.pid });
        kill(worker, "SIGKILL");
      }
    }, graceMs);
    Deno.unrefTimer(timer);
  }

  async function serveConnection(conn: Deno.Conn): Promise<void> {
    const writer = new LineWriter(conn);
    for await (const raw of readLines(conn)) {
      const msg = raw as WorkerMessage;
      const worker = workers.get(msg.pid);
      if (msg.op === "loaded") {
        // The first worker to load the model tells whether it has a `customService()`.
        if (msg.customService && custom === undefined && !shuttingDown) {
          custom = spawnCustomService();
        }
      } else if (msg.op === "bootFailed") {
        // Every worker finds the same failure: print the first, stop everything.
        if (!bootFailed) {
          bootFailed = true;
          console.error(msg.message);
        }
        shutdown(msg.status);
        writer.send({ id: msg.id }).catch(() => {});
      } else if (msg.op === "beat") {
        if (worker) worker.lastBeat = Date.now();
      } else if (msg.op === "ready") {
        if (worker) worker.lastBeat = Date.now();
        worker?.markReady();
      } else if (msg.op === "recycle" && worker) {
        log.info("Replacing worker {pid} at its request ({reason})", {
          pid: msg.pid,
          reason: msg.reason ?? "max requests",
        });
        replace([worker]);
      }
    }
  }

  (async () => {
    for await (const conn of control) serveConnection(conn).catch(() => {});
  })().catch(() => {});

  const annotations = serverAnnotations(config, annotationLog(log));
  const timeoutMs = annotations.restTimeoutMs;
  // A non-integer `seldon.io/grpc-max-message-size` makes upstream's gRPC workers crash at
  // start; REST and metrics keep serving (server.md §1.7).
  let grpcWorkers = config.grpcWorkers;
  if (grpcWorkers > 0 && annotations.grpcError !== undefined) {
    log.error("gRPC workers not started: {error}", { error: annotations.grpcError });
    grpcWorkers = 0;
  }
  // gunicorn's worker timeout (5000 s without the annotation): a REST worker silent for longer
  // than the timeout is killed (its client sees the connection closed) and replaced by the crash
  // path.
  const watchdog = setInterval(() => {
    for (const worker of workers.values()) {
      if (worker.role !== "rest" || !worker.isReady || worker.retiring) continue;
      if (Date.now() - worker.lastBeat > timeoutMs) {
        log.error("WORKER TIMEOUT (pid:{pid})", { pid: worker.pid });
        worker.lastBeat = Infinity;
        kill(worker, "SIGKILL");
      }
    }
  }, heartbeatMs(timeoutMs));
  Deno.unrefTimer(watchdog);

  const onSignal = (code: number) => () => shutdown(code);
  Deno.addSignalListener("SIGTERM", onSignal(0));
  Deno.addSignalListener("SIGINT", onSignal(130));
  Deno.addSignalListener("SIGHUP", () => {
    log.info("Handling signal: hup; restarting REST workers");
    replace([...workers.values()].filter((worker) => worker.role === "rest"));
  });

  const initial: Worker[] = [];
  for (let i = 0; i < grpcWorkers; i++) initial.push(spawn("grpc"));
  for (let i = 0; i < config.workers; i++) initial.push(spawn("rest"));
  await Promise.race([Promise.all(initial.map((w) => w.ready)), done]);
  if (!shuttingDown) {
    if (grpcWorkers > 0) {
      log.info("GRPC microservice running on port {port} with {n} processes", {
        port: grpcPort,
        n: config.grpcWorkers,
      });
    }
    log.info("REST microservice running on port {port} with {n} workers", {
      port: httpPort,
      n: config.workers,
    });
    log.info("Predictions: POST {url}/api/v1.0/predictions", {
      url: restUrl(config.host, httpPort),
    });
  }
  await done;
  if (custom) await stopChild(custom, graceMs);
  // Last, so metrics recorded during the drain stay visible until the end.
  await collector.stop(graceMs);
  control.close();
  await cleanup();
  return exitCode;
}
