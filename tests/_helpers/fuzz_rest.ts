/**
 * V2 REST fuzz cases and their oracle: one seeded case is a request (JSON, binary extension,
 * compressed, or raw bytes with a lying `Content-Length`); its answer must be a valid success or
 * `{"error": "<text>"}` with a 4xx/5xx, within a time bound.
 * @module
 */
import {
  binaryRequest,
  chance,
  int,
  jsonRequest,
  mutateBytes,
  mutateObject,
  mutationText,
  pick,
  type Rng,
} from "./fuzz.ts";
import { concat } from "./bytes.ts";

const ENC = new TextEncoder();

/** One V2 REST request to send. */
export interface RestCase {
  readonly kind: "json" | "binary" | "gzip" | "raw" | "route";
  /** route only: the method and path (`{model}`: the model's name). */
  readonly method?: string;
  readonly path?: string;
  readonly mutated: boolean;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  /** raw only: the `Content-Length` to announce (a lie). */
  readonly contentLength?: number;
}

async function compress(bytes: Uint8Array, format: CompressionFormat): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Options of {@link restCase}. */
export interface RestCaseOptions {
  /** Raw cases may announce more bytes than they send (the server waits `--body-timeout`). */
  readonly longLies?: boolean;
}

/** A seeded V2 REST infer case (mutated with probability 0.85). */
export async function restCase(r: Rng, options: RestCaseOptions = {}): Promise<RestCase> {
  const mutated = chance(r, 0.85);
  const k = r();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (k < 0.45) {
    const object = jsonRequest(r);
    if (mutated && chance(r, 0.7)) mutateObject(r, object);
    let body = ENC.encode(mutationText(r, object));
    if (mutated && chance(r, 0.35)) body = mutateBytes(r, body) as Uint8Array<ArrayBuffer>;
    return { kind: "json", mutated, headers, body };
  }
  if (k < 0.8) {
    const { object, tensors: t } = binaryRequest(r);
    let tensors = t;
    if (mutated && chance(r, 0.5)) mutateObject(r, object);
    const json = ENC.encode(mutationText(r, object));
    let headerLength: string = String(json.length);
    if (mutated && chance(r, 0.4)) {
      headerLength = pick(r, [
        String(json.length + int(r, -5, 5)),
        "0",
        String(json.length + tensors.length + 1),
        "-1",
        "abc",
        "",
        " 12 ",
        "1e3",
        "0x10",
        "99999999999999999999",
        "4294967296",
        String(json.length) + ".0",
      ]);
    }
    if (mutated && chance(r, 0.4)) tensors = mutateBytes(r, tensors);
    headers["inference-header-content-length"] = headerLength;
    headers["content-type"] = pick(r, ["application/octet-stream", "application/json"]);
    return { kind: "binary", mutated, headers, body: concat(json, tensors) };
  }
  if (k < 0.93) {
    let plain: Uint8Array;
    if (chance(r, 0.6)) {
      const object = jsonRequest(r);
      if (mutated && chance(r, 0.3)) mutateObject(r, object);
      plain = ENC.encode(mutationText(r, object));
    } else { // a binary-extension body, compressed whole (the header counts the JSON as sent)
      const { object, tensors } = binaryRequest(r);
      const json = ENC.encode(JSON.stringify(object));
      headers["inference-header-content-length"] = String(json.length);
      plain = concat(json, tensors);
    }
    const format = pick(r, ["gzip", "deflate"] as const);
    let body = await compress(plain, format);
    let coding: string = format;
    if (mutated) {
      switch (int(r, 0, 4)) {
        case 0:
          body = mutateBytes(r, body);
          break;
        case 1:
          body = body.slice(0, int(r, 0, body.length - 1));
          break;
        case 2:
          body = plain; // says compressed, is not
          break;
        case 3:
          coding = pick(r, ["br", "gzip, gzip", "identity", "GZIP", "x-gzip", "deflate, br", "*"]);
          break;
        default:
          body = concat(body, randomTail(r)); // data after the end of the stream
      }
    }
    headers["content-encoding"] = coding;
    return { kind: "gzip", mutated, headers, body };
  }
  if (k < 0.97) {
    const body = ENC.encode(mutationText(r, jsonRequest(r)));
    return {
      kind: "route",
      mutated: true,
      method: pick(r, ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
      path: pick(r, ROUTES).replaceAll("{m}", "{model}"),
      headers,
      body: chance(r, 0.5) ? body : mutateBytes(r, body),
    };
  }
  const body = ENC.encode(JSON.stringify(jsonRequest(r)));
  const lies = options.longLies === false ? [-10, -1, -body.length] : [-10, -1, 1, 10, 100000];
  const contentLength = Math.max(0, body.length + pick(r, lies));
  return { kind: "raw", mutated: true, headers, body, contentLength };
}

/** Paths under `/v2`, odd ones included (`{m}`: the model's name). */
const ROUTES: readonly string[] = [
  "/v2",
  "/v2/",
  "/v2/health/live",
  "/v2/health/ready",
  "/v2/models/{m}",
  "/v2/models/{m}/ready",
  "/v2/models/{m}/infer",
  "/v2/models/{m}/versions/1/infer",
  "/v2/models/{m}/versions//infer",
  "/v2/models/{m}/versions/%2F/infer",
  "/v2/models//infer",
  "/v2/models/%ZZ/infer",
  "/v2/models/%00/ready",
  "/v2/models/{m}%2Finfer",
  "/v2/models/__proto__",
  "/v2/models/constructor/infer",
  "/v2/models/{m}/infer/",
  "/v2/models/{m}/infer?x=%ZZ",
  "/v2/repository/index",
  "/v2/repository/models/{m}/load",
  "/v2/repository/models/{m}/unload",
  "/v2/repository/models/__proto__/load",
  "/v2/models/" + "x".repeat(3000) + "/infer",
  "/v2/models/{m}/infer;x",
  "/v2//models/{m}/infer",
  "/v2/models/\u00e9/infer",
];

function randomTail(r: Rng): Uint8Array {
  return pick(r, [new Uint8Array([0]), ENC.encode("garbage"), new Uint8Array(100)]);
}

/** An answer as read back. */
export interface RestAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * What is wrong with the answer to `c`, or undefined: a success must be a V2 infer response (JSON, or
 * the binary extension's JSON header and tensor bytes); anything else must be a 4xx/5xx whose
 * body is exactly `{"error": "<text>"}` (other routes: any JSON success, HEAD no body).
 */
export function restProblem(a: RestAnswer, c?: RestCase): string | undefined {
  const text = new TextDecoder().decode(a.body);
  const binary = a.headers.has("inference-header-content-length");
  if (c?.kind === "route" && !binary) {
    if (c.method === "HEAD" || (c.method === "OPTIONS" && a.status < 300)) return undefined;
    if (a.status >= 200 && a.status < 300) {
      try {
        JSON.parse(text);
        return undefined;
      } catch {
        return `${a.status} with a body that is not JSON: ${text.slice(0, 200)}`;
      }
    }
  } else if (a.status === 200) {
    const hl = a.headers.get("inference-header-content-length");
    const head = hl === null ? text : new TextDecoder().decode(a.body.subarray(0, Number(hl)));
    let doc: any;
    try {
      // Non-finite floats are written as Python's json.dumps writes them (NaN, Infinity).
      doc = JSON.parse(head.replace(/(?<=[[,:])-?(NaN|Infinity)(?=[,\]}])/g, "null"));
    } catch {
      return `200 with a body that is not JSON: ${head.slice(0, 200)}`;
    }
    if (typeof doc?.model_name !== "string" || !Array.isArray(doc.outputs)) {
      return `200 that is not an infer response: ${head.slice(0, 200)}`;
    }
    return undefined;
  }
  if (a.status < 400 || a.status > 599) return `status ${a.status}: ${text.slice(0, 200)}`;
  // Error texts repeat parts of the request, cut at 16 KiB characters (UTF-8: up to 4 bytes).
  if (a.body.length > 64 * 1024 + 256) return `${a.status} of ${a.body.length} bytes`;
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return `${a.status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  if (
    typeof doc !== "object" || doc === null || Object.keys(doc).length !== 1 ||
    typeof doc.error !== "string"
  ) {
    return `${a.status} not in the error shape: ${text.slice(0, 200)}`;
  }
  if (a.headers.get("content-type") !== "application/json") {
    return `${a.status} with content-type ${a.headers.get("content-type")}`;
  }
  return undefined;
}

/** Sends `c` to `url` + `path` with fetch (raw cases too: see {@link sendRaw}). */
export async function sendRestCase(
  url: string,
  path: string,
  c: RestCase,
  timeoutMs = 5000,
): Promise<RestAnswer> {
  if (c.kind === "raw") return await sendRaw(url, path, c, timeoutMs);
  const model = path.split("/")[3];
  const method = c.method ?? "POST";
  const res = await fetch(url + (c.path?.replaceAll("{model}", model) ?? path), {
    method,
    headers: c.headers,
    body: method === "GET" || method === "HEAD" ? undefined : c.body as Uint8Array<ArrayBuffer>,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: new Uint8Array(await res.arrayBuffer()),
  };
}

/**
 * An HTTP/1.1 request written on a socket with `c.contentLength` announced (a lie), read until
 * the server answers (a status line and a `Content-Length` body) or closes; status 0 when it
 * closed without an answer.
 */
async function sendRaw(
  url: string,
  path: string,
  c: RestCase,
  timeoutMs: number,
): Promise<RestAnswer> {
  const port = Number(new URL(url).port);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed */ }
  }, timeoutMs);
  try {
    const head = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
      `content-length: ${c.contentLength}\r\nconnection: close\r\n\r\n`;
    await conn.write(concat(ENC.encode(head), c.body)).catch(() => 0);
    let got: Uint8Array = new Uint8Array(0);
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      got = concat(got, buf.subarray(0, n));
      const parsed = parseResponse(got);
      if (parsed) return parsed;
    }
    return parseResponse(got) ?? { status: 0, headers: new Headers(), body: got };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

function parseResponse(bytes: Uint8Array): RestAnswer | undefined {
  const text = new TextDecoder().decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = text.slice(0, end).split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers = new Headers();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    headers.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
  }
  const length = Number(headers.get("content-length") ?? NaN);
  const bodyStart = ENC.encode(text.slice(0, end + 4)).length;
  if (!Number.isFinite(length) || bytes.length - bodyStart < length) return undefined;
  return { status, headers, body: bytes.subarray(bodyStart, bodyStart + length) };
}
