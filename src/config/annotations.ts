/**
 * Kubernetes pod annotations file (downward API) — server.md §1.7,
 * metrics-and-processes.md §1.1 step 8; port of upstream `load_annotations`.
 *
 * Logging choice (mirrors upstream exactly): a file that does not exist (or is
 * not a regular file) is silently treated as "no annotations" — the normal case
 * outside Kubernetes, so no ERROR is logged; only a file that exists but cannot
 * be read/decoded logs ERROR `Failed to open annotations file <path>`.
 * `Found annotation k:v` and `Bad annotation [<line>]` are INFO, as upstream.
 * The summary line `Annotations: {...}` is left to the caller (upstream logs it
 * in `main`; `pyStr(annotations)` renders it Python-style).
 *
 * @module
 */

import { pyRstrip, pyStrip } from "../python/builtins.ts";

/** Default path of the annotations file. */
export const ANNOTATIONS_FILE = "/etc/podinfo/annotations";

/** Log sink used by this module. */
export type AnnotationLog = (level: "info" | "error", message: string) => void;

/** Annotation holding the REST timeout in milliseconds. */
export const REST_TIMEOUT_ANNOTATION = "seldon.io/rest-timeout";
/** Annotation holding the gRPC max message size in bytes. */
export const GRPC_MAX_MSG_SIZE_ANNOTATION = "seldon.io/grpc-max-message-size";

const noLog: AnnotationLog = () => {};

/**
 * Python text-mode lines of `text` (universal newlines: `\n`, `\r\n`, `\r`),
 * without a trailing empty line after a final newline.
 */
function pyLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Parse annotation lines `key=value`: each line is right-trimmed, split at the
 * first `=`, both parts trimmed (Python `str.strip`), and the value loses its first
 * and last character unconditionally (the quotes; an unquoted value loses real
 * characters — upstream quirk). A line without `=` (including an empty line) is
 * logged at INFO as `Bad annotation [<line>]` and skipped. Duplicate keys: last wins.
 *
 * Example: `key=  "assign==="` → `{ key: "assign===" }`.
 */
export function parseAnnotations(text: string, log: AnnotationLog = noLog): Record<string, string> {
  const out = new Map<string, string>();
  for (const raw of pyLines(text)) {
    const line = pyRstrip(raw);
    const eq = line.indexOf("=");
    if (eq < 0) {
      log("info", `Bad annotation [${line}]`);
      continue;
    }
    const key = pyStrip(line.slice(0, eq));
    const value = pyStrip(line.slice(eq + 1)).slice(1, -1);
    log("info", `Found annotation ${key}:${value} `);
    out.set(key, value);
  }
  return Object.fromEntries(out);
}

/**
 * Read and parse the annotations file (synchronously; start-up only).
 * Missing path / not a regular file → `{}` without logging. Any other failure
 * (permission denied, invalid UTF-8, ...) → ERROR
 * `Failed to open annotations file <path>` and `{}`.
 */
export function readAnnotations(
  path: string = ANNOTATIONS_FILE,
  log: AnnotationLog = noLog,
): Record<string, string> {
  let text: string;
  try {
    let isFile: boolean;
    try {
      isFile = Deno.statSync(path).isFile;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
        return {};
      }
      throw e;
    }
    if (!isFile) return {};
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      Deno.readFileSync(path),
    );
  } catch {
    log("error", `Failed to open annotations file ${path}`);
    return {};
  }
  return parseAnnotations(text, log);
}
