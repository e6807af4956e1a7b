/**
 * The one table of command-line flags and environment variables (server.md §1), and the parser
 * that turns `argv` + env into a frozen, typed {@link Config}. Reads nothing but its arguments.
 *
 * Parsing follows Python argparse as upstream uses it: `--flag value` and `--flag=value`,
 * unique prefixes, optional-value flags (`--debug`, `--access-log`, `--tracing`,
 * `--persistence`), errors → exit 2, leftover arguments → exit 255, flag > env > default (the
 * log level is the exception: `SELDON_LOG_LEVEL` wins).
 * @module
 */
import { errorText } from "../error_text.ts";
import { parseArgs } from "node:util";
import { type Env, getenvAsBool } from "./env.ts";
import { parsePythonInt } from "../python/builtins.ts";
import { parseParameters } from "./parameters.ts";

/** A graph node type (`--service-type`). */
export type ServiceType = "MODEL" | "ROUTER" | "TRANSFORMER" | "COMBINER" | "OUTLIER_DETECTOR";

/** Accepted `--service-type` values (validated, then ignored: server.md §3.0). */
export const SERVICE_TYPES: readonly ServiceType[] = [
  "MODEL",
  "ROUTER",
  "TRANSFORMER",
  "COMBINER",
  "OUTLIER_DETECTOR",
];
/** Accepted `--log-level` values. */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;
/** Level names `SELDON_LOG_LEVEL` may hold (Python's logging accepts these). */
const ENV_LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "WARN", "FATAL", "NOTSET"];

/** How an option's text becomes its value (see {@link KindValue}). */
type Kind = "int" | "intSwitch" | "string" | "choice" | "optBool" | "optInt" | "size";

/**
 * The value type each kind parses to: Python `int()`; an int used as a switch (non-zero = on);
 * the text; one of `choices`; an optional-value bool (`--debug` alone = on); an optional-value
 * int (`--tracing` alone = 1); a byte size with a `k`/`m`/`g` suffix.
 */
interface KindValue {
  int: number;
  intSwitch: boolean;
  string: string;
  choice: string;
  optBool: boolean;
  optInt: number;
  size: number;
}

interface OptionSpec {
  readonly flag: string;
  /** The {@link Config} field. */
  readonly key: string;
  readonly kind: Kind;
  readonly env?: string;
  /** The value when neither flag nor env gives one (`undefined`: the field is optional). */
  readonly fallback: string | number | boolean | undefined;
  readonly choices?: readonly string[];
  /** Inclusive bounds the process model needs (upstream accepts some others and then hangs). */
  readonly range?: readonly [min: number, max: number];
  readonly help: string;
  /** `GRPC_THREADS`/`GRPC_WORKERS`: a bad env value is an argparse error, only without the flag. */
  readonly lazyEnv?: boolean;
  /** Not an upstream flag: a TypeScript-server extension. */
  readonly extension?: boolean;
}

/** The value type of one option: its kind's (or one of its choices), optional without fallback. */
type OptionValue<O extends OptionSpec> =
  | (O extends { readonly choices: readonly (infer C)[] } ? C : KindValue[O["kind"]])
  | (O["fallback"] extends undefined ? undefined : never);

/**
 * Every flag, its env var, default and help text (server.md §1.2), in upstream's `add_argument`
 * order (argparse's usage line and its ambiguous-prefix candidates follow it), then extensions.
 */
export const OPTIONS = [
  {
    flag: "--service-type",
    key: "serviceType",
    kind: "choice",
    choices: SERVICE_TYPES,
    fallback: "MODEL",
    help: "Graph node type; validated, every endpoint is served whatever it is",
  },
  {
    flag: "--persistence",
    key: "persistence",
    kind: "optInt",
    fallback: 0,
    help: "Deprecated, ignored",
  },
  {
    flag: "--parameters",
    key: "parameters",
    kind: "string",
    env: "PREDICTIVE_UNIT_PARAMETERS",
    fallback: "[]",
    help: "JSON list of {name, value, type} constructor parameters",
  },
  {
    flag: "--log-level",
    key: "logLevelFlag",
    kind: "choice",
    choices: LOG_LEVELS as readonly string[],
    fallback: "INFO",
    help: "Log level (SELDON_LOG_LEVEL, when set, wins)",
  },
  {
    flag: "--debug",
    key: "debug",
    kind: "optBool",
    env: "SELDON_DEBUG",
    fallback: false,
    help: "Development mode: everything in one process",
  },
  {
    flag: "--tracing",
    key: "tracing",
    kind: "optInt",
    env: "TRACING",
    fallback: 0,
    help: "Enable tracing (non-zero)",
  },
  {
    flag: "--workers",
    key: "workers",
    kind: "int",
    range: [1, 1024],
    env: "GUNICORN_WORKERS",
    fallback: 1,
    help: "Number of REST worker processes",
  },
  {
    flag: "--threads",
    key: "threads",
    kind: "int",
    range: [1, 1_000_000],
    env: "GUNICORN_THREADS",
    fallback: 1,
    help: "Concurrent requests per REST worker",
  },
  {
    flag: "--max-requests",
    key: "maxRequests",
    kind: "int",
    range: [0, Number.MAX_SAFE_INTEGER],
    env: "GUNICORN_MAX_REQUESTS",
    fallback: 0,
    help: "Recycle a REST worker after this many requests (0 = never)",
  },
  {
    flag: "--max-requests-jitter",
    key: "maxRequestsJitter",
    kind: "int",
    range: [0, Number.MAX_SAFE_INTEGER],
    env: "GUNICORN_MAX_REQUESTS_JITTER",
    fallback: 0,
    help: "Random 0..N added to --max-requests per worker",
  },
  {
    flag: "--keepalive",
    key: "keepalive",
    kind: "int",
    range: [0, 86_400],
    env: "GUNICORN_KEEPALIVE",
    fallback: 2,
    help: "Seconds an idle keep-alive connection is held",
  },
  {
    flag: "--single-threaded",
    key: "singleThreaded",
    kind: "intSwitch",
    env: "FLASK_SINGLE_THREADED",
    fallback: 0,
    help: "Non-zero: one REST request at a time per process",
  },
  {
    flag: "--http-port",
    key: "httpPort",
    kind: "int",
    range: [0, 65_535],
    env: "PREDICTIVE_UNIT_HTTP_SERVICE_PORT",
    fallback: 9000,
    help: "REST port",
  },
  {
    flag: "--grpc-port",
    key: "grpcPort",
    kind: "int",
    range: [0, 65_535],
    env: "PREDICTIVE_UNIT_GRPC_SERVICE_PORT",
    fallback: 5000,
    help: "gRPC port",
  },
  {
    flag: "--metrics-port",
    key: "metricsPort",
    kind: "int",
    range: [0, 65_535],
    env: "PREDICTIVE_UNIT_METRICS_SERVICE_PORT",
    fallback: 6000,
    help: "Prometheus metrics port",
  },
  {
    flag: "--pidfile",
    key: "pidfile",
    kind: "string",
    fallback: undefined,
    help: "Write the server's pid to this file",
  },
  {
    flag: "--access-log",
    key: "accessLog",
    kind: "optBool",
    env: "GUNICORN_ACCESS_LOG",
    fallback: false,
    help: "Write an access log line per request to stdout",
  },
  {
    flag: "--grpc-threads",
    key: "grpcThreads",
    kind: "int",
    range: [1, 1_000_000],
    env: "GRPC_THREADS",
    fallback: 1,
    lazyEnv: true,
    help: "Concurrent RPCs per gRPC worker",
  },
  {
    flag: "--grpc-workers",
    key: "grpcWorkers",
    kind: "int",
    env: "GRPC_WORKERS",
    fallback: 1,
    lazyEnv: true,
    help: "Number of gRPC worker processes (0 = no gRPC server)",
  },
  {
    flag: "--host",
    key: "host",
    kind: "string",
    env: "SELDON_HOST",
    fallback: "0.0.0.0",
    extension: true,
    help: "Address the servers bind to",
  },
  {
    flag: "--model-dir",
    key: "modelDir",
    kind: "string",
    env: "SELDON_MODEL_DIR",
    fallback: undefined,
    extension: true,
    help: "Folder the model module is looked up in (default: working directory)",
  },
  {
    flag: "--model-name",
    key: "modelName",
    kind: "string",
    env: "SELDON_MODEL_NAME",
    fallback: undefined,
    extension: true,
    help: "The model's name in Open Inference Protocol (V2) paths and answers " +
      "(default: PREDICTIVE_UNIT_ID, else the class name)",
  },
  {
    flag: "--max-body-size",
    key: "maxBodySize",
    kind: "size",
    env: "SELDON_MAX_BODY_SIZE",
    fallback: 128 * 1024 * 1024,
    extension: true,
    help: "Largest accepted REST request body in bytes (suffixes k, m, g)",
  },
  {
    flag: "--body-timeout",
    key: "bodyTimeout",
    kind: "int",
    range: [0, 86_400],
    env: "SELDON_BODY_TIMEOUT",
    fallback: 60,
    extension: true,
    help: "Seconds a REST request's whole body has to arrive (0 = no limit)",
  },
  {
    flag: "--grpc-max-message-size",
    key: "grpcMaxMessageSize",
    kind: "size",
    env: "GRPC_MAX_MESSAGE_SIZE",
    fallback: undefined,
    extension: true,
    help: "Largest gRPC message (annotation seldon.io/grpc-max-message-size wins; default 4 MiB)",
  },
  {
    flag: "--annotations-file",
    key: "annotationsFile",
    kind: "string",
    env: "SELDON_ANNOTATIONS_FILE",
    fallback: "/etc/podinfo/annotations",
    extension: true,
    help: "Pod annotations file (Kubernetes downward API)",
  },
  {
    flag: "--max-connections",
    key: "maxConnections",
    kind: "int",
    range: [0, 10_000_000],
    env: "SELDON_MAX_CONNECTIONS",
    fallback: 0,
    extension: true,
    help: "Open connections per process and port (0 = open-files limit - 128, at most 16384)",
  },
  {
    flag: "--header-timeout",
    key: "headerTimeout",
    kind: "int",
    range: [0, 86_400],
    env: "SELDON_HEADER_TIMEOUT",
    fallback: 10,
    extension: true,
    help: "Seconds a new connection has to send its first request head (0 = no limit)",
  },
  {
    flag: "--graceful-timeout",
    key: "gracefulTimeout",
    kind: "int",
    range: [0, 86_400],
    env: "SELDON_GRACEFUL_TIMEOUT",
    fallback: 30,
    extension: true,
    help: "Seconds a stopping worker lets requests finish; unfinished ones are answered 503",
  },
  {
    flag: "--max-worker-memory",
    key: "maxWorkerMemory",
    kind: "size",
    env: "SELDON_MAX_WORKER_MEMORY",
    fallback: 0,
    extension: true,
    help: "Replace a worker whose RSS exceeds this after a request (suffixes k, m, g; 0 = never)",
  },
  {
    flag: "--builtin-metrics",
    key: "builtinMetrics",
    kind: "optBool",
    env: "SELDON_BUILTIN_METRICS",
    fallback: false,
    extension: true,
    help: "Also expose request counts, latencies and each worker's process metrics (seldon_ts_*)",
  },
  {
    flag: "--max-batch-size",
    key: "maxBatchSize",
    kind: "int",
    range: [1, 1_000_000],
    env: "SELDON_MAX_BATCH_SIZE",
    fallback: 1,
    extension: true,
    help: "Adaptive batching: most rows of concurrent predict/infer requests merged into one " +
      "model call (1 = off)",
  },
  {
    flag: "--max-batch-time",
    key: "maxBatchTimeMs",
    kind: "int",
    range: [0, 60_000],
    env: "SELDON_MAX_BATCH_TIME_MS",
    fallback: 10,
    extension: true,
    help: "Adaptive batching: milliseconds a batch waits for more requests after its first",
  },
] as const satisfies readonly OptionSpec[];

/** {@link OPTIONS} as specs, for code that reads any option. */
const SPECS: readonly OptionSpec[] = OPTIONS;

/**
 * The value of every option of {@link OPTIONS}, by its key.
 * @internal
 */
type OptionValues = { readonly [O in (typeof OPTIONS)[number] as O["key"]]: OptionValue<O> };

/**
 * The settings read from the environment only (no flag), each by its reader (upstream reads
 * each where it is used); `debug` is the resolved `--debug`.
 * @internal
 */
const ENV_SETTINGS = {
  /** Graph node name (`PREDICTIVE_UNIT_ID`), for `meta.requestPath` and feedback routing. */
  unitId: (env: Env): string | undefined => env.PREDICTIVE_UNIT_ID,
  /** `PREDICTIVE_UNIT_IMAGE`. */
  unitImage: (env: Env): string | undefined => env.PREDICTIVE_UNIT_IMAGE,
  /** `SELDON_DEPLOYMENT_ID` (metrics label). */
  deploymentId: (env: Env): string | undefined => env.SELDON_DEPLOYMENT_ID,
  /** `PREDICTOR_ID` (metrics label). */
  predictorId: (env: Env): string | undefined => env.PREDICTOR_ID,
  /** `PREDICTOR_LABELS` JSON text (its `version` is a metrics label). */
  predictorLabels: (env: Env): string | undefined => env.PREDICTOR_LABELS,
  /** `INCLUDE_METRICS_IN_CLIENT_RESPONSE` is exactly `true` (case-insensitive; default). */
  includeMetricsInResponse: (env: Env): boolean =>
    (env.INCLUDE_METRICS_IN_CLIENT_RESPONSE ?? "true").toLowerCase() === "true",
  /** `PAYLOAD_PASSTHROUGH` (REST predict only). */
  payloadPassthrough: (env: Env): boolean => getenvAsBool(env, "PAYLOAD_PASSTHROUGH", false),
  /** `PREDICTIVE_UNIT_METRICS_ENDPOINT` (default `/metrics`). */
  metricsEndpoint: (env: Env): string => env.PREDICTIVE_UNIT_METRICS_ENDPOINT ?? "/metrics",
  /** `FILTER_METRICS_ACCESS_LOGS` (default: not debug). */
  filterMetricsAccessLogs: (env: Env, debug: boolean): boolean =>
    getenvAsBool(env, "FILTER_METRICS_ACCESS_LOGS", !debug),
  /** `SELDON_EXECUTOR_ENABLED` is not `false`: feedback metrics are recorded. */
  executorEnabled: (env: Env): boolean =>
    (env.SELDON_EXECUTOR_ENABLED ?? "true").toLowerCase() !== "false",
  /** `MODEL_METADATA` text (YAML), if set. */
  modelMetadata: (env: Env): string | undefined => env.MODEL_METADATA,
  /** `FLASK_JSON_SORT_KEYS` (default true). */
  jsonSortKeys: (env: Env): boolean => getenvAsBool(env, "FLASK_JSON_SORT_KEYS", true),
  /**
   * Indented JSON responses: `FLASK_JSONIFY_PRETTYPRINT_REGULAR` when set (Flask 2.2 then
   * ignores debug mode, so `false` keeps them compact), else `FLASK_DEBUG`.
   */
  jsonPrettyPrint: (env: Env): boolean =>
    getenvAsBool(
      env,
      "FLASK_JSONIFY_PRETTYPRINT_REGULAR",
      getenvAsBool(env, "FLASK_DEBUG", false),
    ),
  /** `FLASK_JSON_AS_ASCII` (default true): escape non-ASCII in JSON responses. */
  jsonAsAscii: (env: Env): boolean => getenvAsBool(env, "FLASK_JSON_AS_ASCII", true),
};

/**
 * The value of every env-only setting, by its key.
 * @internal
 */
type EnvValues = {
  readonly [K in keyof typeof ENV_SETTINGS]: ReturnType<(typeof ENV_SETTINGS)[K]>;
};

/** Reads every env-only setting. */
function readEnvSettings(env: Env, debug: boolean): EnvValues {
  const entries = Object.entries(ENV_SETTINGS).map(([key, read]) => [key, read(env, debug)]);
  return Object.fromEntries(entries) as EnvValues;
}

/**
 * The parsed configuration: one field per option of the flag table (`serviceType`, `workers`,
 * `httpPort`, … — each documented by its `--help` line), the settings read from the
 * environment only (`unitId`, `jsonSortKeys`, …), the model's `interfaceName` and the
 * effective `logLevel` (`SELDON_LOG_LEVEL`, else `--log-level`, kept as `logLevelFlag`).
 */
export type Config =
  & OptionValues
  & EnvValues
  & {
    /** The model to serve (`Module.Class`, `pkg.Class` or `./file.ts#Class`). */
    readonly interfaceName: string;
    /** The effective log level (`SELDON_LOG_LEVEL` or the flag). */
    readonly logLevel: string;
  };

/** Why parsing stopped: print `message` to stderr (or `stdout` text) and exit with `exitCode`. */
export class ConfigExit extends Error {
  constructor(readonly exitCode: number, message: string, readonly stdout?: string) {
    super(message);
  }
}

const PROG = "seldon-core-microservice";

/** argparse's width for help and usage text (`COLUMNS` unset: 80 - 2). */
const TEXT_WIDTH = 78;

/**
 * The usage shown with argparse errors, laid out as argparse does: choices as `{A,B}`,
 * optional values as `[--flag [VALUE]]`, wrapped at 78 columns under the program name.
 */
export function usage(): string {
  const parts = [
    "[-h]",
    ...SPECS.filter((o) => !o.extension).map((o) => {
      const meta = o.choices
        ? `{${o.choices.join(",")}}`
        : o.key.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase();
      return o.kind === "optBool" || o.kind === "optInt"
        ? `[${o.flag} [${meta}]]`
        : `[${o.flag} ${meta}]`;
    }),
  ];
  const prefix = "usage: ";
  const oneLine = `${PROG} ${parts.join(" ")} interface_name`;
  if (prefix.length + oneLine.length <= TEXT_WIDTH) return prefix + oneLine;
  const indent = " ".repeat(prefix.length + PROG.length + 1);
  const lines: string[] = [];
  let line: string[] = [PROG];
  let length = prefix.length + PROG.length;
  for (const part of [...parts, "interface_name"]) {
    const startsPositionals = part === "interface_name";
    if (startsPositionals || length + 1 + part.length > TEXT_WIDTH) {
      lines.push(line.join(" "));
      line = [];
      length = indent.length - 1;
    }
    line.push(part);
    length += part.length + 1;
  }
  lines.push(line.join(" "));
  return prefix + lines.join("\n" + indent);
}

/** The `--help` text: usage plus the flag/env/default table. */
export function helpText(): string {
  const rows = SPECS.map((o) => {
    const env = o.env ? `  [env ${o.env}]` : "";
    const def = o.fallback === undefined ? "" : `  (default ${JSON.stringify(o.fallback)})`;
    const ext = o.extension ? "  [TS extension]" : "";
    return `  ${o.flag.padEnd(24)}${o.help}${env}${def}${ext}`;
  });
  return [
    usage(),
    "",
    "positional arguments:",
    "  interface_name          Model class: Module.Class, pkg.mod.Class or ./path/file.ts#Class",
    "",
    "options:",
    "  -h, --help              show this help message and exit",
    ...rows,
    "",
    "Other environment variables: PREDICTIVE_UNIT_ID, PREDICTIVE_UNIT_IMAGE, SELDON_LOG_LEVEL,",
    "INCLUDE_METRICS_IN_CLIENT_RESPONSE, PAYLOAD_PASSTHROUGH, PREDICTIVE_UNIT_METRICS_ENDPOINT,",
    "FILTER_METRICS_ACCESS_LOGS, SELDON_EXECUTOR_ENABLED, MODEL_METADATA, FLASK_JSON_SORT_KEYS,",
    "FLASK_JSONIFY_PRETTYPRINT_REGULAR, FLASK_JSON_AS_ASCII.",
  ].join("\n");
}

/** An argparse-style error: the usage, then one line `<prog>: error: <text>`; exit status 2. */
function argError(text: string): ConfigExit {
  return new ConfigExit(2, `${usage()}\n${PROG}: error: ${text}`);
}

function checkRanges(values: OptionValues): void {
  for (const { key, flag, range } of SPECS) {
    if (range === undefined) continue;
    const v = values[key as keyof OptionValues] as number;
    if (v < range[0] || v > range[1]) {
      throw argError(`argument ${flag}: ${v} is outside ${range[0]}..${range[1]}`);
    }
  }
}

function parseIntValue(spec: OptionSpec, raw: string): number {
  const v = parsePythonInt(raw);
  if (v === null || typeof v === "bigint") {
    throw argError(`argument ${spec.flag}: invalid int value: '${raw}'`);
  }
  return v;
}

function parseSize(spec: OptionSpec, raw: string): number {
  const m = /^\s*(\d+)\s*([kmg]?)i?b?\s*$/i.exec(raw);
  if (!m) throw argError(`argument ${spec.flag}: invalid size value: '${raw}'`);
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

/** Python's `bool(str)`: any non-empty string is true (server.md §1.4 [QUIRK]). */
function pyBool(raw: string): boolean {
  return raw.length > 0;
}

const BARE = "\u0000bare";

/** Kinds whose env var is read as a Python int when the parser is built. */
const INT_KINDS: ReadonlySet<Kind> = new Set(["int", "intSwitch", "optInt"]);

/**
 * argparse's `_parse_optional`: a token is a value (not an option) unless it starts with `-`;
 * `-` alone, negative numbers and tokens with a space that name no flag are values too.
 */
function isValueToken(token: string, flags: readonly string[]): boolean {
  if (!token.startsWith("-") || token === "-" || NEGATIVE_NUMBER.test(token)) return true;
  if (!token.includes(" ")) return false;
  const eq = token.indexOf("=");
  const name = eq < 0 ? token : token.slice(0, eq);
  return !flags.some((f) => f.startsWith(name));
}

/** argparse's `_negative_number_matcher`. */
const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;

/**
 * Rewrites argv into `--full-flag=value` tokens: expands unique prefixes, gives optional-value
 * flags their value or a bare marker, and leaves unknown tokens alone. `-h`/`--help` short-cut.
 */
function normalise(argv: readonly string[]): string[] {
  const upstream = ["--help", ...SPECS.filter((o) => !o.extension).map((o) => o.flag)];
  const flags = [...upstream, ...SPECS.filter((o) => o.extension).map((o) => o.flag)];
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "-h") throw new ConfigExit(0, "", helpText());
    if (token === "--") {
      // Everything after `--` is a positional, exactly as typed (argparse's `A` pattern).
      out.push(...argv.slice(i));
      break;
    }
    if (!token.startsWith("--")) {
      out.push(token);
      continue;
    }
    const eq = token.indexOf("=");
    const name = eq < 0 ? token : token.slice(0, eq);
    // Upstream's flags first (argparse's order, --help leading); extensions only as a fallback.
    let matches = flags.includes(name) ? [name] : upstream.filter((f) => f.startsWith(name));
    if (matches.length === 0) matches = flags.filter((f) => f.startsWith(name));
    if (matches.length > 1) {
      throw argError(`ambiguous option: ${token} could match ${matches.join(", ")}`);
    }
    if (matches.length === 0) {
      out.push(token);
      continue;
    }
    const flag = matches[0];
    if (flag === "--help") throw new ConfigExit(0, "", helpText());
    const spec = SPECS.find((o) => o.flag === flag)!;
    const optional = spec.kind === "optBool" || spec.kind === "optInt";
    let value: string;
    if (eq >= 0) {
      value = token.slice(eq + 1);
    } else if (i + 1 < argv.length && isValueToken(argv[i + 1], flags)) {
      value = argv[++i];
    } else if (optional) {
      value = BARE;
    } else {
      throw argError(`argument ${flag}: expected one argument`);
    }
    out.push(`${flag}=${value}`);
  }
  return out;
}

/** Reads an int env var at parser-build time, as upstream does (bad value → exit 1). */
function envInt(spec: OptionSpec, env: Env): number | string | undefined {
  const raw = spec.env ? env[spec.env] : undefined;
  if (raw === undefined) return undefined;
  const v = parsePythonInt(raw);
  if (v !== null && typeof v === "number") return v;
  if (spec.lazyEnv) return raw;
  throw new ConfigExit(
    1,
    `ValueError: invalid literal for int() with base 10: '${raw}' (from ${spec.env})`,
  );
}

/**
 * Parses `argv` (without the program name) and `env` into a frozen {@link Config}.
 * Throws {@link ConfigExit} for `--help` (code 0), argparse errors (2), unknown leftover
 * arguments (255) and bad env values (1).
 */
export function parseConfig(argv: readonly string[], env: Env): Config {
  checkPredictorLabels(env);
  const envInts = new Map<string, number | string | undefined>();
  for (const spec of SPECS) {
    if (INT_KINDS.has(spec.kind)) envInts.set(spec.key, envInt(spec, env));
  }
  const options = Object.fromEntries(
    SPECS.map((o) => [o.flag.slice(2), { type: "string" as const }]),
  );
  const args = normalise(argv);
  const { values: texts, positionals, tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  // argparse's leftovers keep their command-line order (unknown flags and extra positionals),
  // each exactly as typed (`--foo=`, `-xyz`: parseArgs splits a short group into several tokens).
  const leftovers: string[] = [];
  const interfaceName: string | undefined = positionals[0];
  let positionalSeen = false;
  let lastIndex = -1;
  for (const t of tokens ?? []) {
    if (t.kind === "option" && !(t.name in options)) {
      if (t.index !== lastIndex) leftovers.push(args[t.index]);
      lastIndex = t.index;
    } else if (t.kind === "positional") {
      if (positionalSeen) leftovers.push(t.value);
      positionalSeen = true;
    }
  }

  // Each value is resolved by its spec's kind, so it has the type OptionValue<spec> gives it.
  const values = Object.fromEntries(SPECS.map((spec) => {
    const given = texts[spec.flag.slice(2)];
    const value = resolveOption(
      spec,
      typeof given === "string" ? given : undefined,
      env,
      envInts.get(spec.key),
    );
    return [spec.key, value];
  })) as OptionValues;
  if (interfaceName === undefined) {
    throw argError("the following arguments are required: interface_name");
  }
  if (leftovers.length > 0) {
    const list = "[" + leftovers.map((l) => `'${l}'`).join(", ") + "]";
    throw new ConfigExit(
      255,
      `Unknown args ${list}. Note since 1.5.0 this CLI does not take API type (REST, GRPC)`,
    );
  }
  const envLevel = env.SELDON_LOG_LEVEL;
  const logLevel = envLevel ?? values.logLevelFlag.toUpperCase();
  if (!ENV_LOG_LEVELS.includes(logLevel)) {
    // Upstream parses `--parameters` before it checks the level: a bad one is reported first.
    try {
      parseParameters(values.parameters);
    } catch (err) {
      const reason = (err as { reason?: string }).reason;
      const message = errorText(err);
      throw new ConfigExit(1, reason ? `${reason}: ${message}` : message);
    }
    throw new ConfigExit(1, `ValueError: Invalid log level: ${logLevel}`);
  }
  checkRanges(values);
  return Object.freeze({
    ...values,
    ...readEnvSettings(env, values.debug),
    interfaceName,
    logLevel,
  });
}

/**
 * Upstream reads `PREDICTOR_LABELS` when its metrics module is imported, before `main` parses
 * any flag: invalid JSON, or JSON that is not an object (`.get` fails), aborts with status 1
 * whatever the command line says.
 */
function checkPredictorLabels(env: Env): void {
  if (env.PREDICTOR_LABELS === undefined) return;
  let labels: unknown;
  try {
    labels = JSON.parse(env.PREDICTOR_LABELS);
  } catch (err) {
    throw new ConfigExit(1, `PREDICTOR_LABELS is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof labels !== "object" || labels === null || Array.isArray(labels)) {
    throw new ConfigExit(1, "PREDICTOR_LABELS is not a JSON object");
  }
}

/** An int option: `--flag` alone (optional-value flags) = 1, then flag, env, fallback. */
function resolveInt(
  spec: OptionSpec,
  given: string | undefined,
  envInt: number | string | undefined,
) {
  if (given === BARE) return 1;
  if (given !== undefined) return parseIntValue(spec, given);
  if (typeof envInt === "string") return parseIntValue(spec, envInt);
  return envInt ?? spec.fallback as number;
}

/** The value of one option from its flag text, the environment and its fallback. */
function resolveOption(
  spec: OptionSpec,
  given: string | undefined,
  env: Env,
  envInt: number | string | undefined,
): unknown {
  switch (spec.kind) {
    case "choice":
      if (given === undefined) return spec.fallback;
      if (!spec.choices!.includes(given)) {
        const choices = spec.choices!.map((c) => `'${c}'`).join(", ");
        throw argError(
          `argument ${spec.flag}: invalid choice: '${given}' (choose from ${choices})`,
        );
      }
      return given;
    case "int":
    case "optInt":
      return resolveInt(spec, given, envInt);
    case "intSwitch":
      return resolveInt(spec, given, envInt) !== 0;
    case "optBool":
      if (given === BARE) return true;
      if (given !== undefined) return pyBool(given);
      return getenvAsBool(env, spec.env!, spec.fallback as boolean);
    case "size": {
      const raw = given ?? (spec.env ? env[spec.env] : undefined);
      return raw === undefined ? spec.fallback : parseSize(spec, raw);
    }
    case "string":
      return given ?? (spec.env ? env[spec.env] : undefined) ?? spec.fallback;
  }
}
