/**
 * The default labels of every custom-metric series, from the configuration.
 * @module
 */
import type { Config } from "../config/options.ts";
import { type DefaultLabels, defaultLabels } from "./exposition.ts";

/** The default metrics labels, from the configuration's copy of the environment. */
export function metricsLabels(config: Config): DefaultLabels {
  return defaultLabels({
    SELDON_DEPLOYMENT_ID: config.deploymentId,
    PREDICTIVE_UNIT_ID: config.unitId,
    PREDICTIVE_UNIT_IMAGE: config.unitImage,
    PREDICTOR_ID: config.predictorId,
    PREDICTOR_LABELS: config.predictorLabels,
  });
}
