import { deepStrictEqual } from "node:assert/strict";
import { join } from "node:path";
import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { testConfig } from "../../_helpers/server.ts";
import { parseAnnotations, readAnnotations } from "../../../src/config/annotations.ts";
import { serverAnnotations } from "../../../src/config/server_annotations.ts";

Deno.test("test_load_annotations", () => {
  deepStrictEqual(parseAnnotations('foo="bar"'), { foo: "bar" });
  deepStrictEqual(parseAnnotations(' foo  =   "bar"  '), { foo: "bar" });
  deepStrictEqual(parseAnnotations('key=  "assign==="'), { key: "assign===" });
});

Deno.test("parseAnnotations: several lines, quirks and logs", () => {
  const logs: [string, string][] = [];
  const text = [
    'seldon.io/rest-timeout="100000"',
    "no-equals-here",
    "",
    "unquoted=abc",
    "short=x",
    'dup="1"',
    'dup="2"\r',
    "",
  ].join("\n");
  deepStrictEqual(parseAnnotations(text, (level, msg) => logs.push([level, msg])), {
    "seldon.io/rest-timeout": "100000",
    unquoted: "b",
    short: "",
    dup: "2",
  });
  deepStrictEqual(logs, [
    ["info", "Found annotation seldon.io/rest-timeout:100000 "],
    ["info", "Bad annotation [no-equals-here]"],
    ["info", "Bad annotation []"],
    ["info", "Found annotation unquoted:b "],
    ["info", "Found annotation short: "],
    ["info", "Found annotation dup:1 "],
    ["info", "Found annotation dup:2 "],
  ]);
  deepStrictEqual(parseAnnotations(""), {});
  deepStrictEqual(parseAnnotations('a="1"\r\nb="2"\rc="3"'), { a: "1", b: "2", c: "3" });
});

Deno.test("readAnnotations: file, missing file, directory, unreadable", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = `${dir}/annotations`;
    Deno.writeTextFileSync(file, 'seldon.io/grpc-max-message-size="1000"\nfoo="bar"\n');
    const logs: [string, string][] = [];
    const log = (level: "info" | "error", msg: string) => logs.push([level, msg]);
    deepStrictEqual(readAnnotations(file, log), {
      "seldon.io/grpc-max-message-size": "1000",
      foo: "bar",
    });

    logs.length = 0;
    deepStrictEqual(readAnnotations(`${dir}/missing`, log), {});
    deepStrictEqual(readAnnotations(dir, log), {});
    deepStrictEqual(logs, []);

    Deno.writeFileSync(file, new Uint8Array([0x66, 0x3d, 0xff, 0xfe]));
    deepStrictEqual(readAnnotations(file, log), {});
    deepStrictEqual(logs, [["error", `Failed to open annotations file ${file}`]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("annotations: annotation integers follow Python int() (empty or 1e3 is an error)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "annotations");
    const config = testConfig({}, { annotationsFile: file });
    await Deno.writeTextFile(file, 'seldon.io/rest-timeout="2_500"\n');
    assertEquals(serverAnnotations(config).restTimeoutMs, 2000);
    for (const bad of ['""', '"1e3"', '"1.0"']) {
      await Deno.writeTextFile(file, `seldon.io/rest-timeout=${bad}\n`);
      assertThrows(() => serverAnnotations(config));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
