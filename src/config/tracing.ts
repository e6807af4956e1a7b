/**
 * Tracing (`--tracing` / `TRACING`) through Deno's built-in OpenTelemetry: worker processes are
 * started with `OTEL_DENO=true`, which traces every `Deno.serve` request and `node:http2` (gRPC)
 * call and exports OTLP over HTTP. Upstream's Jaeger settings are mapped as
 * metrics-and-processes.md §5.2 recommends: the service name is the interface name,
 * `JAEGER_AGENT_HOST` (or `local_agent.reporting_host` of `JAEGER_CONFIG_PATH`) becomes the OTLP
 * endpoint `http://<host>:4318`, and the config file's sampler becomes `OTEL_TRACES_SAMPLER`.
 * Explicit `OTEL_*` variables always win.
 * @module
 */
import { parseYaml } from "../yaml.ts";
import type { Env } from "./env.ts";

/** The environment additions that switch tracing on in a child process. */
export interface TracingSetup {
  readonly env: Record<string, string>;
  /** Things worth a WARNING (ignored or approximated settings). */
  readonly warnings: string[];
}

interface JaegerConfig {
  sampler?: { type?: string; param?: number };
  local_agent?: { reporting_host?: string; reporting_port?: number };
}

function readJaegerConfig(path: string | undefined, warnings: string[]): JaegerConfig {
  if (!path) return {};
  try {
    const doc = parseYaml(Deno.readTextFileSync(path));
    return typeof doc === "object" && doc !== null ? doc as JaegerConfig : {};
  } catch (err) {
    warnings.push(`Cannot read JAEGER_CONFIG_PATH ${path}: ${(err as Error).message}`);
    return {};
  }
}

function samplerEnv(sampler: JaegerConfig["sampler"], warnings: string[]): Record<string, string> {
  const param = Number(sampler?.param ?? 1);
  switch (sampler?.type) {
    case undefined:
    case "const":
      return { OTEL_TRACES_SAMPLER: param ? "parentbased_always_on" : "parentbased_always_off" };
    case "probabilistic":
      return {
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: String(param),
      };
    default:
      warnings.push(`Jaeger sampler type ${sampler?.type} is not supported: sampling every trace`);
      return { OTEL_TRACES_SAMPLER: "parentbased_always_on" };
  }
}

/** The child environment for tracing `serviceName` with upstream's env/config file mapped. */
export function tracingSetup(serviceName: string, env: Env): TracingSetup {
  const warnings: string[] = [];
  const config = readJaegerConfig(env.JAEGER_CONFIG_PATH, warnings);
  const out: Record<string, string> = { OTEL_DENO: "true" };
  if (env.OTEL_SERVICE_NAME === undefined) out.OTEL_SERVICE_NAME = serviceName;
  if (
    env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined &&
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT === undefined
  ) {
    const host = config.local_agent?.reporting_host ?? env.JAEGER_AGENT_HOST ?? "localhost";
    out.OTEL_EXPORTER_OTLP_ENDPOINT = `http://${host === "0.0.0.0" ? "localhost" : host}:4318`;
  }
  if (env.JAEGER_AGENT_PORT !== undefined || config.local_agent?.reporting_port !== undefined) {
    warnings.push(
      "The Jaeger agent port is ignored: spans are exported with OTLP over HTTP (port 4318)",
    );
  }
  if (env.OTEL_TRACES_SAMPLER === undefined) {
    Object.assign(out, samplerEnv(config.sampler, warnings));
  }
  return { env: out, warnings };
}
