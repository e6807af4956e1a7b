/**
 * The pod annotations that tune the servers (server.md §1.7): the REST timeout and the gRPC
 * message size, read once from the annotations file. Both the supervisor (its watchdog, whether
 * to start gRPC workers) and every serving process read them.
 * @module
 */
import type { Logger } from "npm:@logtape/logtape@2.4.2";
import {
  type AnnotationLog,
  GRPC_MAX_MSG_SIZE_ANNOTATION,
  readAnnotations,
  REST_TIMEOUT_ANNOTATION,
} from "./annotations.ts";
import type { Config } from "./options.ts";
import { parsePythonInt } from "../python/builtins.ts";

/**
 * The REST worker timeout without the `seldon.io/rest-timeout` annotation: upstream's 5000 —
 * meant as milliseconds, used by gunicorn as seconds (metrics-and-processes.md §1.5).
 */
export const DEFAULT_REST_TIMEOUT_MS = 5000 * 1000;

/** Integer annotations that tune the servers (server.md §1.7). */
export interface ServerAnnotations {
  readonly grpcMaxMessageSize: number | undefined;
  /**
   * Set when `seldon.io/grpc-max-message-size` is not an integer: upstream's gRPC workers then
   * crash at start while REST keeps serving (server.md §1.7); unused when gRPC is off.
   */
  readonly grpcError?: string;
  /** The REST worker timeout: the annotation's, else {@link DEFAULT_REST_TIMEOUT_MS}. */
  readonly restTimeoutMs: number;
}

/** An {@link AnnotationLog} writing to `log` (errors at ERROR, the rest at INFO). */
export function annotationLog(log: Logger): AnnotationLog {
  return (level, message) => level === "error" ? log.error(message) : log.info(message);
}

/**
 * Reads the pod annotations file once. A non-integer REST timeout is a start-up error, as
 * upstream; a non-integer gRPC size only disables gRPC (see `grpcError`).
 */
export function serverAnnotations(
  config: Pick<Config, "annotationsFile" | "grpcMaxMessageSize">,
  log?: AnnotationLog,
): ServerAnnotations {
  const annotations = readAnnotations(config.annotationsFile, log);
  let grpc: number | undefined;
  let grpcError: string | undefined;
  try {
    grpc = annotationInt(annotations, GRPC_MAX_MSG_SIZE_ANNOTATION);
  } catch (err) {
    grpcError = `ValueError: ${(err as Error).message}`;
  }
  const timeout = annotationInt(annotations, REST_TIMEOUT_ANNOTATION);
  return {
    grpcError,
    grpcMaxMessageSize: grpc ?? config.grpcMaxMessageSize,
    // gunicorn's worker timeout: int(ms / 1000) seconds, at least 1.
    restTimeoutMs: timeout === undefined
      ? DEFAULT_REST_TIMEOUT_MS
      : Math.max(1, Math.trunc(timeout / 1000)) * 1000,
  };
}

function annotationInt(annotations: Record<string, string>, name: string): number | undefined {
  const raw = annotations[name];
  if (raw === undefined) return undefined;
  const n = parsePythonInt(raw); // Python int(): "1_000" yes; "", "1e3", "1.0" no
  if (typeof n !== "number") {
    throw new Error(`invalid literal for int() with base 10: '${raw}' (${name})`);
  }
  return n;
}
