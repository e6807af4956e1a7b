/**
 * The walks after `JSON.parse` (number_tokens.ts `listBits`, `leafKind`; ndarray.ts
 * `fromNumbers`), split into one loop per kind of list for speed, tell the same as the careful
 * path on thousands of generated bodies: `parseJson` (the walks, then a re-parse only when they
 * ask) and `JSON.parse` with `exactReviver` (every number token read) give equal values and equal
 * arrays (dtype, shape, items) for every list, whatever order lists of lists, of strings and of
 * numbers come in. Bodies mix integers, integral floats (`2.0`, `1e2`, `-0.0`), fractions,
 * integers beyond 2^53, strings, booleans, nulls, objects, ragged and empty lists, and white
 * space between tokens.
 */
import { assertEquals } from "../../_helpers/assert.ts";
import { parseJson } from "../../../src/protocol/json.ts";
import { exactReviver } from "../../../src/protocol/number_tokens.ts";
import { NDArray } from "../../../src/protocol/ndarray.ts";
import { seededRandom as random } from "../../_helpers/random.ts";

const INTEGERS = ["0", "1", "-3", "17", "9007199254740993", "-12345678901234567890", "1000"];
const INTEGRAL_FLOATS = ["2.0", "1e2", "-0.0", "1E2", "3.000", "0e0", "-4.0e1"];
const FRACTIONS = ["0.5", "-1.25e-3", "3.14", "1.7976931348623157e308", "5e-324"];
const OTHERS = ['"a"', '"1"', '"2.0"', '"ü"', "true", "false", "null", '{"k":[1,2.0]}', "{}"];
const SPACE = ["", "", "", " ", "\n", "\t", "\r\n  "];

/** How a generated list's items are drawn. */
type Mix = "ints" | "floats" | "fractions" | "numbers" | "mixed";

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function token(r: () => number, mix: Mix): string {
  switch (mix) {
    case "ints":
      return pick(r, INTEGERS.slice(0, 4));
    case "floats":
      return r() < 0.1 ? pick(r, INTEGRAL_FLOATS) : pick(r, INTEGERS);
    case "fractions":
      return pick(r, FRACTIONS);
    case "numbers":
      return pick(r, [pick(r, INTEGERS), pick(r, INTEGRAL_FLOATS), pick(r, FRACTIONS)]);
    case "mixed":
      return pick(r, [pick(r, INTEGERS), pick(r, INTEGRAL_FLOATS), pick(r, OTHERS)]);
  }
}

function join(r: () => number, items: string[]): string {
  const s = () => pick(r, SPACE);
  return `[${s()}${items.map((x) => x + s()).join("," + s())}]`;
}

/** A list tree: regular (an ndarray) most of the time, sometimes ragged or empty. */
function list(r: () => number, depth: number, mix: Mix): string {
  const shape = Array.from({ length: depth }, () => 1 + Math.floor(r() * 4));
  const build = (axis: number): string => {
    if (r() < 0.03) return "[]";
    const n = shape[axis] + (r() < 0.05 ? 1 : 0); // now and then ragged
    const items = Array.from(
      { length: n },
      () => axis === depth - 1 ? token(r, r() < 0.05 ? "mixed" : mix) : build(axis + 1),
    );
    return join(r, items);
  };
  return build(0);
}

function body(r: () => number): { text: string; keys: string[] } {
  const mixes: Mix[] = ["ints", "floats", "fractions", "numbers", "mixed"];
  const keys: string[] = [];
  const members: string[] = [];
  for (let k = 0; k < 1 + Math.floor(r() * 4); k++) {
    const key = `l${k}`;
    keys.push(key);
    members.push(`"${key}":${list(r, 1 + Math.floor(r() * 3), pick(r, mixes))}`);
  }
  if (r() < 0.5) members.push(`"names":${join(r, ['"a"', '"b"'])}`);
  if (r() < 0.3) members.push(`"shape":[2,3]`);
  return { text: `{${members.join(",")}}`, keys };
}

/** What a hook would see of a list: its array's dtype, shape and items (or the error). */
function seen(value: unknown): unknown {
  try {
    const array = NDArray.from(value);
    return [array.dtype, array.shape, array.tolist()];
  } catch (err) {
    return String(err);
  }
}

Deno.test("number walks: parseJson and the token-by-token parse agree on 4,000 bodies", () => {
  const r = random(13);
  let floatArrays = 0, stringArrays = 0, bigints = 0;
  for (let n = 0; n < 4000; n++) {
    const { text, keys } = body(r);
    const fast = parseJson(text) as Record<string, unknown>;
    const exact = JSON.parse(
      text,
      exactReviver as (key: string, value: unknown) => unknown,
    ) as Record<string, unknown>;
    assertEquals(fast, exact, text);
    for (const key of keys) {
      const array = seen(fast[key]);
      assertEquals(array, seen(exact[key]), `${key} of ${text}`);
      if (Array.isArray(array)) {
        if (array[0] === "float64") floatArrays++;
        if (array[0] === "string") stringArrays++;
        if (JSON.stringify(array[2], (_, v) => typeof v === "bigint" ? "big" : v).includes("big")) {
          bigints++;
        }
      }
    }
  }
  // The bodies reach every kind of answer.
  assertEquals([floatArrays > 500, stringArrays > 100, bigints > 50], [true, true, true]);
});

Deno.test("number walks: lists of every kind in turn, large ones included, keep their dtype", () => {
  const rows = Array.from({ length: 300 }, (_, i) => `[${i + 0.5},${i},${i + 0.25}]`).join(",");
  const integers = Array.from({ length: 3000 }, (_, i) => String(i)).join(",");
  const texts: [string, string][] = [
    [`{"x":[${rows}]}`, "float64"],
    [`{"x":[${integers}]}`, "int64"],
    [`{"x":[${integers},2.0]}`, "float64"],
    [`{"s":["a","b"],"x":[${integers}]}`, "int64"],
    [`{"x":[[${integers}],[${integers.replace("7", "7.0")}]]}`, "float64"],
    [`{"x":[0.5,${integers}]}`, "float64"],
    [`{"x":[${integers},"a"]}`, "string"],
    [`{"x":[[1,"a"],[${integers.slice(0, 3)}]]}`, "string"],
    [`{"x":[[1,"a"],[${integers.slice(0, 5)}]]}`, "object"],
    [`{"x":[${integers},9007199254740993]}`, "int64"],
    // Numbers first, in the middle and last, a string elsewhere: read again by the general loops.
    [`{"x":[1,"a",2.0,3,4]}`, "string"],
    [`{"x":[[1,"a",2.0,3,4],[5,6,7,8,9.5]]}`, "string"],
    [`{"x":[[1,null,2,3,4],[5,6,7,8,9]]}`, "object"],
  ];
  // Twice, so the second round walks with feedback from every kind of list.
  for (let round = 0; round < 2; round++) {
    for (const [text, dtype] of texts) {
      const fast = parseJson(text) as Record<string, unknown>;
      const exact = JSON.parse(text, exactReviver as (k: string, v: unknown) => unknown);
      assertEquals(seen(fast.x), seen(exact.x), text.slice(0, 80));
      assertEquals((seen(fast.x) as unknown[])[0], dtype, text.slice(0, 80));
    }
  }
});
