/**
 * Serving REST in this process: `startRest` with the configuration's limits, JSON style, access
 * log and timeout. Imported only by processes that serve REST (never grpc-js).
 * @module
 */
import type { Config } from "../config/options.ts";
import { restUrl } from "../config/rest_url.ts";
import type { ServerAnnotations } from "../config/server_annotations.ts";
import type { DataPlane } from "../dataplane/dataplane.ts";
import { connectionLimits } from "../http/limits.ts";
import { logger } from "../logging.ts";
import { type RestServer, startRest } from "../rest/server.ts";
import { announcer } from "./plane.ts";

const log = logger("microservice");

/** Options of {@link serveRest}. */
export interface ServeRestOptions {
  /** Share the port with sibling processes. */
  readonly reusePort?: boolean;
  /** Called after every request (max-requests counting). */
  readonly onRequest?: (operation: string, status: string, seconds: number) => void;
  /** Called when a request is stuck long after its `seldon.io/rest-timeout` deadline. */
  readonly onStuck?: () => void;
  /** Aborted when the grace period is about to run out: unfinished requests get a 503. */
  readonly terminating?: AbortSignal;
  /** Log the "running on port" lines at INFO (workers leave that to the supervisor). */
  readonly announce?: boolean;
}

/** Starts the REST server on `plane`; resolves when bound. */
export function serveRest(
  plane: DataPlane,
  config: Config,
  annotations: ServerAnnotations,
  options: ServeRestOptions = {},
): RestServer {
  const rest = startRest(plane, {
    port: config.httpPort,
    hostname: config.host,
    reusePort: options.reusePort,
    maxBodySize: config.maxBodySize,
    bodyTimeoutMs: config.bodyTimeout * 1000,
    payloadPassthrough: config.payloadPassthrough,
    concurrency: config.singleThreaded ? 1 : config.debug ? Infinity : config.threads,
    json: {
      pretty: config.jsonPrettyPrint,
      ascii: config.jsonAsAscii,
      sortKeys: config.jsonSortKeys,
    },
    accessLog: config.accessLog || config.debug,
    accessLogFilter: config.filterMetricsAccessLogs ? config.metricsEndpoint : undefined,
    timeoutMs: config.debug ? undefined : annotations.restTimeoutMs, // gunicorn only
    onRequest: options.onRequest,
    onStuck: options.onStuck,
    limits: connectionLimits(config),
    forwardedScheme: !config.debug,
    terminating: options.terminating,
  });
  announcer(options.announce !== false)("REST microservice running on port {port}", rest.port);
  if (options.announce !== false) {
    log.info("Predictions: POST {url}/api/v1.0/predictions", {
      url: restUrl(config.host, rest.port),
    });
  }
  return rest;
}
