/**
 * Logging in upstream's line format (metrics-and-processes.md §4.1):
 * `2026-11-25 16:40:42,123 - seldon_ts.rest:handle:0 - INFO:  message`, to stderr. Messages are
 * templates: `{name}` is replaced by that property (`{a.b}`, `{a[0]}`, `{a?.b}` reach inside it,
 * `{*}` is all of them, `{{` and `}}` are braces); a string value is written as it is, anything
 * else as `Deno.inspect` shows it. Before {@link setupLogging} nothing is written. (This module
 * replaces `@logtape/logtape`, with the same templates: the package made every process ~1.5–3
 * MiB larger, its import being the only npm module the supervisor and a REST worker loaded.)
 * @module
 */

/** A level, lowest first (logtape's names, which the configuration maps Python's onto). */
export type LogLevel = "trace" | "debug" | "info" | "warning" | "error" | "fatal";

/** One record: what {@link formatRecord} writes. */
export interface LogRecord {
  /** `["seldon", part, …]`. */
  readonly category: readonly string[];
  readonly level: LogLevel;
  /** The template's text and values, alternating (text at even indices). */
  readonly message: readonly unknown[];
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Properties, or a function computing them (called only when the record is written). */
export type LogProperties = Record<string, unknown> | (() => Record<string, unknown>);

/** A logger of one category. */
export interface Logger {
  /** Logs at DEBUG level. */
  debug(message: string, properties?: LogProperties): void;
  /** Logs at INFO level. */
  info(message: string, properties?: LogProperties): void;
  /** Logs at WARNING level. */
  warning(message: string, properties?: LogProperties): void;
  /** Logs at WARNING level. */
  warn(message: string, properties?: LogProperties): void;
  /** Logs at ERROR level. */
  error(message: string, properties?: LogProperties): void;
  /** Logs at CRITICAL level. */
  fatal(message: string, properties?: LogProperties): void;
}

/** Rank of each level. */
const RANK: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warning: 3,
  error: 4,
  fatal: 5,
};

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

/** The lowest level written; `Infinity` until {@link setupLogging} (nothing is written). */
let lowest = Infinity;

/**
 * Configures logging once per process at a Python level name (`DEBUG`, `INFO`, …). Records go
 * to stderr, as Python's default handler writes them.
 */
export function setupLogging(level: string): Promise<void> {
  lowest = RANK[LEVELS[level] ?? "info"];
  return Promise.resolve();
}

/** Writes one record's line; a closed stderr loses the line, never the caller. */
function write(record: LogRecord): void {
  try {
    Deno.stderr.writeSync(encoder.encode(formatRecord(record)));
  } catch { /* stderr closed */ }
}

/** The logger of a server part, e.g. `logger("rest")`; user code may use `logger("model")`. */
export function logger(...category: string[]): Logger {
  const full = ["seldon", ...category];
  const at = (level: LogLevel) => (message: string, properties?: LogProperties) => {
    if (RANK[level] < lowest) return;
    const values = (typeof properties === "function" ? properties() : properties) ?? {};
    write({
      category: full,
      level,
      message: fillTemplate(message, values),
      timestamp: Date.now(),
      properties: values,
    });
  };
  const warning = at("warning");
  return {
    debug: at("debug"),
    info: at("info"),
    warning,
    warn: warning,
    error: at("error"),
    fatal: at("fatal"),
  };
}

/** `{{` → `{` and `}}` → `}` in a template's text. */
function unescapeBraces(text: string): string {
  return text.replaceAll("{{", "{").replaceAll("}}", "}");
}

/**
 * A template's text and values, alternating: each `{key}` is the property `key` (surrounding
 * spaces ignored unless the key with them is a property), `{*}` all of them, a path such as
 * `a.b`, `a[0]`, `a["b"]` or `a?.b` is looked up inside it (own properties only).
 */
export function fillTemplate(template: string, properties: Record<string, unknown>): unknown[] {
  if (!template.includes("{")) return [template];
  const parts: unknown[] = [];
  let start = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i] === "}" && template[i + 1] === "}") {
      i++;
      continue;
    }
    if (template[i] !== "{") continue;
    if (template[i + 1] === "{") {
      i++;
      continue;
    }
    const close = template.indexOf("}", i + 1);
    if (close < 0) continue;
    parts.push(unescapeBraces(template.slice(start, i)), lookUp(template.slice(i + 1, close)));
    i = close;
    start = close + 1;
  }
  parts.push(unescapeBraces(template.slice(start)));
  return parts;

  function lookUp(key: string): unknown {
    const trimmed = key.trim();
    if (trimmed === "*") {
      if (key in properties) return properties[key];
      return "*" in properties ? properties["*"] : properties;
    }
    const value = key !== trimmed && key in properties ? properties[key] : properties[trimmed];
    if (value !== undefined || !/\.|\[|\?\./.test(trimmed)) return value;
    return valueAt(properties, trimmed);
  }
}

/** Keys that never resolve (no walking into prototypes). */
const UNSAFE = new Set(["__proto__", "prototype", "constructor"]);

/** The value at `path` (`a.b`, `a[0]`, `a["b"]`, `a?.b`) inside `root`, or `undefined`. */
function valueAt(root: unknown, path: string): unknown {
  if (path === "" || path.endsWith(".")) return undefined;
  let current = root;
  let i = 0;
  while (i < path.length) {
    if (path.startsWith("?.", i)) i += 2;
    if (current === null || current === undefined) return undefined;
    const next = segmentAt(path, i);
    if (next === undefined) return undefined;
    i = next.end;
    current = member(current, next.key);
    if (current === undefined) return undefined;
  }
  return current;
}

/** One step of a path from `i`: a name, `[index]` or `["name"]`, and where the next begins. */
function segmentAt(path: string, i: number): { key: string | number; end: number } | undefined {
  let key: string | number;
  if (path[i] === "[") {
    i++;
    const quote = path[i];
    if (quote === '"' || quote === "'") {
      let text = "";
      for (i++; i < path.length && path[i] !== quote; i++) {
        if (path[i] !== "\\") text += path[i];
        else if (++i < path.length) text += ESCAPES[path[i]] ?? path[i];
      }
      if (i >= path.length) return undefined;
      key = text;
      i++;
    } else {
      const from = i;
      while (i < path.length && !"]'\"".includes(path[i])) i++;
      if (i >= path.length || i === from) return undefined;
      const text = path.slice(from, i);
      key = Number.isNaN(Number(text)) ? text : Number(text);
    }
    while (i < path.length && path[i] !== "]") i++;
    if (i < path.length) i++;
  } else {
    const from = i;
    while (i < path.length && !".[?]".includes(path[i])) i++;
    if (i === from) return undefined;
    key = path.slice(from, i);
  }
  if (path[i] === ".") i++;
  return { key, end: i };
}

/** What a backslash escape inside a quoted path step stands for. */
const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
};

/** An own property or an array element of `value`, or `undefined`. */
function member(value: unknown, key: string | number): unknown {
  if (typeof key === "number") {
    return Array.isArray(value) && key >= 0 && key < value.length ? value[key] : undefined;
  }
  if (UNSAFE.has(key) || (typeof value !== "object" && typeof value !== "function")) {
    return undefined;
  }
  return value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
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
