/**
 * The Dockerfile's build-stage script that lays out the server and the model (no Docker here):
 * run with `sh` over a fake build context, it copies the model folder to the same place relative
 * to the server and writes `Model.ts`, which the image's default interface name `Model` loads.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { importComponent } from "../../src/component/loader.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The `RUN --mount=… ` script that prepares /build, continuation lines joined. */
async function layoutScript(): Promise<string> {
  const docker = await Deno.readTextFile(join(ROOT, "Dockerfile"));
  const run = docker.replaceAll(/\\\n\s*/g, " ").split("\n")
    .find((l) => l.startsWith("RUN --mount=type=bind,target=/ctx "));
  assert(run, "no layout step");
  return run.slice("RUN --mount=type=bind,target=/ctx ".length);
}

async function runLayout(tmp: string, args: Record<string, string>): Promise<void> {
  const script = (await layoutScript())
    .replaceAll("/ctx", `${tmp}/ctx`).replaceAll("/build", `${tmp}/build`)
    .replaceAll("/out", `${tmp}/out`);
  const out = await new Deno.Command("sh", {
    args: ["-c", script],
    env: args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
}

async function copyServer(to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  const out = await new Deno.Command("cp", {
    args: [
      "-r",
      ...["deno.json", "deno.lock", "main.ts", "mod.ts", "src", "proto", "examples"]
        .map((f) => join(ROOT, f)),
      to,
    ],
  }).output();
  assertEquals(out.code, 0);
}

Deno.test("dockerfile: a model folder beside the checkout becomes the default interface name", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "seldon-ts-docker-" });
  try {
    await copyServer(`${tmp}/ctx/seldon-ts`);
    await Deno.mkdir(`${tmp}/ctx/my-model`);
    await Deno.writeTextFile(
      `${tmp}/ctx/my-model/MyModel.ts`,
      'import { BaseComponent } from "../seldon-ts/mod.ts";\n' +
        "export class MyModel extends BaseComponent {}\n",
    );
    await Deno.writeTextFile(`${tmp}/ctx/model.onnx`, "onnx");
    await runLayout(tmp, {
      SERVER_DIR: "seldon-ts",
      MODEL_DIR: "my-model",
      MODEL_MODULE: "MyModel.ts",
      MODEL_CLASS: "MyModel",
      ONNX_FILE: "model.onnx",
      DENORT_BIN: "",
    });
    const server = `${tmp}/build/seldon-ts`;
    assertEquals(
      await Deno.readTextFile(`${server}/Model.ts`),
      'export { MyModel as default } from "./../my-model/MyModel.ts";\n',
    );
    const cls = await importComponent("Model", server) as { name: string };
    assertEquals(cls.name, "MyModel");
    assertEquals(await Deno.readTextFile(`${tmp}/out/models/model.onnx`), "onnx");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("dockerfile: the defaults bundle the iris example; no model leaves Model.ts empty", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "seldon-ts-docker-" });
  try {
    await copyServer(`${tmp}/ctx`);
    const defaults = {
      SERVER_DIR: ".",
      MODEL_DIR: "examples/iris",
      MODEL_MODULE: "IrisClassifier.ts",
      MODEL_CLASS: "IrisClassifier",
      ONNX_FILE: "",
      DENORT_BIN: "",
    };
    const docker = await Deno.readTextFile(join(ROOT, "Dockerfile"));
    for (const [name, value] of Object.entries(defaults)) {
      if (name !== "SERVER_DIR") assert(docker.includes(`ARG ${name}=${value}\n`), name);
    }
    await runLayout(tmp, defaults);
    const cls = await importComponent("Model", `${tmp}/build`) as { name: string };
    assertEquals(cls.name, "IrisClassifier");
    await Deno.remove(`${tmp}/build`, { recursive: true });
    await runLayout(tmp, { ...defaults, MODEL_DIR: "" });
    assertEquals(await Deno.readTextFile(`${tmp}/build/Model.ts`), "export {};\n");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
