/**
 * The single-process role (`--debug`): the model, REST, gRPC and the metrics port in this
 * process, no workers. Loads everything.
 * @module
 */
import { errorText, failureText } from "../error_text.ts";
import type { Config } from "../config/options.ts";
import { logger } from "../logging.ts";
import { startServing } from "../serve.ts";
import { loadComponent } from "../serving/component.ts";
import { answerUnfinishedAfterMs } from "./grace.ts";

const log = logger("microservice");

/** Serves until SIGINT or SIGTERM; resolves with the exit status. */
export async function runSingle(config: Config): Promise<number> {
  let component;
  try {
    component = await loadComponent(config);
  } catch (err) {
    console.error(failureText(err));
    return 1;
  }
  log.info("Starting servers");
  let running;
  const terminating = new AbortController();
  try {
    running = await startServing(component, config, { terminating: terminating.signal });
  } catch (err) {
    // A port in use is a start-up error (1, naming the port), as in a worker.
    if (err instanceof Deno.errors.AddrInUse) {
      log.error("{error}", { error: errorText(err) });
      return 1;
    }
    log.error("Worker failed to boot: {error}", { error: failureText(err) });
    return 3;
  }
  // SIGTERM drains in-flight requests for up to the grace period; SIGINT stops at once
  // (upstream's quick shutdown drops in-flight requests).
  await new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
    Deno.addSignalListener("SIGTERM", () => {
      const graceMs = config.gracefulTimeout * 1000;
      // Unfinished requests are answered (503 / UNAVAILABLE) before the grace runs out.
      const answer = setTimeout(() => terminating.abort(), answerUnfinishedAfterMs(graceMs));
      const timer = setTimeout(() => {
        log.warning("In-flight requests did not finish in {s} s: stopping anyway", {
          s: config.gracefulTimeout,
        });
        resolve();
      }, config.gracefulTimeout * 1000);
      running.stop().then(() => {
        clearTimeout(answer);
        clearTimeout(timer);
        resolve();
      });
    });
  });
  return 0;
}
