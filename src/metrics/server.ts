/**
 * The metrics port: a guarded `Deno.serve` (connection cap, timeouts) with the metrics handler (metrics-and-processes.md §1.7).
 * @module
 */
import type { Config } from "../config/options.ts";
import { writeAccessLog } from "../http/access_log.ts";
import { guardedServe } from "../http/guarded_serve.ts";
import { connectionLimits } from "../http/limits.ts";
import { createMetricsHandler } from "./http.ts";

/** A running metrics server. */
export interface MetricsServer {
  readonly port: number;
  shutdown(): Promise<void>;
}

/** Serves `render()` at `config.metricsEndpoint` on `config.metricsPort`. */
export function startMetricsServer(
  config: Config,
  render: () => string | Promise<string>,
): MetricsServer {
  const handler = createMetricsHandler(render, config.metricsEndpoint);
  // The access log of upstream's metrics app (gunicorn with `--access-log`, werkzeug in debug),
  // where FILTER_METRICS_ACCESS_LOGS hides the scrapes themselves (§2.7, §4.3).
  const skip = config.filterMetricsAccessLogs ? config.metricsEndpoint : undefined;
  const logged = config.accessLog || config.debug
    ? async (req: Request, info: Deno.ServeHandlerInfo) => {
      return writeAccessLog(req, await handler(req), info, skip);
    }
    : handler;
  const server = guardedServe({
    ...connectionLimits(config),
    name: "metrics",
    port: config.metricsPort,
    hostname: config.host,
  }, logged);
  return { port: server.addr.port, shutdown: () => server.shutdown() };
}
