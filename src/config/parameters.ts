/**
 * `--parameters` / `PREDICTIVE_UNIT_PARAMETERS` parsing (server.md §4.2) with the
 * conversion semantics of upstream `parse_parameters` (Python `int()`, `float()`,
 * `str()`, `distutils.util.strtobool`).
 *
 * @module
 */

import { parsePythonFloat, parsePythonInt, strtobool } from "../python/builtins.ts";
import { PyFloat } from "../python/float.ts";
import { parseJsonPythonic } from "../python/json_loads.ts";
import { pyRepr, pyStr, pyTypeName } from "../python/repr.ts";

/** Reason carried by every {@link ParameterError}. */
export const BAD_PARAMETER_REASON = "MICROSERVICE_BAD_PARAMETER";

/**
 * Which failure a {@link ParameterError} reports:
 * `value` = upstream error A (`Bad model parameter: ...`), `type` = error B
 * (`Bad model parameter type: ...`), `malformed` = input upstream crashes on
 * (bad JSON, non-object element, missing type, BOOL garbage, ...).
 */
export type ParameterErrorKind = "value" | "type" | "malformed";

/** Start-up error for bad model parameters (upstream `SeldonMicroserviceException`). */
export class ParameterError extends Error {
  /** Always `MICROSERVICE_BAD_PARAMETER`. */
  readonly reason = BAD_PARAMETER_REASON;
  /**
   * @param message the error text (errors A/B use upstream's exact wording)
   * @param kind which failure this is
   */
  constructor(message: string, readonly kind: ParameterErrorKind = "malformed") {
    super(message);
    this.name = "ParameterError";
  }
}

// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

function normaliseInt(n: bigint): number | bigint {
  const asNumber = Number(n);
  return Number.isSafeInteger(asNumber) ? asNumber : n;
}

function errorA(name: string, value: string, type: string): ParameterError {
  return new ParameterError(
    `Bad model parameter: ${name} with value ${value} can't be parsed as a ${type}`,
    "value",
  );
}

function toInt(name: string, value: unknown): number | bigint {
  if (typeof value === "string") {
    const n = parsePythonInt(value);
    if (n === null) throw errorA(name, value, "INT");
    return n;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return normaliseInt(value);
  if (value instanceof PyFloat) {
    if (!Number.isFinite(value.value)) {
      throw new ParameterError(
        `Bad model parameter: ${name} with value ${pyStr(value)} can't be parsed as a INT`,
      );
    }
    const t = Math.trunc(value.value);
    return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : BigInt(t);
  }
  throw new ParameterError(
    `Bad model parameter: ${name}: int() argument must be a string, a bytes-like object or a real number, not '${
      pyTypeName(value)
    }'`,
  );
}

function toFloat(name: string, value: unknown, type: string): number {
  if (typeof value === "string") {
    const x = parsePythonFloat(value);
    if (x === null) throw errorA(name, value, type);
    return x;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof PyFloat) return value.value;
  throw new ParameterError(
    `Bad model parameter: ${name}: float() argument must be a string or a real number, not '${
      pyTypeName(value)
    }'`,
  );
}

function toBool(name: string, value: unknown): boolean {
  if (typeof value !== "string") {
    throw new ParameterError(
      `Bad model parameter: ${name}: BOOL value must be a string, got ${pyStr(value)}`,
    );
  }
  const b = strtobool(value);
  if (b === null) {
    throw new ParameterError(
      `Bad model parameter: ${name}: invalid truth value ${pyRepr(value.toLowerCase())}`,
    );
  }
  return b;
}

/** Convert one `value` according to `type` (upstream `type_dict[type_](value)`). */
function convert(name: string, value: unknown, type: unknown): unknown {
  switch (type) {
    case "INT":
      return toInt(name, value);
    case "FLOAT":
    case "DOUBLE":
      return toFloat(name, value, type);
    case "STRING":
      return pyStr(value);
    case "BOOL":
      return toBool(name, value);
  }
  if (typeof type !== "string") {
    throw new ParameterError(
      `Bad model parameter type: ${pyStr(type)} (missing or not a string) for parameter ${name}`,
    );
  }
  throw new ParameterError(
    `Bad model parameter type: ${type} valid are INT, FLOAT, DOUBLE, STRING, BOOL`,
    "type",
  );
}

/** The parameter list: an array, or the degenerate inputs Python iterates as empty. */
function parameterList(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if ((doc instanceof Map && doc.size === 0) || doc === "") return [];
  throw new ParameterError(
    `Bad model parameters: expected a JSON array of {"name", "value", "type"} objects, got ${
      pyStr(doc)
    }`,
  );
}

/**
 * Parse `--parameters` / `PREDICTIVE_UNIT_PARAMETERS` JSON into a name → value
 * map (duplicate names: last wins). Conversions per `type`:
 * `INT` → `number` (or `bigint` beyond 2^53, exact for strings and JSON integer
 * tokens), `FLOAT`/`DOUBLE` → `number`, `STRING` → `string` (non-strings rendered
 * Python-style: `5.0` → `"5.0"`, `true` → `"True"`, `null` → `"None"`),
 * `BOOL` → `boolean` (strtobool).
 *
 * @throws {ParameterError} kind `value` (error A, e.g.
 *   `Bad model parameter: alpha with value abc can't be parsed as a FLOAT`),
 *   kind `type` (error B, `Bad model parameter type: JSON valid are INT, FLOAT, DOUBLE, STRING, BOOL`),
 *   or kind `malformed` (invalid JSON, element not an object, missing/non-string
 *   type or name, non-string BOOL value, invalid truth value, INT/FLOAT of a list...).
 */
export function parseParameters(json: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseJsonPythonic(json);
  } catch (e) {
    throw new ParameterError(
      `Bad model parameters: invalid JSON (${(e as Error).message}): ${json}`,
    );
  }
  const out = new Map<string, unknown>();
  for (const param of parameterList(doc)) {
    if (!(param instanceof Map)) {
      throw new ParameterError(
        `Bad model parameters: each parameter must be an object, got ${pyStr(param)}`,
      );
    }
    const name = param.get("name");
    const label = typeof name === "string" ? name : pyStr(name);
    const value = convert(label, param.get("value"), param.get("type"));
    if (typeof name !== "string") {
      throw new ParameterError(
        `Bad model parameters: parameter name must be a string, got ${label}`,
      );
    }
    out.set(name, value);
  }
  return Object.fromEntries(out);
}
