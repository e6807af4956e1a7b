/** proto3-JSON printing as protobuf's `MessageToJson` does (protocol.md §2.1). */
import { assert, assertEquals } from "../../../_helpers/assert.ts";
import { toPrintedProtoJson } from "../../../../src/protocol/proto/json.ts";

Deno.test("proto json: toPrintedProtoJson rewrites only non-finite numbers", () => {
  const msg = { data: { ndarray: [1, "NaN", [2.5, NaN]] }, meta: {} };
  assertEquals(toPrintedProtoJson(msg), { data: { ndarray: [1, "NaN", [2.5, "NaN"]] }, meta: {} });
  const clean = { data: { tensor: { shape: [1], values: [0.5] } } };
  assert(toPrintedProtoJson(clean) === clean, "unchanged input is returned as is");
});
