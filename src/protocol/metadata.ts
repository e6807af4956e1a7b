/**
 * Model metadata (server.md §4.5, §3.7; tests-catalog `test_metadata.py`):
 * `MODEL_METADATA` parsing, defaults from `PREDICTIVE_UNIT_IMAGE`, JSON-schema
 * validation (port of upstream `seldon_core/metadata.py`), and conversion to the
 * proto3-JSON form of `SeldonModelMetadata` used by gRPC.
 *
 * @module
 */

import { parseYaml } from "../yaml.ts";
import { pyRepr, pyStr } from "../python/repr.ts";
import { DATATYPES } from "./oip/datatypes.ts";

/** Thrown by {@link validateModelMetadata} when the document violates the schema. */
export class SeldonInvalidMetadataError extends Error {
  /** @param message what is wrong and where (jsonschema-like text) */
  constructor(message: string) {
    super(message);
    this.name = "SeldonInvalidMetadataError";
  }
}

/** Error-level log sink (all messages of this module are ERROR in upstream). */
export type MetadataLog = (message: string) => void;

const defaultLog: MetadataLog = (m) => console.error(m);

/** Validated model metadata document (what REST `/metadata` returns). */
export type ModelMetadata = Record<string, unknown>;

// ---------------------------------------------------------------------------
// Image and env
// ---------------------------------------------------------------------------

/**
 * Split an image reference at its LAST `:` into `[name, version]`
 * (`localhost:32000/iris:0.1` → `["localhost:32000/iris", "0.1"]`).
 * Without a colon the name is `""` and the version is the whole string (upstream quirk).
 */
export function splitImageTag(image: string): [string, string] {
  const i = image.lastIndexOf(":");
  return i < 0 ? ["", image] : [image.slice(0, i), image.slice(i + 1)];
}

/** True for a plain JSON/YAML mapping (not null, array, bytes, Date, Map...). */
function isMapping(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return false;
  return !(v instanceof Date || v instanceof Map || v instanceof Set);
}

/** Short description of a non-mapping document for log messages. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return "an empty document";
  if (Array.isArray(v)) return "a list";
  return `a scalar (${pyStr(v)})`;
}

/**
 * Parse the `MODEL_METADATA` env value as YAML 1.1 (like PyYAML `safe_load`;
 * JSON — even with a trailing comma inside `{}` — is accepted; duplicate keys:
 * last wins). `undefined` (unset) → `{}`.
 * A YAML error logs `Reading metadata from MODEL_METADATA env variable failed: <error>`
 * and gives `{}`. A document that is not a mapping (empty text, scalar, list) also
 * gives `{}` with an ERROR log (upstream crashes there; TS choice allowed by §4.5).
 */
export function parseModelMetadataEnv(
  text: string | undefined,
  log: MetadataLog = defaultLog,
): Record<string, unknown> {
  if (text === undefined) return {};
  let doc: unknown;
  try {
    doc = parseYaml(text, { version: "1.1", uniqueKeys: false, logLevel: "error" });
  } catch (e) {
    log(`Reading metadata from MODEL_METADATA env variable failed: ${(e as Error).message}`);
    return {};
  }
  if (!isMapping(doc)) {
    log(
      `Reading metadata from MODEL_METADATA env variable failed: expected a mapping, got ${
        describe(doc)
      }`,
    );
    return {};
  }
  return doc;
}

// ---------------------------------------------------------------------------
// Validation (JSON schema of upstream seldon_core/metadata.py)
// ---------------------------------------------------------------------------

const ARRAY_TYPES = ["tensor", "ndarray", "tftensor"];
const V1_TYPES = [...ARRAY_TYPES, "jsonData", "strData", "binData"];

/** A failed check: jsonschema-like message plus the JSON path of the instance. */
interface Failure {
  message: string;
  path: (string | number)[];
  instance: unknown;
}

type Check = (v: unknown, path: (string | number)[]) => Failure | undefined;

function fail(message: string, path: (string | number)[], instance: unknown): Failure {
  return { message, path, instance };
}

/** jsonschema "integer": integral numbers (2.0 included), never booleans. */
function isInteger(v: unknown): boolean {
  return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
}

const typeChecks: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  integer: isInteger,
  array: Array.isArray,
  object: isMapping,
};

function typeCheck(type: string): Check {
  return (v, path) =>
    typeChecks[type](v) ? undefined : fail(`${pyRepr(v)} is not of type '${type}'`, path, v);
}

function arrayOf(item: Check): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return fail(`${pyRepr(v)} is not of type 'array'`, path, v);
    for (let i = 0; i < v.length; i++) {
      const f = item(v[i], [...path, i]);
      if (f) return f;
    }
    return undefined;
  };
}

function enumOf(values: readonly string[]): Check {
  return (v, path) =>
    typeof v === "string" && values.includes(v)
      ? undefined
      : fail(`${pyRepr(v)} is not one of ${pyRepr(values)}`, path, v);
}

function allOf(...checks: Check[]): Check {
  return (v, path) => {
    for (const c of checks) {
      const f = c(v, path);
      if (f) return f;
    }
    return undefined;
  };
}

/**
 * An object check: `type: object`, `properties`, `required`,
 * `additionalProperties: false` (or a schema for additional values).
 */
function objectOf(
  properties: Record<string, Check>,
  opts: { required?: string[]; additional?: Check | false } = {},
): Check {
  const additional = opts.additional ?? false;
  return (v, path) => {
    if (!isMapping(v)) return fail(`${pyRepr(v)} is not of type 'object'`, path, v);
    for (const key of opts.required ?? []) {
      if (!(key in v)) return fail(`${pyRepr(key)} is a required property`, path, v);
    }
    const extra: string[] = [];
    for (const [key, value] of Object.entries(v)) {
      const check = Object.hasOwn(properties, key) ? properties[key] : additional;
      if (check === false) extra.push(key);
      else {
        const f = check(value, [...path, key]);
        if (f) return f;
      }
    }
    if (extra.length > 0) {
      const names = extra.map((k) => pyRepr(k)).join(", ");
      return fail(
        `Additional properties are not allowed (${names} ${
          extra.length === 1 ? "was" : "were"
        } unexpected)`,
        path,
        v,
      );
    }
    return undefined;
  };
}

function anyOf(...checks: Check[]): Check {
  return (v, path) =>
    checks.some((c) => c(v, path) === undefined)
      ? undefined
      : fail(`${pyRepr(v)} is not valid under any of the given schemas`, path, v);
}

const isString = typeCheck("string");
const anyObject = typeCheck("object");
const intArray = arrayOf(typeCheck("integer"));

const v1Array = objectOf({
  messagetype: enumOf(ARRAY_TYPES),
  schema: objectOf({ names: arrayOf(isString), shape: intArray }),
}, { required: ["messagetype"] });
const v1Json = objectOf({ messagetype: enumOf(["jsonData"]), schema: anyObject }, {
  required: ["messagetype"],
});
const v1Str = objectOf({ messagetype: enumOf(["strData"]) }, { required: ["messagetype"] });
const v1Bin = objectOf({ messagetype: enumOf(["binData"]) }, { required: ["messagetype"] });
const v1Custom = objectOf({
  messagetype: (v, path) =>
    typeof v !== "string"
      ? fail(`${pyRepr(v)} is not of type 'string'`, path, v)
      : V1_TYPES.includes(v)
      ? fail(`${pyRepr(v)} should not be valid under ${pyRepr({ enum: V1_TYPES })}`, path, v)
      : undefined,
  schema: anyObject,
}, { required: ["messagetype"] });
const v2Tensor = objectOf({
  name: isString,
  datatype: allOf(isString, enumOf(DATATYPES)),
  shape: intArray,
});

const inputsOutputs = arrayOf(anyOf(v1Array, v1Json, v1Str, v1Bin, v1Custom, v2Tensor));

const metadataSchema = objectOf({
  name: isString,
  versions: arrayOf(isString),
  platform: isString,
  inputs: inputsOutputs,
  outputs: inputsOutputs,
  custom: objectOf({}, { additional: isString }),
});

/** jsonschema-style path suffix: `['inputs'][0]`. */
function pathText(path: (string | number)[]): string {
  return path.map((p) => `[${pyRepr(p)}]`).join("");
}

/**
 * Apply the defaults under `doc` and validate it (upstream `validate_model_metadata`).
 *
 * Defaults (shallow, `doc` keys win): `name` and `versions: [version]` from
 * `imageEnv` (`PREDICTIVE_UNIT_IMAGE`, split by {@link splitImageTag}; `undefined`
 * → `""` and `[""]`), `platform: ""`, `inputs: []`, `outputs: []`, `custom: {}`.
 * Returns the merged document (default keys first, then extra `doc` keys).
 *
 * @throws {SeldonInvalidMetadataError} when `doc` is not an object or the merged
 *   document violates the schema of server.md §4.5 (message like
 *   `'1.0' is not of type 'array'\n\nOn instance['versions']:\n    '1.0'`).
 */
export function validateModelMetadata(doc: unknown, imageEnv?: string): ModelMetadata {
  if (!isMapping(doc)) {
    throw new SeldonInvalidMetadataError(`${pyRepr(doc)} is not of type 'object'`);
  }
  const [name, version] = imageEnv === undefined ? ["", ""] : splitImageTag(imageEnv);
  const meta: ModelMetadata = {
    name,
    versions: [version],
    platform: "",
    inputs: [],
    outputs: [],
    custom: {},
    ...doc,
  };
  const failure = metadataSchema(meta, []);
  if (failure) {
    throw new SeldonInvalidMetadataError(
      `${failure.message}\n\nOn instance${pathText(failure.path)}:\n    ${
        pyRepr(failure.instance)
      }`,
    );
  }
  return meta;
}

// ---------------------------------------------------------------------------
// Whole computation (init_metadata + MODEL_METADATA + validation)
// ---------------------------------------------------------------------------

/** Inputs of {@link buildModelMetadata}. */
export interface BuildModelMetadataOptions {
  /**
   * Result of the user's `initMetadata()` (awaited). `undefined` means "no hook"
   * or "hook threw not-implemented" (→ `{}` silently). Any other non-object
   * (null, array, scalar) logs `init_metadata must return dict` and counts as `{}`;
   * a caller whose hook returned `undefined` should pass `null` to get that log.
   */
  user?: unknown;
  /** Raw `MODEL_METADATA` env value (`undefined` when unset). */
  envText?: string;
  /** Raw `PREDICTIVE_UNIT_IMAGE` env value (`undefined` when unset). */
  image?: string;
  /** ERROR-level log sink; defaults to `console.error`. */
  log?: MetadataLog;
}

/** Outcome of {@link buildModelMetadata}: the stored document, or "unavailable". */
export type BuildModelMetadataResult = { ok: true; metadata: ModelMetadata } | { ok: false };

/**
 * Steps 1–5 of server.md §4.5: user metadata, `MODEL_METADATA` (env keys replace
 * user keys, shallow), defaults, validation. On validation failure logs
 * `Metadata validation error\n<details>` and `Failed to validate metadata <meta>`
 * and returns `{ ok: false }` (REST then answers 500 `MICROSERVICE_BAD_METADATA`,
 * gRPC an empty `SeldonModelMetadata`).
 */
export function buildModelMetadata(opts: BuildModelMetadataOptions = {}): BuildModelMetadataResult {
  const log = opts.log ?? defaultLog;
  let user: Record<string, unknown> = {};
  if (opts.user !== undefined) {
    if (isMapping(opts.user)) user = opts.user;
    else log("init_metadata must return dict");
  }
  const env = parseModelMetadataEnv(opts.envText, log);
  const meta = { ...user, ...env };
  try {
    return { ok: true, metadata: validateModelMetadata(meta, opts.image) };
  } catch (e) {
    if (!(e instanceof SeldonInvalidMetadataError)) throw e;
    log(`Metadata validation error\n${e.message}`);
    log(`Failed to validate metadata ${pyStr(meta)}`);
    return { ok: false };
  }
}

// ---------------------------------------------------------------------------
// proto3 JSON of SeldonModelMetadata
// ---------------------------------------------------------------------------

/** int64 → proto3-JSON decimal string (`2.0` → `"2"`). */
function int64Text(v: unknown): string | undefined {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && Number.isInteger(v)) {
    return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
  }
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v).toString();
  return undefined;
}

/** Proto3 JSON of one `SeldonMessageMetadata` (defaults omitted, field-number order). */
function messageMetadataToProtoJson(item: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isMapping(item)) return out;
  if (typeof item.messagetype === "string" && item.messagetype !== "") {
    out.messagetype = item.messagetype;
  }
  if (item.schema !== undefined) out.schema = item.schema;
  if (typeof item.name === "string" && item.name !== "") out.name = item.name;
  if (typeof item.datatype === "string" && item.datatype !== "") out.datatype = item.datatype;
  if (Array.isArray(item.shape) && item.shape.length > 0) {
    out.shape = item.shape.map(int64Text).filter((s) => s !== undefined);
  }
  return out;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

/**
 * Canonical proto3 JSON of `SeldonModelMetadata` for a validated metadata
 * document (upstream `json_to_seldon_model_metadata` + `MessageToJson`):
 * field order `name, versions, platform, inputs, outputs, custom`; unknown keys
 * ignored; default values omitted (`""`, empty lists, empty `custom`); item
 * `shape` (int64) as decimal strings (`["1", "4"]`); `schema`
 * (`google.protobuf.Value`) kept as plain JSON. `undefined`/`null` (metadata
 * unavailable) → `{}` (the empty message).
 */
export function metadataToProtoJson(
  meta: ModelMetadata | undefined | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isMapping(meta)) return out;
  if (typeof meta.name === "string" && meta.name !== "") out.name = meta.name;
  const versions = stringList(meta.versions);
  if (versions.length > 0) out.versions = versions;
  if (typeof meta.platform === "string" && meta.platform !== "") out.platform = meta.platform;
  for (const key of ["inputs", "outputs"] as const) {
    const items = meta[key];
    if (Array.isArray(items) && items.length > 0) {
      out[key] = items.map(messageMetadataToProtoJson);
    }
  }
  if (isMapping(meta.custom)) {
    const custom = Object.entries(meta.custom).filter(([, v]) => typeof v === "string");
    if (custom.length > 0) out.custom = Object.fromEntries(custom);
  }
  return out;
}
