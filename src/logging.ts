/**
 * Logging through `@logtape/logtape`, in upstream's line format (metrics-and-processes.md §4.1):
 * `2026-11-25 16:40:42,123 - seldon_ts.rest:handle:0 - INFO:  message`, to stderr.
 * @module
 */
import { configure, getLogger, type Logger, type LogLevel, type LogRecord } from "@logtape/logtape";

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

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** gunicorn's `%(t)s`: `[25/Nov/2026:16:40:42 +0000]`, local time with its UTC offset. */
function accessTime(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  return `[${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}]`;
}

/**
 * One access-log line in gunicorn's default format (metrics-and-processes.md §4.3):
 * `127.0.0.1 - - [25/Nov/2026:16:40:42 +0000] "POST /api/v1.0/predictions HTTP/1.1" 200 97 "-" "curl/8.5.0"`.
 */
export function accessLogLine(
  req: Request,
  status: number,
  bytes: number | undefined,
  remote: string | undefined,
  now = new Date(),
): string {
  const start = req.url.indexOf("/", req.url.indexOf("//") + 2);
  const target = start < 0 ? "/" : req.url.slice(start);
  const referer = req.headers.get("referer") ?? "-";
  const agent = req.headers.get("user-agent") ?? "-";
  return `${remote ?? "-"} - - ${accessTime(now)} "${req.method} ${target} HTTP/1.1" ${status} ` +
    `${bytes ?? "-"} "${referer}" "${agent}"\n`;
}

/**
 * Writes the access line of `res` to stdout, as gunicorn's `accesslog = "-"` does — unless
 * `skip` (the metrics endpoint, when `FILTER_METRICS_ACCESS_LOGS` is on) occurs anywhere in the
 * line (upstream's substring filter, §2.7). The body size is measured on a clone when the
 * response has no `content-length`; the line is written once it is known.
 */
export function writeAccessLog(
  req: Request,
  res: Response,
  info: Deno.ServeHandlerInfo | undefined,
  skip?: string,
): void {
  const addr = info?.remoteAddr as Deno.NetAddr | undefined;
  const now = new Date();
  const write = (bytes: number | undefined) => {
    const line = accessLogLine(req, res.status, bytes, addr?.hostname, now);
    if (skip && line.includes(skip)) return;
    Deno.stdout.writeSync(encoder.encode(line));
  };
  const length = res.headers.get("content-length");
  if (length !== null) write(Number(length));
  else if (res.body === null || req.method === "HEAD") write(0);
  else {
    res.clone().arrayBuffer().then((body) => write(body.byteLength), () => write(undefined));
  }
}

/**
 * The text a start-up failure is reported with: `reason: message` for an error with a Seldon
 * reason (bad `--parameters`), the message of a `LoadError` (no such module or export), and
 * the stack of any other error (so a model's own failure shows where it happened).
 */
export function failureText(err: unknown): string {
  const reason = (err as { reason?: string } | null)?.reason;
  const message = err instanceof Error ? err.message : String(err);
  if (reason) return `${reason}: ${message}`;
  if (err instanceof Error && err.name !== "LoadError" && err.stack) return err.stack;
  return message;
}
