/**
 * Resolving `interface_name` to a module and export, constructing the component with its
 * parameters, and running `load()` (server.md §4.1–§4.4). Knows nothing about HTTP or gRPC.
 *
 * Forms: `MyModel` (→ `MyModel.ts|.js|.mjs`, export `MyModel` or default), `pkg.sub.MyModel`
 * (→ `pkg/sub.ts`, `pkg/sub/mod.ts`, `pkg/sub/index.ts`, …, export `MyModel`),
 * `./path/file.ts#MyModel`, and URLs (`file:`, `https:`) with an optional `#Export`.
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SeldonNotImplementedError } from "../protocol/errors.ts";
import type { SeldonComponent } from "./api.ts";
import { builtinModule } from "./builtins.ts";

/** A module to import and the export to take from it. */
export interface Target {
  /** Candidate module URLs, tried in order. */
  readonly candidates: readonly string[];
  /** The export name; the default export is the fallback for the bare `MyModel` form. */
  readonly exportName: string | undefined;
}

const EXTENSIONS = [".ts", ".js", ".mjs", ".tsx", ".jsx"];
const INDEXES = ["mod.ts", "index.ts", "index.js", "index.mjs"];

/** The modules and export `interfaceName` may name, looked up in `dir`. */
export function resolveTarget(interfaceName: string, dir: string): Target {
  const hash = interfaceName.indexOf("#");
  if (hash >= 0 || /^[a-z][a-z0-9+.-]*:\/\//i.test(interfaceName) || /[\\/]/.test(interfaceName)) {
    const spec = hash >= 0 ? interfaceName.slice(0, hash) : interfaceName;
    const exportName = hash >= 0 ? interfaceName.slice(hash + 1) || undefined : undefined;
    return { candidates: [toUrl(spec, dir)], exportName };
  }
  const dot = interfaceName.lastIndexOf(".");
  const modulePath = dot < 0 ? interfaceName : interfaceName.slice(0, dot).replaceAll(".", "/");
  const exportName = dot < 0 ? interfaceName : interfaceName.slice(dot + 1);
  const base = join(dir, modulePath);
  const candidates = [
    ...EXTENSIONS.map((ext) => base + ext),
    ...INDEXES.map((index) => join(base, index)),
  ].map((p) => pathToFileURL(resolve(p)).href);
  return { candidates, exportName };
}

function toUrl(spec: string, dir: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return spec;
  return pathToFileURL(isAbsolute(spec) ? spec : resolve(dir, spec)).href;
}

/** Why the component could not be loaded (exit status 1). */
export class LoadError extends Error {
  override name = "LoadError";
}

function fileExists(url: string): boolean {
  if (!url.startsWith("file:")) return true;
  try {
    return Deno.statSync(new URL(url)).isFile;
  } catch {
    return false;
  }
}

/**
 * Imports the module `interfaceName` names and returns the export (a class, or an already
 * constructed object); a prepackaged server's name (`OnnxServer`) with no user module of that
 * name gives the built-in. Throws {@link LoadError} when nothing matches.
 */
export async function importComponent(interfaceName: string, dir: string): Promise<unknown> {
  const target = resolveTarget(interfaceName, dir);
  const url = target.candidates.find(fileExists);
  const builtin = url === undefined ? builtinModule(interfaceName) : undefined;
  if (builtin !== undefined) {
    const mod = await import(builtin) as Record<string, unknown>;
    return mod[interfaceName];
  }
  if (url === undefined) {
    throw new LoadError(
      `No module named '${interfaceName}': looked for ${
        target.candidates.map((c) => new URL(c).pathname).join(", ")
      }`,
    );
  }
  const mod = await import(url) as Record<string, unknown>;
  const name = target.exportName;
  // The default export is a fallback only for the bare `MyModel` form and a path without
  // `#Export`; `pkg.MyModel` and `file.ts#MyModel` must export that name (upstream getattr).
  const useDefault = name === undefined ||
    !(interfaceName.includes("#") || /^[\w$]+(\.[\w$]+)+$/.test(interfaceName));
  const exported = name !== undefined && name in mod
    ? mod[name]
    : useDefault
    ? mod.default
    : undefined;
  if (exported === undefined || exported === null) {
    throw new LoadError(
      `module '${url}' has no export '${name ?? "default"}'` +
        (name && useDefault && mod.default === undefined ? " and no default export" : ""),
    );
  }
  return exported;
}

/**
 * Constructs the component: a class (or constructor function) gets `new X(parameters)`; an
 * object export is used as the component itself.
 */
export function constructComponent(
  exported: unknown,
  parameters: Record<string, unknown>,
): SeldonComponent {
  if (typeof exported === "function") {
    return new (exported as new (p: Record<string, unknown>) => SeldonComponent)(parameters);
  }
  if (typeof exported === "object" && exported !== null) return exported as SeldonComponent;
  throw new LoadError(`the export is a ${typeof exported}, not a class or an object`);
}

/**
 * Runs the component's `load()` once, awaiting it. Absent or not implemented: skipped
 * (server.md §4.4); any other error propagates and is fatal for the serving process.
 */
export async function runLoad(component: SeldonComponent): Promise<void> {
  if (typeof component.load !== "function") return;
  try {
    await component.load();
  } catch (err) {
    if (!SeldonNotImplementedError.isNotImplemented(err)) throw err;
  }
}
