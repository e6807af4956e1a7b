/** The direct writer of the usual predict answer against the generic JSON writer. */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { messageText } from "../../src/rest/message_text.ts";
import { jsonText } from "../../src/rest/respond.ts";
import { DataPlane } from "../../src/dataplane/dataplane.ts";
import { Limiter } from "../../src/dataplane/limiter.ts";
import { RestCall } from "../../src/rest/server.ts";
import { parseJson } from "../../src/protocol/json.ts";

const EDGE = [
  0,
  -0,
  1,
  -1,
  5.1,
  0.1 + 0.2,
  1e21,
  1e-7,
  123456789012345680000,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  5e-324,
  1.7976931348623157e308,
  1e300,
  -1e-300,
];
const NON_FINITE = [NaN, Infinity, -Infinity];
const NAMES = [
  ["t:0", "t:1"],
  ["é", "日本"],
  ["😀", "a\u0000b"],
  ['q"uote', "back\\slash"],
  ["null", "\u007f\u0080"],
  ["\ud800", "line\nbreak"],
];

/** The generic writer's text (deep key sort, non-finite names, ASCII escapes). */
function generic(body: unknown, ascii: boolean): string {
  return jsonText(body, { pretty: false, ascii });
}

/** Asserts the direct writer agrees with the generic one; returns whether it wrote. */
function agrees(body: unknown): boolean {
  let wrote = false;
  for (const ascii of [true, false]) {
    const text = messageText(body, ascii);
    if (text !== undefined) {
      assertEquals(text, generic(body, ascii), text);
      wrote = true;
    }
  }
  return wrote;
}

function nest(values: number[], shape: number[]): unknown {
  if (shape.length === 1) return values.splice(0, shape[0]);
  return Array.from({ length: shape[0] }, () => nest(values, shape.slice(1)));
}

Deno.test("messageText: the usual answers are written directly, byte for byte as the generic writer", () => {
  let random = 7;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let n = 0; n < 400; n++) {
    const shape = Array.from(
      { length: 1 + Math.floor(next() * 3) },
      () => 1 + Math.floor(next() * 4),
    );
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Array.from(
      { length: size },
      () =>
        next() < 0.5
          ? EDGE[Math.floor(next() * EDGE.length)]
          : (next() - 0.5) * 10 ** (next() * 40 - 20),
    );
    const names = NAMES[n % NAMES.length];
    const ndarray = { data: { names, ndarray: nest([...values], shape) }, meta: {} };
    const tensor = { data: { names, tensor: { shape, values } }, meta: {} };
    assert(agrees(ndarray));
    assert(agrees(tensor));
    // Keys in another insertion order come out sorted all the same.
    assert(agrees({ meta: {}, data: { ndarray: nest([...values], shape), names } }));
    assert(agrees({ meta: {}, data: { tensor: { values, shape }, names } }));
  }
  assert(agrees({ data: { names: [], ndarray: [] }, meta: {} }));
  assert(agrees({ data: { names: [], ndarray: [[], []] }, meta: {} }));
  assert(agrees({ data: { names: [], tensor: { shape: [0], values: [] } }, meta: {} }));
});

Deno.test("messageText: anything else is left to the generic writer", () => {
  const names = ["t:0"];
  const cases: unknown[] = [
    ...NON_FINITE.map((v) => ({ data: { names, ndarray: [[1, v]] }, meta: {} })),
    ...NON_FINITE.map((v) => ({
      data: { names, tensor: { shape: [2], values: [v, 1] } },
      meta: {},
    })),
    { data: { names, ndarray: [[1n, 2]] }, meta: {} },
    { data: { names, ndarray: [[1, "2"]] }, meta: {} },
    { data: { names, ndarray: [[1, null]] }, meta: {} },
    { data: { names, ndarray: [[1, true]] }, meta: {} },
    { data: { names, ndarray: [{ b: 1, a: 2 }] }, meta: {} },
    // deno-lint-ignore no-sparse-arrays
    { data: { names, ndarray: [1, , 2] }, meta: {} },
    { data: { names, ndarray: [new Date(0)] }, meta: {} },
    { data: { names: [1, 2], ndarray: [[1, 2]] }, meta: {} },
    { data: { names: null, ndarray: [[1]] }, meta: {} },
    { data: { names: "ab", ndarray: [[1]] }, meta: {} },
    { data: { names, ndarray: [[1]] }, meta: { puid: "p" } },
    { data: { names, ndarray: [[1]] }, meta: { tags: { b: 1, a: 2 } } },
    { data: { names, ndarray: [[1]] }, meta: {}, status: { code: 200 } },
    { data: { names, ndarray: [[1]], extra: 1 }, meta: {} },
    { data: { names, tftensor: { dtype: "DT_FLOAT" } }, meta: {} },
    { data: { names, tensor: { shape: [1], values: [1], more: 1 } }, meta: {} },
    { data: { names, ndarray: [[1]] } },
    { data: { ndarray: [[1]] }, meta: {} },
    { jsonData: { b: 1, a: 2 }, meta: {} },
    { strData: "x", meta: {} },
    { data: Object.assign(Object.create(null), { names, ndarray: [[1]] }), meta: {} },
    { data: { names, ndarray: [[1]], toJSON: () => ({ z: 1, a: 2 }) }, meta: {} },
    { data: { names, ndarray: new Float64Array([1, 2]) }, meta: {} },
    [1, 2],
    "text",
    null,
    undefined,
  ];
  for (const [i, body] of cases.entries()) {
    assertEquals(messageText(body, true), undefined, `case ${i}`);
    agrees(body);
  }
});

Deno.test("messageText: a data plane's answers to small predicts take the direct path", async () => {
  const plane = await DataPlane.create({ predict: (X: unknown) => X }, {
    includeMetrics: true,
    executorEnabled: true,
  });
  const limiter = new Limiter(1);
  const bodies = [
    '{"data":{"names":["a","b","c","d"],"ndarray":[[5.1,3.5,1.4,0.2]]}}',
    '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}',
    '{"data":{"ndarray":[[1,2],[3,-0.0]]}}',
    '{"data":{"tensor":{"shape":[2,2],"values":[1.5,2,1e-300,1e300]}}}',
    '{"data":{"ndarray":[1,2,3]}}',
  ];
  for (const body of bodies) {
    const answer = plane.predictNow(parseJson(body), new RestCall(new Headers()), limiter);
    assert(agrees(answer), body);
  }
  const nan = plane.predictNow(
    parseJson('{"data":{"ndarray":[[NaN,1]]}}'),
    new RestCall(new Headers()),
    limiter,
  );
  assertEquals(messageText(nan, true), undefined);
  assertEquals(
    generic(nan, true),
    '{"data":{"names":["t:0","t:1"],"ndarray":[[NaN,1]]},"meta":{}}\n',
  );
});
