/**
 * The graceful timeout (`--graceful-timeout`, gunicorn's `graceful_timeout`) as a stopping
 * serving process spends it.
 * @module
 */

/**
 * When, in a grace period of `graceMs`, a stopping worker answers the requests that have not
 * finished: up to 2 s before its end (half of a shorter one), leaving time for the answers to
 * be written before the supervisor's SIGKILL.
 */
export function answerUnfinishedAfterMs(graceMs: number): number {
  return graceMs - Math.min(2000, graceMs / 2);
}
