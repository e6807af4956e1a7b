/**
 * The direct codec of small tensor messages: the encoder (`encodeTensorMessage`) writes the
 * generic codec's bytes for every message it takes (random messages of every shape it accepts,
 * special doubles, long varints), leaves every other message to the generic codec, and answers
 * written in turn (across its slabs) stay intact; the decoder (`decodeTensorMessage`) gives the
 * generic decoder's object (key order, -0, NaN / ±Infinity as strings) at any alignment, and
 * leaves any other bytes (other fields, other order, truncated or corrupted) to it.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { encodeMessage } from "../../../../src/protocol/proto/codec.ts";
import {
  decodeTensorMessage,
  encodeTensorMessage,
} from "../../../../src/protocol/proto/tensor_message.ts";
import { seededRandom as rng } from "../../../_helpers/random.ts";
import {
  genericText as generic,
  messageText as text,
  placed,
  randomSmallMessage,
} from "../../../_helpers/proto_compare.ts";

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -2.2250738585072014e-308, 1e308, 0.1];
const DIMS = [0, 1, 4, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 0x7fffffff];

function randomMessage(r: () => number): Record<string, unknown> {
  const pick = (n: number) => Math.floor(r() * n);
  return randomSmallMessage(r, (data) => {
    const tensor: Record<string, unknown> = {};
    data.tensor = tensor;
    if (r() < 0.9) {
      tensor.shape = Array.from(
        { length: r() < 0.05 ? 32 : pick(4) },
        () => r() < 0.5 ? DIMS[pick(DIMS.length)] : pick(1000),
      );
    }
    if (r() < 0.9) {
      const n = r() < 0.1 ? 256 : pick(20);
      tensor.values = Array.from(
        { length: n },
        () => r() < 0.2 ? SPECIAL[pick(SPECIAL.length)] : (r() - 0.5) * 10 ** pick(20),
      );
    }
  });
}

Deno.test("encodeTensorMessage: the generic codec's bytes for 5,000 random messages", () => {
  const r = rng(14);
  let taken = 0;
  for (let i = 0; i < 5000; i++) {
    const msg = randomMessage(r);
    const fast = encodeTensorMessage(msg);
    ok(fast !== undefined, `not taken: ${JSON.stringify(msg)}`);
    deepStrictEqual(Buffer.from(fast), Buffer.from(encodeMessage("SeldonMessage", msg)));
    taken++;
  }
  strictEqual(taken, 5000);
});

Deno.test("encodeTensorMessage: the server's 4-double answer", () => {
  const msg = {
    meta: {},
    data: {
      names: ["t:0", "t:1", "t:2", "t:3"],
      tensor: { shape: [1, 4], values: [5.1, 3.5, 1.4, 0.2] },
    },
  };
  strictEqual(
    Buffer.from(encodeTensorMessage(msg)!).toString("hex"),
    "12001a3c0a03743a300a03743a310a03743a320a03743a3312260a020104122066666666666614400000000000000c40666666666666f63f9a9999999999c93f",
  );
});

Deno.test("encodeTensorMessage: any other message is left to the generic codec", () => {
  const tensor = () => ({ shape: [1, 2], values: [1, 2] });
  class Box {
    data = { tensor: tensor() };
  }
  const others: unknown[] = [
    null,
    [],
    "x",
    new Box(),
    { status: { code: 1 }, data: { tensor: tensor() } },
    { meta: { puid: "p" }, data: { tensor: tensor() } },
    { meta: { tags: {} } },
    { meta: null },
    { meta: [] },
    { data: null },
    { data: { tensor: tensor(), ndarray: [[1, 2]] } },
    { data: { tftensor: {} } },
    { binData: "AA==" },
    { strData: "x" },
    { data: { names: null, tensor: tensor() } },
    { data: { names: ["é"], tensor: tensor() } },
    { data: { names: ["x".repeat(128)], tensor: tensor() } },
    { data: { names: [1], tensor: tensor() } },
    { data: { names: Array.from({ length: 65 }, (_, i) => `t:${i}`) } },
    { data: { names: "abc" } },
    { data: { tensor: { shape: [1, 2], values: ["NaN", 2] } } },
    { data: { tensor: { shape: [1, 2], values: [1, 2n] } } },
    { data: { tensor: { shape: [1, 2], values: [1, null] } } },
    { data: { tensor: { shape: [1, 2], values: Object.assign(new Array(2), { 0: 1 }) } } },
    { data: { tensor: { values: new Array(257).fill(1) } } },
    { data: { tensor: { values: new Float64Array(2) } } },
    { data: { tensor: { shape: [-1], values: [1] } } },
    { data: { tensor: { shape: [1.5], values: [1] } } },
    { data: { tensor: { shape: [2 ** 31], values: [1] } } },
    { data: { tensor: { shape: ["1"], values: [1] } } },
    { data: { tensor: { shape: new Array(33).fill(1) } } },
    { data: { tensor: { shape: [1], values: [1], extra: 1 } } },
    { data: { tensor: null } },
    { data: { tensor: { shape: null } } },
  ];
  others.forEach((msg, i) => strictEqual(encodeTensorMessage(msg), undefined, `case ${i}`));
});

Deno.test("encodeTensorMessage: answers written in turn stay intact across slabs", () => {
  const r = rng(7);
  const kept: [Uint8Array, Record<string, unknown>][] = [];
  let bytes = 0;
  while (bytes < 300_000) {
    const msg = randomMessage(r);
    const out = encodeTensorMessage(msg)!;
    kept.push([out, structuredClone(msg)]);
    bytes += out.length;
  }
  for (const [out, msg] of kept) {
    deepStrictEqual(Buffer.from(out), Buffer.from(encodeMessage("SeldonMessage", msg)));
  }
});

Deno.test("decodeTensorMessage: the generic decoder's object for 5,000 random messages", () => {
  const r = rng(21);
  let taken = 0;
  for (let i = 0; i < 5000; i++) {
    const msg = randomMessage(r);
    const bytes = placed(encodeMessage("SeldonMessage", msg), i % 8);
    const fast = decodeTensorMessage(bytes);
    if (fast === undefined) {
      // Only a message without data (or empty) is not taken.
      ok(msg.data === undefined, `not taken: ${text(msg)}`);
      continue;
    }
    taken++;
    strictEqual(text(fast), generic(bytes));
  }
  ok(taken > 4500, `taken ${taken}`);
});

Deno.test("decodeTensorMessage: the server's 4-double request", () => {
  const bytes = encodeMessage("SeldonMessage", {
    data: { names: ["a", "b", "c", "d"], tensor: { shape: [1, 4], values: [5.1, 3.5, 1.4, 0.2] } },
  });
  const fast = decodeTensorMessage(bytes);
  strictEqual(
    text(fast),
    '{"data":{"names":["a","b","c","d"],"tensor":{"shape":[1,4],"values":[5.1,3.5,1.4,0.2]}}}',
  );
  strictEqual(text(fast), generic(bytes));
});

Deno.test("decodeTensorMessage: other bytes are left to the generic decoder", () => {
  const enc = (m: unknown) => encodeMessage("SeldonMessage", m);
  const tensor = { shape: [1, 2], values: [1, 2] };
  const others: Uint8Array[] = [
    new Uint8Array(0),
    enc({ meta: {} }),
    enc({ meta: { puid: "p" }, data: { tensor } }),
    enc({ status: { code: 1 }, data: { tensor } }),
    enc({ data: { ndarray: [[1, 2]] } }),
    enc({ strData: "x" }),
    enc({ data: { names: ["é"], tensor } }),
    enc({ data: { names: ["x".repeat(128)], tensor } }),
    enc({ data: { tensor: { shape: [-1], values: [1] } } }),
    // values before shape; unpacked shape; the data field twice; bytes after the data.
    Uint8Array.of(0x1a, 0x10, 0x12, 0x0e, 0x12, 0x08, ...new Uint8Array(8), 0x0a, 0x02, 0x01, 0x02),
    Uint8Array.of(0x1a, 0x06, 0x12, 0x04, 0x08, 0x01, 0x08, 0x02),
    Uint8Array.of(0x1a, 0x00, 0x1a, 0x00),
    Uint8Array.of(0x1a, 0x00, 0x10, 0x01),
    // a values length that is not a multiple of 8.
    Uint8Array.of(0x1a, 0x07, 0x12, 0x05, 0x12, 0x03, 1, 2, 3),
  ];
  others.forEach((b, i) => strictEqual(decodeTensorMessage(b), undefined, `case ${i}`));
  // The generic decoder does read such bytes (here an unpacked shape).
  strictEqual(generic(others[10]), '{"data":{"tensor":{"shape":[1,2]}}}');
});

Deno.test("decodeTensorMessage: truncated and corrupted bytes give undefined or the generic object", () => {
  const r = rng(5);
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    const good = encodeMessage("SeldonMessage", randomMessage(r));
    if (good.length === 0) continue;
    const bad = good.slice(0, r() < 0.5 ? Math.floor(r() * good.length) : good.length);
    for (let k = 0; k < 3 && bad.length > 0; k++) {
      bad[Math.floor(r() * bad.length)] = Math.floor(r() * 256);
    }
    const fast = decodeTensorMessage(bad);
    if (fast === undefined) continue;
    strictEqual(text(fast), generic(bad));
    checked++;
  }
  ok(checked > 100, `checked ${checked}`);
});
