/**
 * Large REST bodies: the CPU time of parsing (`parseJson`) and decoding (`decodeJsonMessage`) a
 * ~1 MB ndarray request, per kind of numbers, in-process: `deno run -A bench/json_body.ts`.
 * Prints the median of 15 blocks per body, in ms.
 */
import { parseJson } from "../src/protocol/json.ts";
import { decodeJsonMessage } from "../src/protocol/payload.ts";

/** A deterministic PRNG (mulberry32), so every run parses the same bodies. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A ~`size`-byte ndarray body of rows of 100 items, flat (as `TextDecoder` gives it). */
function body(item: (r: () => number) => string, size = 1 << 20): string {
  const r = random(1);
  const rows: string[] = [];
  for (let length = 0; length < size;) {
    const row = "[" + Array.from({ length: 100 }, () => item(r)).join(",") + "]";
    rows.push(row);
    length += row.length + 1;
  }
  const text = `{"data":{"names":["a","b"],"ndarray":[${rows.join(",")}]}}`;
  return new TextDecoder().decode(new TextEncoder().encode(text));
}

const BODIES: Record<string, string> = {
  "floats (0.5488135039273248)": body((r) => String(r())),
  "2 decimals (1.25, some 3.00)": body((r) => (Math.round(r() * 400) / 100).toFixed(2)),
  "small floats (5.4e-06)": body((r) => String(r() * 1e-5)),
  "integers (17)": body((r) => String(Math.floor(r() * 256))),
  "integral floats (17.0)": body((r) => Math.floor(r() * 256) + ".0"),
  'strings and floats ("a", 2.0)': body((r) => r() < 0.5 ? '"a"' : "2.0"),
};

function median(f: () => unknown): number {
  const times: number[] = [];
  for (let k = 0; k < 15; k++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[7];
}

for (const [name, text] of Object.entries(BODIES)) {
  for (let k = 0; k < 3; k++) decodeJsonMessage(parseJson(text)); // warm-up
  const parse = median(() => parseJson(text));
  const decode = median(() => decodeJsonMessage(parseJson(text)));
  const X = decodeJsonMessage(parseJson(text)).X as { dtype: string };
  console.log(
    `${name.padEnd(30)} ${(text.length / 1e6).toFixed(2)} MB  parse ${parse.toFixed(2)} ms` +
      `  parse+decode ${decode.toFixed(2)} ms  (JSON.parse ${
        median(() => JSON.parse(text)).toFixed(2)
      } ms)  dtype ${X.dtype}`,
  );
}
