/**
 * Environment helpers with upstream's parsing rules (server.md §1.2, tests test_getenv,
 * test_getenv_as_bool and the deployment/model name getters).
 * @module
 */

/** A read-only view of the environment (tests pass a plain object). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The first of `names` that is set, else `fallback`. */
export function getenv(env: Env, names: readonly string[], fallback?: string): string | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined) return v;
  }
  return fallback;
}

/** Upstream `getenv_as_bool`: unset → `fallback`; set → true iff lower-cased value is `1`, `true` or `t`. */
export function getenvAsBool(env: Env, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined) return fallback;
  return ["1", "true", "t"].includes(v.toLowerCase());
}

/** The value used when a node/deployment env var is unset. */
export const NOT_IMPLEMENTED = "NOT_IMPLEMENTED";

/** `SELDON_DEPLOYMENT_ID`, or `fallback` (default `NOT_IMPLEMENTED`). */
export function deploymentName(env: Env, fallback = NOT_IMPLEMENTED): string {
  return env.SELDON_DEPLOYMENT_ID ?? fallback;
}

/** `PREDICTIVE_UNIT_ID` (the graph node name), or `fallback`. */
export function modelName(env: Env, fallback = NOT_IMPLEMENTED): string {
  return env.PREDICTIVE_UNIT_ID ?? fallback;
}

/** `PREDICTIVE_UNIT_IMAGE`, or `fallback` (default `NOT_IMPLEMENTED:NOT_IMPLEMENTED`). */
export function imageName(env: Env, fallback = `${NOT_IMPLEMENTED}:${NOT_IMPLEMENTED}`): string {
  return env.PREDICTIVE_UNIT_IMAGE ?? fallback;
}

/** `PREDICTOR_ID`, or `fallback`. */
export function predictorName(env: Env, fallback = NOT_IMPLEMENTED): string {
  return env.PREDICTOR_ID ?? fallback;
}

/** The `version` member of the JSON object in `PREDICTOR_LABELS`, or `fallback`. */
export function predictorVersion(env: Env, fallback = NOT_IMPLEMENTED): string {
  const text = env.PREDICTOR_LABELS;
  if (text === undefined) return fallback;
  const labels = JSON.parse(text);
  const v = labels && typeof labels === "object" ? labels.version : undefined;
  return v === undefined ? fallback : String(v);
}
