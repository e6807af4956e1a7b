/**
 * Where a REST request's payload comes from (server.md §2.3, upstream `get_request`):
 * multipart form → urlencoded `json` field → `json` query parameter → JSON body.
 * @module
 */
import { werkzeugText } from "../http/werkzeug.ts";
import { encodeBase64 } from "../protocol/base64.ts";
import { badData, SeldonMicroserviceException } from "../protocol/errors.ts";
import { parseJson } from "../protocol/json.ts";
import { parseJsonLikePython } from "../protocol/json.ts";
import { pyStrFromJsonText } from "../python/json_loads.ts";
import { pyStr } from "../python/repr.ts";

/** A decoded payload and how to render it in `Invalid request data type` errors. */
export interface Payload {
  readonly value: unknown;
  readonly repr: () => string;
}

/** 500 for a body over the configured limit (werkzeug's 413 text, through the catch-all handler). */
export function tooLarge(): SeldonMicroserviceException {
  return new SeldonMicroserviceException(
    werkzeugText(413),
    { statusCode: 500, reason: "MICROSERVICE_INTERNAL_ERROR" },
  );
}

const NO_JSON = "Can't find JSON in data";
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Lossy = new TextDecoder("utf-8");

/**
 * Strict UTF-8 decoding (throws on invalid bytes), fast for valid input: Deno decodes a
 * non-fatal `TextDecoder` in one native call, the fatal one through a slower generic path.
 * Lossy decoding writes U+FFFD for every invalid sequence, so a result without U+FFFD is
 * exactly what the strict decoder gives; only then is the strict decoder needed.
 */
function decodeUtf8Strict(bytes: Uint8Array): string {
  const text = utf8Lossy.decode(bytes);
  return text.includes("\uFFFD") ? utf8.decode(bytes) : text;
}

/** Reads the whole body, refusing more than `limit` bytes. */
export function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared === null) return readChunks(req, limit);
  if (Number(declared) > limit) return Promise.reject(tooLarge());
  // Reading without touching `req.body` keeps Deno's fast path (no JS stream is created), and
  // handing on its promise (no async wrapper) saves a promise and a microtask per request.
  return req.bytes();
}

/** A body without `content-length`, read chunk by chunk up to `limit` bytes. */
async function readChunks(req: Request, limit: number): Promise<Uint8Array> {
  if (req.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of req.body) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function isJsonType(contentType: string): boolean {
  const mime = contentType.split(";", 1)[0].trim().toLowerCase();
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

/** Parses a `json` form field or query parameter: invalid JSON is a 500 (server.md §2.3 [QUIRK]). */
function parseParameter(text: string): Payload {
  return { value: parseJsonLikePython(text), repr: () => pyStrFromJsonText(text) };
}

/** Options of {@link readPayload}. */
export interface ReadOptions {
  /** Largest body accepted. */
  readonly limit: number;
  /** PAYLOAD_PASSTHROUGH on a predict route: no JSON decoding. */
  readonly passthrough: boolean;
}

/**
 * The request payload of any JSON operation route. Throws 400 `Can't find JSON in data` when
 * there is none, 500 for an invalid `json` parameter or multipart field.
 */
export async function readPayload(
  req: Request,
  url: { readonly search: string },
  options: ReadOptions,
): Promise<Payload> {
  const contentType = req.headers.get("content-type") ?? "";
  if (contentType.includes("multipart/form-data")) return await readMultipart(req, options.limit);
  let body: Uint8Array | undefined;
  if (contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    body = await readBody(req, options.limit);
    const field = new URLSearchParams(new TextDecoder().decode(body)).get("json");
    if (field) return options.passthrough ? rawString(field) : parseParameter(field);
  }
  const query = url.search.length > 1 ? new URLSearchParams(url.search).get("json") : null;
  if (query) return options.passthrough ? rawString(query) : parseParameter(query);
  body ??= await readBody(req, options.limit);
  if (options.passthrough) return { value: body, repr: () => pyStr(body) };
  if (!isJsonType(contentType) || body.length === 0) throw badData(NO_JSON);
  let text: string;
  let value: unknown;
  try {
    text = decodeUtf8Strict(body);
    value = parseJson(text);
  } catch {
    throw badData(NO_JSON);
  }
  if (value === null) throw badData(NO_JSON);
  return { value, repr: () => pyStrFromJsonText(text) };
}

function rawString(text: string): Payload {
  return { value: text, repr: () => pyStr(text) };
}

/**
 * Assembles a message object from multipart parts: text fields are JSON (except `strData`),
 * a `binData` file is base64-encoded, other files are strict UTF-8 text; files win over fields,
 * and of repeated names the first part counts (werkzeug `MultiDict.get`). A body werkzeug cannot
 * parse (no boundary, malformed parts) is an empty form, so the message is `{}`.
 */
async function readMultipart(req: Request, limit: number): Promise<Payload> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  let form: FormData | undefined;
  try {
    form = await req.formData();
  } catch {
    form = undefined;
  }
  const message: Record<string, unknown> = {};
  const files = new Map<string, File>();
  for (const [key, value] of form?.entries() ?? []) {
    if (typeof value !== "string") {
      if (!files.has(key)) files.set(key, value);
    } else if (!Object.hasOwn(message, key)) {
      message[key] = key === "strData" ? value : parseJsonLikePython(value);
    }
  }
  for (const [key, file] of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    message[key] = key === "binData" ? encodeBase64(bytes) : utf8.decode(bytes);
  }
  return { value: message, repr: () => pyStr(message) };
}
