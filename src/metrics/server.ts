/**
 * The metrics port: `Deno.serve` with the metrics handler (metrics-and-processes.md §1.7).
 * @module
 */
import type { Config } from "../config/options.ts";
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
  const server = Deno.serve({
    port: config.metricsPort,
    hostname: config.host,
    onListen: () => {},
  }, handler);
  return { port: (server.addr as Deno.NetAddr).port, shutdown: () => server.shutdown() };
}
