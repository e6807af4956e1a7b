import { assertEquals } from "../_helpers/assert.ts";
import { fillTemplate, formatRecord } from "../../src/logging.ts";

Deno.test("logging: {name} placeholders take the property, missing ones are undefined", () => {
  assertEquals(fillTemplate("Loaded {n} trees", { n: 100 }), ["Loaded ", 100, " trees"]);
  assertEquals(fillTemplate("no placeholder", { n: 1 }), ["no placeholder"]);
  assertEquals(fillTemplate("{a}{b}", { a: "x" }), ["", "x", "", undefined, ""]);
  // A dynamic message with braces (e.g. an error text quoting JSON) fills them from nothing.
  assertEquals(fillTemplate('bad {"x": 1} body', {}), ["bad ", undefined, " body"]);
  assertEquals(fillTemplate("open { only", {}), ["open { only"]);
});

Deno.test("logging: {{ and }} are braces; spaces around a key; {*} is every property", () => {
  assertEquals(fillTemplate("{{literal}} {x}", { x: 1 }), ["{literal} ", 1, ""]);
  assertEquals(fillTemplate("{ x }", { x: 2 }), ["", 2, ""]);
  assertEquals(fillTemplate("{ x }", { " x ": 3, x: 2 }), ["", 3, ""]);
  const all = { a: 1 };
  assertEquals(fillTemplate("{*}", all), ["", all, ""]);
  assertEquals(fillTemplate("{*}", { "*": 5 }), ["", 5, ""]);
});

Deno.test("logging: paths reach inside a property, own properties only", () => {
  const props = { user: { name: "ann", tags: ["a", "b"], "full-name": "Ann B" }, n: null };
  assertEquals(fillTemplate("{user.name}", props)[1], "ann");
  assertEquals(fillTemplate("{user.tags[1]}", props)[1], "b");
  assertEquals(fillTemplate("{user['full-name']}", props)[1], "Ann B");
  assertEquals(fillTemplate('{user["full-name"]}', props)[1], "Ann B");
  assertEquals(fillTemplate("{n?.x}", props)[1], undefined);
  assertEquals(fillTemplate("{user.tags[5]}", props)[1], undefined);
  assertEquals(fillTemplate("{user.constructor}", props)[1], undefined);
  assertEquals(fillTemplate("{user.toString}", props)[1], undefined);
  assertEquals(fillTemplate("{user.}", props)[1], undefined);
});

Deno.test("logging: a record is one line in upstream's format", () => {
  const line = formatRecord({
    category: ["seldon", "rest"],
    level: "warning",
    message: ["odd input ", [1, 2], " from ", "me", ""],
    timestamp: new Date(2026, 10, 25, 16, 40, 42, 123).getTime(),
    properties: {},
  });
  assertEquals(
    line,
    "2026-11-25 16:40:42,123 - seldon_ts.rest:main:0 - WARNING:  odd input [ 1, 2 ] from me\n",
  );
});
