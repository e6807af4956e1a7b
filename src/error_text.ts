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
