/**
 * Conformance: upstream test_metadata.py REST lines and test_flask_utils.py, against a real
 * server.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { META_U } from "../_helpers/upstream.ts";
import { jsonText } from "../../src/rest/respond.ts";

class MetadataUser {
  constructor(readonly meta: unknown = META_U) {}
  predict(X: unknown) {
    return X;
  }
  initMetadata() {
    return this.meta;
  }
}

const DATA_DOC = { data: { names: ["input"], ndarray: ["data"] } };

Deno.test("test_model_metadata_ok", () =>
  withServer(new MetadataUser(), async (s) => {
    const p = await s.get("/predict", DATA_DOC);
    assertEquals(p.status, 200);
    assertEquals(p.json.data.ndarray, ["data"]);
    const m = await s.fetch("/metadata");
    assertEquals(m.status, 200);
    assertEquals(m.json, META_U);
    const v1 = await s.fetch("/api/v1.0/metadata");
    assertEquals(v1.json, META_U);
  }));

const YAML_META = `
name: test-name-env
versions: [test-version]
platform: test-platform
inputs:
- datatype: BYTES
  name: input
  shape: [1, 2]
outputs:
- datatype: BYTES
  name: output
  shape: [1, 2, 3]
custom:
  tag-key: tag-value
`;

const JSON_META = `{
  "name": "test_name_json",
  "versions": ["test-version"],
  "platform": "seldon",
  "inputs": [{"datatype": "BYTES", "name": "input", "shape": [1, 2]}],
  "outputs": [{"datatype": "BYTES", "name": "output", "shape": [1, 2, 3]}],
  "custom": {"tag-key": "tag-value"},
}`;

for (
  const [text, expected] of [
    [YAML_META, {
      name: "test-name-env",
      versions: ["test-version"],
      platform: "test-platform",
      inputs: [{ datatype: "BYTES", name: "input", shape: [1, 2] }],
      outputs: [{ datatype: "BYTES", name: "output", shape: [1, 2, 3] }],
      custom: { "tag-key": "tag-value" },
    }],
    [JSON_META, {
      name: "test_name_json",
      versions: ["test-version"],
      platform: "seldon",
      inputs: [{ datatype: "BYTES", name: "input", shape: [1, 2] }],
      outputs: [{ datatype: "BYTES", name: "output", shape: [1, 2, 3] }],
      custom: { "tag-key": "tag-value" },
    }],
  ] as const
) {
  Deno.test(`test_model_metadata_value_in_env (${text === YAML_META ? "YAML" : "JSON"})`, () =>
    withServer(new MetadataUser(), async (s) => {
      const p = await s.get("/predict", DATA_DOC);
      assertEquals(p.json.data.ndarray, ["data"]);
      const m = await s.fetch("/metadata");
      assertEquals(m.status, 200);
      assertEquals(m.json, { ...META_U, ...expected });
    }, { MODEL_METADATA: text }));
}

Deno.test("test_model_metadata_invalid_user_definition", () =>
  withServer(
    new MetadataUser({ ...META_U, versions: "string-not-array-of-strings" }),
    async (s) => {
      const p = await s.get("/predict", DATA_DOC);
      assertEquals(p.status, 200);
      const m = await s.fetch("/metadata");
      assertEquals(m.status, 500);
      assertEquals(m.json, {
        status: {
          code: -1,
          info: "Model metadata unavailable",
          reason: "MICROSERVICE_BAD_METADATA",
          status: 1,
        },
      });
    },
  ));

Deno.test("metadata: defaults from PREDICTIVE_UNIT_IMAGE when there is no hook", () =>
  withServer({}, async (s) => {
    const m = await s.fetch("/metadata");
    assertEquals(m.json, {
      custom: {},
      inputs: [],
      name: "acme/fraud-model",
      outputs: [],
      platform: "",
      versions: ["2.1"],
    });
  }, { PREDICTIVE_UNIT_IMAGE: "acme/fraud-model:2.1" }));

Deno.test("test_jsonify", async () => {
  // (b)/(c): an object is written compact with a trailing newline.
  assertEquals(jsonText({ foo: "bar" }, { pretty: false, ascii: true }), '{"foo":"bar"}\n');
  // (a): with skip-encoding (PAYLOAD_PASSTHROUGH) a string result is the body, unchanged.
  await withServer({ predictRaw: () => '{"foo": "bar"}' }, async (s) => {
    const r = await s.post("/predict", "anything", { "content-type": "text/plain" });
    assertEquals(r.status, 200);
    assertEquals(r.text, '{"foo": "bar"}');
    assertEquals(r.headers.get("content-type"), "application/json");
  }, { PAYLOAD_PASSTHROUGH: "true" });
  await withServer({ predictRaw: () => ({ foo: "bar" }) }, async (s) => {
    const r = await s.post("/predict", { data: { ndarray: [1] } });
    assertEquals(r.status, 200);
    assertEquals(r.text, '{"foo":"bar"}\n');
  });
});

Deno.test("passthrough: the raw hook gets the body bytes; without one the request is rejected", async () => {
  let seen: unknown;
  await withServer({
    predictRaw: (msg: unknown) => {
      seen = msg;
      return new TextEncoder().encode('{"ok":true}');
    },
  }, async (s) => {
    const r = await s.post("/api/v1.0/predictions", '{"a": 1}');
    assertEquals(r.text, '{"ok":true}');
    assertEquals(new TextDecoder().decode(seen as Uint8Array), '{"a": 1}');
  }, { PAYLOAD_PASSTHROUGH: "1" });
  await withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.post("/api/v1.0/predictions", '{"a": 1}');
    assertEquals(r.status, 400);
    assertEquals(r.json.status.info, `Invalid request data type: b'{"a": 1}'`);
  }, { PAYLOAD_PASSTHROUGH: "1" });
});
