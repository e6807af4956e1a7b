/**
 * The custom-service role (metrics-and-processes.md §1.8, upstream `custom_service`): a process
 * of its own that constructs the component — without `load()` — and runs its `customService()`
 * until the supervisor stops it or goes away.
 * @module
 */
import { failureText } from "../error_text.ts";
import type { Config } from "../config/options.ts";
import { logger } from "../logging.ts";
import { loadComponent } from "../serving/component.ts";
import { WorkerChannel } from "../supervisor/channel.ts";
import { CONTROL_ENV } from "../supervisor/self.ts";

const log = logger("custom_service");

/** Runs the custom service until SIGTERM or the supervisor's exit; resolves with the status. */
export async function runCustomService(config: Config): Promise<number> {
  const socket = Deno.env.get(CONTROL_ENV);
  const channel = socket ? await WorkerChannel.connect(socket) : undefined;
  // The terminal's Ctrl-C reaches the whole process group: the supervisor orchestrates the stop.
  Deno.addSignalListener("SIGINT", () => {});
  const stopped = new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGTERM", () => resolve());
    channel?.closed.then(() => resolve());
  });
  try {
    const component = await loadComponent(config);
    log.info("Starting custom service");
    await component.customService!();
  } catch (err) {
    log.error("Custom service failed: {error}", {
      error: failureText(err),
    });
    channel?.close();
    return 1;
  }
  await stopped;
  channel?.close();
  return 0;
}
