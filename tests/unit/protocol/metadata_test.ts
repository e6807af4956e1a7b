import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  buildModelMetadata,
  metadataToProtoJson,
  parseModelMetadataEnv,
  SeldonInvalidMetadataError,
  splitImageTag,
  validateModelMetadata,
} from "../../../src/protocol/metadata.ts";
import { META_U } from "../../_helpers/upstream.ts";
import { loadYaml } from "../../../src/yaml.ts";

await loadYaml();

/** Parse a YAML test document like upstream's `yaml.safe_load(data)`. */
function yaml(text: string): Record<string, unknown> {
  const errors: string[] = [];
  const doc = parseModelMetadataEnv(text, (m) => errors.push(m));
  deepStrictEqual(errors, []);
  return doc;
}

const DEFAULTS = { platform: "", inputs: [], outputs: [], custom: {} };

Deno.test("test_split_image_tag", () => {
  deepStrictEqual(splitImageTag("seldonio/sklearn-iris:0.1"), ["seldonio/sklearn-iris", "0.1"]);
});

Deno.test("test_split_image_tag_with_colon", () => {
  deepStrictEqual(splitImageTag("localhost:32000/sklearn-iris:0.1"), [
    "localhost:32000/sklearn-iris",
    "0.1",
  ]);
});

Deno.test("splitImageTag: no colon → empty name, whole string as version", () => {
  deepStrictEqual(splitImageTag("iris"), ["", "iris"]);
  deepStrictEqual(splitImageTag(""), ["", ""]);
});

Deno.test("test_default_values", () => {
  deepStrictEqual(validateModelMetadata({}), { name: "", versions: [""], ...DEFAULTS });
});

Deno.test("test_default_values_with_env", () => {
  deepStrictEqual(validateModelMetadata({}, "seldonio/sklearn-iris:0.1"), {
    name: "seldonio/sklearn-iris",
    versions: ["0.1"],
    ...DEFAULTS,
  });
});

Deno.test("test_default_values_with_colon_in_env", () => {
  deepStrictEqual(validateModelMetadata({}, "localhost:32000/sklearn-iris:0.1"), {
    name: "localhost:32000/sklearn-iris",
    versions: ["0.1"],
    ...DEFAULTS,
  });
});

Deno.test("test_v1_only_messagetype", () => {
  for (
    const t of ["tensor", "ndarray", "tftensor", "jsonData", "binData", "strData", "custom_data"]
  ) {
    const data = `
        name: my-model-name
        versions: [ my-model-version-01 ]
        platform: seldon
        inputs:
        - messagetype: ${t}
        outputs:
        - messagetype: ${t}
        custom:
            tag-key: tag-value
    `;
    const expected = {
      name: "my-model-name",
      versions: ["my-model-version-01"],
      platform: "seldon",
      inputs: [{ messagetype: t }],
      outputs: [{ messagetype: t }],
      custom: { "tag-key": "tag-value" },
    };
    const metaJson = validateModelMetadata(yaml(data));
    deepStrictEqual(metaJson, expected, t);
    deepStrictEqual(metadataToProtoJson(metaJson), expected, t);
  }
});

Deno.test("test_v1_mixed_multiple_inputs", () => {
  const data = `
        name: my-model-name
        versions: [ my-model-version-01 ]
        platform: seldon
        inputs:
        - messagetype: "tensor"
          schema:
            names: [a, b, c, d]
            shape: [ 2, 2 ]
        - messagetype: jsonData
        outputs:
        - messagetype: "binData"
        custom:
            tag-key: tag-value
    `;
  const expected = {
    name: "my-model-name",
    versions: ["my-model-version-01"],
    platform: "seldon",
    inputs: [
      { messagetype: "tensor", schema: { names: ["a", "b", "c", "d"], shape: [2, 2] } },
      { messagetype: "jsonData" },
    ],
    outputs: [{ messagetype: "binData" }],
    custom: { "tag-key": "tag-value" },
  };
  const metaJson = validateModelMetadata(yaml(data));
  deepStrictEqual(metaJson, expected);
  deepStrictEqual(metadataToProtoJson(metaJson), expected);
});

Deno.test("test_v1_array", () => {
  for (const t of ["tensor", "ndarray", "tftensor", "custom_data"]) {
    const data = `
        name: my-model-name
        versions: [ my-model-version-01 ]
        platform: seldon
        inputs:
        - messagetype: ${t}
          schema:
            names: [a, b, c, d]
            shape: [ 2, 2 ]
        outputs:
        - messagetype: ${t}
          schema:
            shape: [ 1 ]
        custom:
            tag-key: tag-value
    `;
    const expected = {
      name: "my-model-name",
      versions: ["my-model-version-01"],
      platform: "seldon",
      inputs: [{ messagetype: t, schema: { names: ["a", "b", "c", "d"], shape: [2, 2] } }],
      outputs: [{ messagetype: t, schema: { shape: [1] } }],
      custom: { "tag-key": "tag-value" },
    };
    const metaJson = validateModelMetadata(yaml(data));
    deepStrictEqual(metaJson, expected, t);
    // schema is a google.protobuf.Value: numbers stay JSON numbers ([2.0, 2.0], [1.0]).
    deepStrictEqual(metadataToProtoJson(metaJson), expected, t);
  }
});

Deno.test("test_v1_json_with_schema", () => {
  const data = `
        name: my-model-name
        versions: [ my-model-version-01 ]
        platform: seldon
        inputs:
        - messagetype: jsonData
          schema:
              type: object
              properties:
                  names:
                      type: array
                      items:
                          type: string
                  data:
                    type: array
                    items:
                        type: number
                        format: double
        outputs:
        - messagetype: jsonData
        custom:
            tag-key: tag-value
    `;
  const expected = {
    name: "my-model-name",
    versions: ["my-model-version-01"],
    platform: "seldon",
    inputs: [{
      messagetype: "jsonData",
      schema: {
        type: "object",
        properties: {
          names: { type: "array", items: { type: "string" } },
          data: { type: "array", items: { type: "number", format: "double" } },
        },
      },
    }],
    outputs: [{ messagetype: "jsonData" }],
    custom: { "tag-key": "tag-value" },
  };
  const metaJson = validateModelMetadata(yaml(data));
  deepStrictEqual(metaJson, expected);
  deepStrictEqual(metadataToProtoJson(metaJson), expected);
});

Deno.test("test_v1_invalid_inputs", () => {
  const invalid: unknown[] = [
    {},
    { messagetype: "mytype" },
    { messagetype: "array" },
    { messagetype: "array", shape: "1, 2" },
    { messagetype: "array", shape: "1, 2" },
    { messagetype: "array", shape: [2, 2], invalid: "field" },
    { messagetype: "jsonData", invalid: "field" },
    { messagetype: "jsonData", schema: "some string" },
    { messagetype: "strData", invalid: "field" },
    { messagetype: "binData", invalid: "field" },
  ];
  const validBase = { inputs: [{ messagetype: "strData" }], outputs: [{ messagetype: "strData" }] };
  for (const item of invalid) {
    throws(
      () => validateModelMetadata({ ...validBase, inputs: item }),
      SeldonInvalidMetadataError,
    );
    throws(
      () => validateModelMetadata({ ...validBase, outputs: item }),
      SeldonInvalidMetadataError,
    );
  }
});

Deno.test("test_v1_invalid_schema_fields", () => {
  for (const t of ["tensor", "ndarray", "tftensor", "binData", "strData"]) {
    throws(
      () =>
        validateModelMetadata({
          inputs: [{ messagetype: t, schema: { "custom-field": "custom-def" } }],
        }),
      SeldonInvalidMetadataError,
      t,
    );
  }
});

Deno.test("test_v1_valid_custom_schema", () => {
  for (const t of ["jsonData", "customData"]) {
    const meta = { inputs: [{ messagetype: t, schema: { "custom-field": "custom-def" } }] };
    deepStrictEqual(validateModelMetadata(meta).inputs, meta.inputs);
  }
});

Deno.test("test_v2", () => {
  const data = `
        name: my-model-name
        versions: [ my-model-version-01 ]
        platform: seldon
        inputs:
        - datatype: BYTES
          name: input
          shape: [ 1, 4 ]
        outputs:
        - datatype: BYTES
          name: output
          shape: [ 3 ]
        custom:
            tag-key: tag-value
    `;
  const metaJson = validateModelMetadata(yaml(data));
  deepStrictEqual(metaJson, {
    name: "my-model-name",
    versions: ["my-model-version-01"],
    platform: "seldon",
    inputs: [{ datatype: "BYTES", name: "input", shape: [1, 4] }],
    outputs: [{ datatype: "BYTES", name: "output", shape: [3] }],
    custom: { "tag-key": "tag-value" },
  });
  const proto = metadataToProtoJson(metaJson);
  deepStrictEqual(proto, {
    name: "my-model-name",
    versions: ["my-model-version-01"],
    platform: "seldon",
    inputs: [{ name: "input", datatype: "BYTES", shape: ["1", "4"] }],
    outputs: [{ name: "output", datatype: "BYTES", shape: ["3"] }],
    custom: { "tag-key": "tag-value" },
  });
  // proto3 JSON field order (field numbers).
  deepStrictEqual(Object.keys((proto.inputs as object[])[0]), ["name", "datatype", "shape"]);
});

Deno.test("test_v1_v2_mix", () => {
  const data = `
        name: my-model-name
        versions: [ my-model-version-01 ]
        platform: seldon
        inputs:
        - datatype: BYTES
          name: input
          shape: [ 1, 4 ]
        - messagetype: jsonData
        outputs:
        - datatype: BYTES
          name: output
          shape: [ 3 ]
        custom:
            tag-key: tag-value
    `;
  const metaJson = validateModelMetadata(yaml(data));
  deepStrictEqual(metaJson, {
    name: "my-model-name",
    versions: ["my-model-version-01"],
    platform: "seldon",
    inputs: [
      { datatype: "BYTES", name: "input", shape: [1, 4] },
      { messagetype: "jsonData" },
    ],
    outputs: [{ datatype: "BYTES", name: "output", shape: [3] }],
    custom: { "tag-key": "tag-value" },
  });
  deepStrictEqual(metadataToProtoJson(metaJson), {
    name: "my-model-name",
    versions: ["my-model-version-01"],
    platform: "seldon",
    inputs: [
      { name: "input", datatype: "BYTES", shape: ["1", "4"] },
      { messagetype: "jsonData" },
    ],
    outputs: [{ name: "output", datatype: "BYTES", shape: ["3"] }],
    custom: { "tag-key": "tag-value" },
  });
});

Deno.test("test_validate_model_metadata", () => {
  deepStrictEqual(validateModelMetadata(structuredClone(META_U), undefined), META_U);
});

Deno.test("test_validate_model_metadata_with_env", () => {
  deepStrictEqual(
    validateModelMetadata(structuredClone(META_U), "seldonio/sklearn-iris:0.1"),
    META_U,
  );
});

Deno.test("test_validate_model_metadata_with_colon_in_env", () => {
  deepStrictEqual(
    validateModelMetadata(structuredClone(META_U), "localhost:32000/sklearn-iris:0.1"),
    META_U,
  );
});

Deno.test("test_validate_model_metadata_wrong_versions", () => {
  for (const versions of ["v1", [1], "[v]", "[1]", 1, 1.1]) {
    throws(() => validateModelMetadata({ versions }), SeldonInvalidMetadataError);
  }
});

Deno.test("test_validate_model_metadata_wrong_inputs_outputs", () => {
  const invalid: unknown[] = [
    { name: "tensor-name", datatype: "data-type", shape: [1, 2] },
    "some string",
    ["some string in array"],
  ];
  for (const bad of invalid) {
    throws(() => validateModelMetadata({ inputs: bad }), SeldonInvalidMetadataError);
    throws(() => validateModelMetadata({ outputs: bad }), SeldonInvalidMetadataError);
  }
});

Deno.test("validateModelMetadata: server.md §4.5 examples", () => {
  validateModelMetadata({
    inputs: [{ messagetype: "ndarray", schema: { names: ["a", "b"], shape: [2] } }],
    outputs: [{ name: "p", datatype: "FP32", shape: [1, 3] }],
    custom: { team: "risk" },
  });
  validateModelMetadata({ inputs: [{}], outputs: [{ shape: [2.0] }] }); // {} is a v2 tensor; 2.0 is an integer
  const invalid: unknown[] = [
    { versions: "1.0" },
    { inputs: { messagetype: "strData" } },
    { inputs: [{ messagetype: "strData", schema: {} }] },
    { inputs: [{ name: "x", datatype: "FLOAT" }] },
    { custom: { n: 1 } },
    { owner: "me" },
    { inputs: [{ shape: [true] }] }, // booleans are not integers
    { inputs: [{ shape: [1.5] }] },
    { inputs: [{ messagetype: 5 }] },
    { name: 5 },
    { platform: null },
  ];
  for (const doc of invalid) {
    throws(() => validateModelMetadata(doc), SeldonInvalidMetadataError, JSON.stringify(doc));
  }
});

Deno.test("validateModelMetadata: error message names the offending value", () => {
  try {
    validateModelMetadata({ versions: "1.0" });
    throw new Error("expected a throw");
  } catch (e) {
    ok(e instanceof SeldonInvalidMetadataError);
    strictEqual(e.message, "'1.0' is not of type 'array'\n\nOn instance['versions']:\n    '1.0'");
  }
  throws(() => validateModelMetadata({ owner: "me" }), {
    message: /Additional properties are not allowed \('owner' was unexpected\)/,
  });
});

Deno.test("parseModelMetadataEnv: YAML, JSON with trailing comma, errors", () => {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  const jsonMeta = `
{
    "name": "test_name_json",
    "versions": ["test-version"],
    "platform": "seldon",
    "inputs": [{"name": "input", "datatype": "BYTES", "shape": [1, 2]}],
    "outputs": [{"name": "output", "datatype": "BYTES", "shape": [1, 2, 3]}],
    "custom": {"tag-key": "tag-value"},
}
`;
  deepStrictEqual(parseModelMetadataEnv(jsonMeta, log), {
    name: "test_name_json",
    versions: ["test-version"],
    platform: "seldon",
    inputs: [{ name: "input", datatype: "BYTES", shape: [1, 2] }],
    outputs: [{ name: "output", datatype: "BYTES", shape: [1, 2, 3] }],
    custom: { "tag-key": "tag-value" },
  });
  deepStrictEqual(parseModelMetadataEnv(undefined, log), {});
  deepStrictEqual(parseModelMetadataEnv("{}", log), {});
  deepStrictEqual(parseModelMetadataEnv("a: 1\na: 2", log), { a: 2 });
  strictEqual(logs.length, 0);

  deepStrictEqual(parseModelMetadataEnv("name: [unclosed", log), {});
  strictEqual(logs.length, 1);
  ok(logs[0].startsWith("Reading metadata from MODEL_METADATA env variable failed: "));
  for (const notMapping of ["", "just a string", "- a\n- b", "5"]) {
    logs.length = 0;
    deepStrictEqual(parseModelMetadataEnv(notMapping, log), {});
    strictEqual(logs.length, 1, notMapping);
  }
});

Deno.test("buildModelMetadata: env keys override initMetadata keys (shallow)", () => {
  const yamlMeta = `
---
name: test-name-env
versions: [ test-version ]
platform: test-platform
inputs:
- datatype: BYTES
  name: input
  shape: [ 1, 2 ]
outputs:
- datatype: BYTES
  name: output
  shape: [ 1, 2, 3 ]
custom:
  tag-key: tag-value
`;
  const logs: string[] = [];
  const r = buildModelMetadata({
    user: structuredClone(META_U),
    envText: yamlMeta,
    log: (m) => logs.push(m),
  });
  deepStrictEqual(r, {
    ok: true,
    metadata: {
      ...META_U,
      name: "test-name-env",
      versions: ["test-version"],
      platform: "test-platform",
      inputs: [{ datatype: "BYTES", name: "input", shape: [1, 2] }],
      outputs: [{ datatype: "BYTES", name: "output", shape: [1, 2, 3] }],
    },
  });
  deepStrictEqual(logs, []);
  deepStrictEqual(buildModelMetadata({ user: { platform: "p" }, envText: "name: e" }), {
    ok: true,
    metadata: { name: "e", versions: [""], platform: "p", inputs: [], outputs: [], custom: {} },
  });
});

Deno.test("buildModelMetadata: defaults from PREDICTIVE_UNIT_IMAGE", () => {
  deepStrictEqual(buildModelMetadata({ image: "acme/fraud-model:2.1" }), {
    ok: true,
    metadata: {
      name: "acme/fraud-model",
      versions: ["2.1"],
      platform: "",
      inputs: [],
      outputs: [],
      custom: {},
    },
  });
});

Deno.test("buildModelMetadata: invalid user definition → unavailable, ERROR logs", () => {
  const logs: string[] = [];
  const r = buildModelMetadata({
    user: { ...META_U, versions: "string-not-array-of-strings" },
    log: (m) => logs.push(m),
  });
  deepStrictEqual(r, { ok: false });
  strictEqual(logs.length, 2);
  ok(logs[0].startsWith("Metadata validation error\n"));
  ok(logs[1].startsWith("Failed to validate metadata {'name': 'my-model-name', "));
  ok(logs[1].includes("'versions': 'string-not-array-of-strings'"));
});

Deno.test("buildModelMetadata: non-object initMetadata result", () => {
  for (const user of [null, [], "x", 3]) {
    const logs: string[] = [];
    deepStrictEqual(buildModelMetadata({ user, log: (m) => logs.push(m) }).ok, true);
    deepStrictEqual(logs, ["init_metadata must return dict"]);
  }
  const logs: string[] = [];
  buildModelMetadata({ user: undefined, log: (m) => logs.push(m) });
  deepStrictEqual(logs, []);
});

Deno.test("metadataToProtoJson: META_U as served by gRPC Metadata", () => {
  deepStrictEqual(metadataToProtoJson(validateModelMetadata(structuredClone(META_U))), {
    name: "my-model-name",
    versions: ["model-version"],
    platform: "model-platform",
    inputs: [{ name: "input", datatype: "BYTES", shape: ["1"] }],
    outputs: [{ name: "output", datatype: "BYTES", shape: ["1"] }],
    custom: { "tag-key": "tag-value" },
  });
});

Deno.test("metadataToProtoJson: defaults omitted, unknown keys ignored, unavailable → {}", () => {
  deepStrictEqual(metadataToProtoJson(validateModelMetadata({})), { versions: [""] });
  deepStrictEqual(
    metadataToProtoJson({
      name: "n",
      extra: 1,
      inputs: [{}, { name: "", datatype: "", shape: [], other: 1 }, { shape: [2.0, 0, -3] }],
    }),
    { name: "n", inputs: [{}, {}, { shape: ["2", "0", "-3"] }] },
  );
  deepStrictEqual(metadataToProtoJson(undefined), {});
  deepStrictEqual(metadataToProtoJson(null), {});
});
