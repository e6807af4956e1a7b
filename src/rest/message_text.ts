/**
 * The usual predict answer written directly: `{"data":{"names":[…],"ndarray"|"tensor":…},
 * "meta":{}}` with names that are strings and data that are numbers only. Its keys are written in
 * sorted order and its text is ASCII whatever the numbers, so the generic writer's deep key sort,
 * non-finite check and ASCII scan of the whole text (`jsonText` in respond.ts) are not needed: ~0.3 µs
 * less per small answer. Anything else — another key, a non-empty `meta`, a non-number leaf, a
 * non-finite number — is left to the generic writer (`undefined`), which gives the same bytes.
 * @module
 */
import { asciiOnly } from "../protocol/json.ts";
import { isObjectFree } from "../protocol/object_free.ts";
import { isEmptyObject } from "../protocol/plain_object.ts";

/**
 * The compact JSON text plus newline of `body` as Flask's `jsonify` writes it with sorted keys
 * (`ascii`: `JSON_AS_ASCII`), when `body` has the usual predict answer's shape; else undefined.
 */
export function messageText(body: unknown, ascii: boolean): string | undefined {
  if (!isPlain(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length !== 2 || !twoKeys(keys, "data", "meta")) return undefined;
  const meta = body.meta;
  if (!isPlain(meta) || !isEmptyObject(meta)) return undefined;
  const data = body.data;
  if (!isPlain(data)) return undefined;
  const dataKeys = Object.keys(data);
  if (dataKeys.length !== 2) return undefined;
  let payload: string | undefined;
  if (twoKeys(dataKeys, "names", "ndarray")) {
    payload = numbersText(data.ndarray);
    if (payload === undefined) return undefined;
    payload = ',"ndarray":' + payload;
  } else if (twoKeys(dataKeys, "names", "tensor")) {
    payload = tensorText(data.tensor);
    if (payload === undefined) return undefined;
    payload = ',"tensor":' + payload;
  } else return undefined;
  const names = namesText(data.names, ascii);
  if (names === undefined) return undefined;
  return '{"data":{"names":' + names + payload + '},"meta":{}}\n';
}

type Plain = Record<string, unknown>;

/** An object `jsonify` writes as its own enumerable keys: Object.prototype, no `toJSON`. */
function isPlain(x: unknown): x is Plain {
  return typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype &&
    (x as Plain).toJSON === undefined;
}

function twoKeys(keys: string[], a: string, b: string): boolean {
  return (keys[0] === a && keys[1] === b) || (keys[0] === b && keys[1] === a);
}

/** `{"shape":…,"values":…}` of number lists, or undefined. */
function tensorText(tensor: unknown): string | undefined {
  if (!isPlain(tensor)) return undefined;
  const keys = Object.keys(tensor);
  if (keys.length !== 2 || !twoKeys(keys, "shape", "values")) return undefined;
  const shape = numbersText(tensor.shape);
  if (shape === undefined) return undefined;
  const values = numbersText(tensor.values);
  return values === undefined ? undefined : '{"shape":' + shape + ',"values":' + values + "}";
}

/** The text of a list of finite numbers, nested lists allowed; else undefined. */
function numbersText(list: unknown): string | undefined {
  if (!Array.isArray(list) || !(isObjectFree(list) || onlyNumbers(list, 0))) return undefined;
  let text: string;
  try {
    text = JSON.stringify(list);
  } catch {
    return undefined; // a bigint (the generic writer writes it as an integer)
  }
  // `null` stands for a non-finite number here, which Python writes as NaN or Infinity.
  return text.includes("null") ? undefined : text;
}

/** Nesting deeper than this is left to the generic writer. */
const MAX_DEPTH = 32;

function onlyNumbers(list: unknown[], depth: number): boolean {
  if (depth > MAX_DEPTH || Object.getPrototypeOf(list) !== Array.prototype) return false;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v === "number") continue;
    if (!Array.isArray(v) || !onlyNumbers(v, depth + 1)) return false;
  }
  return true;
}

/** The text of a list of strings (escaped to ASCII when `ascii`), or undefined. */
function namesText(names: unknown, ascii: boolean): string | undefined {
  if (!Array.isArray(names) || Object.getPrototypeOf(names) !== Array.prototype) return undefined;
  for (let i = 0; i < names.length; i++) if (typeof names[i] !== "string") return undefined;
  const text = JSON.stringify(names);
  return ascii ? asciiOnly(text) : text;
}
