/** Generated output names: a wide result's list is kept (frozen) for the next of its width. */
import { assert, assertEquals, assertThrows } from "../../_helpers/assert.ts";
import {
  generatedNames,
  KEEP_NAMES_MIN,
  MAX_GENERATED_NAMES,
} from "../../../src/dataplane/names.ts";

Deno.test("names: t:0 … t:<cols-1>; narrow lists are fresh and writable", () => {
  const a = generatedNames(3);
  assertEquals(a, ["t:0", "t:1", "t:2"]);
  assert(!Object.isFrozen(a));
  assert(generatedNames(3) !== a);
  assertEquals(generatedNames(0), []);
});

Deno.test("names: a wide list is frozen and shared until another wide width comes", () => {
  const a = generatedNames(KEEP_NAMES_MIN);
  assert(Object.isFrozen(a));
  assertEquals(a.length, KEEP_NAMES_MIN);
  assertEquals([a[0], a[KEEP_NAMES_MIN - 1]], ["t:0", `t:${KEEP_NAMES_MIN - 1}`]);
  assert(generatedNames(KEEP_NAMES_MIN) === a);
  generatedNames(5); // a narrow width leaves the kept list alone
  assert(generatedNames(KEEP_NAMES_MIN) === a);
  const b = generatedNames(KEEP_NAMES_MIN + 1);
  assertEquals(b[KEEP_NAMES_MIN], `t:${KEEP_NAMES_MIN}`);
  assert(generatedNames(KEEP_NAMES_MIN) !== a);
});

Deno.test("names: more than the cap throws", () => {
  assertThrows(() => generatedNames(MAX_GENERATED_NAMES + 1), /Too many columns/);
});

Deno.test("names: wide widths in any order, narrower and wider than the widest kept", () => {
  const expect = (n: number) => Array.from({ length: n }, (_, i) => `t:${i}`);
  for (const cols of [5000, KEEP_NAMES_MIN, 6000, KEEP_NAMES_MIN + 1, 6000, 7001, 5000]) {
    const names = generatedNames(cols);
    assert(Object.isFrozen(names));
    assertEquals(names, expect(cols), `${cols}`);
  }
});
