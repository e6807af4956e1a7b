/** `parseJson`: the request-body JSON parser that keeps integral float tokens and big integers. */
import { assertEquals } from "../../_helpers/assert.ts";
import { parseJson } from "../../../src/protocol/json.ts";

Deno.test("parseJson: integral-float tracking leaves plain JSON values unchanged", () => {
  assertEquals(parseJson('{"a":[1.0,"x",2],"b":3.0,"c":9007199254740993}'), {
    a: [1, "x", 2],
    b: 3,
    c: 9007199254740993n,
  });
});
