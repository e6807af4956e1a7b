/**
 * Running the real program as a subprocess for tests: from an app folder, on ephemeral
 * loopback ports read back from its log.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The program's entry point, `main.ts`. */
export const MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "main.ts");

/** A temporary app folder like upstream's model-template-app(2). */
export async function appFolder(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "seldon-app-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, dirname(path)), { recursive: true });
    await Deno.writeTextFile(join(dir, path), text);
  }
  return dir;
}

/** An app folder's files: `MyModel`, which answers its input. */
export const IDENTITY_APP: Record<string, string> = {
  "MyModel.js": "export class MyModel { predict(X) { return X; } }\n",
};

/** A server process under test. */
export interface Spawned {
  readonly port: number;
  readonly grpcPort: number | undefined;
  readonly metricsPort: number | undefined;
  readonly url: string;
  readonly child: Deno.ChildProcess;
  /** Everything the process logged so far. */
  log(): string;
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Runs main.ts with `args` in `cwd` until it logs its REST port (ephemeral ports). With
 * `portFlags` false no port/host flags are added: the ports then come from `env`.
 *
 * With port 0 the supervisor picks a free port that its workers bind a moment later; a test
 * running in parallel can take it in between (`AddrInUse`), so such a start is tried again.
 */
export async function spawnServer(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  portFlags = true,
  limits: SpawnLimits = {},
): Promise<Spawned> {
  for (let attempt = 1;; attempt++) {
    try {
      return await spawnOnce(cwd, args, env, portFlags, limits);
    } catch (err) {
      if (attempt === 3 || !String(err).includes("AddrInUse")) throw err;
    }
  }
}

/** Resource limits of a spawned server. */
export interface SpawnLimits {
  /**
   * Soft and hard open-files limit (the shell's `ulimit -n`, which sets both; Deno raises the
   * soft one to the hard one).
   */
  readonly openFiles?: number;
  /** `deno run` flags before the script (default `--unstable-net -A`). */
  readonly denoFlags?: readonly string[];
}

async function spawnOnce(
  cwd: string,
  args: string[],
  env: Record<string, string>,
  portFlags: boolean,
  limits: SpawnLimits,
): Promise<Spawned> {
  const flags = portFlags
    ? ["--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--host", "127.0.0.1"]
    : [];
  const denoFlags = limits.denoFlags ?? ["--unstable-net", "-A"];
  const deno = [Deno.execPath(), "run", ...denoFlags, MAIN, ...args, ...flags];
  const command = limits.openFiles === undefined
    ? deno
    : ["sh", "-c", `ulimit -n ${limits.openFiles} && exec "$@"`, "sh", ...deno];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`server exited before listening:\n${log}`);
      log += value;
      const m = /REST microservice running on port (\d+)/.exec(log);
      if (m) {
        clearTimeout(deadline);
        const drain = (async () => {
          while (true) {
            const { value, done } = await reader.read();
            if (done) return;
            log += value;
          }
        })();
        const port = Number(m[1]);
        const g = /GRPC microservice running on port (\d+)/.exec(log);
        const mp = /REST metrics microservice running on port (\d+)/.exec(log);
        return {
          port,
          grpcPort: g ? Number(g[1]) : undefined,
          metricsPort: mp ? Number(mp[1]) : undefined,
          url: `http://127.0.0.1:${port}`,
          child,
          log: () => log,
          stop: async () => {
            try {
              child.kill("SIGTERM");
            } catch { /* already gone */ }
            const status = await child.status;
            await drain.catch(() => {});
            return status;
          },
        };
      }
    }
  } catch (err) {
    clearTimeout(deadline);
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    throw err;
  }
}

/** `n` distinct loopback ports that were free a moment ago. */
export function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}

/** Runs main.ts to completion (killed after 60 s) and returns its exit code and output. */
export async function runMain(args: string[], cwd = Deno.cwd(), env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-net", "-A", MAIN, ...args],
    cwd,
    env: {
      NO_COLOR: "1",
      PREDICTIVE_UNIT_HTTP_SERVICE_PORT: "0",
      PREDICTIVE_UNIT_GRPC_SERVICE_PORT: "0",
      PREDICTIVE_UNIT_METRICS_SERVICE_PORT: "0",
      SELDON_HOST: "127.0.0.1",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
