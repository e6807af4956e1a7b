/**
 * Every scenario of issue 13 in one run, each with its floor, then a summary of ratios and
 * targets (`deno task bench`). Each scenario is its own script, runnable alone:
 *
 * - `rest`: small REST predict vs a bare `Deno.serve` echo (`bench/run.ts`, `deno task bench:rest`);
 * - `large`: 1e6-float payloads vs a bare JSON round trip (`bench/large.ts`, skipped if absent);
 * - `grpc`: gRPC Predict vs a bare grpc-js echo (`bench/grpc.ts`, `deno task bench:grpc`), and a
 *   1e6-double tensor vs a bare grpc-js server answering the same bytes (one call in flight);
 * - `footprint`: idle RSS per role and time to ready (`bench/footprint.ts`);
 * - `soak`: tree RSS after large requests and idle, 1,000-connection soak (`bench/soak.ts`).
 *
 *   deno task bench [--seconds 5] [--rounds 3] [--runs 5] [--soak-seconds 20] [--idle 30]
 *     [--only rest,large,grpc,footprint,soak] [--compare DIR]
 *
 * `--compare DIR` is passed to the REST and gRPC benches (another checkout measured in the same
 * rounds).
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    runs: { type: "string", default: "5" },
    "soak-seconds": { type: "string", default: "20" },
    idle: { type: "string", default: "30" },
    only: { type: "string", default: "rest,large,grpc,footprint,soak" },
    compare: { type: "string" },
  },
});
const only = new Set(values.only.split(","));
const compare = values.compare === undefined ? [] : ["--compare", values.compare];

/** Runs `bench/<script>` with `args`, echoing its output; resolves with that output. */
async function run(script: string, args: string[]): Promise<string> {
  console.log(`\n## ${script} ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", join(here, script), ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let out = "";
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    out += text;
    await Deno.stdout.write(new TextEncoder().encode(text));
  }
  const status = await child.status;
  if (!status.success) throw new Error(`${script} exited with ${status.code}`);
  return out;
}

/** One line of the summary: what was measured, the target, and whether it is met. */
const summary: string[] = [];
function verdict(what: string, value: string, target: string, met: boolean | undefined): void {
  const mark = met === undefined ? "—" : met ? "met" : "NOT met";
  summary.push(`| ${what} | ${value} | ${target} | ${mark} |`);
}
/** Runs one scenario; a failure is reported in the summary and the others still run. */
async function scenario(name: string, body: () => Promise<void>): Promise<void> {
  if (!only.has(name)) return;
  try {
    await body();
  } catch (err) {
    verdict(name, `failed: ${(err as Error).message}`, "", false);
  }
}

await scenario("rest", async () => {
  const out = await run("run.ts", [
    "--seconds",
    values.seconds,
    "--rounds",
    values.rounds,
    ...compare,
  ]);
  const m = /median: echo (\d+) req\/s, seldon (\d+) req\/s, ratio ([\d.]+)/.exec(out);
  if (!m) throw new Error("no median line");
  verdict(
    "REST small predict / bare echo (1 worker, wrk -c32)",
    `${m[2]} / ${m[1]} = ${m[3]}`,
    "≥ 0.75",
    Number(m[3]) >= 0.75,
  );
});

await scenario("large", async () => {
  try {
    await Deno.stat(join(here, "large.ts"));
  } catch {
    verdict("large payloads", "bench/large.ts not present: skipped", "≤ 1.5× floor", undefined);
    return;
  }
  const out = await run("large.ts", []);
  // One line per payload: `tensor   18.6 MB  floor 177 ms  seldon 220 ms  ratio 1.25 (…)`.
  for (
    const m of out.matchAll(
      /^(\w+)\s+([\d.]+ MB)\s+floor (\d+) ms\s+seldon (\d+) ms\s+ratio ([\d.]+)/gm,
    )
  ) {
    verdict(
      `large payload ${m[1]} (${m[2]}) / bare JSON round trip`,
      `${m[4]} / ${m[3]} ms = ${m[5]}×`,
      "≤ 1.5× floor",
      Number(m[5]) <= 1.5,
    );
  }
});

await scenario("grpc", async () => {
  const out = await run("grpc.ts", [
    "--seconds",
    values.seconds,
    "--rounds",
    values.rounds,
    ...compare,
  ]);
  for (
    const m of out.matchAll(
      /median (\w+): echo (\d+) req\/s, seldon (\d+) req\/s, ratio ([\d.]+).*echo\/seldon ([\d.]+)/g,
    )
  ) {
    verdict(
      `gRPC Predict ${m[1]} / bare grpc-js echo (req/s; CPU per call echo/seldon)`,
      `${m[3]} / ${m[2]} = ${m[4]}; CPU ${m[5]}`,
      "≥ 0.9",
      Number(m[4]) >= 0.9,
    );
  }
  // The 1e6-double tensor, one call at a time, against the floor answering the same bytes.
  const large = await run("grpc.ts", [
    "--payload",
    "tensor1e6",
    "--channels",
    "1",
    "--inflight",
    "1",
    "--seconds",
    values.seconds,
    "--rounds",
    values.rounds,
  ]);
  const m = /median tensor1e6 vs floor: (.*); ratio CPU ([\d.]+), wall ([\d.]+)/.exec(large);
  if (!m) throw new Error("no tensor1e6 median line");
  verdict(
    "gRPC Predict 1e6-double tensor / bare grpc-js floor (same answer bytes)",
    `${m[1]}; CPU ${m[2]}×, wall ${m[3]}×`,
    "≤ 2×",
    Number(m[2]) <= 2 && Number(m[3]) <= 2,
  );
});

await scenario("footprint", async () => {
  const out = await run("footprint.ts", ["--runs", values.runs, "--json"]);
  const json = JSON.parse(out.trim().split("\n").at(-1)!);
  const r = Object.values(json)[0] as {
    readyMs: number;
    roles: Record<string, number[]>;
    treeRss: number;
  };
  verdict(
    "spawn → first /health/ping 200 (median)",
    `${r.readyMs.toFixed(0)} ms`,
    "≤ 300 ms",
    r.readyMs <= 300,
  );
  const [floorRss, floorAnon] = r.roles["runtime floor"];
  verdict(
    "idle empty `deno run` beside them: the runtime floor (anon)",
    `${floorRss.toFixed(1)} MiB (${floorAnon.toFixed(1)})`,
    "",
    undefined,
  );
  for (const [role, [rss, anon, pss]] of Object.entries(r.roles)) {
    if (role.endsWith(" floor")) continue;
    const limit = role === "supervisor" ? 45 : 60;
    // Its stack floor: the runtime and the role's libraries, without our code (idle_process.ts).
    const [stackRss, stackAnon] = r.roles[`${role.replace(/ worker$/, "")} stack floor`] ?? [];
    const stack = stackRss === undefined
      ? ""
      : `; stack floor ${stackRss.toFixed(1)} (${stackAnon.toFixed(1)}), +${
        (rss - stackRss).toFixed(1)
      }`;
    verdict(
      `idle ${role} VmRSS (anon, PSS; above the runtime floor; its stack floor (anon), above it)`,
      `${rss.toFixed(1)} MiB (${anon.toFixed(1)}, ${pss.toFixed(1)}; +${
        (rss - floorRss).toFixed(1)
      }${stack})`,
      `≤ ${limit} MB`,
      rss * 1.048576 <= limit,
    );
  }
});

await scenario("soak", async () => {
  const out = await run("soak.ts", [
    "--seconds",
    values["soak-seconds"],
    "--idle",
    values.idle,
    "--json",
  ]);
  const r = JSON.parse(out.trim().split("\n").at(-1)!);
  const above = (r.largeIdleMiB - r.idleMiB) * 1.048576;
  verdict(
    `tree RSS ${values.idle} s after 20 × 1e6-float requests, above idle`,
    `${above.toFixed(0)} MB (idle ${r.idleMiB.toFixed(0)} MiB, peak ${r.largePeakMiB.toFixed(0)})`,
    "≤ 150 MB",
    above <= 150,
  );
  for (const [i, s] of (r.soaks as Record<string, number>[]).entries()) {
    verdict(
      `soak ${i + 1}: 1,000 connections × ${values["soak-seconds"]} s`,
      `${s.requests} requests, ${s.socketErrors + s.non2xx} errors, p99 ${
        s.p99Ms.toFixed(1)
      } ms, ping after ${s.pingMs.toFixed(0)} ms, tree RSS ${s.rssMiB.toFixed(0)} MiB`,
      "no error, no hang",
      s.socketErrors + s.non2xx === 0,
    );
  }
  const soaks = r.soaks as { rssMiB: number }[];
  if (soaks.length > 1) {
    const growth = soaks.at(-1)!.rssMiB - soaks[0].rssMiB;
    verdict(
      "tree RSS, last soak vs first (no leak)",
      `${growth.toFixed(1)} MiB`,
      "flat (within 5%)",
      growth <= soaks[0].rssMiB * 0.05,
    );
  }
});

console.log("\n## summary\n\n| scenario | measured | target | |\n|---|---|---|---|");
for (const line of summary) console.log(line);
