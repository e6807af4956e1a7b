/**
 * Reading a V2 infer request's body: under the REST size limit and `--body-timeout`, then
 * decompressed when its `Content-Encoding` is `gzip` (or `x-gzip`) or `deflate`, as Triton
 * accepts them (tritonclient's `request_compression_algorithm`). The size limit bounds the
 * decompressed body too, and decompression stops as soon as it passes it: a compression bomb is
 * a 413 without being inflated. Other codings are a 415 naming the accepted ones.
 * @module
 */
import { concatBytes } from "../protocol/bytes.ts";
import { OipError } from "../protocol/oip/errors.ts";
import { type BodyLimits, isTooLarge, readBody } from "./body.ts";

/** The content codings a V2 infer body may use (`Accept-Encoding` of a 415). */
export const ACCEPTED_CODINGS = "gzip, deflate";

const FORMATS: Readonly<Record<string, CompressionFormat>> = {
  "gzip": "gzip",
  "x-gzip": "gzip",
  "deflate": "deflate",
};

/**
 * Compressed bytes go to the decompressor in slices this long: it inflates each slice whole
 * before the size check sees it, and deflate inflates at most ~1032×, so one step holds at
 * most ~8 MiB beyond the limit.
 */
const SLICE = 8 * 1024;

/** The 413 of a body over `limit` bytes. */
export function bodyTooLarge(limit: number): OipError {
  return new OipError(413, `the request body is larger than the server's limit of ${limit} bytes`);
}

/**
 * The decompression format `header` (a `Content-Encoding` value) asks for: undefined for none
 * or `identity`; one of gzip, x-gzip, deflate (any case); anything else, several codings
 * included, is a 415.
 */
export function contentCoding(header: string | null): CompressionFormat | undefined {
  if (header === null) return undefined;
  const codings = header.split(",").map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0) return undefined;
  const format = codings.length === 1 && Object.hasOwn(FORMATS, codings[0])
    ? FORMATS[codings[0]]
    : undefined;
  if (format !== undefined) return format;
  throw new OipError(
    415,
    `Content-Encoding '${header}' is not supported: send the body as it is, or compressed ` +
      `with one of ${ACCEPTED_CODINGS}`,
  );
}

/**
 * The body of a V2 infer request, decompressed when its `Content-Encoding` says so. Throws an
 * `OipError`: 415 for a coding it does not decode (before reading the body), 413 for a body
 * (or decompressed body) over the limit, 400 for bytes that do not decompress.
 */
export async function readInferBody(
  req: Request,
  limits: BodyLimits,
): Promise<Uint8Array<ArrayBuffer>> {
  const format = contentCoding(req.headers.get("content-encoding"));
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readBody(req, limits);
  } catch (err) {
    throw isTooLarge(err) ? bodyTooLarge(limits.limit) : err;
  }
  return format === undefined ? bytes : await decompress(bytes, format, limits.limit);
}

/** `bytes` decompressed, failing with a 413 as soon as the output passes `limit` bytes. */
async function decompress(
  bytes: Uint8Array<ArrayBuffer>,
  format: CompressionFormat,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  let at = 0;
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.subarray(at, at += SLICE));
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough<Uint8Array<ArrayBuffer>>(new DecompressionStream(format))
    .getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
      try {
        next = await reader.read();
      } catch (err) {
        throw new OipError(
          400,
          `the request body is not valid ${format} data (Content-Encoding): ` +
            (err instanceof Error ? err.message : String(err)),
        );
      }
      if (next.done) break;
      total += next.value.length;
      if (total > limit) throw bodyTooLarge(limit);
      chunks.push(next.value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  }
  return concatBytes(chunks);
}
