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

Deno.test("README: examples/oip_client.ts calls ModelInfer on the iris model", async () => {
  await withServer(new IrisClassifier(), async (s) => {
    const client = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        new URL("../../examples/oip_client.ts", import.meta.url).pathname,
        `127.0.0.1:${s.running.grpc!.port}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(client.code, 0, new TextDecoder().decode(client.stderr));
    const reply = JSON.parse(new TextDecoder().decode(client.stdout));
    assertEquals(reply.model_name, "IrisClassifier");
    assertEquals(reply.outputs[0].datatype, "FP64");
    assertEquals(reply.outputs[0].shape, ["1", "3"]);
    assertEquals(reply.outputs[0].contents.fp64_contents.length, 3);
  });
});
