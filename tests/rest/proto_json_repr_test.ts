/**
 * The proto-JSON error path renders values with the one Python repr (src/python/repr.ts): a
 * control character in a dict key is written `\x07`, as Python's `'{0}'.format(value)` does.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";

Deno.test("proto json: a BEL in a key of a rejected value is written \\x07, as Python's repr", () =>
  withServer({}, async (s) => {
    const r = await s.post("/api/v1.0/feedback", {
      request: { data: { names: { "a\u0007": 1 } } },
    });
    assertEquals(r.status, 400);
    assertEquals(r.json.status.reason, "MICROSERVICE_BAD_DATA");
    // python3: '{0}'.format({'a\x07': 1}) == "{'a\\x07': 1}"
    assertEquals(
      r.json.status.info,
      "Invalid JSON: Failed to parse request field: Failed to parse names field: repeated field " +
        "names must be in [] which is {'a\\x07': 1} at Feedback.request.data..",
    );
  }));

Deno.test("proto json: float tokens in a rejected value print as Python floats", () =>
  withServer({}, async (s) => {
    const body = '{"request": {"data": {"names": {"big": 1e16, "small": 0.00001, "int": 7}}}}';
    const r = await s.post("/api/v1.0/feedback", body);
    assertEquals(r.status, 400);
    // python3: '{0}'.format(json.loads('{"big": 1e16, "small": 0.00001, "int": 7}'))
    assertEquals(
      r.json.status.info,
      "Invalid JSON: Failed to parse request field: Failed to parse names field: repeated field " +
        "names must be in [] which is {'big': 1e+16, 'small': 1e-05, 'int': 7} at " +
        "Feedback.request.data..",
    );
  }));
