/**
 * The direct codec of small ndarray messages: the encoder (`encodeNdarrayMessage`) writes the
 * generic codec's bytes for every message it takes (random nested lists of every depth it
 * accepts, ragged and empty lists, special doubles), leaves every other message to the generic
 * codec, and answers written in turn (across the shared slab) stay intact; the decoder
 * (`decodeNdarrayMessage`) gives the generic decoder's object (key order, -0, NaN / ±Infinity
 * as strings) at any alignment, and leaves any other bytes (other fields or Value kinds, other
 * order, too deep, truncated or corrupted) to it.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { encodeMessage } from "../../../../src/protocol/proto/codec.ts";
import {
  decodeNdarrayMessage,
  encodeNdarrayMessage,
} from "../../../../src/protocol/proto/ndarray_message.ts";
import { encodeTensorMessage } from "../../../../src/protocol/proto/tensor_message.ts";
import { seededRandom as rng } from "../../../_helpers/random.ts";
import {
  genericText as generic,
  messageText as text,
  placed,
  randomSmallMessage,
} from "../../../_helpers/proto_compare.ts";

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -2.2250738585072014e-308, 1e308, 0.1, 3];

/** A random list of numbers and lists (at most `budget.left` elements, `depth` levels left). */
function randomList(r: () => number, depth: number, budget: { left: number }): unknown[] {
  const pick = (n: number) => Math.floor(r() * n);
  const n = Math.min(budget.left, r() < 0.1 ? pick(200) : pick(6));
  const out: unknown[] = [];
  for (let i = 0; i < n && budget.left > 0; i++) {
    budget.left--;
    if (depth > 0 && r() < 0.3) out.push(randomList(r, depth - 1, budget));
    else {
      out.push(
        r() < 0.2
          ? SPECIAL[pick(SPECIAL.length)]
          : r() < 0.2
          ? pick(1000) - 500
          : (r() - 0.5) * 10 ** pick(20),
      );
    }
  }
  return out;
}

/** A random matrix `[[numbers...]...]`, the server's usual answer. */
function randomMatrix(r: () => number): number[][] {
  const rows = 1 + Math.floor(r() * 4);
  const cols = Math.floor(r() * 40);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r() - 0.5) * 100));
}

function randomMessage(r: () => number): Record<string, unknown> {
  return randomSmallMessage(r, (data) => {
    data.ndarray = r() < 0.4 ? randomMatrix(r) : randomList(r, Math.floor(r() * 9), { left: 256 });
  });
}

Deno.test("encodeNdarrayMessage: the generic codec's bytes for 5,000 random messages", () => {
  const r = rng(14);
  for (let i = 0; i < 5000; i++) {
    const msg = randomMessage(r);
    const fast = encodeNdarrayMessage(msg);
    ok(fast !== undefined, `not taken: ${JSON.stringify(msg)}`);
    deepStrictEqual(Buffer.from(fast), Buffer.from(encodeMessage("SeldonMessage", msg)));
  }
});

Deno.test("encodeNdarrayMessage: the server's 4-number answer", () => {
  const msg = {
    meta: {},
    data: { names: ["t:0", "t:1", "t:2", "t:3"], ndarray: [[5.1, 3.5, 1.4, 0.2]] },
  };
  strictEqual(
    Buffer.from(encodeNdarrayMessage(msg)!).toString("hex"),
    "12001a460a03743a300a03743a310a03743a320a03743a331a300a2e322c0a091166666666666614400a09" +
      "110000000000000c400a0911666666666666f63f0a09119a9999999999c93f",
  );
  // The tensor codec leaves it, and this one leaves a tensor message.
  strictEqual(encodeTensorMessage(msg), undefined);
  strictEqual(encodeNdarrayMessage({ data: { tensor: { values: [1] } } }), undefined);
});

Deno.test("encodeNdarrayMessage: any other message is left to the generic codec", () => {
  const deep = (n: number): unknown => n === 0 ? [1] : [deep(n - 1)];
  class Box {
    data = { ndarray: [[1]] };
  }
  const others: unknown[] = [
    null,
    [],
    "x",
    new Box(),
    { status: { code: 1 }, data: { ndarray: [[1]] } },
    { meta: { puid: "p" }, data: { ndarray: [[1]] } },
    { meta: null },
    { data: null },
    { data: { ndarray: [[1]], tensor: { values: [1] } } },
    { data: { ndarray: null } },
    { data: { ndarray: "x" } },
    { data: { ndarray: new Float64Array(2) } },
    { data: { ndarray: [[1, "a"]] } },
    { data: { ndarray: [[1, true]] } },
    { data: { ndarray: [[1, null]] } },
    { data: { ndarray: [[1, 2n]] } },
    { data: { ndarray: [{ a: 1 }] } },
    { data: { ndarray: [new Float64Array(1)] } },
    { data: { ndarray: Object.assign(new Array(2), { 0: 1 }) } },
    { data: { ndarray: new Array(257).fill(1) } },
    { data: { ndarray: [new Array(128).fill(1), new Array(128).fill(1)] } },
    { data: { ndarray: deep(9) } },
    { data: { names: ["é"], ndarray: [[1]] } },
    { data: { names: ["x".repeat(128)], ndarray: [[1]] } },
    { data: { names: Array.from({ length: 65 }, (_, i) => `t:${i}`) } },
    { data: { names: null, ndarray: [[1]] } },
  ];
  others.forEach((msg, i) => strictEqual(encodeNdarrayMessage(msg), undefined, `case ${i}`));
  // The deepest and the largest taken.
  ok(encodeNdarrayMessage({ data: { ndarray: deep(8) } }) !== undefined);
  ok(encodeNdarrayMessage({ data: { ndarray: new Array(256).fill(1) } }) !== undefined);
});

Deno.test("encodeNdarrayMessage: answers written in turn stay intact across slabs", () => {
  const r = rng(7);
  const kept: [Uint8Array, Record<string, unknown>][] = [];
  let bytes = 0;
  while (bytes < 300_000) {
    const msg = randomMessage(r);
    const out = encodeNdarrayMessage(msg)!;
    // Tensor answers share the slab.
    const tensor = { data: { tensor: { values: [bytes] } } };
    kept.push([out, structuredClone(msg)], [encodeTensorMessage(tensor)!, tensor]);
    bytes += out.length;
  }
  for (const [out, msg] of kept) {
    deepStrictEqual(Buffer.from(out), Buffer.from(encodeMessage("SeldonMessage", msg)));
  }
});

Deno.test("decodeNdarrayMessage: the generic decoder's object for 5,000 random messages", () => {
  const r = rng(21);
  let taken = 0;
  for (let i = 0; i < 5000; i++) {
    const msg = randomMessage(r);
    const bytes = placed(encodeMessage("SeldonMessage", msg), i % 8);
    const fast = decodeNdarrayMessage(bytes);
    if (fast === undefined) {
      // Only a message without data (or empty) or of more than 4 KiB is not taken.
      ok(msg.data === undefined || bytes.length > 4096, `not taken: ${text(msg)}`);
      continue;
    }
    taken++;
    strictEqual(text(fast), generic(bytes));
  }
  ok(taken > 4500, `taken ${taken}`);
});

Deno.test("decodeNdarrayMessage: the server's 4-number request", () => {
  const bytes = encodeMessage("SeldonMessage", {
    data: { names: ["a", "b", "c", "d"], ndarray: [[5.1, 3.5, 1.4, 0.2]] },
  });
  const fast = decodeNdarrayMessage(bytes);
  strictEqual(text(fast), '{"data":{"names":["a","b","c","d"],"ndarray":[[5.1,3.5,1.4,0.2]]}}');
  strictEqual(text(fast), generic(bytes));
});

Deno.test("decodeNdarrayMessage: other bytes are left to the generic decoder", () => {
  const enc = (m: unknown) => encodeMessage("SeldonMessage", m);
  const deep = (n: number): unknown => n === 0 ? [1] : [deep(n - 1)];
  const others: Uint8Array[] = [
    new Uint8Array(0),
    enc({ meta: {} }),
    enc({ meta: { puid: "p" }, data: { ndarray: [[1]] } }),
    enc({ status: { code: 1 }, data: { ndarray: [[1]] } }),
    enc({ data: { tensor: { values: [1] } } }),
    enc({ strData: "x" }),
    enc({ data: { names: ["é"], ndarray: [[1]] } }),
    enc({ data: { ndarray: [[1, "a"]] } }),
    enc({ data: { ndarray: [[1, true]] } }),
    enc({ data: { ndarray: [[1, null]] } }),
    enc({ data: { ndarray: [{ a: 1 }] } }),
    enc({ data: { ndarray: deep(9) } }),
    enc({ data: { ndarray: new Array(600).fill(0.5) } }),
    // ndarray before names; the data field twice; bytes after the data; an empty Value;
    // a Value of a number and a list; a list element of another field.
    Uint8Array.of(0x1a, 0x08, 0x1a, 0x03, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x61),
    Uint8Array.of(0x1a, 0x00, 0x1a, 0x00),
    Uint8Array.of(0x1a, 0x02, 0x1a, 0x00, 0x10, 0x01),
    Uint8Array.of(0x1a, 0x04, 0x1a, 0x02, 0x0a, 0x00),
    Uint8Array.of(0x1a, 0x0f, 0x1a, 0x0d, 0x0a, 0x0b, 0x11, ...new Uint8Array(8), 0x32, 0x00),
    Uint8Array.of(0x1a, 0x04, 0x1a, 0x02, 0x12, 0x00),
  ];
  others.forEach((b, i) => strictEqual(decodeNdarrayMessage(b), undefined, `case ${i}`));
  // The generic decoder does read such bytes.
  strictEqual(generic(others[16]), '{"data":{"ndarray":[null]}}');
  strictEqual(generic(others[17]), '{"data":{"ndarray":[[]]}}');
  // The deepest taken.
  const eight = enc({ data: { ndarray: deep(8) } });
  strictEqual(text(decodeNdarrayMessage(eight)), generic(eight));
});

Deno.test("decodeNdarrayMessage: truncated and corrupted bytes give undefined or the generic object", () => {
  const r = rng(5);
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    const good = encodeMessage("SeldonMessage", randomMessage(r));
    if (good.length === 0) continue;
    const bad = good.slice(0, r() < 0.5 ? Math.floor(r() * good.length) : good.length);
    for (let k = 0; k < 3 && bad.length > 0; k++) {
      bad[Math.floor(r() * bad.length)] = Math.floor(r() * 256);
    }
    const fast = decodeNdarrayMessage(bad);
    if (fast === undefined) continue;
    strictEqual(text(fast), generic(bad));
    checked++;
  }
  ok(checked > 100, `checked ${checked}`);
});
