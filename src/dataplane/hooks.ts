/**
 * Calling user hooks: "absent" (missing or not a function) and "throws
 * SeldonNotImplementedError" are the same thing where server.md §6.1 says so.
 * @module
 */
import { isNotImplementedStub, type SeldonComponent } from "../component/api.ts";
import { errorText, logText } from "../error_text.ts";
import { SeldonMicroserviceException, SeldonNotImplementedError } from "../protocol/errors.ts";
import { generatedNames } from "./names.ts";

export { MAX_GENERATED_NAMES } from "./names.ts";

/** Returned by {@link callOptional} when the hook is absent or not implemented. */
export const ABSENT: unique symbol = Symbol("absent");

type HookTable = Record<string, unknown>;

/** True when the component has a callable hook `name`. */
export function hasHook(component: SeldonComponent, name: string): boolean {
  return typeof (component as HookTable)[name] === "function";
}

/** True for a promise or any thenable a hook returned. */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null &&
    typeof (x as PromiseLike<unknown>).then === "function";
}

/** Errors a hook threw that the model did not mean (not a Seldon error), by the hook's name. */
const unhandled = new WeakMap<object, string>();

/** Records `err` as thrown by hook `name` (unless the model threw a Seldon error on purpose). */
function thrownBy(name: string, err: unknown): unknown {
  if (
    typeof err === "object" && err !== null && !SeldonMicroserviceException.isSeldonError(err) &&
    !unhandled.has(err)
  ) {
    unhandled.set(err, name);
  }
  return err;
}

/**
 * The hook that threw `err` when it is a model's unhandled exception (anything but a Seldon
 * error), so the transport can log its stack with the request's route; else `undefined`.
 */
export function unhandledHook(err: unknown): string | undefined {
  return typeof err === "object" && err !== null ? unhandled.get(err) : undefined;
}

/**
 * The log text of a model's unhandled exception (`exception in predict(): <stack>`, capped);
 * `undefined` for any other error.
 */
export function unhandledText(err: unknown): string | undefined {
  const hook = unhandledHook(err);
  if (hook === undefined) return undefined;
  const stack = (err as { stack?: unknown }).stack;
  return `exception in ${hook}(): ${logText(typeof stack === "string" ? stack : errorText(err))}`;
}

function absentIfNotImplemented(name: string) {
  return (err: unknown): typeof ABSENT => {
    if (SeldonNotImplementedError.isNotImplemented(err)) return ABSENT;
    throw thrownBy(name, err);
  };
}

/**
 * Calls hook `name` with `args`: {@link ABSENT} when the hook is missing or throws the
 * not-implemented error; other errors propagate. Synchronous when the hook is (no promise, no
 * microtask hop on the request path); a thenable result settles the same way.
 */
export function callOptional(component: SeldonComponent, name: string, args: unknown[]): unknown {
  const hook = (component as HookTable)[name];
  if (typeof hook !== "function") return ABSENT;
  let result: unknown;
  try {
    result = hook.apply(component, args);
  } catch (err) {
    return absentIfNotImplemented(name)(err);
  }
  return isThenable(result) ? Promise.resolve(result).catch(absentIfNotImplemented(name)) : result;
}

/** Calls a hook that must exist (checked by the caller); every error propagates. */
export async function callRequired(
  component: SeldonComponent,
  name: string,
  args: unknown[],
): Promise<unknown> {
  try {
    return await ((component as HookTable)[name] as (...a: unknown[]) => unknown).apply(
      component,
      args,
    );
  } catch (err) {
    throw thrownBy(name, err);
  }
}

/**
 * Output column names for a result with `cols` columns (protocol.md §4.3): the `classNames`
 * method, getter or array property, else `t:0` … `t:<cols-1>`. An async `classNames()` gives
 * a promise of the names (not-implemented falls back the same way).
 */
export function classNamesOf(component: SeldonComponent, cols: number): unknown {
  const value = (component as HookTable).classNames;
  if (typeof value === "function") {
    try {
      const names = value.call(component);
      if (!isThenable(names)) return names;
      return Promise.resolve(names).catch((err) => {
        if (!SeldonNotImplementedError.isNotImplemented(err)) throw err;
        return generatedNames(cols);
      });
    } catch (err) {
      if (!SeldonNotImplementedError.isNotImplemented(err)) throw err;
    }
  } else if (value !== undefined && value !== null) {
    return value;
  }
  return generatedNames(cols);
}

/**
 * True when the component implements hook `name` itself: a function that is not
 * `BaseComponent`'s not-implemented stub (a call could still throw not-implemented).
 */
export function implementsHook(component: SeldonComponent, name: string): boolean {
  const hook = (component as HookTable)[name];
  return typeof hook === "function" && !isNotImplementedStub(hook);
}
