/**
 * The `rest` worker role: a worker serving REST on the shared port. Loads the REST stack only.
 * @module
 */
import type { Config } from "../config/options.ts";
import { serveRest } from "../serving/rest.ts";
import { runWorker } from "./worker.ts";

/** Runs a REST worker until it is told to stop; resolves with the exit status. */
export function runRestWorker(config: Config): Promise<number> {
  return runWorker(config, {
    role: "rest",
    start: ({ plane, annotations }, hooks) => {
      const rest = serveRest(plane, config, annotations, {
        reusePort: true,
        announce: false,
        ...hooks,
      });
      // REST has no forced end: the supervisor's SIGKILL after the grace is the limit.
      return Promise.resolve({
        port: rest.port,
        listenerClosed: rest.listenerClosed,
        shutdown: (_graceMs, siblingsClosed) => rest.shutdown(siblingsClosed),
      });
    },
  });
}
