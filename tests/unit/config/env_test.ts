/**
 * Ports of the environment-helper lines of upstream `python/tests/test_utils.py`
 * (tests-catalog.md § test_utils.py; server.md §1.6).
 */
import { RestCall } from "../../../src/rest/server.ts";
import { assertEquals } from "../../_helpers/assert.ts";
import { parseConfig } from "../../../src/config/options.ts";
import { DataPlane } from "../../../src/dataplane/dataplane.ts";
import type { JsonObject } from "../../../src/protocol/payload.ts";
import {
  deploymentName,
  getenv,
  getenvAsBool,
  imageName,
  modelName,
  predictorName,
  predictorVersion,
} from "../../../src/config/env.ts";

Deno.test("test_getenv", () => {
  const cases: [Record<string, string>, string][] = [
    [{ FOO1: "BAR1" }, "BAR1"],
    [{ FOO2: "BAR2" }, "BAR2"],
    [{ FOO3: "BAR3" }, "BAR3"],
    [{ FOO1: "BAR1", FOO2: "BAR2" }, "BAR1"],
    [{}, "DEF"],
  ];
  for (const [env, expected] of cases) {
    assertEquals(getenv(env, ["FOO1", "FOO2", "FOO3"], "DEF"), expected, JSON.stringify(env));
  }
});

Deno.test("test_getenv_as_bool", () => {
  const cases: [string | undefined, boolean][] = [
    ["TRUE", true],
    ["true", true],
    ["t", true],
    ["1", true],
    ["True", true],
    ["T", true],
    ["FALSE", false],
    ["false", false],
    ["f", false],
    ["0", false],
    [undefined, false],
  ];
  for (const [value, expected] of cases) {
    const env = value === undefined ? {} : { MY_BOOL_VAR: value };
    assertEquals(getenvAsBool(env, "MY_BOOL_VAR", false), expected, String(value));
  }
  // unset → the default, whatever it is
  assertEquals(getenvAsBool({}, "MY_BOOL_VAR", true), true);
});

Deno.test("test_get_deployment_name_ok", () => {
  const env = {
    SELDON_DEPLOYMENT_ID: "my-deployment",
    PREDICTIVE_UNIT_ID: "my-model",
    PREDICTIVE_UNIT_IMAGE: "my-image:0.1",
    PREDICTOR_ID: "my-predictor",
    PREDICTOR_LABELS: '{"key":"dummy","version":"2"}',
  };
  assertEquals(deploymentName(env), "my-deployment");
  assertEquals(modelName(env), "my-model");
  assertEquals(imageName(env), "my-image:0.1");
  assertEquals(predictorName(env), "my-predictor");
  assertEquals(predictorVersion(env), "2");
});

Deno.test("test_env_notset_ok", async () => {
  const env = {};
  assertEquals(deploymentName(env), "NOT_IMPLEMENTED");
  assertEquals(modelName(env), "NOT_IMPLEMENTED");
  assertEquals(predictorName(env), "NOT_IMPLEMENTED");
  assertEquals(predictorVersion(env), "NOT_IMPLEMENTED");
  assertEquals(imageName(env), "NOT_IMPLEMENTED:NOT_IMPLEMENTED");
  // No PREDICTIVE_UNIT_ID → no own `requestPath` entry in responses.
  const config = parseConfig(["TestModel"], env);
  assertEquals(config.unitId, undefined);
  const plane = await DataPlane.create({ predict: (X: unknown) => X }, {
    includeMetrics: true,
    executorEnabled: true,
    unitId: config.unitId,
    unitImage: config.unitImage,
  });
  const res = await plane.message(
    "predict",
    { data: { ndarray: [[1]] } },
    new RestCall(new Headers()),
  ) as JsonObject;
  assertEquals(res.meta, {});
});

Deno.test("test_env_notset_with_default_ok", () => {
  const env = {};
  assertEquals(deploymentName(env, "0"), "0");
  assertEquals(modelName(env, "0"), "0");
  assertEquals(imageName(env, "0"), "0");
  assertEquals(predictorName(env, "0"), "0");
  assertEquals(predictorVersion(env, "0"), "0");
});
