/**
 * The large-payload fast paths (issue 13) give the bytes and dtypes the general paths give:
 * `NDArray.from` of an all-number nested list (dtype from fractions and integral float tokens),
 * and REST answers above the size thresholds (preallocated tensor values, numeric lists not
 * walked by key sorting, ASCII told from the UTF-8 length) on tricky values: integral floats,
 * `1e2`, `NaN`, `±Infinity`, `-0`, integers beyond 2^53, unicode with and without escapes,
 * unsorted keys.
 */
import { assertEquals } from "../../_helpers/assert.ts";
import { DataPlane } from "../../../src/dataplane/dataplane.ts";
import { createHandler } from "../../../src/rest/server.ts";
import { NDArray } from "../../../src/protocol/ndarray.ts";
import { parseJson } from "../../../src/protocol/json.ts";

Deno.test("NDArray.from: all-number lists keep the general path's dtype, shape and values", () => {
  const cases: [string, string, number[], unknown][] = [
    ["[[1,2],[3,4]]", "int64", [2, 2], [[1, 2], [3, 4]]],
    ["[[1,2.0],[3,4]]", "float64", [2, 2], [[1, 2], [3, 4]]],
    ["[[1,2],[3,4.0]]", "float64", [2, 2], [[1, 2], [3, 4]]],
    ["[[1,1e2]]", "float64", [1, 2], [[1, 100]]],
    ["[1,2.5]", "float64", [2], [1, 2.5]],
    ["[[[1],[2]],[[3],[4.0]]]", "float64", [2, 2, 1], [[[1], [2]], [[3], [4]]]],
    ["[[1,NaN],[Infinity,-Infinity]]", "float64", [2, 2], [[1, NaN], [Infinity, -Infinity]]],
    ["[-0.0, 1]", "float64", [2], [-0, 1]],
    ["[[1,2],[3]]", "object", [2], [[1, 2], [3]]],
    ["[[]]", "float64", [1, 0], [[]]],
    ['[[1,"a"]]', "string", [1, 2], [["1", "a"]]],
    ['[[1,"a",2.0]]', "string", [1, 3], [["1", "a", "2.0"]]],
    ["[[1,true]]", "int64", [1, 2], [[1, 1]]],
  ];
  for (const [text, dtype, shape, list] of cases) {
    const array = NDArray.from(parseJson(text));
    assertEquals([array.dtype, array.shape, array.tolist()], [dtype, shape, list], text);
  }
  const floats = NDArray.from([[1, 2]], undefined, { numbersAreFloat: true });
  assertEquals(floats.dtype, "float64");
  assertEquals(NDArray.from([[1, 2]], "float32").dtype, "float32");
});

async function handler(ascii: boolean) {
  const plane = await DataPlane.create({ predict: (X: unknown) => X }, {
    includeMetrics: true,
    executorEnabled: true,
  });
  return createHandler(plane, {
    port: 0,
    hostname: "",
    maxBodySize: 1 << 30,
    payloadPassthrough: false,
    concurrency: 1,
    json: { pretty: false, ascii },
  });
}

async function post(h: (req: Request) => Promise<Response>, body: string): Promise<string> {
  const res = await h(
    new Request("http://127.0.0.1/api/v1.0/predictions", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    }),
  );
  assertEquals(res.status, 200);
  return await res.text();
}

const ROW = ["2.0", "1e2", "0.5", "-0.0", "NaN", "Infinity", "-Infinity", "1.7976931348623157e308"];
const ROW_OUT = ["2", "100", "0.5", "0", "NaN", "Infinity", "-Infinity", "1.7976931348623157e+308"];
const COLS = ROW.length;
const ROWS = 3000; // 24,000 values: past every size threshold
const names = Array.from({ length: COLS }, (_, i) => `"t:${i}"`).join(",");
const repeat = (row: string[], sep = ",") => Array.from({ length: ROWS }, () => row.join(sep));

Deno.test("large tensor and ndarray answers: the bytes of the small-answer rules", async () => {
  const h = await handler(true);
  const tensorIn =
    `{"meta":{"tags":{"b":"ü","a":[1,{"d":1,"c":2}]}},"data":{"tensor":{"shape":[${ROWS},${COLS}],"values":[${
      repeat(ROW).join(",")
    }]}}}`;
  assertEquals(
    await post(h, tensorIn),
    `{"data":{"names":[${names}],"tensor":{"shape":[${ROWS},${COLS}],"values":[${
      repeat(ROW_OUT).join(",")
    }]}},"meta":{"tags":{"a":[1,{"c":2,"d":1}],"b":"\\u00fc"}}}\n`,
  );
  const ndarrayIn = `{"data":{"ndarray":[[${repeat(ROW).join("],[")}]]}}`;
  assertEquals(
    await post(h, ndarrayIn),
    `{"data":{"names":[${names}],"ndarray":[[${repeat(ROW_OUT).join("],[")}]]},"meta":{}}\n`,
  );
  const ints = `{"data":{"ndarray":[[${repeat(["1", "12345678901234567890"]).join("],[")}]]}}`;
  const small = `{"data":{"ndarray":[[1,12345678901234567890]]}}`;
  const smallRow = (await post(h, small)).match(/"ndarray":\[\[(.*)\]\]/)![1];
  assertEquals(
    await post(h, ints),
    `{"data":{"names":["t:0","t:1"],"ndarray":[[${
      Array.from({ length: ROWS }, () => smallRow).join("],[")
    }]]},"meta":{}}\n`,
  );
});

Deno.test("large string answers: escaped under ensure_ascii, raw UTF-8 without", async () => {
  const body = `{"data":{"ndarray":[[${repeat(['"é😀"', "2.0", "3"]).join("],[")}]]}}`;
  const answer = (row: string[]) =>
    `{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[${repeat(row).join("],[")}]]},"meta":{}}\n`;
  assertEquals(
    await post(await handler(true), body),
    answer(['"\\u00e9\\ud83d\\ude00"', '"2.0"', '"3"']),
  );
  assertEquals(await post(await handler(false), body), answer(['"é😀"', '"2.0"', '"3"']));
});

Deno.test("a large body in small and large chunks reads as the same bytes", async () => {
  const h = await handler(true);
  const body = `{"data":{"ndarray":[[${repeat(['"é😀"', "2.0", "0.25"]).join("],[")}]]}}`;
  const bytes = new TextEncoder().encode(body);
  const sizes = [1, 5000, 3, 70_000, 4095, 4096, 2, 1];
  const chunked = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const end = Math.min(bytes.length, at + sizes[k % sizes.length]);
        controller.enqueue(bytes.slice(at, end));
        at = end;
      }
      controller.close();
    },
  });
  const res = await h(
    new Request("http://127.0.0.1/api/v1.0/predictions", {
      method: "POST",
      body: chunked,
      headers: { "content-type": "application/json" },
    }),
  );
  assertEquals(await res.text(), await post(h, body));
});

Deno.test("large jsonData answers: a non-ASCII key alone is escaped", async () => {
  const list = Array.from({ length: 20_000 }, (_, i) => i / 4).join(",");
  const body = `{"jsonData":{"z":[${list}],"ключ":{"b":1,"a":"x"}}}`;
  assertEquals(
    await post(await handler(true), body),
    `{"jsonData":{"z":[${list}],"\\u043a\\u043b\\u044e\\u0447":{"a":"x","b":1}},"meta":{}}\n`,
  );
});
