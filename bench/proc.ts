/**
 * Helpers shared by the benchmarks: starting a server process and reading the port it logs,
 * CPU accounting of a process tree from Linux /proc, medians.
 * @module
 */

/** The small REST predict body of the throughput benchmarks (one iris row, with names). */
export const SMALL_PREDICT = '{"data":{"names":["a","b","c","d"],"ndarray":[[5.1,3.5,1.4,0.2]]}}';

/** A new `Request` of {@link SMALL_PREDICT} to the predict route (for in-process handlers). */
export function smallPredictRequest(): Request {
  return new Request("http://127.0.0.1:9000/api/v1.0/predictions", {
    method: "POST",
    body: SMALL_PREDICT,
    headers: {
      "content-type": "application/json",
      "content-length": String(SMALL_PREDICT.length),
    },
  });
}

/** A spawned server: its port (from its log) and process. */
export interface Spawned {
  port: number;
  child: Deno.ChildProcess;
}

/**
 * Runs `deno <args>` in `cwd` and resolves with the port matched by `portPattern` (group 1) in
 * its stdout or stderr. Output keeps being drained so the child never blocks on a full pipe.
 */
export async function spawnServer(
  args: string[],
  cwd: string,
  portPattern = /(?:^|\n)(?:[^\n]*REST microservice |)running on port (\d+)/,
): Promise<Spawned> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const streams = [child.stdout, child.stderr].map((s) =>
    s.pipeThrough(new TextDecoderStream()).getReader()
  );
  let log = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    for (const r of streams) {
      (async () => {
        while (true) {
          const { value, done } = await r.read();
          if (done) return;
          if (log.length < 100_000) log += value;
          const m = portPattern.exec(log);
          if (m) resolve(Number(m[1]));
        }
      })().catch(reject);
    }
    timer = setTimeout(() => reject(new Error(`no port:\n${log}`)), 20_000);
  });
  clearTimeout(timer);
  return { port, child };
}

/** The benchmarks' folder: model specs such as `./identity.ts#Identity` are relative to it. */
export const BENCH_DIR = new URL(".", import.meta.url).pathname;

/** The loopback, ephemeral-port, REST-only defaults of {@link spawnSeldon}. */
const SELDON_DEFAULTS: Record<string, string> = {
  "--host": "127.0.0.1",
  "--http-port": "0",
  "--metrics-port": "0",
  "--grpc-workers": "0",
};

/**
 * Starts `main.ts` of the checkout at `root` (with that checkout's `deno.json`) serving `model`,
 * in `cwd` (the benchmarks' folder by default). `flags` are `--name value` pairs; each of
 * {@link SELDON_DEFAULTS} not among them is added. Resolves once the port matched by
 * `portPattern` is logged (the REST port by default).
 */
export function spawnSeldon(
  root: string,
  model: string,
  flags: string[] = [],
  options: { cwd?: string; portPattern?: RegExp } = {},
): Promise<Spawned> {
  const defaults = Object.entries(SELDON_DEFAULTS).filter(([name]) => !flags.includes(name));
  return spawnServer(
    [
      "run",
      "-A",
      "--unstable-net",
      "--config",
      `${root}/deno.json`,
      `${root}/main.ts`,
      model,
      ...defaults.flat(),
      ...flags,
    ],
    options.cwd ?? BENCH_DIR,
    options.portPattern,
  );
}

/** REST handler options without a worker's limits (`createHandler`'s second argument). */
export function plainRestOptions() {
  return {
    port: 0,
    hostname: "",
    maxBodySize: 1e9,
    payloadPassthrough: false,
    concurrency: 1,
    json: { pretty: false, ascii: true },
  };
}

/**
 * The REST handler options a worker has by default (`createHandler`'s second argument): the 128
 * MiB body limit, the 60 s body deadline, upstream's 5000 s request timeout, `--threads 1`, a
 * request counter and a terminating signal. A plain object, so any checkout's handler takes it.
 */
export function workerRestOptions() {
  let served = 0;
  return {
    port: 0,
    hostname: "",
    maxBodySize: 128 * 2 ** 20,
    payloadPassthrough: false,
    concurrency: 1,
    json: { pretty: false, ascii: true },
    bodyTimeoutMs: 60_000,
    timeoutMs: 5000 * 1000,
    onRequest: () => void served++,
    onStuck: () => {},
    terminating: new AbortController().signal,
  };
}

/** Stops a server started by {@link spawnServer}. */
export async function stopServer(s: Spawned): Promise<void> {
  s.child.kill("SIGTERM");
  await s.child.status;
}

/** CPU seconds (user + system) used so far by `pid` and all its descendants (Linux /proc). */
export function treeCpuSeconds(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const text = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry.name), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch { /* the process ended */ }
  }
  let ticks = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, st] of stats) if (st.ppid === pid) todo.push(child);
  }
  return ticks / 100; // USER_HZ
}

/**
 * Runs `load` (which returns the requests it completed) and returns requests/s and the CPU
 * microseconds the process tree of `pid` used per request meanwhile.
 */
export async function measureCpu(
  pid: number,
  load: () => Promise<{ requests: number; seconds: number }>,
): Promise<{ rps: number; cpuUs: number }> {
  const cpu0 = treeCpuSeconds(pid);
  const { requests, seconds } = await load();
  const cpu = treeCpuSeconds(pid) - cpu0;
  return { rps: requests / seconds, cpuUs: (cpu / requests) * 1e6 };
}

/**
 * One `bench/grpc_load.ts` run (`args`: its flags, e.g. `--port`, `--payload`), returning calls/s
 * and the CPU microseconds the process tree of `pid` used per call between the generator's
 * `start` line and its result line. Throws when a call failed.
 */
export async function grpcLoad(
  pid: number,
  args: string[],
): Promise<{ rps: number; cpuUs: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${BENCH_DIR}grpc_load.ts`, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let cpu0 = NaN;
  let cpu1 = NaN;
  let result: { requests: number; seconds: number; errors: number; firstError: string } | undefined;
  let buffered = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === "start") cpu0 = treeCpuSeconds(pid);
      else if (line.startsWith("{")) {
        cpu1 = treeCpuSeconds(pid);
        result = JSON.parse(line);
      }
    }
  }
  await child.status;
  if (result === undefined || Number.isNaN(cpu0)) throw new Error("load generator failed");
  if (result.errors > 0) throw new Error(`${result.errors} failed calls: ${result.firstError}`);
  return { rps: result.requests / result.seconds, cpuUs: ((cpu1 - cpu0) / result.requests) * 1e6 };
}

/** The median (upper median for an even count); does not modify `xs`. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** How {@link wrkPost} drives `wrk`. */
export interface WrkOptions {
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number | string;
  /** Extra arguments (e.g. `--latency`, `--timeout 10s`). */
  readonly extra?: readonly string[];
}

/** What one `wrk` run reported (its text, and requests/s parsed from it). */
export interface WrkRun {
  readonly text: string;
  readonly rps: number;
}

/**
 * POSTs the JSON `body` to `url` with `wrk` (Debian package `wrk`) for the given time; throws
 * when wrk reports no rate, or when `strict` and any answer was not 2xx.
 */
export async function wrkPost(
  url: string,
  body: string,
  options: WrkOptions,
  strict = true,
): Promise<WrkRun> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  try {
    const out = await new Deno.Command("wrk", {
      args: [
        `-t${options.threads}`,
        `-c${options.connections}`,
        `-d${options.seconds}s`,
        ...(options.extra ?? []),
        "-s",
        script,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
    const m = /Requests\/sec:\s+([\d.]+)/.exec(text);
    if (!m) throw new Error(`wrk output:\n${text}`);
    if (strict && /Non-2xx/.test(text)) throw new Error(`errors during the run:\n${text}`);
    return { text, rps: Number(m[1]) };
  } finally {
    await Deno.remove(script);
  }
}
