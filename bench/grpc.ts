/**
 * gRPC throughput benchmark, measured side by side in one run: a bare grpc-js server echoing a
 * SeldonMessage (decoded and re-encoded with the server's codec, `grpc_echo_server.ts`) vs this
 * server's `seldon.protos.Model/Predict` on an identity model (`main.ts`, supervisor + one gRPC
 * worker). Both are driven by `grpc_load.ts` in a process of its own (`--channels` grpc-js
 * channels × `--inflight` calls in flight). Rounds alternate between the two servers so machine
 * noise hits both alike; each round runs every payload (`ndarray`, `tensor`; `tensor1e6`, a
 * 1,000,000-double tensor, on request — with `--channels 1 --inflight 1` it times single calls).
 *
 *   deno task bench:grpc [--seconds 5] [--rounds 3] [--channels 4] [--inflight 8]
 *     [--payload ndarray,tensor,tensor1e6] [--compare DIR]
 *
 * `--compare DIR` also runs the server of another checkout (e.g. a copy of the previous tree) in
 * every round, for before/after measured side by side.
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { median, spawnServer, stopServer, treeCpuSeconds } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    channels: { type: "string", default: "4" },
    inflight: { type: "string", default: "8" },
    payload: { type: "string", default: "ndarray,tensor" },
    compare: { type: "string" },
  },
});
const payloads = values.payload.split(",");

/** One load run against `port`; CPU of the tree of `pid` is sampled while requests are counted. */
async function measure(
  port: number,
  pid: number,
  payload: string,
): Promise<{ rps: number; cpuUs: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(here, "grpc_load.ts"),
      "--port",
      String(port),
      "--seconds",
      values.seconds,
      "--channels",
      values.channels,
      "--inflight",
      values.inflight,
      "--payload",
      payload,
    ],
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
  return {
    rps: result.requests / result.seconds,
    cpuUs: ((cpu1 - cpu0) / result.requests) * 1e6,
  };
}

const echo = await spawnServer(["run", "-A", join(here, "grpc_echo_server.ts")], here);
/** This server (or the one in `root`): supervisor + one gRPC worker on an identity model. */
const startSeldon = (root: string) =>
  spawnServer(
    [
      "run",
      "-A",
      "--unstable-net",
      join(root, "main.ts"),
      join(here, "identity.ts") + "#Identity",
      "--http-port",
      "0",
      "--metrics-port",
      "0",
      "--grpc-port",
      "0",
      "--grpc-workers",
      "1",
      "--grpc-max-message-size",
      "64m",
      "--host",
      "127.0.0.1",
    ],
    root,
    /GRPC microservice running on port (\d+)/,
  );
const seldon = await startSeldon(join(here, ".."));
const other = values.compare === undefined ? undefined : await startSeldon(values.compare);
type Row = { echo: number; seldon: number; echoCpu: number; seldonCpu: number };
const results = new Map<string, Row[]>(payloads.map((p) => [p, []]));
const compared = new Map<string, { rps: number; cpuUs: number }[]>(payloads.map((p) => [p, []]));
console.log(
  `${values.channels} channels × ${values.inflight} in flight, ${values.seconds} s per run`,
);
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    for (const payload of payloads) {
      const e = await measure(echo.port, echo.child.pid, payload);
      const s = await measure(seldon.port, seldon.child.pid, payload);
      const o = other && await measure(other.port, other.child.pid, payload);
      if (o) compared.get(payload)!.push(o);
      results.get(payload)!.push({
        echo: e.rps,
        seldon: s.rps,
        echoCpu: e.cpuUs,
        seldonCpu: s.cpuUs,
      });
      console.log(
        `round ${i + 1} ${payload}: echo ${e.rps.toFixed(0)} req/s (${
          e.cpuUs.toFixed(1)
        } µs CPU/req), seldon Predict ${s.rps.toFixed(0)} req/s (${
          s.cpuUs.toFixed(1)
        } µs CPU/req), ratio ${(s.rps / e.rps).toFixed(3)}` +
          (o ? `; compared ${o.rps.toFixed(0)} req/s (${o.cpuUs.toFixed(1)} µs CPU/req)` : ""),
      );
    }
  }
} finally {
  await Promise.all([echo, seldon, ...(other ? [other] : [])].map(stopServer));
}
for (const [payload, rows] of results) {
  const e = median(rows.map((r) => r.echo));
  const s = median(rows.map((r) => r.seldon));
  console.log(
    `median ${payload}: echo ${e.toFixed(0)} req/s, seldon ${s.toFixed(0)} req/s, ratio ${
      (s / e).toFixed(3)
    } (rounds ${rows.map((r) => (r.seldon / r.echo).toFixed(2)).join(", ")}); CPU/request echo ${
      median(rows.map((r) => r.echoCpu)).toFixed(1)
    } µs, seldon ${median(rows.map((r) => r.seldonCpu)).toFixed(1)} µs`,
  );
}
for (const [payload, rows] of compared) {
  if (rows.length === 0) continue;
  const o = median(rows.map((r) => r.rps));
  const e = median(results.get(payload)!.map((r) => r.echo));
  console.log(
    `median ${payload} compared (${values.compare}): ${o.toFixed(0)} req/s, ratio to echo ${
      (o / e).toFixed(3)
    }; CPU/request ${median(rows.map((r) => r.cpuUs)).toFixed(1)} µs`,
  );
}
