/** The access-log line (metrics-and-processes.md §4.3). */
import { assert } from "../../_helpers/assert.ts";
import { accessLogLine } from "../../../src/http/access_log.ts";

Deno.test("access log: a line has gunicorn's default format", () => {
  const req = new Request("http://h:9/api/v1.0/predictions?x=1", {
    method: "POST",
    headers: { "user-agent": "curl/8.5.0" },
  });
  const line = accessLogLine(req, 200, 97, "10.1.2.3", new Date(2026, 10, 25, 16, 40, 42));
  assert(
    /^10\.1\.2\.3 - - \[25\/Nov\/2026:16:40:42 [+-]\d{4}\] "POST \/api\/v1\.0\/predictions\?x=1 HTTP\/1\.1" 200 97 "-" "curl\/8\.5\.0"\n$/
      .test(line),
    line,
  );
});
