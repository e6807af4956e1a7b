/**
 * Coarse deadlines for request bodies: one shared ticker instead of a timer per request, so the
 * hot path (a small body that is already there) pays a `Set` insert and delete, not a timer.
 * Deadlines fire up to {@link TICK_MS} late.
 * @module
 */

/** How often pending deadlines are checked, in ms. */
export const TICK_MS = 250;

/** A pending deadline: `expire` is called once `at` (epoch ms) has passed, unless cleared. */
export interface Deadline {
  readonly at: number;
  readonly expire: () => void;
}

const pending = new Set<Deadline>();
let ticker: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  const now = Date.now();
  for (const d of pending) {
    if (d.at <= now) {
      pending.delete(d);
      d.expire();
    }
  }
  if (pending.size === 0) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

/** Calls `expire` about `ms` from now unless {@link clearDeadline} comes first. */
export function setDeadline(ms: number, expire: () => void): Deadline {
  const deadline = { at: Date.now() + ms, expire };
  pending.add(deadline);
  if (ticker === undefined) {
    ticker = setInterval(tick, TICK_MS); // stops once no deadline is pending
  }
  return deadline;
}

/** Cancels a deadline (a no-op once it has fired). */
export function clearDeadline(deadline: Deadline): void {
  pending.delete(deadline);
}
