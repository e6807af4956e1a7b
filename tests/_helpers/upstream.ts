/** Fixtures of upstream's Python tests, shared by their ports. */
import type { Metric } from "../../mod.ts";
import { NDArray } from "../../mod.ts";

/** Freezes `value` and everything in it: a shared fixture no test can change for another. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** META_U: the metadata of test_metadata.py's UserObject (frozen). */
export const META_U = deepFreeze({
  name: "my-model-name",
  versions: ["model-version"],
  platform: "model-platform",
  inputs: [{ name: "input", datatype: "BYTES", shape: [1] }],
  outputs: [{ name: "output", datatype: "BYTES", shape: [1] }],
  custom: { "tag-key": "tag-value" },
});

/** upstream's UserObject(metrics_ok, ret_nparray, ret_meta) of the model/transformer/router tests. */
export class UserObject {
  lastMeta: unknown;
  constructor(readonly metricsOk = true, readonly retNparray = false, readonly retMeta = false) {}
  #x(X: unknown, meta: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return this.retNparray ? NDArray.from([1, 2, 3]) : X;
  }
  predict(X: unknown, _n: unknown, meta: unknown) {
    return this.#x(X, meta);
  }
  transformInput(X: unknown, _n: unknown, meta: unknown) {
    return this.#x(X, meta);
  }
  transformOutput(X: unknown, _n: unknown, meta: unknown) {
    return this.#x(X, meta);
  }
  route(_X: unknown, _n: unknown, meta: unknown) {
    if (this.retMeta) this.lastMeta = meta;
    return 22;
  }
  aggregate(Xs: unknown[]) {
    return this.retNparray ? NDArray.from([1, 2, 3]) : Xs[0];
  }
  sendFeedback() {}
  tags() {
    return this.retMeta ? { inc_meta: this.lastMeta } : { mytag: 1 };
  }
  metrics(): Metric[] {
    // "BAD" is invalid on purpose: the server validates metrics at run time.
    return [{ type: (this.metricsOk ? "COUNTER" : "BAD") as never, key: "mycounter", value: 1 }];
  }
}
