import { strictEqual } from "node:assert/strict";
import {
  parsePythonFloat,
  parsePythonInt,
  pyRstrip,
  pyStrip,
  strtobool,
} from "../../../src/python/builtins.ts";

Deno.test("parsePythonInt / parsePythonFloat / strtobool", () => {
  strictEqual(parsePythonInt("\t+0042\n"), 42);
  strictEqual(parsePythonInt("-0"), 0);
  strictEqual(parsePythonInt("٣"), 3);
  strictEqual(parsePythonInt("1_"), null);
  strictEqual(parsePythonInt("0x10"), null);
  strictEqual(parsePythonInt("9007199254740993"), 9007199254740993n);
  strictEqual(parsePythonFloat("1_0.5"), 10.5);
  strictEqual(parsePythonFloat("1."), 1);
  strictEqual(parsePythonFloat(".5"), 0.5);
  strictEqual(parsePythonFloat("."), null);
  strictEqual(parsePythonFloat("1_.5"), null);
  strictEqual(parsePythonFloat("0x1p3"), null);
  strictEqual(parsePythonFloat("+iNfInItY"), Infinity);
  strictEqual(strtobool("On"), true);
  strictEqual(strtobool("2"), null);
});

Deno.test("pyStrip / pyRstrip: Python's whitespace, not JS's", () => {
  strictEqual(pyStrip("\x1c\u3000 a b\x85\t"), "a b");
  strictEqual(pyStrip("\ufeffa\ufeff"), "\ufeffa\ufeff");
  strictEqual(pyRstrip("  a \u2029"), "  a");
});
