/**
 * Conformance: upstream test_router_microservice.py and test_transformer_microservice.py
 * (REST lines), against a real server. Lines whose gRPC twin must answer the same are rows of
 * `tests/protocol/rest_and_grpc_agree_test.ts`.
 */
import type { Metric } from "../../mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { BaseComponent, NDArray } from "../../mod.ts";
import { withServer } from "../_helpers/server.ts";
import { parseProtoJson } from "../../src/protocol/proto/json.ts";

const NO_JSON_ERROR = {
  status: { status: 1, info: "Can't find JSON in data", code: -1, reason: "MICROSERVICE_BAD_DATA" },
};

class RouterUser {
  lastMeta: unknown;
  constructor(readonly metricsOk = true, readonly retMeta = false) {}
  route(_X: unknown, _names: unknown, meta?: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return 22;
  }
  sendFeedback(_X: unknown, _names: unknown, _reward: number, _truth: unknown, _routing: unknown) {}
  tags() {
    return this.retMeta ? { inc_meta: this.lastMeta } : { mytag: 1 };
  }
  metrics(): Metric[] {
    // "BAD" is invalid on purpose: the server validates metrics at run time.
    return [{ type: (this.metricsOk ? "COUNTER" : "BAD") as never, key: "mycounter", value: 1 }];
  }
}

/** upstream UserObjectLowLevel (route_rest) ported to routeRaw. */
class RouterLowLevel {
  routeRaw() {
    return { data: { ndarray: [[1]] } };
  }
  sendFeedbackRaw() {}
}

class RouterLowLevelRaw {
  routeRaw() {
    return { data: { tensor: { shape: [1, 1], values: [1] } } };
  }
  sendFeedbackRaw() {}
}

Deno.test("test_router_ok", () =>
  withServer(new RouterUser(), async (s) => {
    const r = await s.get("/route", { data: { ndarray: [2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.tags, { mytag: 1 });
    assertEquals(r.json.meta.metrics[0], { type: "COUNTER", key: "mycounter", value: 1 });
    assertEquals(r.json.data.ndarray, [[22]]);
  }));

Deno.test("test_router_gets_meta", () =>
  withServer(new RouterUser(true, true), async (s) => {
    const r = await s.get("/route", { meta: { puid: "abc" }, data: { ndarray: [2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.tags, { inc_meta: { puid: "abc" } });
    assertEquals(r.json.meta.metrics[0], { type: "COUNTER", key: "mycounter", value: 1 });
  }));

Deno.test("test_router_meta_to_nonmeta_model", () =>
  withServer({ route: (_X: unknown, _names: unknown) => 22 }, async (s) => {
    const r = await s.get("/route", { meta: { puid: "abc" }, data: { ndarray: [2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [[22]]);
  }));

Deno.test("test_router_bad_user_object", () =>
  withServer({}, async (s) => {
    const r = await s.get("/route", { data: { ndarray: [2] } });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.info, "Route not defined");
  }));

Deno.test("test_router_lowlevel_ok", () =>
  withServer(new RouterLowLevel(), async (s) => {
    const r = await s.get("/route", { data: { ndarray: [2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [[1]]);
  }));

Deno.test("test_router_lowlevel_raw_ok", () =>
  withServer(new RouterLowLevelRaw(), async (s) => {
    const r = await s.get("/route", { data: { ndarray: [2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.tensor.values, [1]);
  }));

Deno.test("test_router_no_json", () =>
  withServer(new RouterUser(), async (s) => {
    const r = await s.fetch("/route?");
    assertEquals(r.status, 400);
    assertEquals(r.json, NO_JSON_ERROR);
  }));

Deno.test("test_router_bad_metrics", () =>
  withServer(new RouterUser(false), async (s) => {
    const r = await s.get("/route", { data: { ndarray: [] } });
    assertEquals(r.status, 500);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_METRIC");
  }));

Deno.test("test_router_feedback_ok", () =>
  withServer(new RouterUser(), async (s) => {
    const r = await s.get("/send-feedback", {
      request: { data: { ndarray: [] } },
      response: { meta: { routing: { "1": 1 } } },
      reward: 1.0,
    });
    assertEquals(r.status, 200);
    assert(r.json !== null && typeof r.json === "object", r.text);
  }));

Deno.test("test_router_feedback_lowlevel_ok", () =>
  withServer(new RouterLowLevel(), async (s) => {
    const r = await s.get("/send-feedback", { request: { data: { ndarray: [] } }, reward: 1.0 });
    assertEquals(r.status, 200);
    assert(r.json !== null && typeof r.json === "object", r.text);
  }));

class Router53 extends BaseComponent {
  override route() {
    return 53;
  }
}

Deno.test("test_unimplemented_route_raw_on_seldon_component", () =>
  withServer(new Router53(), async (s) => {
    const r = await s.get("/route", { data: { ndarray: [2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [[53]]);
  }));

Deno.test("test_unimplemented_route_raw", () =>
  withServer({ route: () => 53 }, async (s) => {
    const r = await s.get("/route", { data: { ndarray: [2] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [[53]]);
  }));

// ---- transformers ----

class TransformerUser {
  lastMeta: unknown;
  constructor(readonly metricsOk = true, readonly retNparray = false, readonly retMeta = false) {}
  transformInput(X: unknown, _names: unknown, meta?: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return this.retNparray ? NDArray.from([1, 2, 3]) : X;
  }
  transformOutput(X: unknown, _names: unknown, meta?: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return this.retNparray ? NDArray.from([1, 2, 3]) : X;
  }
  tags() {
    return this.retMeta ? { inc_meta: this.lastMeta } : { mytag: 1 };
  }
  metrics(): Metric[] {
    // "BAD" is invalid on purpose: the server validates metrics at run time.
    return [{ type: (this.metricsOk ? "COUNTER" : "BAD") as never, key: "mycounter", value: 1 }];
  }
}

class TransformerLowLevel {
  transformInputRaw() {
    return { data: { ndarray: [9, 9] } };
  }
  transformOutputRaw() {
    return { data: { ndarray: [9, 9] } };
  }
}

class TransformerLowLevelRaw {
  transformInputRaw() {
    return { data: { tensor: { shape: [2, 1], values: [9, 9] } } };
  }
  transformOutputRaw() {
    return { data: { tensor: { shape: [2, 1], values: [9, 9] } } };
  }
}

class TransformerLowLevelRawInherited extends BaseComponent {
  override transformInputRaw() {
    return { data: { tensor: { shape: [2, 1], values: [9, 9] } } };
  }
  override transformOutputRaw() {
    return { data: { tensor: { shape: [2, 1], values: [9, 9] } } };
  }
}

const SELDON_MESSAGE_KEYS = new Set([
  "status",
  "meta",
  "data",
  "binData",
  "strData",
  "jsonData",
  "customData",
]);

/** upstream `json_format.Parse(rv.data, SeldonMessage())`: strict at every level. */
function assertStrictMessage(j: Record<string, unknown>) {
  for (const k of Object.keys(j)) {
    assertEquals(SELDON_MESSAGE_KEYS.has(k), true, `unknown field ${k}`);
  }
  parseProtoJson("SeldonMessage", j);
}

function tagsAndCounter(j: any) {
  assertEquals(j.meta.tags, { mytag: 1 });
  assertEquals(j.meta.metrics[0], { type: "COUNTER", key: "mycounter", value: 1 });
}

const TRANSFORMS = [
  {
    path: "/transform-input",
    ok: "test_transformer_input_ok",
    lowlevel: "test_transformer_input_lowlevel_ok",
    raw: "test_transformer_input_lowlevel_raw_ok",
    inherited: "test_transformer_input_lowlevel_raw_ingerited_ok",
    bin: "test_transformer_input_bin_data",
    noJson: "test_transform_input_no_json",
    badMetrics: "test_transform_input_bad_metrics",
  },
  {
    path: "/transform-output",
    ok: "test_transformer_output_ok",
    lowlevel: "test_transformer_output_lowlevel_ok",
    raw: "test_transformer_output_lowlevel_raw_ok",
    inherited: "test_transformer_output_lowlevel_raw_inherited_ok",
    bin: "test_transformer_output_bin_data",
    noJson: "test_transform_output_no_json",
    badMetrics: "test_transform_output_bad_metrics",
  },
];

for (const t of TRANSFORMS) {
  const path = t.path;
  Deno.test(t.ok, () =>
    withServer(new TransformerUser(), async (s) => {
      const r = await s.get(path, { data: { ndarray: [1] } });
      assertEquals(r.status, 200);
      tagsAndCounter(r.json);
      assertEquals(r.json.data.ndarray, [1]);
    }));
  Deno.test(t.lowlevel, () =>
    withServer(new TransformerLowLevel(), async (s) => {
      const r = await s.get(path, { data: { ndarray: [1] } });
      assertEquals(r.status, 200);
      assertEquals(r.json.data.ndarray, [9, 9]);
    }));
  Deno.test(t.raw, () =>
    withServer(new TransformerLowLevelRaw(), async (s) => {
      const r = await s.get(path, { data: { ndarray: [1] } });
      assertEquals(r.status, 200);
      assertEquals(r.json.data.tensor.values, [9, 9]);
    }));
  Deno.test(t.inherited, () =>
    withServer(new TransformerLowLevelRawInherited(), async (s) => {
      const r = await s.get(path, { data: { ndarray: [1] } });
      assertEquals(r.status, 200);
      assertEquals(r.json.data.tensor.values, [9, 9]);
    }));
  Deno.test(t.bin, () =>
    withServer(new TransformerUser(), async (s) => {
      const r = await s.get(path, { binData: "MTIz" });
      assertEquals(r.status, 200);
      assertStrictMessage(r.json);
      assertEquals(r.json.binData, "MTIz");
      tagsAndCounter(r.json);
    }));
  Deno.test(t.noJson, () =>
    withServer(new TransformerUser(), async (s) => {
      const r = await s.fetch(`${path}?`);
      assertEquals(r.status, 400);
      assertEquals(r.json, NO_JSON_ERROR);
    }));
  Deno.test(t.badMetrics, () =>
    withServer(new TransformerUser(false), async (s) => {
      const r = await s.get(path, { data: { ndarray: [1] } });
      assertEquals(r.status, 500);
      assertEquals(r.json.status.reason, "MICROSERVICE_BAD_METRIC");
    }));
}

class InputDoubler extends BaseComponent {
  override transformInput(X: NDArray) {
    return X.map((v) => v * 2);
  }
}
class OutputDoubler extends BaseComponent {
  override transformOutput(X: NDArray) {
    return X.map((v) => v * 2);
  }
}

Deno.test("test_unimplemented_transform_input_raw_on_seldon_component", () =>
  withServer(new InputDoubler(), async (s) => {
    const r = await s.get("/transform-input", { data: { ndarray: [1] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [2]);
  }));

Deno.test("test_unimplemented_transform_input_raw", () =>
  withServer({ transformInput: (X: NDArray) => X.map((v) => v * 2) }, async (s) => {
    const r = await s.get("/transform-input", { data: { ndarray: [1] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [2]);
  }));

Deno.test("test_unimplemented_transform_output_raw_on_seldon_component", () =>
  withServer(new OutputDoubler(), async (s) => {
    const r = await s.get("/transform-output", { data: { ndarray: [1] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [2]);
  }));

Deno.test("test_unimplemented_transform_output_raw", () =>
  withServer({ transformOutput: (X: NDArray) => X.map((v) => v * 2) }, async (s) => {
    const r = await s.get("/transform-output", { data: { ndarray: [1] } });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [2]);
  }));
