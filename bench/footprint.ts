/**
 * Footprint of each role: the resident memory (`VmRSS`) of the supervisor and of each worker,
 * and the time from spawning the server until `/health/ping` answers, as medians over several
 * cold starts (Linux /proc).
 *
 *   deno run -A bench/footprint.ts [--runs 5] [--root .]... [--model ./examples/iris/IrisClassifier.ts#IrisClassifier] [-- extra server args]
 *
 * `--root` is a checkout whose `main.ts` is started; give it twice (e.g. a `git archive` of the
 * commit before a change, then this one) and runs alternate between them, so machine noise hits
 * both alike. A model outside the repository that imports npm packages adds them to the
 * checkout's `deno.lock` (the server runs with its `deno.json`): restore it afterwards.
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
    root: { type: "string", multiple: true, default: [join(here, "..")] },
    model: { type: "string", default: "./examples/iris/IrisClassifier.ts#IrisClassifier" },
  },
});
const roots = values.root.map((r) => resolve(r));

/** One cold start: milliseconds to a ready REST port and the RSS in MiB of every process. */
interface Sample {
  readyMs: number;
  /** Per role, `[VmRSS, RssAnon]` of each of its processes. */
  rss: Map<string, [number, number][]>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * `VmRSS` and `RssAnon` of `pid` in MiB. The rest of the RSS is mostly the `deno` executable's
 * pages, shared by every process; `RssAnon` is what each process adds on its own.
 */
function rssMiB(pid: number): [number, number] {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  return [field("VmRSS") / 1024, field("RssAnon") / 1024];
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

async function once(root: string): Promise<Sample> {
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
  const rss = new Map<string, [number, number][]>([["supervisor", [rssMiB(child.pid)]]]);
  for (const c of children(child.pid)) {
    rss.set(`${c.role} worker`, [...rss.get(`${c.role} worker`) ?? [], rssMiB(c.pid)]);
  }
  child.kill("SIGTERM");
  await child.status;
  return { readyMs, rss };
}

const samples = new Map<string, Sample[]>(roots.map((r) => [r, []]));
for (let i = 0; i < Number(values.runs); i++) {
  for (const root of roots) samples.get(root)!.push(await once(root));
}
const all = [...samples.values()].flat();
const roles = [...new Set(all.flatMap((s) => [...s.rss.keys()]))];
console.log(`model ${values.model}, ${values.runs} runs each (medians)`);
console.log(
  `| checkout | time to ready (ms) | ${roles.map((r) => `${r} RSS / anon (MiB)`).join(" | ")} |`,
);
console.log(`|---|---:|${roles.map(() => "---:").join("|")}|`);
for (const [root, runs] of samples) {
  const cells = roles.map((role) => {
    const values = runs.flatMap((s) => s.rss.get(role) ?? []);
    if (values.length === 0) return "—";
    const [rss, anon] = [0, 1].map((i) => median(values.map((v) => v[i])).toFixed(1));
    return `${rss} / ${anon}`;
  });
  const ready = median(runs.map((s) => s.readyMs)).toFixed(0);
  console.log(`| ${root} | ${ready} | ${cells.join(" | ")} |`);
}
