/**
 * The Open Inference Protocol (V2) on the REST port: the `/v2` routes (oip_routes.ts) run the
 * data plane's V2 operations with the REST adapter (JSON, or Triton's binary tensor extension).
 * Bodies go through the bounded reader (size limit, `--body-timeout`); errors answer an HTTP
 * status with `{"error": "<message>"}`.
 * @module
 */
import type { OipCall } from "../dataplane/oip.ts";
import type { DataPlane, HookContext } from "../dataplane/dataplane.ts";
import { isThenable, unhandledText } from "../dataplane/hooks.ts";
import type { Limiter, Ticket } from "../dataplane/limiter.ts";
import { logText } from "../error_text.ts";
import { addCors, preflight } from "../http/cors.ts";
import { logger } from "../logging.ts";
import { closeAfterAnswer } from "../http/guarded_serve.ts";
import { oipHttpError } from "../protocol/adapters/oip_errors.ts";
import { OipError } from "../protocol/oip/errors.ts";
import { encodeModelMetadata } from "../protocol/oip/json.ts";
import { OIP_REST, type RestInferAnswer } from "../protocol/adapters/oip_rest.ts";
import { stringifyJson } from "../protocol/json.ts";
import { type BodyLimits, BodyTimeoutError } from "./body.ts";
import { ACCEPTED_CODINGS, readInferBody } from "./oip_body.ts";
import { canCarryBody } from "./respond.ts";
import { matchOipRoute, type OipRoute } from "./oip_routes.ts";
import { oipJsonResponse } from "./oip_answer.ts";

const log = logger("rest");

/** The header that gives the JSON object's length in a binary-extension body. */
export const HEADER_LENGTH = "inference-header-content-length";

/** A V2 REST call as the data plane sees it. */
class OipRestCall implements OipCall {
  readonly adapter = OIP_REST;
  constructor(readonly headers: Headers) {}
  context(operation: "infer"): HookContext {
    return { protocol: "rest", operation, headers: this.headers };
  }
}

/** What the V2 handler shares with the REST transport. */
export interface OipRestDeps {
  readonly plane: DataPlane;
  /** The transport's `--threads` limiter: infer calls take a slot as v1 predictions do. */
  readonly limiter: Limiter;
  readonly limits: BodyLimits;
}

/** A V2 request: the matched route runs (`ticket`: the transport's deadline). */
export type OipHandler = (req: Request, path: string, ticket?: Ticket) => Promise<Response>;

/** The handler of every path under `/v2`; it never throws (errors are answers). */
export function createOipHandler(deps: OipRestDeps): OipHandler {
  const oip = deps.plane.oip;

  async function run(req: Request, route: OipRoute, ticket?: Ticket): Promise<Response> {
    switch (route.operation) {
      case "server-live":
        return json(req, { live: oip.serverLive() });
      case "server-ready":
        return json(req, { ready: oip.serverReady() });
      case "server-metadata":
        return json(req, oip.serverMetadata());
      case "model-ready":
        return json(req, { name: oip.modelName, ready: oip.modelReady(route.model!) });
      case "model-metadata":
        return json(req, encodeModelMetadata(oip.modelMetadata(route.model!)));
      case "repository-index":
        return json(req, oip.repositoryIndex());
      case "repository-load":
        oip.repositoryLoad(route.model!);
        return json(req, {});
      case "repository-unload":
        return oip.repositoryUnload(route.model!);
      case "infer": {
        const target = route.model!;
        oip.check(target); // an unknown model is answered before its body is read
        const headerLength = req.headers.get(HEADER_LENGTH);
        const bytes = await readInferBody(req, deps.limits);
        const call = new OipRestCall(req.headers);
        let answer = oip.inferNow(target, { bytes, headerLength }, call, deps.limiter, ticket);
        if (isThenable(answer)) answer = await answer;
        return inferResponse(req, answer as RestInferAnswer);
      }
    }
  }

  return async (req, path, ticket) => {
    const match = matchOipRoute(req.method, path);
    if (match.kind === "options") return preflight(req, match.allow);
    if (match.kind === "error") {
      const response = json(req, { error: match.message }, match.status);
      if (match.allow !== undefined) response.headers.set("allow", match.allow);
      return response;
    }
    try {
      return await run(req, match.route, ticket);
    } catch (err) {
      return oipErrorResponse(req, err);
    }
  };
}

/**
 * An error of a V2 call as its answer: a status that cannot carry a body (a user's 204 or 999)
 * becomes 500; 5xx answers are logged; a late body also closes the connection; a 415 (content
 * coding) names the accepted codings in `Accept-Encoding` (RFC 9110 §15.5.16).
 */
export function oipErrorResponse(req: Request, err: unknown): Response {
  logUnhandled(req, err);
  const { status, body } = oipHttpError(err);
  const sent = canCarryBody(status) ? status : 500;
  if (sent >= 500) log.error("{body}", { body: logText(JSON.stringify(body)) });
  const response = json(req, body, sent);
  if (err instanceof BodyTimeoutError) {
    response.headers.set("connection", "close");
    closeAfterAnswer(req);
  } else if (OipError.isOipError(err) && err.status === 415) {
    response.headers.set("accept-encoding", ACCEPTED_CODINGS);
  }
  return response;
}

/**
 * Logs a model's unhandled exception (its stack, at ERROR, with the request's route) once; the
 * answer stays upstream's error body.
 */
export function logUnhandled(req: Request, err: unknown): void {
  const text = unhandledText(err);
  if (text === undefined) return;
  const start = req.url.indexOf("/", req.url.indexOf("//") + 2);
  const query = req.url.indexOf("?", start);
  const path = req.url.slice(start, query < 0 ? undefined : query);
  log.error("{route}: {error}", { route: `${req.method} ${path}`, error: text });
}

function inferResponse(req: Request, answer: RestInferAnswer): Response {
  if (answer.text !== undefined) return oipJsonResponse(req, answer.text);
  const headers = new Headers();
  if (answer.headerLength === undefined) {
    headers.set("content-type", "application/json");
  } else {
    headers.set("content-type", "application/octet-stream");
    headers.set(HEADER_LENGTH, String(answer.headerLength));
  }
  addCors(req, headers);
  if (answer.parts.length > 1) {
    let length = 0;
    for (const part of answer.parts) length += part.byteLength;
    headers.set("content-length", String(length));
  }
  return new Response(bodyOf(answer.parts), { status: 200, headers });
}

/**
 * One part is sent as it is; several (a binary answer: the JSON, then tensors) as a stream of
 * them, so the tensors' bytes are not copied into one buffer first (the caller announces the
 * total length: Deno sends a stream with a `content-length` as is, not chunked).
 */
function bodyOf(parts: readonly Uint8Array[]): BodyInit {
  if (parts.length === 1) return parts[0] as Uint8Array<ArrayBuffer>;
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < parts.length) controller.enqueue(parts[next++]);
      else controller.close();
    },
  });
}

function json(req: Request, body: unknown, status = 200): Response {
  const headers = new Headers({ "content-type": "application/json" });
  addCors(req, headers);
  return new Response(stringifyJson(body), { status, headers });
}
