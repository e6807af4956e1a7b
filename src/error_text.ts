/**
 * Turning any thrown value into text, for error answers and logs. Imports nothing: every layer
 * may use it.
 * @module
 */

/**
 * The `info` text of a thrown value: its `message` when that is a string, `String(err)`
 * otherwise. Never throws, whatever was thrown (an object without a prototype, a throwing
 * `toString` or getter, a revoked proxy): error mapping must not fail itself.
 */
export function errorText(err: unknown): string {
  try {
    if (typeof err === "object" && err !== null) {
      const message = (err as { message?: unknown }).message;
      if (typeof message === "string") return message;
    }
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

/**
 * The text a start-up failure is reported with: `reason: message` for an error with a Seldon
 * reason (bad `--parameters`), the message of a `LoadError` (no such module or export), and
 * the stack of any other error (so a model's own failure shows where it happened).
 */
export function failureText(err: unknown): string {
  const reason = (err as { reason?: string } | null)?.reason;
  const message = errorText(err);
  if (reason) return `${reason}: ${message}`;
  if (err instanceof Error && err.name !== "LoadError" && err.stack) return err.stack;
  return message;
}

/** The longest error text written to a log line, in characters (twice an echo's cap). */
export const LOG_TEXT_CAP = 128 * 1024;

/** `text` cut at {@link LOG_TEXT_CAP} (see {@link truncateText}). */
export function logText(text: string): string {
  return truncateText(text, LOG_TEXT_CAP);
}

/**
 * `text` cut at `cap` UTF-16 units, never inside a surrogate pair, with a ` ... [truncated, N
 * characters]` marker (N: the whole text's length); unchanged when it is not longer.
 */
export function truncateText(text: string, cap: number): string {
  if (text.length <= cap) return text;
  const last = text.charCodeAt(cap - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? cap - 1 : cap;
  return `${text.slice(0, end)} ... [truncated, ${text.length} characters]`;
}
