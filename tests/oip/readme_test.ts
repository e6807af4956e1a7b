/**
 * The README's V2 REST example, run as written against the bundled iris model in this process:
 * the curl body and the printed answer are read from README.md.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { IrisClassifier } from "../../examples/iris/IrisClassifier.ts";

const README = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));

Deno.test("README: the V2 curl example answers as printed", async () => {
  const block = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1])
    .find((b) => b.includes("/v2/models/IrisClassifier/infer") && b.includes("-d '"));
  assert(block);
  const body = /-d '([^']+)'/.exec(block)![1];
  const answer = JSON.parse(/^# (\{.*\})$/m.exec(block)![1]);
  await withServer(new IrisClassifier(), async (s) => {
    const r = await s.post("/v2/models/IrisClassifier/infer", body);
    assertEquals(r.json, answer);
  });
});
