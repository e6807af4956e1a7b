/**
 * The YAML parser, imported only by the processes that read YAML (`MODEL_METADATA`,
 * `JAEGER_CONFIG_PATH`): the `yaml` package adds ~10 MiB to a process's resident memory, so
 * `loadYaml()` is awaited where YAML is about to be read and `parseYaml` is synchronous after it.
 * @module
 */
import type YAMLModule from "npm:yaml@2.9.1";

let yaml: typeof YAMLModule | undefined;

/** Imports the `yaml` package once; later calls resolve at once. */
export async function loadYaml(): Promise<void> {
  yaml ??= (await import("npm:yaml@2.9.1")).default;
}

/** `YAML.parse`; `loadYaml()` must have been awaited first (else it throws). */
export function parseYaml(
  text: string,
  options?: YAMLModule.ParseOptions & YAMLModule.DocumentOptions & YAMLModule.SchemaOptions,
): unknown {
  if (yaml === undefined) throw new Error("parseYaml called before loadYaml()");
  return yaml.parse(text, options);
}
