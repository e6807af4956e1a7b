/**
 * Writing REST responses: compact JSON plus a newline (Flask `jsonify`), CORS headers as
 * Flask-CORS adds them (server.md §2.5), and the one mapping of errors to HTTP (§5).
 * @module
 */
import type { ErrorResponse } from "../component/api.ts";
import { errorText, SeldonMicroserviceException } from "../protocol/errors.ts";
import { asciiOnly, stringifyJson } from "../protocol/json.ts";
import { addCors, corsHeaders } from "../http/cors.ts";
import { sortKeysDeep } from "./sortkeys.ts";

export { addCors, corsHeaders, preflight } from "../http/cors.ts";

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
  const value = body === undefined ? null : style.sortKeys === false ? body : sortKeysDeep(body);
  const text = stringifyJson(value, { pretty: style.pretty }) + "\n";
  return style.ascii ? asciiOnly(text) : text;
}

/** A JSON response with CORS headers. */
export function jsonResponse(
  req: Request,
  body: unknown,
  status: number,
  style: JsonStyle,
  extra?: Record<string, string>,
): Response {
  const response = new Response(jsonText(body, style), { status, headers: JSON_TYPE });
  addCors(req, response.headers);
  if (extra) { for (const [k, v] of Object.entries(extra)) response.headers.set(k, v); }
  return response;
}

const JSON_TYPE = { "content-type": "application/json" };

/** The Seldon error body: `{"status":{"code":-1,"info":…,"reason":…,"status":1}}`. */
export function errorBody(info: string, reason: string): Record<string, unknown> {
  return { status: { code: -1, info, reason, status: 1 } };
}

/**
 * Status and body of a thrown value: Seldon exceptions keep theirs, anything else is a 500. A
 * status that cannot carry the body (see {@link canCarryBody}, e.g. a user's `statusCode: 999`)
 * becomes 500 with the exception's own info and reason.
 */
export function errorParts(err: unknown): { status: number; body: Record<string, unknown> } {
  if (SeldonMicroserviceException.isSeldonError(err)) {
    const status = canCarryBody(err.statusCode) ? err.statusCode : 500;
    const reason = typeof err.reason === "string" ? err.reason : errorText(err.reason);
    return { status, body: errorBody(errorText(err), reason) };
  }
  return { status: 500, body: errorBody(errorText(err), "MICROSERVICE_INTERNAL_ERROR") };
}

/** The response a model's error handler asked for (server.md §5.4). */
export function userErrorResponse(
  req: Request,
  answer: ErrorResponse | Response,
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
 * The HTTP status of a predict answer (server.md §2.6): `status.code` of an object result when
 * it is a status that can carry the body ({@link canCarryBody}; 1xx, 204, 205 and 304 cannot,
 * and using them would lose the body); another code gives 500 with the body unchanged.
 */
export function predictStatus(body: unknown): number {
  if (typeof body !== "object" || body === null) return 200;
  const status = (body as Record<string, unknown>).status;
  if (typeof status !== "object" || status === null || !("code" in status)) return 200;
  const code = (status as Record<string, unknown>).code;
  return canCarryBody(code) ? code : 500;
}
