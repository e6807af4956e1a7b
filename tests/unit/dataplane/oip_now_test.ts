/**
 * `OipPlane.inferNow` (synchronous while the model's hooks are) gives what `infer` under the
 * limiter gives — the same answer bytes, or the same error status and message — for every kind
 * of model (sync and async `infer` / `predict`, SeldonResponse with tags and metrics, `tags()` /
 * `metrics()` hooks, bad results, thrown errors, no hook) on random requests (ids, parameters,
 * requested outputs, versions, one or two inputs), and records the same metrics.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { SeldonResponse } from "../../../src/component/api.ts";
import { SeldonNotImplementedError } from "../../../src/protocol/errors.ts";
import { DataPlane } from "../../../src/dataplane/dataplane.ts";
import { isThenable } from "../../../src/dataplane/hooks.ts";
import { Limiter } from "../../../src/dataplane/limiter.ts";
import type { OipCall } from "../../../src/dataplane/oip.ts";
import { OIP_REST } from "../../../src/protocol/adapters/oip_rest.ts";
import { OipError } from "../../../src/protocol/oip/errors.ts";
import type { InferenceRequest } from "../../../src/protocol/oip/types.ts";
import { seededRandom } from "../../_helpers/random.ts";

const call: OipCall = {
  adapter: OIP_REST,
  context: (operation) => ({ protocol: "rest", operation, headers: new Headers() }),
};
const metric = { type: "COUNTER" as const, key: "c", value: 1 };
const response = (req: InferenceRequest) => ({
  outputs: req.inputs.map((i) => ({ name: i.name, data: i.data })),
});

/** Models by name; each a fresh object (hooks are looked up on it). */
const MODELS: Record<string, () => Record<string, unknown>> = {
  "predict": () => ({ predict: (X: unknown) => X }),
  "predict async": () => ({ predict: (X: unknown) => Promise.resolve(X) }),
  "predict with tags": () => ({
    predict: (X: unknown) => new SeldonResponse(X, { tags: { a: 1, b: { c: [2] }, d: 10n } }),
  }),
  "predict with metrics": () => ({
    predict: (X: unknown) => new SeldonResponse(X, { metrics: [metric] }),
  }),
  "predict a list": () => ({ predict: () => [[1, 2], [3, 4]] }),
  "predict a string": () => ({ predict: () => "hello" }),
  "predict a number": () => ({ predict: () => 7 }),
  "predict an object": () => ({ predict: () => ({ x: 1 }) }),
  "predict throws": () => ({
    predict: () => {
      throw new Error("boom");
    },
  }),
  "predict not implemented": () => ({
    predict: () => {
      throw new SeldonNotImplementedError();
    },
  }),
  "predict async not implemented": () => ({
    predict: () => Promise.reject(new SeldonNotImplementedError()),
  }),
  "infer": () => ({ infer: response }),
  "infer async": () => ({ infer: (r: InferenceRequest) => Promise.resolve(response(r)) }),
  "infer with header fields": () => ({
    infer: (r: InferenceRequest) => ({
      ...response(r),
      modelName: "other",
      modelVersion: "9",
      id: "given",
      parameters: { p: true },
    }),
  }),
  "infer with tags": () => ({
    infer: (r: InferenceRequest) => new SeldonResponse(response(r), { tags: { t: "v" } }),
  }),
  "infer not implemented": () => ({
    infer: () => {
      throw new SeldonNotImplementedError();
    },
    predict: (X: unknown) => X,
  }),
  "infer a bad answer": () => ({ infer: () => ({ nope: 1 }) }),
  "infer and tags()": () => ({ infer: response, tags: () => ({ k: "v", n: 2 }) }),
  "predict and metrics()": () => ({ predict: (X: unknown) => X, metrics: () => [metric] }),
  "no hook": () => ({}),
};

function randomBody(r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const inputs = Array.from({ length: r() < 0.85 ? 1 : 2 }, (_, i) => ({
    name: `x${i}`,
    datatype: pick(["FP64", "FP32", "INT64", "BOOL", "BYTES"]),
    shape: [1, 2],
    data: [] as unknown[],
  }));
  for (const t of inputs) {
    t.data = t.datatype === "BOOL" ? [true, false] : t.datatype === "BYTES" ? ["a", "b"] : [1, 2];
  }
  const body: Record<string, unknown> = { inputs };
  if (r() < 0.3) body.id = pick(["", "id-1"]);
  if (r() < 0.3) body.parameters = { q: pick([1, "s", true]) };
  if (r() < 0.3) {
    body.outputs = [{ name: pick(["x0", "output-0", "x1", "missing"]) }];
  }
  return JSON.stringify(body);
}

/** The answer's text, or the error's status and message. */
async function outcome(run: () => unknown): Promise<string> {
  try {
    let answer = run();
    if (isThenable(answer)) answer = await answer;
    const { parts, text } = answer as { parts: Uint8Array[]; text?: string };
    return text ?? parts.map((p) => new TextDecoder().decode(p)).join("|");
  } catch (err) {
    ok(err instanceof OipError || err instanceof Error);
    return `error ${(err as OipError).status} ${(err as Error).message}`;
  }
}

Deno.test("inferNow gives what infer gives (every model kind, 40 random requests each)", async () => {
  const r = seededRandom(1500);
  for (const [kind, make] of Object.entries(MODELS)) {
    const recorded: [unknown, unknown][] = [];
    const plane = async () =>
      (await DataPlane.create(make() as never, {
        includeMetrics: true,
        executorEnabled: true,
        recorder: { record: (m, method) => void recorded.push([m, method]) },
      })).oip;
    const general = await plane();
    const now = await plane();
    now.markLoaded();
    general.markLoaded();
    for (let i = 0; i < 40; i++) {
      const text = randomBody(r);
      const raw = { bytes: new TextEncoder().encode(text), headerLength: null };
      const target = r() < 0.8
        ? { name: general.modelName }
        : { name: general.modelName, version: "3" };
      recorded.length = 0;
      const expected = await outcome(() => general.inferLimited(target, raw, call, new Limiter(1)));
      const metricsBefore = JSON.stringify(recorded.splice(0));
      const limiter = new Limiter(1);
      const got = await outcome(() => now.inferNow(target, raw, call, limiter));
      strictEqual(got, expected, `${kind}: ${text}`);
      strictEqual(JSON.stringify(recorded.splice(0)), metricsBefore, `${kind} metrics`);
      // The slot is free again, whatever happened.
      deepStrictEqual(await limiter.run(() => Promise.resolve(1)), 1);
    }
  }
});

Deno.test("inferNow answers a synchronous model without a promise", async () => {
  const plane = (await DataPlane.create({ predict: (X: unknown) => X } as never, {
    includeMetrics: true,
    executorEnabled: true,
  })).oip;
  const text = '{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1,2]}]}';
  const raw = { bytes: new TextEncoder().encode(text), headerLength: null };
  const answer = plane.inferNow({ name: plane.modelName }, raw, call, new Limiter(1));
  ok(!isThenable(answer));
  // A busy limiter queues the call: a promise, same answer.
  const limiter = new Limiter(1);
  let release!: () => void;
  const busy = limiter.run(() => new Promise<void>((resolve) => release = resolve));
  const queued = plane.inferNow({ name: plane.modelName }, raw, call, limiter);
  ok(isThenable(queued));
  release();
  await busy;
  deepStrictEqual(await queued, answer);
});
