/**
 * A worker process's life (roles `rest` and `grpc`, started by the supervisor): loads the model
 * — or tells the supervisor why it could not, which stops the server with status 1 — runs
 * `load()`, serves its one transport on the shared port, sends custom metrics to the
 * supervisor, asks to be recycled after `--max-requests` (+ jitter) requests, and drains on
 * SIGTERM. Each role's entry (`rest_worker.ts`, `grpc_worker.ts`) brings its own transport, so a
 * worker loads only the stack it serves.
 * @module
 */
import { failureText } from "../error_text.ts";
import type { Config } from "../config/options.ts";
import { logger } from "../logging.ts";
import { loadModel } from "../serving/component.ts";
import { type Booted, bootPlane } from "../serving/plane.ts";
import { heartbeatMs, WorkerChannel } from "../supervisor/channel.ts";
import { CONTROL_ENV } from "../supervisor/self.ts";

const log = logger("worker");

/** How long a worker that could not load the model waits for the supervisor to take note. */
const BOOT_FAILED_ACK_MS = 5_000;

/** What a REST worker's transport calls back (max-requests counting, stuck requests). */
export interface RequestHooks {
  readonly onRequest?: () => void;
  readonly onStuck?: () => void;
}

/** The transport a worker serves: started on the booted data plane, sharing its port. */
export interface WorkerTransport {
  readonly role: "rest" | "grpc";
  start(booted: Booted, hooks: RequestHooks): Promise<{ port: number; shutdown(): Promise<void> }>;
}

/** This worker's request limit: `maxRequests + randint(0, jitter)`; 0 means never. */
export function requestLimit(config: Config): number {
  return config.maxRequests + Math.floor(Math.random() * (config.maxRequestsJitter + 1));
}

/** Runs one worker until it is told to stop; resolves with the exit status. */
export async function runWorker(config: Config, transport: WorkerTransport): Promise<number> {
  const role = transport.role;
  const socket = Deno.env.get(CONTROL_ENV);
  if (!socket) {
    log.error("worker started without a supervisor");
    return 1;
  }
  const channel = await WorkerChannel.connect(socket);
  // The terminal's Ctrl-C reaches the whole process group: the supervisor orchestrates the stop.
  Deno.addSignalListener("SIGINT", () => {});
  const loaded = await loadModel(config);
  if (!loaded.ok) {
    // The supervisor prints the failure once (every worker finds the same) and stops the server.
    const { stage, status, error } = loaded.failure;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      channel.bootFailed(stage, status, failureText(error)).catch(() => {}),
      new Promise((resolve) => (timer = setTimeout(resolve, BOOT_FAILED_ACK_MS))),
    ]);
    clearTimeout(timer);
    channel.close();
    return status;
  }
  await channel.loaded(loaded.customService).catch(() => {});
  const limit = role === "rest" ? requestLimit(config) : 0;
  let served = 0;
  const onRequest = limit > 0
    ? () => {
      if (++served === limit) {
        log.info("Autorestarting worker after current request.");
        channel.recycle().catch(() => {});
      }
    }
    : undefined;
  // A request that overran the REST timeout and still has not settled long after keeps its
  // `--threads` slot (a hook promise may never settle): like a stuck gunicorn worker, this
  // worker is replaced so later requests do not queue behind it for ever.
  let stuck = false;
  const onStuck = () => {
    if (stuck) return;
    stuck = true;
    log.error("WORKER TIMEOUT (pid:{pid}): a request is stuck past the REST timeout; restarting", {
      pid: Deno.pid,
    });
    channel.recycle().catch(() => {});
  };
  let booted: Booted;
  let server: { port: number; shutdown(): Promise<void> };
  try {
    booted = await bootPlane(loaded.component, config, channel);
    server = await transport.start(
      booted,
      role === "rest" ? { onRequest, onStuck } : {},
    );
  } catch (err) {
    log.error("Worker failed to boot: {error}", {
      error: failureText(err),
    });
    // A port held by another program is a start-up error (status 1, as gunicorn's "Can't
    // connect"); anything else failed in load(): gunicorn's "Worker failed to boot" (3).
    return err instanceof Deno.errors.AddrInUse ? 1 : 3;
  }
  await channel.ready(role, server.port).catch(() => {});
  // With a REST timeout, heartbeats let the supervisor kill a worker whose event loop is stuck
  // in synchronous model code (gunicorn's worker timeout).
  const timeoutMs = booted.annotations.restTimeoutMs;
  const beats = role === "rest" && timeoutMs !== undefined
    ? setInterval(() => channel.beat().catch(() => {}), heartbeatMs(timeoutMs))
    : undefined;
  const orphaned = channel.closed.then(() => true);
  const terminated = new Promise<boolean>((resolve) => {
    Deno.addSignalListener("SIGTERM", () => resolve(false));
  });
  if (await Promise.race([terminated, orphaned])) {
    log.warning("The supervisor is gone: stopping worker {pid}", { pid: Deno.pid });
  }
  await server.shutdown();
  clearInterval(beats);
  channel.close();
  return 0;
}
