/** Fixtures of upstream's Python tests, shared by their ports. */

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
