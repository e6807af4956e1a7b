/**
 * Conformance: upstream test_model_microservice.py (REST lines), against a real server. Lines
 * whose gRPC twin must answer the same are rows of `tests/protocol/rest_and_grpc_agree_test.ts`.
 */
import type { Metric } from "../../mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { BaseComponent, NDArray, SeldonMicroserviceException } from "../../mod.ts";
import { withServer } from "../_helpers/server.ts";

const META_M = {
  name: "my-model-name",
  versions: ["model-version"],
  platform: "model-platform",
  inputs: [{ name: "input", datatype: "BYTES", shape: [1] }],
  outputs: [{ name: "output", datatype: "BYTES", shape: [1] }],
  custom: {},
};

class UserObject {
  rewards: number[] = [];
  lastMeta: unknown;
  constructor(readonly metricsOk = true, readonly retNparray = false, readonly retMeta = false) {}
  predict(X: unknown, _names: unknown, meta?: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return this.retNparray ? NDArray.from([1, 2, 3]) : X;
  }
  sendFeedback(_X: unknown, _names: unknown, reward: number) {
    this.rewards.push(reward);
  }
  tags() {
    return this.retMeta ? { inc_meta: this.lastMeta } : { mytag: 1 };
  }
  metrics(): Metric[] {
    // "BAD" is invalid on purpose: the server validates metrics at run time.
    return [{ type: (this.metricsOk ? "COUNTER" : "BAD") as never, key: "mycounter", value: 1 }];
  }
  healthStatus() {
    return this.predict([0.123], ["some_float"]);
  }
  initMetadata() {
    return META_M;
  }
}

/** upstream UserObjectLowLevel, with the deprecated *_rest hooks ported to *Raw. */
class UserObjectLowLevel {
  predictRaw() {
    return { data: { ndarray: [9, 9] } };
  }
  sendFeedbackRaw() {}
  healthStatusRaw() {
    return { data: { ndarray: [123.456, 7.89] } };
  }
}

class UserObjectLowLevelWithStatusInResponse extends UserObjectLowLevel {
  override predictRaw() {
    return { data: { ndarray: [9, 9] }, status: { code: 400, status: "FAILURE" } };
  }
}

function checksum(bytes: Uint8Array): string {
  let sum = 0;
  for (const b of bytes) sum += b;
  return (sum & 0xff).toString(16).toUpperCase().padStart(2, "0");
}

class UserObjectLowLevelWithPredictRaw {
  constructor(readonly checkName: string, readonly status = false) {}
  predictRaw(msg: Record<string, any>) {
    let value: string;
    if (this.checkName === "img") {
      const bytes = Uint8Array.from(atob(msg.binData), (c) => c.charCodeAt(0));
      assertEquals([...bytes.slice(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
      value = checksum(bytes);
    } else if (this.checkName === "txt") {
      value = new TextDecoder().decode(Uint8Array.from(atob(msg.binData), (c) => c.charCodeAt(0)));
    } else {
      value = msg.strData;
    }
    const out: Record<string, unknown> = { meta: msg.meta, data: { ndarray: [value] } };
    if (this.status) out.status = { code: 400, status: "FAILURE" };
    return out;
  }
}

const TEXT = "this is test file for testing multipart/form-data input\n";
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEIGBkYGBgAJQsCAZbGfQ8AAAAASUVORK5CYII=",
  ),
  (c) => c.charCodeAt(0),
);

function multipart(
  fields: Record<string, string>,
  files: Record<string, [Uint8Array, string]>,
): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [k, [bytes, name]] of Object.entries(files)) {
    form.append(k, new Blob([bytes as BlobPart]), name);
  }
  return form;
}

const NAMES_DOC = { data: { names: ["a", "b"], ndarray: [[1, 2]] } };

const MYCOUNTER = { type: "COUNTER", key: "mycounter", value: 1 };

/** meta.tags == {mytag: 1} and meta.metrics[0] is mycounter/1 (COUNTER). */
function assertTagsAndCounter(j: any) {
  assertEquals(j.meta.tags, { mytag: 1 });
  assertEquals(j.meta.metrics[0], MYCOUNTER);
}

function assertModelOk(j: any) {
  assertTagsAndCounter(j);
  assertEquals(j.data.names, ["t:0", "t:1"]);
  assertEquals(j.data.ndarray, [[1, 2]]);
}

Deno.test("test_model_ok", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.get("/predict", NAMES_DOC);
    assertEquals(r.status, 200);
    assertModelOk(r.json);
  }));

Deno.test("test_model_v01_ok", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.post("/api/v0.1/predictions", NAMES_DOC);
    assertEquals(r.status, 200);
    assertModelOk(r.json);
  }));

Deno.test("test_model_v10_ok", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.post("/api/v1.0/predictions", NAMES_DOC);
    assertEquals(r.status, 200);
    assertModelOk(r.json);
  }));

Deno.test("test_model_puid_ok", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.get("/predict", { meta: { puid: "123" }, ...NAMES_DOC });
    assertEquals(r.status, 200);
    assertModelOk(r.json);
    assertEquals(r.json.meta.puid, "123");
  }));

Deno.test("test_model_lowlevel_ok", () =>
  withServer(new UserObjectLowLevel(), async (s) => {
    const r = await s.get("/predict", { data: { ndarray: [1, 2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [9, 9]);
  }));

Deno.test("test_model_lowlevel_multi_form_data_text_file_ok", () =>
  withServer(new UserObjectLowLevelWithPredictRaw("txt"), async (s) => {
    const body = multipart({ meta: '{"puid":"1234"}' }, {
      binData: [new TextEncoder().encode(TEXT), "test.txt"],
    });
    const r = await s.fetch("/predict", { method: "POST", body });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.puid, "1234");
    assertEquals(r.json.data.ndarray[0], TEXT);
  }));

Deno.test("test_model_lowlevel_multi_form_data_img_file_ok", () =>
  withServer(new UserObjectLowLevelWithPredictRaw("img"), async (s) => {
    const body = multipart({ meta: '{"puid":"1234"}' }, { binData: [PNG, "test.png"] });
    const r = await s.fetch("/predict", { method: "POST", body });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.puid, "1234");
    assertEquals(r.json.data.ndarray[0], checksum(PNG));
  }));

Deno.test("test_model_lowlevel_multi_form_data_strData_ok", () =>
  withServer(new UserObjectLowLevelWithPredictRaw("strData"), async (s) => {
    const body = multipart({ meta: '{"puid":"1234"}' }, {
      strData: [new TextEncoder().encode(TEXT), "test.txt"],
    });
    const r = await s.fetch("/predict", { method: "POST", body });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.puid, "1234");
    assertEquals(r.json.data.ndarray[0], TEXT);
  }));

Deno.test("test_model_lowlevel_multi_form_data_strData_non200status", () =>
  withServer(new UserObjectLowLevelWithPredictRaw("strData", true), async (s) => {
    const body = multipart({ meta: '{"puid":"1234"}' }, {
      strData: [new TextEncoder().encode(TEXT), "test.txt"],
    });
    const r = await s.fetch("/predict", { method: "POST", body });
    assertEquals(r.status, 400);
    assertEquals(r.json.meta.puid, "1234");
    assertEquals(r.json.data.ndarray[0], TEXT);
  }));

Deno.test("test_model_multi_form_data_ok", () =>
  withServer(new UserObject(), async (s) => {
    const body = multipart({ data: '{"names":["a","b"],"ndarray":[[1,2]]}' }, {});
    const r = await s.fetch("/predict", { method: "POST", body });
    assertEquals(r.status, 200);
    assertModelOk(r.json);
  }));

Deno.test("test_model_feedback_ok", async () => {
  const user = new UserObject();
  await withServer(user, async (s) => {
    const r = await s.get("/send-feedback", { request: { data: { ndarray: [] } }, reward: 1.0 });
    assertEquals(r.status, 200);
    assertEquals(user.rewards.at(-1), 1.0);
  });
});

const FEEDBACK = { request: { data: { names: ["a", "b"], ndarray: [[1, 2]] } }, reward: 1.0 };

Deno.test("test_feedback_v10_ok", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.post("/api/v1.0/feedback", FEEDBACK);
    assertEquals(r.status, 200);
    assertEquals(r.headers.get("content-type"), "application/json");
    assert(r.json !== null && typeof r.json === "object", r.text);
  }));

Deno.test("test_feedback_v01_ok", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.post("/api/v0.1/feedback", FEEDBACK);
    assertEquals(r.status, 200);
    assertEquals(r.headers.get("content-type"), "application/json");
    assert(r.json !== null && typeof r.json === "object", r.text);
  }));

Deno.test("test_model_feedback_lowlevel_ok", () =>
  withServer(new UserObjectLowLevel(), async (s) => {
    const r = await s.get("/send-feedback", { request: { data: { ndarray: [] } }, reward: 1.0 });
    assertEquals(r.status, 200);
    assertEquals(r.json, {});
  }));

Deno.test("test_model_non200status_lowlevel", () =>
  withServer(new UserObjectLowLevelWithStatusInResponse(), async (s) => {
    const r = await s.get("/predict", { request: { data: { ndarray: [] } }, reward: 1.0 });
    assertEquals(r.status, 400);
    assertEquals(r.json.data.ndarray, [9, 9]);
  }));

Deno.test("test_model_ok_with_names", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.get("/predict", NAMES_DOC);
    assertEquals(r.status, 200);
    assertTagsAndCounter(r.json);
  }));

Deno.test("test_model_bin_data", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.get("/predict", { binData: "MTIz" });
    assertEquals(r.status, 200);
    assertEquals(r.json.binData, "MTIz");
    assertTagsAndCounter(r.json);
  }));

Deno.test("test_model_str_data", () =>
  withServer(new UserObject(true, true), async (s) => {
    const r = await s.get("/predict", { strData: "my data" });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.tensor.values, [1, 2, 3]);
    assertTagsAndCounter(r.json);
  }));

Deno.test("test_model_str_data_identity", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.get("/predict", { strData: "my data" });
    assertEquals(r.status, 200);
    assertEquals(r.json.strData, "my data");
    assertTagsAndCounter(r.json);
  }));

Deno.test("test_model_no_json", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.fetch("/predict?");
    assertEquals(r.status, 400);
    assertEquals(r.json, {
      status: {
        status: 1,
        info: "Can't find JSON in data",
        code: -1,
        reason: "MICROSERVICE_BAD_DATA",
      },
    });
  }));

Deno.test("test_model_bad_metrics", () =>
  withServer(new UserObject(false), async (s) => {
    const r = await s.get("/predict", { data: { ndarray: [] } });
    assertEquals(r.status, 500);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_METRIC");
    assertEquals(
      r.json.status.info,
      'Bad metric created during request: [{"type": "BAD", "key": "mycounter", "value": 1}]',
    );
  }));

Deno.test("test_model_error_status_code", () =>
  withServer({
    predict() {
      throw new SeldonMicroserviceException("foo", { statusCode: 403 });
    },
  }, async (s) => {
    const r = await s.get("/predict", { data: { ndarray: [] } });
    assertEquals(r.status, 403);
    assertEquals(r.json, {
      status: { status: 1, info: "foo", code: -1, reason: "MICROSERVICE_BAD_DATA" },
    });
  }));

Deno.test("test_model_seldon_json_ok", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.fetch("/seldon.json");
    assertEquals(r.status, 200);
    assert(r.json.openapi);
    assert(r.json.paths["/api/v1.0/predictions"]);
  }));

Deno.test("test_model_health_ping", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.fetch("/health/ping");
    assertEquals(r.status, 200);
    assertEquals(r.text, "pong");
    assertEquals(r.headers.get("content-type"), "text/html; charset=utf-8");
  }));

Deno.test("test_model_health_status", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.fetch("/health/status");
    assertEquals(r.status, 200);
    assertEquals(r.json.data, { names: [], tensor: { shape: [1], values: [0.123] } });
  }));

Deno.test("test_model_health_status_raw", () =>
  withServer(new UserObjectLowLevel(), async (s) => {
    const r = await s.fetch("/health/status");
    assertEquals(r.status, 200);
    assertEquals(r.json, { data: { ndarray: [123.456, 7.89] } });
  }));

Deno.test("test_model_metadata", () =>
  withServer(new UserObject(), async (s) => {
    const r = await s.fetch("/metadata");
    assertEquals(r.status, 200);
    assertEquals(r.json, META_M);
  }));

class Doubler extends BaseComponent {
  override predict(X: NDArray) {
    return X.map((v) => v * 2);
  }
}

Deno.test("test_unimplemented_predict_raw_on_seldon_component", () =>
  withServer(new Doubler(), async (s) => {
    const r = await s.get("/predict", { data: { ndarray: [[1, 2]] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [[2, 4]]);
  }));

Deno.test("test_unimplemented_predict_raw", () =>
  withServer({ predict: (X: NDArray) => X.map((v) => v * 2) }, async (s) => {
    const r = await s.get("/predict", { data: { ndarray: [[1, 2]] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [[2, 4]]);
  }));

class FeedbackOnly extends BaseComponent {
  feedback() {}
}

Deno.test("test_unimplemented_feedback_raw_on_seldon_component", () =>
  withServer(new FeedbackOnly(), async (s) => {
    const r = await s.get("/send-feedback", { request: { data: { ndarray: [] } }, reward: 1.0 });
    assertEquals(r.status, 200);
    assertEquals(r.json, { data: { ndarray: [] }, meta: {} });
  }));

Deno.test("test_unimplemented_feedback_raw", () =>
  withServer({ feedback() {} } as any, async (s) => {
    const r = await s.get("/send-feedback", { request: { data: { ndarray: [] } }, reward: 1.0 });
    assertEquals(r.status, 200);
    assertEquals(r.json, { data: { ndarray: [] }, meta: {} });
  }));
