/**
 * Strict proto3 JSON parser for the Seldon messages, modelled on Python protobuf 3.20
 * `json_format.ParseDict`: validates a plain JSON value against a message type and returns
 * its canonical proto3 JSON form (the same form as `codec.ts` decodes to — see there).
 *
 * Accepted input, as upstream: JSON names and proto field names (`tensorShape` /
 * `tensor_shape`); enums by name or number; 64-bit integers as strings or numbers; bytes as
 * standard or URL-safe base64, padded or not; floating-point fields as numbers, numeric
 * strings or `"NaN"` / `"Infinity"` / `"-Infinity"`; `null` for a field = field unset (except
 * for `google.protobuf.Value` fields, where it is the JSON null). Also accepted for callers
 * holding JS values: `bigint` numbers, `Uint8Array` for bytes, `undefined` = absent.
 *
 * Errors throw {@link ProtoJsonError} with Python's message templates, e.g.
 * `Failed to parse reward field: Couldn't parse float: high at Feedback.reward.`
 * @module
 */
import { parsePythonFloat, parsePythonInt } from "../../python/builtins.ts";
import { PyFloat, pyFloatRepr } from "../../python/float.ts";
import { pyRepr, pyStrBounded, pyStrRepr, pyTypeName } from "../../python/repr.ts";
import { isPlainObject, setKey } from "../plain_object.ts";
import { fromBase64, toBase64 } from "./base64.ts";
import {
  canonDouble,
  type EnumDef,
  type FieldDef,
  fieldMessage,
  isDefaultCanon,
  lookupMessage,
  type MessageDef,
  type MessageName,
  shortestFloat32,
} from "./schema.ts";

export { float32, shortestFloat32 } from "./schema.ts";

/** A message in canonical proto3 JSON form. */
export type ProtoObject = Record<string, unknown>;

/** A proto3 JSON parse error (the message follows Python protobuf's json_format). */
export class ProtoJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtoJsonError";
  }
}

/** Options of {@link parseProtoJson}. */
export interface ParseOptions {
  /** Skip unknown field names instead of failing (Python's `ignore_unknown_fields`). */
  ignoreUnknownFields?: boolean;
}

/** Python's `ValueError` raised outside a path-annotated conversion. */
class PyValueError extends Error {}
/** Python's `TypeError` raised outside a path-annotated conversion. */
class PyTypeError extends Error {}
/**
 * `for name in js` over a value Python cannot iterate: raised outside any field's `try`, so at
 * the top it escapes `ParseDict` as a plain `TypeError` (not a parse error).
 */
class PyNotIterable extends PyTypeError {}

/** json_format's `_VALID_EXTENSION_NAME` (`re.match`, `$` also before a final newline). */
const EXTENSION_NAME = /^\[[a-zA-Z0-9._]*\](?:\n)?$/;

/** Python's max recursion depth of json_format's parser. */
const MAX_DEPTH = 100;
/** Nesting limit of JSON values inside google.protobuf.Value. */
const MAX_VALUE_DEPTH = 1000;
/** Largest finite float32. */
const FLOAT_MAX = 3.4028234663852886e38;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;
const VALUE = "google.protobuf.Value";
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// ---------------------------------------------------------------------------------------
// Python-flavoured rendering of values in messages
// ---------------------------------------------------------------------------------------

/**
 * The value Python's `json.loads` would have built for a decoded JSON value: an integral
 * `number` beyond ±2^53 can only come from a float token (`parseJson` makes integer tokens
 * that long `bigint`s), so it is a Python `float` (`1e+16`, not `10000000000000000`).
 */
function asPython(v: unknown): unknown {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v; // -0 too: most likely the token `-0`
    return Number.isInteger(v) ? new PyFloat(v) : v;
  }
  if (Array.isArray(v)) return v.map(asPython);
  if (isPlainObject(v)) {
    const out: ProtoObject = {};
    for (const k of Object.keys(v)) setKey(out, k, asPython(v[k]));
    return out;
  }
  return v;
}

/** Python `str` of a decoded JSON value (as used by `'{0}'.format(value)`), cut at its cap. */
function pyStr(v: unknown): string {
  return pyStrBounded(asPython(v));
}

// ---------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------

/** `_ConvertFloat`: a double from a JSON value (float32 range check for `float` fields). */
function convertFloat(value: unknown, f: FieldDef): number {
  if (typeof value === "number") {
    if (value !== value) throw new ProtoJsonError(`Couldn't parse NaN, use quoted "NaN" instead`);
    if (value === Infinity) {
      throw new ProtoJsonError(
        `Couldn't parse Infinity or value too large, use quoted "Infinity" instead`,
      );
    }
    if (value === -Infinity) {
      throw new ProtoJsonError(
        `Couldn't parse -Infinity or value too small, use quoted "-Infinity" instead`,
      );
    }
    if (f.kind === "float") {
      if (value > FLOAT_MAX) throw new ProtoJsonError("Float value too large");
      if (value < -FLOAT_MAX) throw new ProtoJsonError("Float value too small");
    }
    return value;
  }
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    if (value === "nan") throw new ProtoJsonError(`Couldn't parse float "nan", use "NaN" instead`);
    const n = parsePythonFloat(value);
    if (n === null) throw new ProtoJsonError(`Couldn't parse float: ${value}`);
    return n;
  }
  throw new PyTypeError(
    `float() argument must be a string or a real number, not '${pyTypeName(value)}'`,
  );
}

/** `_ConvertInteger` plus the range check of the field type. */
function convertInteger(value: unknown, f: FieldDef): number | string {
  let b: bigint;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) {
      throw new ProtoJsonError(`Couldn't parse integer: ${pyStr(value)}`);
    }
    b = BigInt(value);
  } else if (typeof value === "bigint") {
    b = value;
  } else if (typeof value === "string") {
    if (value.includes(" ")) throw new ProtoJsonError(`Couldn't parse integer: "${value}"`);
    const n = parsePythonInt(value);
    if (n === null) {
      throw new PyValueError(`invalid literal for int() with base 10: ${pyStrRepr(value)}`);
    }
    b = BigInt(n);
  } else if (typeof value === "boolean") {
    throw new ProtoJsonError(
      `Bool value ${value ? "True" : "False"} is not acceptable for integer field`,
    );
  } else {
    throw new PyTypeError(
      `int() argument must be a string, a bytes-like object or a real number, not '${
        pyTypeName(value)
      }'`,
    );
  }
  const [min, max] = f.kind === "int32" || f.kind === "enum"
    ? [-(1n << 31n), (1n << 31n) - 1n]
    : f.kind === "uint32"
    ? [0n, (1n << 32n) - 1n]
    : f.kind === "int64"
    ? [INT64_MIN, INT64_MAX]
    : [0n, UINT64_MAX];
  if (b < min || b > max) throw new PyValueError(`Value out of range: ${b}`);
  return f.kind === "int64" || f.kind === "uint64" ? b.toString() : Number(b);
}

function convertEnum(value: unknown, e: EnumDef): string | number {
  let n: number;
  if (typeof value === "string") {
    if (e.numbers.has(value)) return value;
    const i = parsePythonInt(value);
    if (i === null) {
      throw new ProtoJsonError(`Invalid enum value ${value} for enum type ${e.fullName}`);
    }
    n = Number(i);
  } else if (typeof value === "number") n = Math.trunc(value);
  else if (typeof value === "boolean") n = value ? 1 : 0;
  else if (typeof value === "bigint") n = Number(value);
  else {
    throw new PyTypeError(
      `int() argument must be a string, a bytes-like object or a real number, not '${
        pyTypeName(value)
      }'`,
    );
  }
  if (!Number.isFinite(n)) {
    throw new PyValueError(`cannot convert float ${pyFloatRepr(n)} to integer`);
  }
  if (n < -0x80000000 || n > 0x7fffffff) throw new PyValueError(`Value out of range: ${n}`);
  // Proto3 enums are open: an unknown number is kept as a number.
  return e.names.get(n) ?? n;
}

function convertBytes(value: unknown): string {
  if (value instanceof Uint8Array) return toBase64(value);
  if (typeof value !== "string") {
    throw new PyTypeError(`unsupported operand type(s) for +: '${pyTypeName(value)}' and 'bytes'`);
  }
  try {
    return toBase64(fromBase64(value));
  } catch (e) {
    throw new PyValueError((e as Error).message);
  }
}

/** `_ConvertScalarFieldValue`: a canonical scalar, errors annotated with ` at <path>`. */
function convertScalar(value: unknown, f: FieldDef, path: string): unknown {
  try {
    switch (f.kind) {
      case "double":
        return canonDouble(convertFloat(value, f));
      case "float": {
        const v = convertFloat(value, f);
        return v - v === 0 ? shortestFloat32(v) : canonDouble(Math.fround(v));
      }
      case "int32":
      case "uint32":
      case "int64":
      case "uint64":
        return convertInteger(value, f);
      case "bool":
        if (typeof value !== "boolean") {
          throw new ProtoJsonError("Expected true or false without quotes");
        }
        return value;
      case "string":
        if (typeof value !== "string") {
          throw new PyTypeError("expected string or bytes-like object");
        }
        if (UNPAIRED_SURROGATE.test(value)) throw new ProtoJsonError("Unpaired surrogate");
        return value;
      case "bytes":
        return convertBytes(value);
      case "enum":
        return convertEnum(value, f.enumDef as EnumDef);
    }
  } catch (e) {
    if (e instanceof ProtoJsonError) throw new ProtoJsonError(`${e.message} at ${path}`);
    throw e;
  }
  throw new Error(`internal: ${f.kind} is not a scalar`);
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

/** Parser state (mirrors json_format's `_Parser`). */
class Parser {
  private depth = 0;

  constructor(private readonly ignoreUnknown: boolean) {}

  /** `ConvertMessage`: any message type, well-known types included. */
  convertMessage(value: unknown, def: MessageDef, path: string): unknown {
    if (++this.depth > MAX_DEPTH) {
      throw new ProtoJsonError(`Message too deep. Max recursion depth is ${MAX_DEPTH}`);
    }
    if (!path) path = def.name;
    let out: unknown;
    switch (def.wellKnown) {
      case "Value":
        out = this.convertValue(value, path, 0);
        break;
      case "ListValue":
        out = this.convertListValue(value, path, 0);
        break;
      case "Struct":
        out = this.convertStruct(value, path, 0);
        break;
      case "Any":
        out = this.convertAny(value, path);
        break;
      default:
        out = this.convertFieldValuePair(value, def, path);
    }
    this.depth--;
    return out;
  }

  /** `_ConvertFieldValuePair`: the fields of an ordinary message. */
  private convertFieldValuePair(js: unknown, def: MessageDef, path: string): ProtoObject {
    if (!isPlainObject(js)) return this.convertNotADict(js, def, path);
    const slots: unknown[] = [];
    const oneofs = new Set<string>();
    for (const name of Object.keys(js)) {
      const f = def.byKey.get(name);
      try {
        if (f === undefined) {
          unknownField(name, def, path, this.ignoreUnknown);
          continue;
        }
        const value = js[name];
        if (value === undefined) continue;
        if (f.oneof !== undefined && value !== null) {
          if (oneofs.has(f.oneof)) {
            throw new ProtoJsonError(
              `Message type "${def.fullName}" should not have multiple "${f.oneof}" oneof fields at "${path}".`,
            );
          }
          oneofs.add(f.oneof);
        }
        const v = this.convertField(value, f, `${path}.${name}`, name);
        // Setting a oneof member clears the others (a Value member is set even by null).
        if (f.oneof !== undefined && v !== undefined) {
          for (const o of def.fields) if (o.oneof === f.oneof) slots[o.no] = undefined;
        }
        slots[f.no] = v;
      } catch (e) {
        throw wrapFieldError(e, name, f);
      }
    }
    const out: ProtoObject = {};
    for (const f of def.fields) {
      const v = slots[f.no];
      if (v !== undefined) out[f.json] = v;
    }
    return out;
  }

  /**
   * `_ConvertFieldValuePair` on a value that is not a dict, as Python runs `for name in js`
   * over it: `null`, a number or a boolean cannot be iterated; a str yields its characters and a
   * list its items, each looked up as a field name (`expected string or bytes-like object` for
   * a non-str, `unhashable type: 'list'`, `has no field named …`) and a field's value read as
   * `js[name]` (`list indices must be integers or slices, not str`). An empty str or list holds
   * no field: the empty message.
   */
  private convertNotADict(js: unknown, def: MessageDef, path: string): ProtoObject {
    let names: unknown[];
    if (typeof js === "string") names = [...js];
    else if (Array.isArray(js)) names = js;
    else throw new PyNotIterable(`'${pyTypeName(js)}' object is not iterable`);
    const seen = new Set<string>();
    for (const name of names) {
      let f: FieldDef | undefined;
      try {
        if (typeof name !== "string") {
          throw new PyTypeError(
            Array.isArray(name) || isPlainObject(name)
              ? `unhashable type: '${pyTypeName(name)}'`
              : "expected string or bytes-like object",
          );
        }
        f = def.byKey.get(name);
        if (f === undefined) {
          unknownField(name, def, path, this.ignoreUnknown);
          continue;
        }
        if (seen.has(name)) {
          throw new ProtoJsonError(
            `Message type "${def.fullName}" should not have multiple "${name}" fields at "${path}".`,
          );
        }
        seen.add(name);
        throw new PyTypeError(
          typeof js === "string"
            ? "string indices must be integers"
            : "list indices must be integers or slices, not str",
        );
      } catch (e) {
        throw wrapFieldError(e, typeof name === "string" ? name : pyStr(name), f);
      }
    }
    return {};
  }

  /** One field's value in canonical form (`undefined` = unset). */
  private convertField(
    value: unknown,
    f: FieldDef,
    fieldPath: string,
    name: string,
  ): unknown {
    if (value === null) {
      return f.kind === "message" && f.typeName === VALUE && !f.map && !f.repeated
        ? null
        : undefined;
    }
    if (f.map) return this.convertMap(value, f, fieldPath);
    const path = fieldPath.slice(0, fieldPath.length - name.length - 1);
    if (f.repeated) {
      if (!Array.isArray(value)) {
        throw new ProtoJsonError(
          `repeated field ${name} must be in [] which is ${pyStr(value)} at ${path}`,
        );
      }
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const itemPath = `${fieldPath}[${i}]`;
        if (f.kind === "message") {
          if ((item === null || item === undefined) && f.typeName !== VALUE) {
            throw new ProtoJsonError(
              `null is not allowed to be used as an element in a repeated field at ${itemPath}`,
            );
          }
          out.push(this.convertMessage(item ?? null, fieldMessage(f), itemPath));
        } else {
          if (item === null || item === undefined) {
            throw new ProtoJsonError(
              `null is not allowed to be used as an element in a repeated field at ${itemPath}`,
            );
          }
          out.push(convertScalar(item, f, itemPath));
        }
      }
      return out.length === 0 ? undefined : out;
    }
    if (f.kind === "message") return this.convertMessage(value, fieldMessage(f), fieldPath);
    const v = convertScalar(value, f, fieldPath);
    return f.oneof === undefined && isDefaultCanon(f, v) ? undefined : v;
  }

  /** `_ConvertMapFieldValue`. */
  private convertMap(value: unknown, f: FieldDef, path: string): ProtoObject | undefined {
    if (!isPlainObject(value)) {
      throw new ProtoJsonError(
        `Map field ${f.name} must be in a dict which is ${pyStr(value)} at ${path}`,
      );
    }
    const out: ProtoObject = {};
    let any = false;
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      const itemPath = `${path}[${key}]`;
      const v = f.kind === "message"
        ? this.convertMessage(item, fieldMessage(f), itemPath)
        : convertScalar(item, f, itemPath);
      setKey(out, key, v);
      any = true;
    }
    return any ? out : undefined;
  }

  /** `_ConvertValueMessage`: any JSON value. */
  private convertValue(value: unknown, path: string, depth: number): unknown {
    if (value === null || value === undefined) return null;
    switch (typeof value) {
      case "boolean":
      case "string":
        return value;
      case "number":
        return canonDouble(value);
      case "bigint":
        return Number(value);
    }
    if (depth > MAX_VALUE_DEPTH) throw new ProtoJsonError(`Value nesting too deep at ${path}`);
    if (Array.isArray(value)) return this.convertListValue(value, path, depth);
    if (isPlainObject(value)) return this.convertStruct(value, path, depth);
    throw new ProtoJsonError(
      `Value ${pyStr(value)} has unexpected type <class '${pyTypeName(value)}'> at ${path}`,
    );
  }

  /** `_ConvertListValueMessage`. */
  private convertListValue(value: unknown, path: string, depth: number): unknown[] {
    if (!Array.isArray(value)) {
      throw new ProtoJsonError(`ListValue must be in [] which is ${pyStr(value)} at ${path}`);
    }
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      out[i] = this.convertValue(value[i], `${path}[${i}]`, depth + 1);
    }
    return out;
  }

  /** `_ConvertStructMessage`. */
  private convertStruct(value: unknown, path: string, depth: number): ProtoObject {
    if (!isPlainObject(value)) {
      throw new ProtoJsonError(`Struct must be in a dict which is ${pyStr(value)} at ${path}`);
    }
    const out: ProtoObject = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      setKey(out, key, this.convertValue(item, `${path}.${key}`, depth + 1));
    }
    return out;
  }

  /** google.protobuf.Any in this project's form `{"@type": url, "value": base64}`. */
  private convertAny(value: unknown, path: string): ProtoObject {
    if (!isPlainObject(value)) {
      throw new PyTypeError(`${pyTypeName(value)} indices must be integers or slices, not str`);
    }
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) return {};
    if (!keys.includes("@type")) {
      throw new ProtoJsonError(`@type is missing when parsing any message at ${path}`);
    }
    const url = value["@type"];
    if (typeof url !== "string") {
      throw new ProtoJsonError(`@type must be a string, not ${pyStr(url)} at ${path}`);
    }
    if (keys.some((k) => k !== "@type" && k !== "value")) {
      throw new ProtoJsonError(`Can not find message descriptor by type_url: ${url} at ${path}`);
    }
    const out: ProtoObject = { "@type": url };
    const raw = value.value;
    if (raw !== null && raw !== undefined) {
      let b64: string;
      try {
        b64 = convertBytes(raw);
      } catch (e) {
        throw new ProtoJsonError(`${(e as Error).message} at ${path}.value`);
      }
      if (b64 !== "") out.value = b64;
    }
    return out;
  }
}

/** The `except` clauses of `_ConvertFieldValuePair`. */
/**
 * A field name the message does not have: json_format refuses `[ext]` names (these messages
 * have no extensions) even when ignoring unknown fields, then fails unless it ignores them.
 */
function unknownField(name: string, def: MessageDef, path: string, ignore: boolean): void {
  if (EXTENSION_NAME.test(name)) {
    throw new ProtoJsonError(`Message type ${def.fullName} does not have extensions at ${path}`);
  }
  if (ignore) return;
  throw new ProtoJsonError(
    `Message type "${def.fullName}" has no field named "${name}" at "${path}".\n` +
      ` Available Fields(except extensions): "${pyRepr(def.fields.map((x) => x.json))}"`,
  );
}

function wrapFieldError(e: unknown, name: string, f: FieldDef | undefined): unknown {
  if (e instanceof ProtoJsonError) {
    return f !== undefined && f.oneof === undefined
      ? new ProtoJsonError(`Failed to parse ${name} field: ${e.message}.`)
      : e;
  }
  if (e instanceof PyValueError || e instanceof PyTypeError) {
    return new ProtoJsonError(`Failed to parse ${name} field: ${e.message}.`);
  }
  return e;
}

/**
 * Parses a JSON value (already decoded from text) as the protobuf message `typeName` (simple
 * name like `"Feedback"` or fully qualified like `"seldon.protos.Feedback"`) and returns its
 * canonical proto3 JSON form. Throws {@link ProtoJsonError} when the value does not fit the
 * message (unknown field unless `ignoreUnknownFields`, wrong JSON type, two members of one
 * oneof, bad base64, out-of-range number, …).
 */
export function parseProtoJson(
  typeName: MessageName | string,
  value: unknown,
  opts: ParseOptions = {},
): ProtoObject {
  const def = lookupMessage(typeName);
  const parser = new Parser(opts.ignoreUnknownFields ?? false);
  try {
    return parser.convertMessage(value, def, "") as ProtoObject;
  } catch (e) {
    if (e instanceof ProtoJsonError) throw e;
    // Python's TypeError of `for name in js` at the top escapes ParseDict as itself.
    if (e instanceof PyNotIterable) throw new TypeError(e.message);
    if (e instanceof PyValueError || e instanceof PyTypeError) throw new ProtoJsonError(e.message);
    if (e instanceof RangeError) throw new ProtoJsonError(`Message too deep: ${e.message}`);
    throw e;
  }
}

/**
 * A canonical proto3-JSON message as protobuf's `MessageToJson` prints it. The in-memory form
 * may hold non-finite numbers as numbers (a `google.protobuf.Value` number must, to stay a
 * number on the wire; doubles computed by the server may); the printed form writes them as
 * `"NaN"` / `"Infinity"` / `"-Infinity"` wherever they occur. Returns `value` itself when it
 * holds no such number; never mutates it.
 */
export function toPrintedProtoJson(value: unknown): unknown {
  if (typeof value === "number") return canonDouble(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = toPrintedProtoJson(value[i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: ProtoObject | undefined;
    for (const key of Object.keys(value)) {
      const v = toPrintedProtoJson(value[key]);
      if (v !== value[key]) setKey(out ??= { ...value }, key, v);
    }
    return out ?? value;
  }
  return value;
}
