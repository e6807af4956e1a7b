/**
 * gRPC throughput benchmark, measured side by side in one run: a bare grpc-js server echoing a
 * SeldonMessage (decoded and re-encoded with the server's codec, `grpc_echo_server.ts`) vs this
 * server's `seldon.protos.Model/Predict` on an identity model (`main.ts`, supervisor + one gRPC
 * worker). Both are driven by `grpc_load.ts` in a process of its own (`--channels` grpc-js
 * channels × `--inflight` calls in flight). Rounds alternate between the two servers so machine
 * noise hits both alike; each round runs every payload (`ndarray`, `tensor`; `tensor1e6`, a
 * 1,000,000-double tensor, on request — with `--channels 1 --inflight 1` it times single calls).
 *
 * The floor of `tensor1e6` is not the echo: this server's answer carries 1,000,000 generated
 * names `t:0`… (upstream's rule; 17.9 MB against the request's 8 MB). As `bench/large.ts` does
 * for REST, its floor answers the same bytes: the server's answer is captured once, a second
 * bare grpc-js server (`grpc_echo_server.ts --answer`) decodes each request as proto-loader
 * does and answers those bytes, and every server's answer is checked byte-identical before the
 * clock starts. Its ratio is this server's over the floor's CPU (and wall) per call (≤ 2: issue
 * 13 item 4); the small payloads' is req/s over the echo's (≥ 0.9), with CPU per call beside.
 *
 *   deno task bench:grpc [--seconds 5] [--rounds 3] [--channels 4] [--inflight 8]
 *     [--payload ndarray,tensor,tensor1e6] [--compare DIR]
 *
 * `--compare DIR` also runs the server of another checkout (e.g. a copy of the previous tree) in
 * every round, for before/after measured side by side.
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { encodeMessage } from "../src/protocol/proto/codec.ts";
import { PAYLOADS } from "./grpc_load.ts";
import { grpcLoad, median, type Spawned, spawnSeldon, spawnServer, stopServer } from "./proc.ts";

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
function measure(
  port: number,
  pid: number,
  payload: string,
): Promise<{ rps: number; cpuUs: number }> {
  return grpcLoad(pid, [
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
  ]);
}

/** One Predict call with `payload`'s bytes to `port`; resolves with the answer's bytes. */
async function call(port: number, payload: string): Promise<Buffer> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  const request = Buffer.from(encodeMessage("SeldonMessage", PAYLOADS[payload]));
  try {
    return await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        "/seldon.protos.Model/Predict",
        () => request,
        (b: Buffer) => b,
        null,
        (err, res) => err || res === undefined ? reject(err) : resolve(res),
      )
    );
  } finally {
    client.close();
  }
}

const echo = await spawnServer(["run", "-A", join(here, "grpc_echo_server.ts")], here);
/** This server (or the one in `root`): supervisor + one gRPC worker on an identity model. */
const startSeldon = (root: string) =>
  spawnSeldon(root, "./identity.ts#Identity", [
    "--grpc-port",
    "0",
    "--grpc-workers",
    "1",
    "--grpc-max-message-size",
    "64m",
  ], { portPattern: /GRPC microservice running on port (\d+)/ });
const seldon = await startSeldon(join(here, ".."));
const other = values.compare === undefined ? undefined : await startSeldon(values.compare);
/** The floor of `tensor1e6`: a bare grpc-js server answering this server's answer bytes. */
let floor: Spawned | undefined;
if (payloads.includes("tensor1e6")) {
  const answer = await call(seldon.port, "tensor1e6");
  const file = await Deno.makeTempFile({ suffix: ".bin" });
  await Deno.writeFile(file, answer);
  floor = await spawnServer(
    ["run", "-A", join(here, "grpc_echo_server.ts"), "--answer", file],
    here,
  );
  await Deno.remove(file);
  for (
    const [who, port] of [["floor", floor.port], ["seldon", seldon.port], [
      "compared",
      other?.port,
    ]] as const
  ) {
    if (port === undefined) continue;
    const bytes = await call(port, "tensor1e6");
    if (!bytes.equals(answer)) {
      throw new Error(`tensor1e6: the ${who} answer differs from the captured one`);
    }
  }
  console.log(`tensor1e6: answers byte-identical (${answer.length} bytes)`);
}
/** The baseline of `payload`: the floor for tensor1e6, else the echo. */
const baseline = (payload: string) => payload === "tensor1e6" && floor ? floor : echo;
type Row = { echo: number; seldon: number; echoCpu: number; seldonCpu: number };
const results = new Map<string, Row[]>(payloads.map((p) => [p, []]));
const compared = new Map<string, { rps: number; cpuUs: number }[]>(payloads.map((p) => [p, []]));
console.log(
  `${values.channels} channels × ${values.inflight} in flight, ${values.seconds} s per run`,
);
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    for (const payload of payloads) {
      const base = baseline(payload);
      const e = await measure(base.port, base.child.pid, payload);
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
        `round ${i + 1} ${payload}: ${payload === "tensor1e6" ? "floor" : "echo"} ${
          e.rps.toFixed(0)
        } req/s (${e.cpuUs.toFixed(1)} µs CPU/req), seldon Predict ${s.rps.toFixed(0)} req/s (${
          s.cpuUs.toFixed(1)
        } µs CPU/req), ratio ${(s.rps / e.rps).toFixed(3)}` +
          (o ? `; compared ${o.rps.toFixed(0)} req/s (${o.cpuUs.toFixed(1)} µs CPU/req)` : ""),
      );
    }
  }
} finally {
  await Promise.all(
    [echo, seldon, ...(other ? [other] : []), ...(floor ? [floor] : [])].map(stopServer),
  );
}
for (const [payload, rows] of results) {
  const e = median(rows.map((r) => r.echo));
  const s = median(rows.map((r) => r.seldon));
  if (payload === "tensor1e6") {
    // Ratios of the costs (this server over the floor): CPU of the process tree and wall time
    // per call (1 / req/s: the latency with one call in flight), medians of the rounds' ratios.
    const cpu = median(rows.map((r) => r.seldonCpu / r.echoCpu));
    const wall = median(rows.map((r) => r.echo / r.seldon));
    console.log(
      `median tensor1e6 vs floor: floor ${
        (median(rows.map((r) => r.echoCpu)) / 1000).toFixed(1)
      } ms CPU, ${(1000 / e).toFixed(1)} ms wall per call; seldon ${
        (median(rows.map((r) => r.seldonCpu)) / 1000).toFixed(1)
      } ms CPU, ${(1000 / s).toFixed(1)} ms wall; ratio CPU ${cpu.toFixed(2)}, wall ${
        wall.toFixed(2)
      } (rounds CPU ${rows.map((r) => (r.seldonCpu / r.echoCpu).toFixed(2)).join(", ")}; wall ${
        rows.map((r) => (r.echo / r.seldon).toFixed(2)).join(", ")
      }; target ≤ 2)`,
    );
    continue;
  }
  console.log(
    `median ${payload}: echo ${e.toFixed(0)} req/s, seldon ${s.toFixed(0)} req/s, ratio ${
      (s / e).toFixed(3)
    } (rounds ${rows.map((r) => (r.seldon / r.echo).toFixed(2)).join(", ")}); CPU/request echo ${
      median(rows.map((r) => r.echoCpu)).toFixed(1)
    } µs, seldon ${median(rows.map((r) => r.seldonCpu)).toFixed(1)} µs, echo/seldon ${
      median(rows.map((r) => r.echoCpu / r.seldonCpu)).toFixed(3)
    }`,
  );
}
for (const [payload, rows] of compared) {
  if (rows.length === 0) continue;
  const o = median(rows.map((r) => r.rps));
  const base = results.get(payload)!;
  const e = median(base.map((r) => r.echo));
  if (payload === "tensor1e6") {
    console.log(
      `median tensor1e6 compared (${values.compare}): ${
        (median(rows.map((r) => r.cpuUs)) / 1000).toFixed(1)
      } ms CPU, ${(1000 / o).toFixed(1)} ms wall per call; ratio to the floor CPU ${
        median(rows.map((r, i) => r.cpuUs / base[i].echoCpu)).toFixed(2)
      }, wall ${median(rows.map((r, i) => base[i].echo / r.rps)).toFixed(2)}`,
    );
    continue;
  }
  console.log(
    `median ${payload} compared (${values.compare}): ${o.toFixed(0)} req/s, ratio to echo ${
      (o / e).toFixed(3)
    }; CPU/request ${median(rows.map((r) => r.cpuUs)).toFixed(1)} µs`,
  );
}
