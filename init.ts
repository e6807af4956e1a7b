/**
 * Scaffolds a model project: `deno run -A <server>/init.ts <folder> [--class MyModel]`. Writes
 * `deno.json` (import map linking this server, tasks `start`, `dev`, `test`, `check`), the model
 * class, its test through `testClient()` and a README into `<folder>`, which must not exist or be
 * empty. Exit status 2 for bad arguments, 1 when the folder is not empty.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isClassName, scaffoldFiles, type ServerRef } from "./src/scaffold.ts";

const USAGE = "usage: init.ts <folder> [--class ClassName]";

/** This server: a local checkout (its folder) or a URL, with its package name and version. */
async function thisServer(): Promise<ServerRef> {
  const base = new URL(".", import.meta.url);
  const root = base.protocol === "file:"
    ? dirname(fileURLToPath(new URL("main.ts", base)))
    : base.href.replace(/\/$/, "");
  const config = await (await fetch(new URL("deno.json", base))).json() as {
    name?: string;
    version?: string;
  };
  return { root, name: config.name ?? "@seldon-ts/server", version: config.version ?? "0.1.0" };
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return false;
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return true;
    throw err;
  }
}

/** Parses the arguments, writes the project; resolves with the exit status. */
export async function init(args: readonly string[]): Promise<number> {
  let folder: string | undefined;
  let className = "MyModel";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--class" && i + 1 < args.length) className = args[++i];
    else if (arg.startsWith("--class=")) className = arg.slice("--class=".length);
    else if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      return 0;
    } else if (!arg.startsWith("-") && folder === undefined) folder = arg;
    else {
      console.error(`${USAGE}\ninit.ts: error: unrecognized argument: ${arg}`);
      return 2;
    }
  }
  if (folder === undefined) {
    console.error(`${USAGE}\ninit.ts: error: the folder is required`);
    return 2;
  }
  if (!isClassName(className)) {
    console.error(`init.ts: error: --class ${className}: not a class name`);
    return 2;
  }
  const dir = resolve(folder);
  if (!await isEmptyOrMissing(dir)) {
    console.error(`init.ts: ${dir} exists and is not empty`);
    return 1;
  }
  const files = scaffoldFiles({ dir, className, server: await thisServer() });
  await Deno.mkdir(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, path), text);
  }
  console.log(`Created ${Object.keys(files).join(", ")} in ${dir}`);
  console.log(`Next: cd ${folder} && deno task test && deno task start`);
  return 0;
}

if (import.meta.main) Deno.exit(await init(Deno.args));
