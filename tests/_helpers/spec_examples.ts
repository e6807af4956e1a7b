/**
 * Shared pieces of the spec-example tests (`tests/spec_examples/`): every concrete
 * input→output example of the spec files, one test each, named `<file> §<section> <what>`.
 */
// deno-lint-ignore-file no-explicit-any
import { assertEquals } from "./assert.ts";
import { withServer } from "./server.ts";
import { parseConfig } from "../../src/config/options.ts";

export const P = "protocol.md";
export const S = "server.md";
export const M = "metrics-and-processes.md";
export const U = "user-api.md";

/** Registers the test of the example in `section` (e.g. `§4.2`) of the spec file `file`. */
export function ex(file: string, section: string, name: string, fn: () => Promise<void> | void) {
  Deno.test(`${file} ${section} ${name}`, fn);
}

/** The Seldon error body. */
export const err = (info: string, reason = "MICROSERVICE_BAD_DATA") => ({
  status: { status: 1, info, code: -1, reason },
});

/** A model that returns its input. */
export const identity = { predict: (X: unknown) => X };

/** POST `body` to `path` on a fresh server of `model`, expect `status` and `json`. */
export function rest(
  model: any,
  path: string,
  body: unknown,
  status: number,
  json: unknown,
  env: Record<string, string> = {},
) {
  return () =>
    withServer(model, async (s) => {
      const r = await s.post(path, body);
      assertEquals({ status: r.status, json: r.json ?? r.text }, { status, json });
    }, env);
}

/** The parsed config, or the error (a `ConfigExit` with its `exitCode`) it threw. */
export function configExit(argv: string[], env: Record<string, string> = {}): any {
  try {
    return parseConfig(argv, env);
  } catch (e) {
    return e;
  }
}
