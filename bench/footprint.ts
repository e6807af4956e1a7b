/**
 * Footprint of each role: the resident memory (`VmRSS`) of the supervisor and of each worker,
 * and the time from spawning the server until `/health/ping` answers, as medians over several
 * cold starts (Linux /proc).
 *
 *   deno run -A bench/footprint.ts [--runs 5] [--root .] [--model ./examples/iris/IrisClassifier.ts#IrisClassifier] [-- extra server args]
 *
 * `--root` is the checkout whose `main.ts` is started (another checkout measures "before").
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join, resolve } from "node:path";
import { median } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    runs: { type: "string", default: "5" },
    root: { type: "string", default: join(here, "..") },
    model: { type: "string", default: "./examples/iris/IrisClassifier.ts#IrisClassifier" },
  },
});
const root = resolve(values.root);

/** One cold start: milliseconds to a ready REST port and the RSS in MiB of every process. */
interface Sample {
  readyMs: number;
  rss: Map<string, number[]>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** `VmRSS` of `pid` in MiB. */
function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
  return kb / 1024;
}

/** The children of `pid` with the role in their environment (`SELDON_TS_ROLE`). */
function children(pid: number): { pid: number; role: string }[] {
  const text = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
  return text === "" ? [] : text.split(" ").map((c) => {
    const env = Deno.readTextFileSync(`/proc/${c}/environ`).split("\0");
    const role = env.find((e) => e.startsWith("SELDON_TS_ROLE="))?.slice(15) ?? "?";
    return { pid: Number(c), role };
  });
}

async function once(): Promise<Sample> {
  const http = freePort();
  const args = [
    "run",
    "--unstable-net",
    "-A",
    "main.ts",
    values.model,
    "--http-port",
    String(http),
    "--grpc-port",
    String(freePort()),
    "--metrics-port",
    String(freePort()),
    ...positionals,
  ];
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  // Every initial worker is ready once the supervisor logs the REST summary line.
  let log = "";
  let allReady!: () => void;
  const started = new Promise<void>((r) => (allReady = r));
  for (const stream of [child.stdout, child.stderr]) {
    (async () => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        if (log.length < 100_000) log += text;
        if (/running on port \d+ with \d+ workers/.test(log)) allReady();
      }
    })();
  }
  let readyMs: number | undefined;
  while (readyMs === undefined) {
    try {
      const res = await fetch(`http://127.0.0.1:${http}/health/ping`);
      await res.body?.cancel();
      if (res.ok) readyMs = performance.now() - t0;
    } catch { /* not bound yet */ }
    if (performance.now() - t0 > 60_000) throw new Error(`not ready:\n${log}`);
    if (readyMs === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  await started;
  await new Promise((r) => setTimeout(r, 1000)); // settle
  const rss = new Map<string, number[]>([["supervisor", [rssMiB(child.pid)]]]);
  for (const c of children(child.pid)) {
    rss.set(`${c.role} worker`, [...rss.get(`${c.role} worker`) ?? [], rssMiB(c.pid)]);
  }
  child.kill("SIGTERM");
  await child.status;
  return { readyMs, rss };
}

const samples: Sample[] = [];
for (let i = 0; i < Number(values.runs); i++) samples.push(await once());
const roles = [...new Set(samples.flatMap((s) => [...s.rss.keys()]))];
console.log(`root ${root}, model ${values.model}, ${samples.length} runs (medians)`);
console.log(`| time to ready (ms) | ${roles.map((r) => `${r} RSS (MiB)`).join(" | ")} |`);
console.log(`|---:|${roles.map(() => "---:").join("|")}|`);
const cells = roles.map((role) => median(samples.flatMap((s) => s.rss.get(role) ?? [])).toFixed(1));
console.log(`| ${median(samples.map((s) => s.readyMs)).toFixed(0)} | ${cells.join(" | ")} |`);
