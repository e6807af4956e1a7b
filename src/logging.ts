/**
 * Logging through `@logtape/logtape`, in upstream's line format (metrics-and-processes.md §4.1):
 * `2026-11-25 16:40:42,123 - seldon_ts.rest:handle:0 - INFO:  message`, to stderr.
 * @module
 */
import {
  configure,
  getLogger,
  type Logger,
  type LogLevel,
  type LogRecord,
} from "npm:@logtape/logtape@2.4.2";

const LEVELS: Record<string, LogLevel> = {
  NOTSET: "trace",
  DEBUG: "debug",
  INFO: "info",
  WARNING: "warning",
  WARN: "warning",
  ERROR: "error",
  CRITICAL: "fatal",
  FATAL: "fatal",
};

const NAMES: Record<LogLevel, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function timestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${
      pad(d.getMilliseconds(), 3)
    }`;
}

/** One log line in upstream's format. */
export function formatRecord(record: LogRecord): string {
  const message = record.message
    .map((
      part,
      i,
    ) => (i % 2 === 0 ? String(part) : typeof part === "string" ? part : Deno.inspect(part)))
    .join("");
  const category = ["seldon_ts", ...record.category.slice(1)].join(".");
  return `${timestamp(record.timestamp)} - ${category}:${record.properties.fn ?? "main"}:0 - ` +
    `${NAMES[record.level]}:  ${message}\n`;
}

const encoder = new TextEncoder();

let configured = false;

/**
 * Configures logging once per process at a Python level name (`DEBUG`, `INFO`, …). Records go
 * to stderr, as Python's default handler writes them.
 */
export async function setupLogging(level: string): Promise<void> {
  const lowest = LEVELS[level] ?? "info";
  await configure({
    reset: configured,
    sinks: {
      stderr: (record: LogRecord) => {
        Deno.stderr.writeSync(encoder.encode(formatRecord(record)));
      },
    },
    loggers: [
      { category: ["seldon"], lowestLevel: lowest, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
  configured = true;
}

/** The logger of a server part, e.g. `logger("rest")`; user code may use `logger("model")`. */
export function logger(...category: string[]): Logger {
  return getLogger(["seldon", ...category]);
}

/**
 * What a model's logger offers (the part of logtape's `Logger` the public API promises). Lines go
 * to stderr in the server's format; `{name}` placeholders in `message` are filled from
 * `properties`, e.g. `log.info("Loaded {n} trees", { n: 100 })`.
 */
export interface ModelLogger {
  /** Logs at DEBUG level. */
  debug(message: string, properties?: Record<string, unknown>): void;
  /** Logs at INFO level. */
  info(message: string, properties?: Record<string, unknown>): void;
  /** Logs at WARNING level. */
  warn(message: string, properties?: Record<string, unknown>): void;
  /** Logs at ERROR level. */
  error(message: string, properties?: Record<string, unknown>): void;
}

/** A logger for model code, under the server's configuration: `modelLogger("iris")`. */
export const modelLogger: (...category: string[]) => ModelLogger = logger;
