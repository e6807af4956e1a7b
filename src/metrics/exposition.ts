/**
 * What the exposition of the custom-metric series is made of (metrics-and-processes.md §2.5):
 * its content type, the default labels of every sample, which keys name a family. The text
 * itself is rendered by prom-client (registry.ts).
 * @module
 */
import {
  deploymentName,
  type Env,
  imageName,
  modelName,
  predictorName,
  predictorVersion,
} from "../config/env.ts";
import { splitImageTag } from "../protocol/metadata.ts";
import type { Series } from "./store.ts";

/** `Content-Type` of a scrape (prometheus_client `CONTENT_TYPE_LATEST`). */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The labels added to every sample besides the series' tags and `worker_id` (§2.5). */
export interface DefaultLabels {
  readonly deployment_name: string;
  readonly model_name: string;
  readonly model_image: string;
  readonly model_version: string;
  readonly predictor_name: string;
  readonly predictor_version: string;
  readonly seldon_deployment_name: string;
  readonly image_name: string;
  readonly image_version: string;
}

/**
 * The default labels from the environment: `SELDON_DEPLOYMENT_ID`, `PREDICTIVE_UNIT_ID`,
 * `PREDICTIVE_UNIT_IMAGE` split at the last `:` (no colon → image `""`, version = the whole
 * value; unset → `NOT_IMPLEMENTED` for both), `PREDICTOR_ID`, `PREDICTOR_LABELS.version`, each
 * `NOT_IMPLEMENTED` when unset, plus the pre-1.3 compatibility copies.
 *
 * @throws {SyntaxError} when `PREDICTOR_LABELS` is not valid JSON (upstream crashes at startup).
 */
export function defaultLabels(env: Env): DefaultLabels {
  const deployment = deploymentName(env);
  const [image, version] = splitImageTag(imageName(env));
  return {
    deployment_name: deployment,
    model_name: modelName(env),
    model_image: image,
    model_version: version,
    predictor_name: predictorName(env),
    predictor_version: predictorVersion(env),
    seldon_deployment_name: deployment,
    image_name: image,
    image_version: version,
  };
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Whether `key` can name a family of `type`. A COUNTER's name is its key without a trailing
 * `_total` (prometheus_client strips it), so `_total` alone is invalid.
 */
export function isValidMetricKey(type: Series["type"], key: string): boolean {
  const name = type === "COUNTER" && key.endsWith("_total") ? key.slice(0, -6) : key;
  return METRIC_NAME.test(name);
}

/** Receives each series left out of a scrape because its key is not a metric name. */
export type SkipHandler = (key: string, workerId: string) => void;
