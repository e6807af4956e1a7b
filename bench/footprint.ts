/**
 * Footprint of each role: the resident memory (`VmRSS`) of the supervisor and of each worker,
 * and the time from spawning the server until `/health/ping` answers, as medians over several
 * cold starts (Linux /proc).
 *
 *   deno run -A bench/footprint.ts [--runs 5] [--root .]... [--v8-flags F]... [--breakdown] [--model ./examples/iris/IrisClassifier.ts#IrisClassifier] [-- extra server args]
 *
 * `--v8-flags F` (repeatable) runs each root once more per value with `DENO_V8_FLAGS=F` (every
 * process of the tree inherits it); an empty value is the default start. Columns: `VmRSS` /
 * `RssAnon` / `Pss` (the proportional share: shared pages divided among the processes using them)
 * of each process, `--settle` ms (2000) after every worker is ready; `--json` prints the samples' medians as JSON too (for `bench/all.ts`).
 * The floor columns are idle processes started beside the server and measured with it
 * (`bench/idle_process.ts`): `runtime floor`, an empty `deno run` — what any Deno process holds
 * before our code does anything —, and per role its `stack floor`: the runtime plus the
 * libraries the role serves with (logtape, `Deno.serve`, grpc-js, prom-client), without this
 * server's code.
 * `--breakdown` adds, per role, the medians of `/proc/<pid>/smaps` by kind of mapping: the `deno`
 * executable's code (`text`, shared) and read-only data (`rodata`, 2.4 MiB of it anonymous:
 * relocations), anonymous mappings (`anon`: V8's heap, thread stacks, …) and glibc's heap
 * (`malloc`: what Rust and V8 allocate with `malloc`), RSS / anonymous MiB each.
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
    "v8-flags": { type: "string", multiple: true, default: [""] },
    json: { type: "boolean", default: false },
    breakdown: { type: "boolean", default: false },
    settle: { type: "string", default: "2000" },
  },
});
const roots = values.root.map((r) => resolve(r));
/** What a run starts: a checkout and the `DENO_V8_FLAGS` of its tree. */
const setups = roots.flatMap((root) => values["v8-flags"].map((flags) => ({ root, flags })));
const label = (s: { root: string; flags: string }) => s.flags ? `${s.root} ${s.flags}` : s.root;

/** The stacks of `bench/idle_process.ts` measured beside the server, and their rows. */
const STACKS = ["runtime", "supervisor", "rest", "grpc", "collector"] as const;
const floorRow = (stack: string) => stack === "runtime" ? "runtime floor" : `${stack} stack floor`;
const isFloor = (role: string) => role.endsWith(" floor");

/** One cold start: milliseconds to a ready REST port and the RSS in MiB of every process. */
interface Sample {
  readyMs: number;
  /** Per role, `[VmRSS, RssAnon, Pss]` of each of its processes. */
  rss: Map<string, [number, number, number][]>;
  /** Per role, `[RSS, anonymous]` MiB by kind of mapping (see {@link KINDS}), per process. */
  kinds: Map<string, Record<string, [number, number]>[]>;
}

/** The kinds of mapping `--breakdown` shows, in this order. */
const KINDS = ["text", "rodata", "anon", "malloc", "other"] as const;

/** `/proc/<pid>/smaps` summed by kind of mapping: `[Rss, Anonymous]` in MiB. */
function smapsKinds(pid: number): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = Object.fromEntries(KINDS.map((k) => [k, [0, 0]]));
  let kind = "other";
  for (const line of Deno.readTextFileSync(`/proc/${pid}/smaps`).split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const [, perms, path] = head;
      const exe = path.endsWith("/deno") || path === Deno.execPath();
      kind = exe && perms === "r-xp"
        ? "text"
        : exe && perms === "r--p"
        ? "rodata"
        : path === "[heap]"
        ? "malloc"
        : path === "" && perms.startsWith("rw")
        ? "anon"
        : "other";
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field) out[kind][field[1] === "Rss" ? 0 : 1] += Number(field[2]) / 1024;
  }
  return out;
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
function rssMiB(pid: number): [number, number, number] {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
  const pss = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)![1]);
  return [field("VmRSS") / 1024, field("RssAnon") / 1024, pss / 1024];
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

async function once(root: string, flags: string): Promise<Sample> {
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
    env: { NO_COLOR: "1", ...(flags ? { DENO_V8_FLAGS: flags } : {}) },
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
  const floors = STACKS.map((stack) => ({
    stack,
    process: new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...(stack === "runtime" ? [] : ["--v8-flags=--expose-gc"]),
        join(here, "idle_process.ts"),
        stack,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn(),
  }));
  // Workers run a compacting collection 1 s after they are ready (src/roles/memory.ts).
  await new Promise((r) => setTimeout(r, Number(values.settle)));
  const rss = new Map<string, [number, number, number][]>([["supervisor", [rssMiB(child.pid)]]]);
  const kinds = new Map([["supervisor", [smapsKinds(child.pid)]]]);
  for (const c of children(child.pid)) {
    rss.set(`${c.role} worker`, [...rss.get(`${c.role} worker`) ?? [], rssMiB(c.pid)]);
    kinds.set(`${c.role} worker`, [...kinds.get(`${c.role} worker`) ?? [], smapsKinds(c.pid)]);
  }
  for (const { stack, process } of floors) {
    rss.set(floorRow(stack), [rssMiB(process.pid)]);
    kinds.set(floorRow(stack), [smapsKinds(process.pid)]);
  }
  for (const process of [child, ...floors.map((f) => f.process)]) {
    process.kill("SIGTERM");
    await process.status;
  }
  return { readyMs, rss, kinds };
}

const samples = new Map<string, Sample[]>(setups.map((s) => [label(s), []]));
for (let i = 0; i < Number(values.runs); i++) {
  for (const setup of setups) samples.get(label(setup))!.push(await once(setup.root, setup.flags));
}
const all = [...samples.values()].flat();
const roles = [...new Set(all.flatMap((s) => [...s.rss.keys()]))];
console.log(`model ${values.model}, ${values.runs} runs each (medians)`);
console.log(
  `| checkout | time to ready (ms) | ${
    roles.map((r) => `${r} RSS / anon / PSS (MiB)`).join(" | ")
  } | tree RSS / PSS (MiB) |`,
);
console.log(`|---|---:|${roles.map(() => "---:").join("|")}|---:|`);
const report: Record<string, unknown> = {};
for (const [name, runs] of samples) {
  const medians: Record<string, number[]> = {};
  const cells = roles.map((role) => {
    const values = runs.flatMap((s) => s.rss.get(role) ?? []);
    if (values.length === 0) return "—";
    medians[role] = [0, 1, 2].map((i) => median(values.map((v) => v[i])));
    return medians[role].map((v) => v.toFixed(1)).join(" / ");
  });
  const tree = [0, 2].map((i) =>
    median(
      runs.map((s) =>
        [...s.rss].filter(([role]) => !isFloor(role)).flatMap(([, v]) => v).reduce(
          (a, v) => a + v[i],
          0,
        )
      ),
    )
  );
  const ready = median(runs.map((s) => s.readyMs));
  report[name] = { readyMs: ready, roles: medians, treeRss: tree[0], treePss: tree[1] };
  console.log(
    `| ${name} | ${ready.toFixed(0)} | ${cells.join(" | ")} | ${
      tree.map((v) => v.toFixed(1)).join(" / ")
    } |`,
  );
}
if (values.breakdown) {
  console.log(`\nby kind of mapping, RSS / anonymous (MiB, medians)`);
  console.log(`| checkout | role | ${KINDS.join(" | ")} |`);
  console.log(`|---|---|${KINDS.map(() => "---:").join("|")}|`);
  for (const [name, runs] of samples) {
    for (const role of roles) {
      const all = runs.flatMap((s) => s.kinds.get(role) ?? []);
      if (all.length === 0) continue;
      const cells = KINDS.map((k) =>
        [0, 1].map((i) => median(all.map((x) => x[k][i])).toFixed(1)).join(" / ")
      );
      console.log(`| ${name} | ${role} | ${cells.join(" | ")} |`);
    }
  }
}
if (values.json) console.log(JSON.stringify(report));
