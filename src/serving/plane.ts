/**
 * Booting a serving process's data plane: build it (which calls `initMetadata`), then run
 * `load()` — in that order, as upstream (server.md §4.4) — and read the server annotations.
 * What every transport of a serving process shares.
 * @module
 */
import type { SeldonComponent } from "../component/api.ts";
import { runLoad } from "../component/loader.ts";
import type { Config } from "../config/options.ts";
import { annotationLog, serverAnnotations } from "../config/server_annotations.ts";
import type { ServerAnnotations } from "../config/server_annotations.ts";
import { type BatchingOptions, DataPlane } from "../dataplane/dataplane.ts";
import { logger } from "../logging.ts";
import type { MetricsRecorder } from "../metrics/custom.ts";

const log = logger("microservice");

/** A booted data plane and the annotations its transports are tuned by. */
export interface Booted {
  readonly plane: DataPlane;
  readonly annotations: ServerAnnotations;
}

/**
 * Builds the data plane, runs `load()` and reads the annotations; custom metrics go to
 * `recorder`, batched model calls (`--max-batch-size` > 1) are told to `onBatch`.
 */
export async function bootPlane(
  component: SeldonComponent,
  config: Config,
  recorder: MetricsRecorder,
  onBatch?: BatchingOptions["onBatch"],
): Promise<Booted> {
  const plane = await DataPlane.create(component, {
    includeMetrics: config.includeMetricsInResponse,
    unitId: config.unitId,
    unitImage: config.unitImage,
    executorEnabled: config.executorEnabled,
    recorder,
    modelMetadata: config.modelMetadata,
    logError: (message) => log.error(message),
    modelName: config.modelName,
    batching: config.maxBatchSize > 1
      ? { maxRows: config.maxBatchSize, maxTimeMs: config.maxBatchTimeMs, onBatch }
      : undefined,
  });
  // initMetadata ran above: metadata cannot depend on load() (server.md §4.4).
  await timedLoad(component);
  plane.oip.markLoaded();
  return { plane, annotations: serverAnnotations(config, annotationLog(log)) };
}

/** Runs `load()` (when the model has one), logging when it starts and how long it took. */
async function timedLoad(component: SeldonComponent): Promise<void> {
  if (typeof component.load !== "function") return;
  log.info("Running load() in process {pid}", { pid: Deno.pid });
  const start = performance.now();
  await runLoad(component);
  log.info("load() took {seconds} s", { seconds: ((performance.now() - start) / 1000).toFixed(3) });
}

/** Logs a "running on port" line: at INFO when `announce`, else at DEBUG (workers). */
export function announcer(announce: boolean): (message: string, port: number) => void {
  return (message, port) => announce ? log.info(message, { port }) : log.debug(message, { port });
}
