/**
 * The codec's fast paths for large messages give the general paths' values and bytes: packed
 * doubles read from an aligned copy into a list allocated at its size (against the byte-wise
 * read of a short field and the unpacked encoding), repeated strings written as one block
 * (against protobufjs reflection), and the block of a frozen list kept (the server's generated
 * names of a wide answer).
 */
import { ok, strictEqual } from "node:assert/strict";
import { Buffer } from "node:buffer";
import protobuf from "protobufjs";
import { concat } from "../../../_helpers/bytes.ts";
import { decodeMessage, encodeMessage } from "../../../../src/protocol/proto/codec.ts";

const PROTO_DIR = new URL("../../../../proto/", import.meta.url).pathname;
const root = new protobuf.Root();
root.resolvePath = (_origin: string, target: string) =>
  target.startsWith("google/protobuf/") ? target : PROTO_DIR + target;
root.loadSync("prediction.proto", { keepCase: true });
root.resolveAll();
const SeldonMessageT = root.lookupType("seldon.protos.SeldonMessage");

/** Varint bytes of `n`. */
function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return new Uint8Array(out);
}

/** Length-delimited field `no` holding `body`. */
function field(no: number, body: Uint8Array): Uint8Array {
  return concat(varint((no << 3) | 2), varint(body.length), body);
}

/** Little-endian doubles. */
function doubles(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setFloat64(i * 8, v, true));
  return out;
}

/** `SeldonMessage{data{tensor{values}}}` with `tensorBody` as the tensor's fields. */
function tensorMessage(tensorBody: Uint8Array): Uint8Array {
  return field(3, field(2, tensorBody)); // data = 3, DefaultData.tensor = 2
}

/** `values` (Tensor field 2) packed, or unpacked (one tag + double each). */
function valuesField(values: readonly number[], packed: boolean): Uint8Array {
  if (packed) return field(2, doubles(values));
  return concat(...values.map((v) => concat(new Uint8Array([(2 << 3) | 1]), doubles([v]))));
}

/** `bytes` placed `shift` bytes into a larger buffer (alignment of the doubles varies). */
function shifted(bytes: Uint8Array, shift: number): Uint8Array {
  const out = new Uint8Array(bytes.length + shift);
  out.set(bytes, shift);
  return out.subarray(shift);
}

type Tensor = { data: { tensor: { values: unknown[] } } };

/** Same length and every element the same (`Object.is`: `-0`, `"NaN"`). */
function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -1.7976931348623157e308, 1 / 3];
/** 5,000 values with every special double among them. */
const MANY = Array.from({ length: 5000 }, (_, i) => i % 97 < 8 ? SPECIAL[i % 97] : (i - 2500) / 7);

Deno.test("codec: many packed doubles decode as the unpacked encoding, at every alignment", () => {
  const expected =
    (decodeMessage("SeldonMessage", tensorMessage(valuesField(MANY, false))) as Tensor)
      .data.tensor.values;
  strictEqual(expected.length, MANY.length);
  strictEqual(expected[0], "NaN");
  ok(Object.is(expected[3], -0));
  const packed = tensorMessage(valuesField(MANY, true));
  for (let shift = 0; shift < 8; shift++) {
    const got = (decodeMessage("SeldonMessage", shifted(packed, shift)) as Tensor).data.tensor
      .values;
    ok(sameList(got, expected), `shift ${shift}`);
  }
});

Deno.test("codec: packed doubles after earlier values of the field append to them", () => {
  const few = [1.5, NaN, -0];
  const cases = [
    [valuesField(few, false), valuesField(MANY, true)], // unpacked, then a large packed run
    [valuesField(few, true), valuesField(MANY, true)], // a short packed run, then a large one
    [valuesField(MANY, true), valuesField(few, true)], // a large packed run, then a short one
    [valuesField(MANY, true), valuesField(few, false)], // a large packed run, then unpacked
  ];
  for (const [i, [a, b]] of cases.entries()) {
    const order = i < 2 ? [...few, ...MANY] : [...MANY, ...few];
    const expected =
      (decodeMessage("SeldonMessage", tensorMessage(valuesField(order, false))) as Tensor).data
        .tensor.values;
    for (const shift of [0, 3]) {
      const got =
        (decodeMessage("SeldonMessage", shifted(tensorMessage(concat(a, b)), shift)) as Tensor)
          .data.tensor.values;
      ok(sameList(got, expected), `case ${i}, shift ${shift}`);
    }
  }
});

Deno.test("codec: a malformed packed double region still fails when large", () => {
  const body = field(2, new Uint8Array(8 * 100 + 3));
  for (const shift of [0, 1]) {
    let failed = false;
    try {
      decodeMessage("SeldonMessage", shifted(tensorMessage(body), shift));
    } catch (err) {
      failed = /not a multiple of 8/.test(String(err));
    }
    ok(failed, `shift ${shift}`);
  }
});

/** Our encoding of `names` as `data.names` against protobufjs reflection's. */
function assertNamesAsReflection(names: readonly string[]): Uint8Array {
  const msg = { data: { names } };
  const ours = encodeMessage("SeldonMessage", msg);
  const theirs = SeldonMessageT.encode(SeldonMessageT.fromObject({ data: { names: [...names] } }))
    .finish();
  strictEqual(Buffer.compare(Buffer.from(ours), Buffer.from(theirs)), 0);
  return ours;
}

Deno.test("codec: repeated strings as one block give protobufjs's bytes", () => {
  const generated = Array.from({ length: 100_000 }, (_, i) => `t:${i}`);
  assertNamesAsReflection(generated);
  // Not one short ASCII block: each falls back to the general writer.
  const edge = [
    "é",
    "x".repeat(127),
    "x".repeat(128),
    "",
    "😀",
    "\u007f",
    "\u0080",
  ];
  for (const odd of edge) {
    assertNamesAsReflection(Array.from({ length: 100 }, (_, i) => i === 50 ? odd : `n${i}`));
  }
});

Deno.test("codec: a frozen list's block is kept, for its field only", () => {
  const names = Object.freeze(Array.from({ length: 5000 }, (_, i) => `t:${i}`));
  const first = assertNamesAsReflection(names);
  const again = assertNamesAsReflection(names); // from the kept block
  strictEqual(Buffer.compare(Buffer.from(first), Buffer.from(again)), 0);
  // The same frozen list in a repeated string field of another number (`versions` = 2, against
  // `names` = 1).
  const meta = encodeMessage("SeldonModelMetadata", { versions: names });
  const MetaT = root.lookupType("seldon.protos.SeldonModelMetadata");
  const expected = MetaT.encode(MetaT.fromObject({ versions: [...names] })).finish();
  strictEqual(Buffer.compare(Buffer.from(meta), Buffer.from(expected)), 0);
  // And back in the first field after the other.
  assertNamesAsReflection(names);
  // A frozen list that is not one ASCII block is written by the general path every time.
  const odd = Object.freeze(names.map((n, i) => i === 10 ? "é" : n));
  assertNamesAsReflection(odd);
  assertNamesAsReflection(odd);
});
