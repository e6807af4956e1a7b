/**
 * The bounded Python renderings agree with the value-building parser where they are exact, and
 * cost about their cap on inputs of any size: CPython's JSON error texts from the scanner, `str()`
 * of a JSON text, and `str()` of values, cut at a cap with a marker.
 */
import { strictEqual } from "node:assert/strict";
import { assert } from "../../_helpers/assert.ts";
import { parseJsonPythonic, PyJsonDecodeError } from "../../../src/python/json_loads.ts";
import { pythonJsonError } from "../../../src/python/json_error.ts";
import { pyStrFromJsonText } from "../../../src/python/json_str.ts";
import { ECHO_CAP, pyStr, pyStrBounded } from "../../../src/python/repr.ts";

/** A seeded PRNG, so every run checks the same texts. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

/** The message of the value-building parser (the reference), or undefined when it accepts. */
function referenceError(text: string): string | undefined {
  try {
    parseJsonPythonic(text);
    return undefined;
  } catch (err) {
    if (err instanceof PyJsonDecodeError) return err.message;
    throw err;
  }
}

Deno.test("pythonJsonError: the scanner gives the reference parser's text on random fragments", () => {
  const next = random(11);
  const pieces = [
    "{",
    "}",
    "[",
    "]",
    '"',
    "\\",
    "u",
    "d83d",
    "\\ude00",
    "\\ud83d",
    "dc00",
    ":",
    ",",
    " ",
    "\n",
    "\t",
    "1",
    "-",
    ".",
    "e",
    "+",
    "0",
    "x",
    "😀",
    "é",
    "\u0001",
    "null",
    "true",
    "fals",
    "NaN",
    "Infinity",
    "-Infinity",
    '"k"',
    '"😀"',
    "\\n",
    '\\"',
    "\\q",
    "12.5e3",
    "[1,2]",
  ];
  for (let n = 0; n < 30000; n++) {
    let text = "";
    const length = 1 + Math.floor(next() * 12);
    for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
    strictEqual(pythonJsonError(text), referenceError(text), text);
  }
});

Deno.test("pyStrFromJsonText: equal to str(json.loads(text)) on random documents; cut and marked past the cap", () => {
  const next = random(5);
  const pick = <T>(a: readonly T[]) => a[Math.floor(next() * a.length)];
  const strings = [
    '"a"',
    `"it's"`,
    '"say \\"hi\\""',
    '"\\u00e9\\ud83d\\ude00"',
    '"\\ud83d"',
    '"😀"',
    '"\\n\\t\\\\\\/"',
    '""',
    '"\\u0000"',
    `"x'y\\"z"`,
    '"1"',
    '"2"',
  ];
  const numbers = [
    "0",
    "-0",
    "1",
    "-5",
    "1.5",
    "2.0",
    "1e20",
    "1E2",
    "0.00001",
    "-0.0",
    "123456789012345678901234567890",
    "9007199254740993",
    "1e400",
    "NaN",
    "Infinity",
    "-Infinity",
  ];
  const doc = (depth: number): string => {
    const r = next();
    if (depth > 3 || r < 0.35) return pick([...numbers, ...strings, "true", "false", "null"]);
    const n = Math.floor(next() * 4);
    if (r < 0.65) return "[" + Array.from({ length: n }, () => doc(depth + 1)).join(" , ") + "]";
    return "{" +
      Array.from({ length: n }, () => `${pick(strings)} : ${doc(depth + 1)}`).join(",") + "}";
  };
  for (let n = 0; n < 20000; n++) {
    const text = doc(0);
    strictEqual(pyStrFromJsonText(text), pyStr(parseJsonPythonic(text)), text);
  }
  strictEqual(
    pyStrFromJsonText(`{"a": [1, 2, 3, "xyz"], "b": "${"q".repeat(100)}"}`, 30, 1234),
    "{'a': [1, 2, 3, 'xyz'], 'b': ' ... [truncated, the request has 1234 bytes]",
  );
  strictEqual(pyStrFromJsonText(`[${"1,".repeat(100)}1]`, 12), "[1, 1, 1, 1, ... [truncated]");
});

Deno.test("bounded renderings of 100 MB cost about their cap", () => {
  // Flat strings, as decoded and parsed bodies are (indexing flattens a `repeat`/`+` result).
  const big = "x".repeat(100_000_000);
  big.charCodeAt(0);
  const doc = `{"a":"${big}"}`;
  doc.charCodeAt(0);
  let t = performance.now();
  const fromText = pyStrFromJsonText(doc, ECHO_CAP, 100_000_008);
  const textMs = performance.now() - t;
  assert(fromText.endsWith(" ... [truncated, the request has 100000008 bytes]"));
  strictEqual(
    fromText.length,
    ECHO_CAP + " ... [truncated, the request has 100000008 bytes]".length,
  );
  t = performance.now();
  const fromValue = pyStrBounded({ a: [big], b: new Uint8Array(100_000_000) });
  const valueMs = performance.now() - t;
  assert(fromValue.startsWith("{'a': ['xxx") && fromValue.endsWith("x ... [truncated]"));
  const bytes = pyStrBounded(new Uint8Array(100_000_000).fill(0x27), 10, 100_000_000);
  strictEqual(bytes, `b"'''''''' ... [truncated, the request has 100000000 bytes]`);
  // Scanning a 20 MB malformed text for CPython's message stays linear.
  const malformed = "[" + "1.5,".repeat(5_000_000);
  t = performance.now();
  strictEqual(
    pythonJsonError(malformed),
    "Expecting value: line 1 column 20000002 (char 20000001)",
  );
  const scanMs = performance.now() - t;
  console.log(
    `100 MB: str of text ${textMs.toFixed(1)} ms, of a value ${valueMs.toFixed(1)} ms;` +
      ` 20 MB error scan ${scanMs.toFixed(0)} ms`,
  );
  assert(textMs < 50 && valueMs < 50, `${textMs} ms, ${valueMs} ms`);
  assert(scanMs < 2000, `${scanMs} ms`);
});
