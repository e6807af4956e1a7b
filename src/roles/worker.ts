/**
 * A worker process's life (roles `rest` and `grpc`, started by the supervisor): loads the model
 * — or tells the supervisor why it could not, which stops the server with status 1 — runs
 * `load()`, serves its one transport on the shared port, keeps its own metrics (which the
 * collector process asks for at each scrape), asks to be recycled after `--max-requests` (+ jitter) requests, and drains on
 * SIGTERM. Each role's entry (`rest_worker.ts`, `grpc_worker.ts`) brings its own transport, so a
 * worker loads only the stack it serves.
 * @module
 */
import { failureText } from "../error_text.ts";
import type { Config } from "../config/options.ts";
import { logger } from "../logging.ts";
import { classNameOf, loadModel } from "../serving/component.ts";
import { type Booted, bootPlane } from "../serving/plane.ts";
import { heartbeatMs, WorkerChannel } from "../supervisor/channel.ts";
import { removeOrphanedDir } from "../supervisor/private_dir.ts";
import { COLLECTOR_ENV, CONTROL_ENV } from "../supervisor/self.ts";
import { MetricsStore } from "../metrics/store.ts";
import { CollectorLink } from "./collector_link.ts";
import { answerUnfinishedAfterMs } from "./grace.ts";
import { compactAfterStart, idleCollector, memoryCheck, mib, takeGc } from "./memory.ts";

const log = logger("worker");

/** How long a worker that could not load the model waits for the supervisor to take note. */
const BOOT_FAILED_ACK_MS = 5_000;
/** How long a REST worker waits for its link to the metrics collector before it binds anyway. */
const COLLECTOR_WAIT_MS = 1_000;

/** What a worker's transport calls back and listens to. */
export interface RequestHooks {
  /** Called after every request (max-requests counting, the memory check). */
  readonly onRequest?: (operation: string, status: string, seconds: number) => void;
  /** Called when a REST request is stuck long after its timeout. */
  readonly onStuck?: () => void;
  /** Aborted when the grace period is about to run out: unfinished requests are answered. */
  readonly terminating?: AbortSignal;
}

/** A worker's running transport. */
export interface WorkerServer {
  readonly port: number;
  /**
   * Stops accepting (see {@link WorkerServer.listenerClosed}) and lets in-flight requests
   * finish (gRPC: forced after `graceMs`); clients are told to go once `siblingsClosed` settles.
   */
  shutdown(graceMs?: number, siblingsClosed?: Promise<void>): Promise<void>;
  /** Settles once, after `shutdown`, its listener is closed for good. */
  readonly listenerClosed: Promise<void>;
}

/** The transport a worker serves: started on the booted data plane, sharing its port. */
export interface WorkerTransport {
  readonly role: "rest" | "grpc";
  start(booted: Booted, hooks: RequestHooks): Promise<WorkerServer>;
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
  const gc = takeGc();
  const channel = await WorkerChannel.connect(socket);
  // The terminal's Ctrl-C reaches the whole process group: the supervisor orchestrates the stop.
  Deno.addSignalListener("SIGINT", () => {});
  const loaded = await loadModel(config);
  if (!loaded.ok) {
    // The supervisor prints the failure once (every worker finds the same) and stops the server.
    const { stage, status, error } = loaded.failure;
    await firstOf(
      channel.bootFailed(stage, status, failureText(error)).catch(() => {}),
      BOOT_FAILED_ACK_MS,
    );
    channel.close();
    return status;
  }
  await channel.loaded(loaded.customService, classNameOf(loaded.component)).catch(() => {});
  // This worker's cumulative metrics live here; the collector asks for them at each scrape.
  const store = new MetricsStore();
  // prom-client is loaded only when the built-in metrics (or the batch metrics) are on.
  const batching = config.maxBatchSize > 1;
  const builtin = config.builtinMetrics || batching
    ? new (await import("../metrics/builtin.ts")).BuiltinMetrics({
      requests: config.builtinMetrics,
      batches: batching,
    })
    : undefined;
  const collectorPath = Deno.env.get(COLLECTOR_ENV);
  const link = collectorPath
    ? new CollectorLink(collectorPath, role, async () => ({
      series: store.series(),
      builtin: await builtin?.snapshot(),
    }))
    : undefined;
  const observe: OnRequest | undefined = builtin && config.builtinMetrics
    ? (operation, status, seconds) => builtin.observe(role, operation, status, seconds)
    : undefined;
  const limit = role === "rest" ? requestLimit(config) : 0;
  let served = 0;
  const countRequest = limit > 0
    ? () => {
      if (++served === limit) {
        log.info("Autorestarting worker after current request.");
        channel.recycle("max requests").catch(() => {});
      }
    }
    : undefined;
  const checkMemory = config.maxWorkerMemory > 0
    ? memoryCheck(config.maxWorkerMemory, (rss) => {
      log.warning("Worker {pid} uses {rss} MiB, above --max-worker-memory: restarting", {
        pid: Deno.pid,
        rss: mib(rss),
      });
      channel.recycle(`memory: RSS ${mib(rss)} MiB > ${mib(config.maxWorkerMemory)} MiB`)
        .catch(() => {});
    })
    : undefined;
  const collector = gc ? idleCollector(gc) : undefined;
  const onRequest = allOf([observe, countRequest, checkMemory, collector?.onRequest]);
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
    channel.recycle("REST timeout").catch(() => {});
  };
  const terminating = new AbortController();
  let booted: Booted;
  let server: WorkerServer;
  try {
    booted = await bootPlane(loaded.component, config, store, builtin?.observeBatch);
    // The metrics port answers once `/health/ping` does (the collector boots beside the REST
    // workers; supervisor.ts), unless it is slower than COLLECTOR_WAIT_MS.
    if (role === "rest" && link) await firstOf(link.connected, COLLECTOR_WAIT_MS);
    server = await transport.start(booted, {
      onRequest,
      onStuck: role === "rest" ? onStuck : undefined,
      terminating: terminating.signal,
    });
  } catch (err) {
    log.error("Worker failed to boot: {error}", {
      error: failureText(err),
    });
    // A port held by another program is a start-up error (status 1, as gunicorn's "Can't
    // connect"); anything else failed in load(): gunicorn's "Worker failed to boot" (3).
    return err instanceof Deno.errors.AddrInUse ? 1 : 3;
  }
  await channel.ready(role, server.port).catch(() => {});
  const cancelCompaction = gc ? compactAfterStart(gc) : undefined;
  if (config.maxWorkerMemory > 0 && Deno.memoryUsage().rss > config.maxWorkerMemory) {
    log.warning("Worker {pid} uses {rss} MiB once loaded, above --max-worker-memory", {
      pid: Deno.pid,
      rss: mib(Deno.memoryUsage().rss),
    });
  }
  // Heartbeats let the supervisor kill a REST worker whose event loop is stuck in synchronous
  // model code (gunicorn's worker timeout; 5000 s without the annotation).
  const beats = role === "rest"
    ? setInterval(
      () => channel.beat().catch(() => {}),
      heartbeatMs(booted.annotations.restTimeoutMs),
    )
    : undefined;
  const orphaned = channel.closed.then(() => true);
  const terminated = new Promise<boolean>((resolve) => {
    Deno.addSignalListener("SIGTERM", () => resolve(false));
  });
  const isOrphan = await Promise.race([terminated, orphaned]);
  // A stopping worker's series leave the metrics port at once (upstream clears them at exit).
  link?.close();
  if (isOrphan) {
    log.warning("The supervisor is gone: stopping worker {pid}", { pid: Deno.pid });
  }
  // Requests still unfinished shortly before the supervisor's SIGKILL are answered (503 /
  // UNAVAILABLE) rather than cut.
  const graceMs = config.gracefulTimeout * 1000;
  const answer = setTimeout(() => terminating.abort(), answerUnfinishedAfterMs(graceMs));
  // Workers stopped together drain once all their listeners are closed (the supervisor says so
  // when each has reported it).
  const stopped = server.shutdown(graceMs, channel.drain);
  server.listenerClosed.then(() => channel.listenerClosed()).catch(() => {});
  await stopped;
  clearTimeout(answer);
  clearInterval(beats);
  collector?.stop();
  cancelCompaction?.();
  channel.close();
  // A supervisor killed with -9 could not remove its private folder.
  if (isOrphan) await removeOrphanedDir(socket);
  return 0;
}

type OnRequest = (operation: string, status: string, seconds: number) => void;

/** Settles when `promise` does or after `ms`, whichever is first (the timer then cleared). */
async function firstOf(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * One callback calling each of `callbacks` that is defined (none: `undefined`). When none of
 * them declares a parameter, neither does the result: the transports then skip timing and
 * classifying each request (see `RestOptions.onRequest`).
 */
function allOf(callbacks: readonly (OnRequest | undefined)[]): OnRequest | undefined {
  const defined: OnRequest[] = [];
  for (const f of callbacks) if (f !== undefined) defined.push(f);
  if (defined.length <= 1) return defined[0];
  if (defined.every((f) => f.length === 0)) {
    const plain = defined as (() => void)[];
    return () => {
      for (const f of plain) f();
    };
  }
  return (operation, status, seconds) => {
    for (const f of defined) f(operation, status, seconds);
  };
}
