/**
 * An accept loop that survives failed accepts: out of file descriptors (EMFILE), the listener
 * pauses with a growing backoff — the kernel's backlog waits — instead of dying, and resumes.
 * @module
 */
import { logger } from "../logging.ts";

const log = logger("http");

/** Longest pause after a failed accept. */
const MAX_BACKOFF_MS = 1_000;

/**
 * Hands every connection `listener` accepts to `onConnection` until the listener is closed
 * (or `stopped()` says so); resolves then.
 */
export async function acceptLoop(
  listener: Deno.Listener,
  onConnection: (conn: Deno.Conn) => void,
  stopped: () => boolean,
): Promise<void> {
  let backoff = 0;
  let failures = 0;
  for (;;) {
    let conn: Deno.Conn;
    try {
      conn = await listener.accept();
      backoff = 0;
    } catch (err) {
      if (stopped() || err instanceof Deno.errors.BadResource) return;
      if (failures++ % 100 === 0) {
        log.warning("Accepting connections failed ({n}x so far): {error}", {
          n: failures,
          error: String(err),
        });
      }
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2 || 10);
      await new Promise((resolve) => setTimeout(resolve, backoff));
      continue;
    }
    onConnection(conn);
  }
}
