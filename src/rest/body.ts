/**
 * Where a REST request's payload comes from (server.md §2.3, upstream `get_request`):
 * multipart form → urlencoded `json` field → `json` query parameter → JSON body.
 * @module
 */
import { werkzeugText } from "../http/werkzeug.ts";
import { clearDeadline, setDeadline } from "./deadlines.ts";
import { encodeBase64 } from "../protocol/base64.ts";
import { concatBytes } from "../protocol/bytes.ts";
import { badData, SeldonMicroserviceException } from "../protocol/errors.ts";
import { parseJson } from "../protocol/json.ts";
import { parseJsonLikePython } from "../protocol/json.ts";
import { pyStrFromJsonText } from "../python/json_str.ts";
import { ECHO_CAP, pyStrBounded } from "../python/repr.ts";
import { decodeUtf8Python } from "../python/utf8.ts";
import { decodeJsonBytes, detectJsonEncoding } from "../python/json_bytes.ts";

/** A decoded payload and how to render it in `Invalid request data type` errors. */
export interface Payload {
  readonly value: unknown;
  readonly repr: () => string;
}

const TOO_LARGE = new WeakSet<object>();

/**
 * 500 for a body over the configured limit (werkzeug's 413 text, through the catch-all handler).
 * A plain `SeldonMicroserviceException` (never offered to a model's error handler), marked for
 * {@link isTooLarge}.
 */
export function tooLarge(): SeldonMicroserviceException {
  const err = new SeldonMicroserviceException(
    werkzeugText(413),
    { statusCode: 500, reason: "MICROSERVICE_INTERNAL_ERROR" },
  );
  TOO_LARGE.add(err);
  return err;
}

/** True for the error of a body over the size limit ({@link tooLarge}). */
export function isTooLarge(err: unknown): boolean {
  return typeof err === "object" && err !== null && TOO_LARGE.has(err);
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

/** How a body is read: its size limit and the time it has to arrive. */
export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  readonly limit: number;
  /** The whole body must arrive within this many ms of the read's start (0 or unset: no limit). */
  readonly timeoutMs?: number;
}

/**
 * A body that did not arrive within `--body-timeout`: 408 with werkzeug's text. The transport
 * answers it itself (no model error handler) and closes the connection.
 */
export class BodyTimeoutError extends SeldonMicroserviceException {
  constructor() {
    super(werkzeugText(408), { statusCode: 408, reason: "MICROSERVICE_BAD_DATA" });
  }
}

/**
 * Bodies declared at most this long are read with `req.bytes()` (Deno's fast path, which sizes
 * its buffer from `content-length`): what a lying client can make the server hold is bounded by
 * it. Larger ones are read chunk by chunk.
 */
const FAST_PATH_MAX = 64 * 1024;
/** {@link readChunks} copies chunks shorter than this into blocks of {@link BLOCK} bytes. */
const SMALL_CHUNK = 4096;
const BLOCK = 64 * 1024;

/**
 * Reads the whole body, refusing more than `limit` bytes and failing with a
 * {@link BodyTimeoutError} when it is not all there after `timeoutMs`. Memory grows with what
 * has arrived, never from the declared `content-length` alone.
 */
export function readBody(req: Request, limits: BodyLimits): Promise<Uint8Array<ArrayBuffer>> {
  const declared = req.headers.get("content-length");
  const size = declared === null ? undefined : Number(declared);
  if (size !== undefined && size > limits.limit) return Promise.reject(tooLarge());
  if (size !== undefined && size <= FAST_PATH_MAX) {
    // Reading without touching `req.body` keeps Deno's fast path (no JS stream is created).
    return limits.timeoutMs ? withTimeout(req.bytes(), limits.timeoutMs) : req.bytes();
  }
  const body = req.body;
  return body === null ? Promise.resolve(new Uint8Array(0)) : readChunks(body, limits);
}

/** `read` unless `ms` pass first (then a {@link BodyTimeoutError}; `read`'s fate is ignored). */
function withTimeout<T>(read: Promise<T>, ms: number): Promise<T> {
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  const deadline = setDeadline(ms, () => reject(new BodyTimeoutError()));
  read.then((value) => {
    clearDeadline(deadline);
    resolve(value);
  }, (err) => {
    // After a timeout, the connection closing fails the read: settled already, ignored.
    clearDeadline(deadline);
    reject(err);
  });
  return promise;
}

/**
 * A body read chunk by chunk, the chunks kept as they arrive and copied once into a buffer of
 * the total size at the end, so what is held is at most about twice what arrived (and each
 * byte is copied once, not once per doubling of a growing buffer). Small chunks are gathered
 * into shared blocks first, so a body trickling in byte by byte holds no object per byte.
 */
async function readChunks(
  body: ReadableStream<Uint8Array>,
  limits: BodyLimits,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  let timedOut = false;
  const deadline = limits.timeoutMs
    ? setDeadline(limits.timeoutMs, () => {
      timedOut = true;
      reader.cancel().catch(() => {});
    })
    : undefined;
  const chunks: Uint8Array[] = [];
  let block: Uint8Array | undefined;
  let used = 0;
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (timedOut) throw new BodyTimeoutError();
      if (done) break;
      total += value.length;
      if (total > limits.limit) throw tooLarge();
      if (value.length >= SMALL_CHUNK) {
        // A partly filled block is trimmed: small and large chunks in turn hold no empty blocks.
        if (block !== undefined) chunks.push(block.slice(0, used));
        block = undefined;
        chunks.push(value);
        continue;
      }
      if (block === undefined || used + value.length > BLOCK) {
        if (block !== undefined) chunks.push(block.subarray(0, used));
        block = new Uint8Array(BLOCK);
        used = 0;
      }
      block.set(value, used);
      used += value.length;
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  } finally {
    if (deadline) clearDeadline(deadline);
  }
  if (block !== undefined) chunks.push(block.subarray(0, used));
  return concatBytes(chunks);
}

/** The media type of a `Content-Type` value as werkzeug's `mimetype` reads it (lower case). */
function mimeOf(contentType: string): string {
  return contentType.split(";", 1)[0].trim().toLowerCase();
}

/** `application/json` or an `application/…+json` media type (Flask's `is_json`). */
function isJsonMime(mime: string): boolean {
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

/** Parses a `json` form field or query parameter: invalid JSON is a 500 (server.md §2.3 [QUIRK]). */
function parseParameter(text: string): Payload {
  return { value: parseJsonLikePython(text), repr: () => pyStrFromJsonText(text) };
}

/** Options of {@link readPayload}. */
export interface ReadOptions extends BodyLimits {
  /** PAYLOAD_PASSTHROUGH on a predict route: no JSON decoding. */
  readonly passthrough: boolean;
}

/**
 * The request payload of any JSON operation route. Throws 400 `Can't find JSON in data` when
 * there is none, 500 for an invalid `json` parameter or multipart field. A body is read only
 * when the answer depends on it: not when a `json` query parameter decides (unless the form may
 * hold a `json` field first), nor when its content type is not JSON and passthrough is off.
 */
export async function readPayload(
  req: Request,
  url: { readonly search: string },
  options: ReadOptions,
): Promise<Payload> {
  const contentType = req.headers.get("content-type") ?? "";
  // The usual content type is neither a form nor multipart: no lower-cased copy.
  const mime = contentType === "application/json" ? contentType : mimeOf(contentType);
  if (mime === "multipart/form-data") {
    return readMultipart(await readBody(req, options), contentType);
  }
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (mime === "application/x-www-form-urlencoded") {
    body = await readBody(req, options);
    const field = new URLSearchParams(new TextDecoder().decode(body)).get("json");
    if (field) return options.passthrough ? rawString(field) : parseParameter(field);
  }
  const query = url.search.length > 1 ? new URLSearchParams(url.search).get("json") : null;
  if (query) return options.passthrough ? rawString(query) : parseParameter(query);
  if (options.passthrough) {
    const raw = body ?? await readBody(req, options);
    return { value: raw, repr: () => pyStrBounded(raw, ECHO_CAP, raw.length) };
  }
  if (!isJsonMime(mime)) throw badData(NO_JSON);
  body = await readBody(req, options);
  if (body.length === 0) throw badData(NO_JSON);
  let text: string;
  let value: unknown;
  try {
    const encoding = detectJsonEncoding(body);
    text = encoding === "utf-8" ? decodeUtf8Strict(body) : decodeJsonBytes(body, encoding);
    value = parseJson(text);
  } catch {
    throw badData(NO_JSON);
  }
  if (value === null) throw badData(NO_JSON);
  return { value, repr: () => pyStrFromJsonText(text, ECHO_CAP, body.length) };
}

function rawString(text: string): Payload {
  return { value: text, repr: () => pyStrBounded(text) };
}

/**
 * Assembles a message object from multipart parts: text fields are JSON (except `strData`),
 * a `binData` file is base64-encoded, other files are strict UTF-8 text (invalid bytes fail with
 * CPython's `UnicodeDecodeError` text); files win over fields,
 * and of repeated names the first part counts (werkzeug `MultiDict.get`). A body werkzeug cannot
 * parse (no boundary, malformed parts) is an empty form, so the message is `{}`. The body was
 * read under the size limit and timeout first (`req.formData()` would read it unbounded).
 */
async function readMultipart(body: Uint8Array<ArrayBuffer>, contentType: string): Promise<Payload> {
  let form: FormData | undefined;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
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
    message[key] = key === "binData" ? encodeBase64(bytes) : decodeUtf8Python(bytes);
  }
  return { value: message, repr: () => pyStrBounded(message) };
}
