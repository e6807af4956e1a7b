/**
 * Coarse deadlines for request bodies: one shared ticker instead of a timer per request, so the
 * hot path (a small body that is already there) pays linking and unlinking one list node, not a
 * timer (nor a `Set` entry, which costs an identity hash per object). Deadlines fire up to
 * {@link TICK_MS} late.
 * @module
 */

/** How often pending deadlines are checked, in ms. */
export const TICK_MS = 250;

/** A pending deadline: `expire` is called once `at` (epoch ms) has passed, unless cleared. */
export class Deadline {
  /** Neighbours in the pending list (both unset once fired or cleared). */
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  pending = true;

  constructor(readonly at: number, readonly expire: () => void) {}
}

let head: Deadline | undefined;
let tail: Deadline | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;

function unlink(d: Deadline): void {
  d.pending = false;
  if (d.prev) d.prev.next = d.next;
  else head = d.next;
  if (d.next) d.next.prev = d.prev;
  else tail = d.prev;
  d.prev = d.next = undefined;
}

function tick(): void {
  const now = Date.now();
  for (let d = head; d !== undefined;) {
    const next = d.next;
    // `pending`: an `expire` that cleared a later deadline leaves it unlinked (and `next` unset).
    if (d.pending && d.at <= now) {
      unlink(d);
      d.expire();
    }
    d = next;
  }
  if (head === undefined) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

/** Calls `expire` about `ms` from now unless {@link clearDeadline} comes first. */
export function setDeadline(ms: number, expire: () => void): Deadline {
  const deadline = new Deadline(Date.now() + ms, expire);
  if (tail === undefined) head = deadline;
  else {
    tail.next = deadline;
    deadline.prev = tail;
  }
  tail = deadline;
  if (ticker === undefined) {
    ticker = setInterval(tick, TICK_MS); // stops once no deadline is pending
  }
  return deadline;
}

/** Cancels a deadline (a no-op once it has fired or was cleared). */
export function clearDeadline(deadline: Deadline): void {
  if (deadline.pending) unlink(deadline);
}
