/**
 * Conformance: upstream test_combiner_microservice.py and
 * test_application_exception_microservice.py (REST lines), against a real server.
 */
import type { Metric } from "../../mod.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { BaseComponent, type HookContext, NDArray } from "../../mod.ts";
import { withServer } from "../_helpers/server.ts";

class CombinerUser {
  constructor(readonly metricsOk = true, readonly retNparray = false) {}
  aggregate(Xs: unknown[], _names: unknown[]) {
    return this.retNparray ? NDArray.from([1, 2, 3]) : Xs[0];
  }
  tags() {
    return { mytag: 1 };
  }
  metrics(): Metric[] {
    // "BAD" is invalid on purpose: the server validates metrics at run time.
    return [{ type: (this.metricsOk ? "COUNTER" : "BAD") as never, key: "mycounter", value: 1 }];
  }
}

/** upstream UserObjectLowLevel (aggregate_rest) ported to aggregateRaw. */
class CombinerLowLevel {
  aggregateRaw() {
    return { data: { ndarray: [9, 9] } };
  }
}

function tagsAndCounter(j: any) {
  assertEquals(j.meta.tags, { mytag: 1 });
  assertEquals(j.meta.metrics[0], { type: "COUNTER", key: "mycounter", value: 1 });
}

Deno.test("test_aggreate_ok_seldon_messages", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", { seldonMessages: [{ data: { ndarray: [1] } }] });
    assertEquals(r.status, 200);
    tagsAndCounter(r.json);
    assertEquals(r.json.data.ndarray, [1]);
  }));

Deno.test("test_aggreate_combines_tags", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [
        { data: { ndarray: [0] }, meta: { tags: { "input-1": "yes", common: 1 } } },
        { data: { ndarray: [1] }, meta: { tags: { "input-2": "yes", common: 2 } } },
      ],
    });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.tags, { common: 2, "input-1": "yes", "input-2": "yes", mytag: 1 });
    assertEquals(r.json.meta.metrics[0], { type: "COUNTER", key: "mycounter", value: 1 });
    assertEquals(r.json.data.ndarray, [0]);
  }));

Deno.test("test_aggreate_combines_request_paths", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [
        { data: { ndarray: [0] }, meta: { requestPath: { "node-1": "image-1:tag1" } } },
        { data: { ndarray: [1] }, meta: { requestPath: { "node-2": "image-2:tag2" } } },
      ],
    });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.requestPath, { "node-1": "image-1:tag1", "node-2": "image-2:tag2" });
    assertEquals(r.json.meta.metrics[0], { type: "COUNTER", key: "mycounter", value: 1 });
    assertEquals(r.json.data.ndarray, [0]);
  }));

Deno.test("test_aggreate_combines_metrics", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [
        {
          data: { ndarray: [0] },
          meta: { metrics: [{ key: "request_gauge_1", type: "GAUGE", value: 100 }] },
        },
        {
          data: { ndarray: [1] },
          meta: { metrics: [{ key: "request_gauge_2", type: "GAUGE", value: 200 }] },
        },
      ],
    });
    assertEquals(r.status, 200);
    assertEquals(r.json.meta.tags, { mytag: 1 });
    assertEquals(r.json.meta.metrics, [
      { key: "request_gauge_1", type: "GAUGE", value: 100 },
      { key: "request_gauge_2", type: "GAUGE", value: 200 },
      { type: "COUNTER", key: "mycounter", value: 1 },
    ]);
    assertEquals(r.json.data.ndarray, [0]);
  }));

Deno.test("test_aggreate_ok_list", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", [{ data: { ndarray: [1] } }]);
    assertEquals(r.status, 200);
    tagsAndCounter(r.json);
    assertEquals(r.json.data.ndarray, [1]);
  }));

Deno.test("test_aggreate_bad_user_object", () =>
  withServer({}, async (s) => {
    const r = await s.get("/aggregate", { seldonMessages: [{ data: { ndarray: [1] } }] });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.info, "Aggregate not defined");
  }));

Deno.test("test_aggreate_invalid_message", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", { wrong: [{ data: { ndarray: [1] } }] });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_DATA");
    assertEquals(
      r.json.status.info,
      "Invalid request data type: {'wrong': [{'data': {'ndarray': [1]}}]}",
    );
  }));

Deno.test("test_aggreate_no_list", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", { seldonMessages: { data: { ndarray: [1] } } });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_DATA");
  }));

Deno.test("test_aggreate_bad_messages", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", { seldonMessages: [{ data2: { ndarray: [1] } }] });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_DATA");
  }));

Deno.test("test_aggreate_ok_2messages", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [{ data: { ndarray: [1] } }, { data: { ndarray: [2] } }],
    });
    assertEquals(r.status, 200);
    tagsAndCounter(r.json);
    assertEquals(r.json.data.ndarray, [1]);
  }));

Deno.test("test_aggreate_ok_bindata", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [{ binData: "MTIz" }, { binData: "MTIz" }],
    });
    assertEquals(r.status, 200);
    tagsAndCounter(r.json);
    assertEquals(r.json.binData, "MTIz");
  }));

Deno.test("test_aggreate_ok_strdata", () =>
  withServer(new CombinerUser(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [{ strData: "123" }, { strData: "456" }],
    });
    assertEquals(r.status, 200);
    tagsAndCounter(r.json);
    assertEquals(r.json.strData, "123");
  }));

Deno.test("test_aggregate_bad_metrics", () =>
  withServer(new CombinerUser(false), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [{ data: { ndarray: [1] } }, { data: { ndarray: [2] } }],
    });
    assertEquals(r.status, 500);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_METRIC");
  }));

Deno.test("test_aggreate_ok_lowlevel", () =>
  withServer(new CombinerLowLevel(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [{ data: { ndarray: [1] } }, { data: { ndarray: [2] } }],
    });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [9, 9]);
  }));

function sumTimesTwo(Xs: NDArray[]) {
  const total = Xs.reduce(
    (acc, x) => acc.map((v, i) => v + (x.data[i] as number)),
    Xs[0].map(() => 0),
  );
  return total.map((v) => v * 2);
}

class SummingCombiner extends BaseComponent {
  override aggregate(Xs: NDArray[]) {
    return sumTimesTwo(Xs);
  }
}

Deno.test("test_unimplemented_aggregate_raw_on_seldon_component", () =>
  withServer(new SummingCombiner(), async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [{ data: { ndarray: [1] } }, { data: { ndarray: [2] } }],
    });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [6]);
  }));

Deno.test("test_unimplemented_aggregate_raw", () =>
  withServer({ aggregate: (Xs: NDArray[]) => sumTimesTwo(Xs) }, async (s) => {
    const r = await s.get("/aggregate", {
      seldonMessages: [{ data: { ndarray: [1] } }, { data: { ndarray: [2] } }],
    });
    assertEquals(r.status, 200);
    assertEquals(r.json.data.ndarray, [6]);
  }));

// ---- test_application_exception_microservice.py ----

class UserCustomException extends Error {
  constructor(message: string, readonly appCode: number, readonly statusCode = 404) {
    super(message);
  }
  toJSON() {
    return { status: { status: this.statusCode, message: this.message, app_code: this.appCode } };
  }
}

function handleCustom(err: unknown, _ctx: HookContext) {
  if (err instanceof UserCustomException) return { status: err.statusCode, body: err.toJSON() };
  return undefined;
}

class ExceptionUser extends BaseComponent {
  override predict(): never {
    throw new UserCustomException("Test-Error-Msg", 1402, 402);
  }
  override modelErrorHandler = handleCustom;
}

class ExceptionUserLowLevel extends BaseComponent {
  override predictRaw(): never {
    throw new UserCustomException("Test-Error-Msg", 1402, 402);
  }
  override modelErrorHandler = handleCustom;
}

Deno.test("test_raise_exception", () =>
  withServer(new ExceptionUser(), async (s) => {
    const r = await s.get("/predict", { data: { names: ["a", "b"], ndarray: [[1, 2]] } });
    assertEquals(r.status, 402);
    assertEquals(r.json.status.app_code, 1402);
    assertEquals(r.json, { status: { status: 402, message: "Test-Error-Msg", app_code: 1402 } });
  }));

Deno.test("test_raise_eception_lowlevel", () =>
  withServer(new ExceptionUserLowLevel(), async (s) => {
    const r = await s.get("/predict", { data: { ndarray: [1, 2] } });
    assertEquals(r.status, 402);
    assertEquals(r.json.status.app_code, 1402);
  }));
