/**
 * The prepackaged servers: interface names that resolve to a module of this server when no user
 * module of that name exists (as Seldon Core's `SKLEARN_SERVER`, …). Each is imported only when
 * named, so its runtime (e.g. `onnxruntime-node`) loads only then.
 * @module
 */

/** Interface name → URL of the module exporting that class. */
export const BUILTINS: Readonly<Record<string, string>> = {
  OnnxServer: new URL("../runtimes/onnx/server.ts", import.meta.url).href,
};

/** The module of the prepackaged server `interfaceName` names, if it is one. */
export function builtinModule(interfaceName: string): string | undefined {
  return Object.hasOwn(BUILTINS, interfaceName) ? BUILTINS[interfaceName] : undefined;
}
