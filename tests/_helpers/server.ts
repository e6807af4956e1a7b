/**
 * Test helpers: start a real REST server in this process on an ephemeral loopback port, and
 * talk to it with `fetch`.
 */
import type { SeldonComponent } from "../../src/component/api.ts";
import { type Config, parseConfig } from "../../src/config/options.ts";
import { type Running, startServing } from "../../src/serve.ts";

/** A server under test. */
export interface TestServer {
  readonly url: string;
  readonly running: Running;
  /** GET `path?json=<doc>` (no query when `doc` is undefined). */
  get(path: string, doc?: unknown): Promise<Answer>;
  /** POST `body` as application/json (a string is sent as is). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** Any request. */
  fetch(path: string, init?: RequestInit): Promise<Answer>;
  close(): Promise<void>;
}

/** A response with its body read. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A configuration as the CLI would build it from `env`, on 127.0.0.1 with ephemeral ports. */
export function testConfig(
  env: Record<string, string> = {},
  overrides: Partial<Config> = {},
): Config {
  const base = parseConfig(["TestModel"], env);
  return { ...base, httpPort: 0, grpcPort: 0, metricsPort: 0, host: "127.0.0.1", ...overrides };
}

/** Starts `component` on an ephemeral port; `env` plays the process environment. */
export async function startTestServer(
  component: SeldonComponent,
  env: Record<string, string> = {},
  overrides: Partial<Config> = {},
): Promise<TestServer> {
  const running = await startServing(component, testConfig(env, overrides));
  const url = `http://127.0.0.1:${running.rest!.port}`;
  const doFetch = async (path: string, init?: RequestInit) => answer(await fetch(url + path, init));
  return {
    url,
    running,
    fetch: doFetch,
    get: (path, doc) =>
      doFetch(doc === undefined ? path : `${path}?json=${encodeURIComponent(JSON.stringify(doc))}`),
    post: (path, body, headers = {}) =>
      doFetch(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    close: () => running.stop(),
  };
}

/** Runs `fn` against a fresh server and always closes it. */
export async function withServer(
  component: SeldonComponent,
  fn: (server: TestServer) => Promise<void>,
  env: Record<string, string> = {},
  overrides: Partial<Config> = {},
): Promise<void> {
  const server = await startTestServer(component, env, overrides);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}
