import { parseProtoJson } from "./src/protocol/proto/json.ts";
const tries: [string, unknown][] = [
  ["Feedback", { reward: "high" }],
  ["Feedback", { requestBAD: {} }],
  ["Feedback", { request: { data: { tensor: { shape: [1, 1], values: [1] } } }, response: { data: { tensor: { shape: [1, 1], values: [2] } } }, reward: 1.0 }],
  ["SeldonMessage", { foo: "bar" }],
  ["SeldonMessage", { strData: "a", binData: "AAEC" }],
  ["SeldonMessage", { data: { ndarray: 5 } }],
  ["SeldonMessage", { meta: { routing: { a: 1.5 } } }],
  ["SeldonMessage", { meta: { metrics: [{ type: "BAD", key: "a", value: 1 }] } }],
  ["Feedback", { request: { meta: { puid: 5 } } }],
  ["Feedback", { reward: 0.1 }],
  ["Meta", { tags: { t1: "t2" }, metrics: [{ type: "COUNTER", key: "mycounter", value: 1.2 }, { type: "GAUGE", key: "mygauge", value: 1.2 }, { type: "TIMER", key: "mytimer", value: 1.2 }] }],
  ["SeldonMessage", { binData: "-_8", jsonData: null }],
  ["SeldonMessage", { jsonData: null }],
  ["SeldonMessage", "abc"],
  ["SeldonMessage", { data: { tftensor: { dtype: 9, tensor_shape: { dim: [{ size: 2 }] }, int64Val: [1, "2"] } } }],
  ["SeldonMessage", { data: { names: "a" } }],
  ["SeldonModelMetadata", { name: "m", versions: ["v"], inputs: [{ datatype: "BYTES", name: "input", shape: [1, 4] }], extra: 1 }],
  ["SeldonMessage", { binData: "a" }],
  ["SeldonMessage", { status: { code: "abc" } }],
  ["SeldonMessage", { status: { code: 3e9 } }],
];
for (const [t, v] of tries) {
  try { console.log("OK ", JSON.stringify(parseProtoJson(t, v, t === "SeldonModelMetadata" ? { ignoreUnknownFields: true } : {}))); }
  catch (e) { console.log("ERR", (e as Error).name, JSON.stringify((e as Error).message)); }
}
