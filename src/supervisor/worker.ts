/**
 * A worker process (role `rest` or `grpc`, started by the supervisor): constructs the model,
 * runs `load()`, serves its transport on the shared port, sends custom metrics to the
 * supervisor, asks to be recycled after `--max-requests` (+ jitter) requests, and drains on
 * SIGTERM.
 * @module
 */
import type { Config } from "../config/options.ts";
import { logger } from "../logging.ts";
import { loadComponent, startServing } from "../serve.ts";
import { heartbeatMs, WorkerChannel } from "./channel.ts";
import { CONTROL_ENV } from "./self.ts";

const log = logger("worker");

/** This worker's request limit: `maxRequests + randint(0, jitter)`; 0 means never. */
export function requestLimit(config: Config): number {
  return config.maxRequests + Math.floor(Math.random() * (config.maxRequestsJitter + 1));
}

/** Runs one worker until it is told to stop; resolves with the exit status. */
export async function runWorker(role: "rest" | "grpc", config: Config): Promise<number> {
  const socket = Deno.env.get(CONTROL_ENV);
  if (!socket) {
    log.error("worker started without a supervisor");
    return 1;
  }
  const channel = await WorkerChannel.connect(socket);
  // The terminal's Ctrl-C reaches the whole process group: the supervisor orchestrates the stop.
  Deno.addSignalListener("SIGINT", () => {});
  let component;
  try {
    component = await loadComponent(config);
  } catch (err) {
    log.error("Failed to load the model: {error}", {
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    return 1;
  }
  const limit = role === "rest" ? requestLimit(config) : 0;
  let served = 0;
  const onRestRequest = limit > 0
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
  const onRestStuck = () => {
    if (stuck) return;
    stuck = true;
    log.error("WORKER TIMEOUT (pid:{pid}): a request is stuck past the REST timeout; restarting", {
      pid: Deno.pid,
    });
    channel.recycle().catch(() => {});
  };
  let running;
  try {
    running = await startServing(component, config, {
      reusePort: true,
      recorder: channel,
      rest: role === "rest",
      grpc: role === "grpc",
      metrics: false,
      onRestRequest,
      onRestStuck: role === "rest" ? onRestStuck : undefined,
      announce: false,
    });
  } catch (err) {
    log.error("Worker failed to boot: {error}", {
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    // A port held by another program is a start-up error (status 1, as gunicorn's "Can't
    // connect"); anything else failed in load(): gunicorn's "Worker failed to boot" (3).
    return err instanceof Deno.errors.AddrInUse ? 1 : 3;
  }
  const port = role === "rest" ? running.rest!.port : running.grpc!.port;
  await channel.ready(role, port).catch(() => {});
  // With a REST timeout, heartbeats let the supervisor kill a worker whose event loop is stuck
  // in synchronous model code (gunicorn's worker timeout).
  const timeoutMs = running.annotations.restTimeoutMs;
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
  await running.stop();
  clearInterval(beats);
  channel.close();
  return 0;
}
