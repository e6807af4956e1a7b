/**
 * Writing REST responses: compact JSON plus a newline (Flask `jsonify`) with CORS headers, and
 * the one mapping of errors to HTTP (server.md §5).
 * @module
 */
import { addCors, corsHeaders } from "../http/cors.ts";
import type { ModelErrorAnswer } from "../dataplane/dataplane.ts";
import type { HttpErrorAnswer } from "../protocol/adapters/adapter.ts";
import { asciiOnly, stringifyJson } from "../protocol/json.ts";
import { messageText } from "./message_text.ts";
import { sortKeysDeep } from "./sortkeys.ts";
import { isObjectFree } from "../protocol/object_free.ts";
import { parsePythonInt } from "../python/builtins.ts";
import { isPyDict, pyIn, pySubscriptError } from "../python/operators.ts";

/** How JSON bodies are written (`FLASK_JSONIFY_PRETTYPRINT_REGULAR`, `FLASK_JSON_AS_ASCII`). */
export interface JsonStyle {
  readonly pretty: boolean;
  readonly ascii: boolean;
  /** `FLASK_JSON_SORT_KEYS` (default true): object keys sorted at every level. */
  readonly sortKeys?: boolean;
}

/**
 * The body text of a JSON response, as Flask `jsonify` writes it: keys sorted unless disabled,
 * and `undefined` (a hook that returned nothing, Python `None`) written as `null`.
 */
export function jsonText(body: unknown, style: JsonStyle): string {
  const text = unescapedText(body, style);
  return style.ascii ? asciiOnly(text) : text;
}

/** {@link jsonText} before `ensure_ascii`'s escapes. */
function unescapedText(body: unknown, style: JsonStyle): string {
  return stringifyJson(sortedValue(body, style), { pretty: style.pretty }) + "\n";
}

function sortedValue(body: unknown, style: JsonStyle): unknown {
  return body === undefined ? null : style.sortKeys === false ? body : sortKeysDeep(body);
}

/** Above this many characters, {@link jsonBody} looks for non-ASCII in the value, not the text. */
const LARGE_TEXT = 1 << 16;

/**
 * {@link jsonText} as a response body. For a large text, only strings can bring non-ASCII into
 * JSON, so the value's strings are searched ({@link mayHoldNonAscii}: numeric lists the encoder
 * built are skipped) rather than every character of the text; `asciiOnly` runs only when one
 * may hold non-ASCII.
 */
function jsonBody(body: unknown, style: JsonStyle): string {
  if (!style.pretty && style.sortKeys !== false) {
    const text = messageText(body, style.ascii);
    if (text !== undefined) return text;
  }
  const value = sortedValue(body, style);
  const text = stringifyJson(value, { pretty: style.pretty }) + "\n";
  if (!style.ascii) return text;
  if (text.length > LARGE_TEXT && !mayHoldNonAscii(value, 0)) return text;
  return asciiOnly(text);
}

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * False only when JSON of `value` is ASCII for sure: its strings and keys are ASCII, and it
 * holds nothing but plain objects, lists, strings, numbers, bigints, booleans and nulls (anything
 * else — a `toJSON`, a class instance, a getter's owner — may write anything).
 */
function mayHoldNonAscii(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
      return NON_ASCII.test(value);
    case "number":
    case "bigint":
    case "boolean":
    case "undefined":
      return false;
    case "object":
      break;
    default:
      return true;
  }
  if (value === null) return false;
  if (depth > 64) return true;
  if (Array.isArray(value)) {
    if (isObjectFree(value)) return false;
    for (let i = 0; i < value.length; i++) {
      if (mayHoldNonAscii(value[i], depth + 1)) return true;
    }
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return true;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const d = Object.getOwnPropertyDescriptor(record, key);
    if (d === undefined || d.get !== undefined || NON_ASCII.test(key)) return true;
    if (mayHoldNonAscii(d.value, depth + 1)) return true;
  }
  return false;
}

/** A JSON response with CORS headers. */
export function jsonResponse(
  req: Request,
  body: unknown,
  status: number,
  style: JsonStyle,
  extra?: Record<string, string>,
): Response {
  const response = new Response(jsonBody(body, style), { status, headers: JSON_TYPE });
  addCors(req, response.headers);
  if (extra) { for (const [k, v] of Object.entries(extra)) response.headers.set(k, v); }
  return response;
}

const JSON_TYPE = { "content-type": "application/json" };

/**
 * An error answer as sent: a status that cannot carry the body (see {@link canCarryBody}, e.g. a
 * user's `statusCode: 999`) becomes 500 with the same body.
 */
export function errorResponse(req: Request, answer: HttpErrorAnswer, style: JsonStyle): Response {
  return jsonResponse(req, answer.body, canCarryBody(answer.status) ? answer.status : 500, style);
}

/** The response a model's error handler asked for (server.md §5.4). */
export function userErrorResponse(
  req: Request,
  answer: ModelErrorAnswer,
  style: JsonStyle,
): Response {
  if (answer instanceof Response) {
    const headers = new Headers(answer.headers);
    for (const [k, v] of Object.entries(corsHeaders(req))) headers.set(k, v);
    return new Response(answer.body, { status: answer.status, headers });
  }
  return jsonResponse(req, answer.body, answer.status, style, answer.headers);
}

/**
 * True for an HTTP status a JSON body can be sent with: an integer in 200–599 other than the
 * null-body statuses 204, 205 and 304 (1xx are interim answers; `Response` rejects all these).
 */
export function canCarryBody(code: unknown): code is number {
  return typeof code === "number" && Number.isInteger(code) && code >= 200 && code <= 599 &&
    code !== 204 && code !== 205 && code !== 304;
}

/**
 * The HTTP status of a predict answer (server.md §2.6), as upstream's view sets it from an
 * object result: `if "status" in response and "code" in response["status"]`, then werkzeug's
 * status setter. A code that is a status that can carry the body ({@link canCarryBody}; 1xx,
 * 204, 205 and 304 cannot, and using them would lose the body) is used; another integer gives
 * 500 with the body unchanged. A string is read as werkzeug reads a status string (Python's
 * `int()` of its first word: `"422"`, `" +409 "`, `"418 I am odd"`). Where Python raises, this
 * throws the same error (a 500 with its text): a code of another type (`Invalid status
 * argument`), a blank string (`Empty status argument`), a `status` that is not a dict but holds
 * `code` (a str or list, then indexed) or cannot be searched (`argument of type 'NoneType' is
 * not iterable`).
 */
export function predictStatus(body: unknown): number {
  if (typeof body !== "object" || body === null) return 200;
  const status = (body as Record<string, unknown>).status;
  if (status === undefined || !isPyDict(body)) return 200;
  if (!isPyDict(status)) {
    if (pyIn("code", status)) throw pySubscriptError(status);
    return 200;
  }
  if (!("code" in status)) return 200;
  const code = status.code;
  if (typeof code === "number" && Number.isInteger(code)) return canCarryBody(code) ? code : 500;
  if (typeof code === "string") return statusStringCode(code);
  // A bool is an int to werkzeug, spelled `True`: status 0, which no client can read.
  if (typeof code === "boolean" || typeof code === "bigint") return 500;
  throw new TypeError("Invalid status argument");
}

/** werkzeug's `_clean_status` for a string: Python's `int()` of its first word, else 500. */
function statusStringCode(text: string): number {
  const word = /\S+/.exec(text);
  if (word === null) throw new Error("Empty status argument");
  const code = parsePythonInt(word[0]);
  return typeof code === "number" && canCarryBody(code) ? code : 500;
}
