/**
 * The README's examples, run as written: the bundled iris model with the README's curl body and
 * printed answer, the gRPC example client, and the "Writing a model" model with its parameters.
 * Code and expected outputs are read from README.md, so the README cannot drift from the server.
 */
import { assert, assertEquals } from "./_helpers/assert.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { appFolder, spawnServer } from "./_helpers/spawn.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const README = Deno.readTextFileSync(join(ROOT, "README.md"));

/** The fenced code blocks of the README. */
const blocks = [...README.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]);

/** The JSON body after `-d '…'` and the `# {…}` answer printed under it, in a block. */
function curlExample(block: string): { body: string; answer: unknown } {
  const body = /-d '([^']+)'/.exec(block)?.[1];
  const answer = /^# (\{.*\})$/m.exec(block)?.[1];
  assert(body && answer, block);
  return { body, answer: JSON.parse(answer) };
}

async function post(port: number, body: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1.0/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  assertEquals(res.status, 200);
  return await res.json();
}

Deno.test("README: the iris example answers the README's curl as printed, over REST and gRPC", async () => {
  const task = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))).tasks.start as string;
  const model = task.split(" ").find((arg) => arg.includes("#IrisClassifier"));
  assert(model, task);
  const block = blocks.find((b) => b.includes("curl") && b.includes("9000"));
  assert(block);
  const { body, answer } = curlExample(block);
  const s = await spawnServer(ROOT, [model]);
  try {
    assertEquals(await post(s.port, body), answer);
    const client = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        join(ROOT, "deno.json"),
        join(ROOT, "examples/grpc_client.ts"),
        `127.0.0.1:${s.grpcPort}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(client.stdout);
    assertEquals(client.code, 0, new TextDecoder().decode(client.stderr));
    const reply = JSON.parse(out);
    assertEquals(reply.data.names, ["setosa", "versicolor", "virginica"]);
    assertEquals(reply.data.tensor.shape, [1, 3]);
  } finally {
    await s.stop();
  }
});

Deno.test("README: the 'Writing a model' example runs as written", async () => {
  const code = blocks.find((b) => b.startsWith("// MyModel.ts"));
  const run = blocks.find((b) => b.includes("main.ts MyModel --parameters"));
  assert(code && run);
  const parameters = /--parameters '([^']+)'/.exec(run)?.[1];
  assert(parameters, run);
  const { body, answer } = curlExample(run);
  const dir = await appFolder({
    "MyModel.ts": code.replace("../seldon-ts/mod.ts", new URL("../mod.ts", import.meta.url).href),
  });
  const s = await spawnServer(dir, ["MyModel", "--parameters", parameters]);
  try {
    assertEquals(await post(s.port, body), answer);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
