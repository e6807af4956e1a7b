/**
 * The connection guards of every HTTP port, from the configuration: `--max-connections`
 * (default derived from the open-files limit), `--header-timeout` and `--keepalive`.
 * @module
 */
import type { Config } from "../config/options.ts";
import type { ConnectionLimits } from "./guarded_serve.ts";
import { GUNICORN_REQUEST_LINE_LIMIT } from "./gunicorn.ts";

/** Descriptors kept for the process itself (modules, the control socket, logs, a model's files). */
const RESERVED_FDS = 128;
/** The derived default never exceeds this: each connection holds memory too. */
const MAX_DEFAULT_CONNECTIONS = 16_384;
/** …and never goes below this, however low the open-files limit. */
const MIN_DEFAULT_CONNECTIONS = 32;

/** The soft open-files limit of this process (`/proc/self/limits`), or `undefined` if unknown. */
export function openFilesLimit(): number | undefined {
  try {
    const line = Deno.readTextFileSync("/proc/self/limits")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    if (soft === undefined || soft === "unlimited") return undefined;
    const n = Number(soft);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The default cap on open connections per process: the open-files limit less
 * {@link RESERVED_FDS}, within [{@link MIN_DEFAULT_CONNECTIONS}, {@link MAX_DEFAULT_CONNECTIONS}].
 */
export function defaultMaxConnections(nofile = openFilesLimit()): number {
  if (nofile === undefined) return MAX_DEFAULT_CONNECTIONS;
  return Math.min(
    MAX_DEFAULT_CONNECTIONS,
    Math.max(MIN_DEFAULT_CONNECTIONS, nofile - RESERVED_FDS),
  );
}

/**
 * The guards `config` asks for (`--max-connections 0` means the derived default). Outside
 * `--debug` request lines and methods are checked as upstream's gunicorn checks them (in
 * `--debug` upstream serves with Flask's development server, which does neither).
 */
export function connectionLimits(
  config: Pick<Config, "maxConnections" | "headerTimeout" | "keepalive"> & { debug?: boolean },
): ConnectionLimits {
  return {
    maxConnections: config.maxConnections || defaultMaxConnections(),
    headerTimeoutMs: config.headerTimeout * 1000,
    keepAliveMs: config.keepalive * 1000,
    maxRequestLine: config.debug ? 0 : GUNICORN_REQUEST_LINE_LIMIT,
    gunicornMethods: !config.debug,
  };
}
