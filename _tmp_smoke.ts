import { decodeSeldonMessage, encodeSeldonMessage, decodeFeedback } from "./src/protocol/proto/codec.ts";
const m = { meta: { puid: "p", tags: { a: 1, b: [1, "x", null, { c: true }] }, routing: { x: 0 }, metrics: [{ key: "k", value: 0.1 }, { key: "g", type: "GAUGE", value: 1.2 }] }, data: { names: ["a"], tensor: { shape: [1, 2], values: [1, 2.5, "NaN"] } } };
const b = encodeSeldonMessage(m);
console.log(b.length, JSON.stringify(decodeSeldonMessage(b)));
console.log(JSON.stringify(decodeFeedback(encodeSeldonMessage({data: m.data}))));
const big = { data: { tensor: { shape: [10000], values: Array.from({ length: 10000 }, (_, i) => i * 0.5) } } };
const nd = { data: { ndarray: Array.from({ length: 100 }, (_, i) => Array.from({ length: 100 }, (_, j) => i * j * 0.5)) } };
for (const [name, msg] of [["tensor10k", big], ["ndarray100x100", nd]] as const) {
  let bytes = encodeSeldonMessage(msg);
  for (let i = 0; i < 2000; i++) { bytes = encodeSeldonMessage(msg); decodeSeldonMessage(bytes); }
  const N = 2000;
  let t = performance.now();
  for (let i = 0; i < N; i++) encodeSeldonMessage(msg);
  const enc = (performance.now() - t) / N;
  t = performance.now();
  for (let i = 0; i < N; i++) decodeSeldonMessage(bytes);
  const dec = (performance.now() - t) / N;
  console.log(name, bytes.length, "encode ms", enc.toFixed(4), "decode ms", dec.toFixed(4));
}
