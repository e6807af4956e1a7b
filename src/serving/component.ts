/**
 * Loading the user's model in a serving process: parse `--parameters`, import the module named
 * by `interface_name`, construct the component (server.md §4.1–§4.3). A failure is a value that
 * names its stage and the exit status (1) the server stops with.
 * @module
 */
import { isNotImplementedStub, type SeldonComponent } from "../component/api.ts";
import { constructComponent, importComponent } from "../component/loader.ts";
import type { Config } from "../config/options.ts";
import { parseParameters } from "../config/parameters.ts";
import { logger } from "../logging.ts";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const log = logger("microservice");

/** Where loading the model failed. */
export type ModelStage = "parameters" | "import" | "construct";

/** A model that could not be loaded: the server stops with `status`. */
export interface ModelFailure {
  readonly stage: ModelStage;
  readonly status: 1;
  readonly error: unknown;
}

/** The outcome of {@link loadModel}. */
export type Loaded =
  | { readonly ok: true; readonly component: SeldonComponent; readonly customService: boolean }
  | { readonly ok: false; readonly failure: ModelFailure };

/** True when the exported class (or object) has a `customService()` method. */
export function hasCustomService(exported: unknown): boolean {
  const target = typeof exported === "function"
    ? (exported as { prototype?: unknown }).prototype
    : exported;
  const hook = (target as { customService?: unknown } | null)?.customService;
  return typeof hook === "function" && !isNotImplementedStub(hook);
}

/**
 * Where `interface_name` is looked up without `--model-dir`: the working directory; inside a
 * `deno compile`d binary, the folder of its bundled `main.ts` in the binary's own file system
 * (a compiled binary imports only modules bundled into it, e.g. `--include model`).
 */
export function defaultModelDir(
  runtime: { standalone: boolean; mainModule: string } = {
    standalone: Deno.build.standalone === true,
    mainModule: Deno.mainModule,
  },
  cwd: () => string = Deno.cwd,
): string {
  return runtime.standalone ? dirname(fileURLToPath(runtime.mainModule)) : cwd();
}

/** The component's class name (`model` when it has none), V2's default model name. */
export function classNameOf(component: SeldonComponent): string {
  const name = (component as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? name : "model";
}

/** Imports the module named by `config.interfaceName` and constructs it with `--parameters`. */
export async function loadModel(config: Config): Promise<Loaded> {
  let stage: ModelStage = "parameters";
  try {
    const parameters = parseParameters(config.parameters);
    stage = "import";
    log.info("Importing {name}", { name: config.interfaceName });
    const exported = await importComponent(
      config.interfaceName,
      config.modelDir ?? defaultModelDir(),
    );
    stage = "construct";
    const component = constructComponent(exported, parameters);
    return { ok: true, component, customService: hasCustomService(exported) };
  } catch (error) {
    return { ok: false, failure: { stage, status: 1, error } };
  }
}

/** {@link loadModel}, throwing the failure's error. */
export async function loadComponent(config: Config): Promise<SeldonComponent> {
  const loaded = await loadModel(config);
  if (!loaded.ok) throw loaded.failure.error;
  return loaded.component;
}
