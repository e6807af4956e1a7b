/**
 * OnnxServer on the example model (examples/onnx/model.onnx: 8×8 digits, 64 FP32 features),
 * measured in one run (issue 11 item 5):
 *
 * 1. Per-call overhead for a single row: the latency of one request to the server (`main.ts
 *    OnnxServer`, one REST and one gRPC worker, one request in flight, keep-alive) minus the
 *    latency of `session.run` on the same model called directly in this process. Paths: V2 REST
 *    JSON, Seldon v1 REST `ndarray`; `/health/ping` is the transport's floor. Also the same
 *    with the session in a worker thread (`session_thread`), and that thread's round trip alone.
 * 2. Throughput: 32 concurrent clients, each sending single-row V2 REST requests (`wrk -c32`,
 *    Debian package `wrk`), batching off (no `--max-batch-size`). With `--batch` the server is
 *    also run with `--max-batch-size B --max-batch-time T` (adaptive batching, when this tree has
 *    those options) and rounds alternate between the two.
 *
 *   deno run --unstable-net -A bench/onnx.ts [--calls 2000] [--seconds 4] [--rounds 3]
 *     [--threads 1] [--batch] [--max-batch-size 32] [--max-batch-time 2] [--model FILE.onnx]
 *
 * `--model` runs another model (one FP32 input of shape [-1, F]; rows of ones) in place of the
 * example, e.g. one whose runs cost more, where batching has more to win.
 *
 * Both the server and the direct session use `--threads` intra-op threads (default 1: the
 * machine has 2 cores, shared with the load generator).
 */
import * as ort from "onnxruntime-node";
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { median, spawnSeldon, stopServer, treeCpuSeconds, wrkPost } from "./proc.ts";
import { openSessionThread } from "../src/runtimes/onnx/session.ts";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const { values } = parseArgs({
  args: Deno.args,
  options: {
    calls: { type: "string", default: "2000" },
    seconds: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    threads: { type: "string", default: "1" },
    batch: { type: "boolean", default: false },
    "max-batch-size": { type: "string", default: "32" },
    "max-batch-time": { type: "string", default: "2" },
    model: { type: "string" },
  },
});
const EXAMPLE = join(root, "examples", "onnx", "model.onnx");
const MODEL = values.model ?? EXAMPLE;
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);

const reference = JSON.parse(
  await Deno.readTextFile(join(root, "examples", "onnx", "reference.json")),
) as { input: number[][] };
// Another --model: one FP32 input [-1, F]; its row is F ones.
const session = await ort.InferenceSession.create(MODEL, {
  intraOpNumThreads: Number(values.threads),
});
const INPUT = session.inputNames[0];
const meta = session.inputMetadata[0];
const F = meta.isTensor ? Number(meta.shape.at(-1)) : NaN;
if (!(F > 0) || !meta.isTensor || meta.type !== "float32") {
  throw new Error(`${MODEL}: the bench needs one FP32 input of shape [-1, F]`);
}
const ROW = MODEL === EXAMPLE ? reference.input[0] : new Array(F).fill(1);
const V2_BODY = JSON.stringify({
  inputs: [{ name: INPUT, datatype: "FP32", shape: [1, F], data: ROW }],
});
const V1_BODY = JSON.stringify({ data: { ndarray: [ROW] } });

/** Median µs per call over blocks of `calls / 10` sequential calls (after a warm-up). */
async function perCall(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await call();
  const block = Math.max(1, Math.floor(CALLS / 10));
  const blocks: number[] = [];
  for (let b = 0; b < 10; b++) {
    const t0 = performance.now();
    for (let i = 0; i < block; i++) await call();
    blocks.push(((performance.now() - t0) / block) * 1000);
  }
  return median(blocks);
}

/** The server on the example model; `extra` adds flags (batching). */
function startServer(extra: string[], sessionThread = false) {
  const parameters = JSON.stringify([
    { name: "model_uri", value: MODEL, type: "STRING" },
    { name: "intra_op_threads", value: values.threads, type: "INT" },
    { name: "session_thread", value: String(sessionThread), type: "BOOL" },
  ]);
  return spawnSeldon(root, "OnnxServer", ["--parameters", parameters, ...extra], { cwd: root });
}

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
}

// 1. Per-call overhead.
const row = Float32Array.from(ROW);
const direct = await perCall(() =>
  session.run({ [INPUT]: new ort.Tensor("float32", row, [1, F]) })
);
const rows32 = new Float32Array(32 * F);
for (let i = 0; i < 32; i++) rows32.set(row, i * F);
const direct32 = await perCall(() =>
  session.run({ [INPUT]: new ort.Tensor("float32", rows32, [32, F]) })
);
const server = await startServer([]);
const base = `http://127.0.0.1:${server.port}`;
const v2 = await perCall(() => post(`${base}/v2/models/OnnxServer/infer`, V2_BODY));
const v1 = await perCall(() => post(`${base}/api/v1.0/predictions`, V1_BODY));
const ping = await perCall(async () => {
  const res = await fetch(`${base}/health/ping`);
  await res.arrayBuffer();
});
await stopServer(server);
const thread = await openSessionThread(MODEL, { intraOpNumThreads: Number(values.threads) });
const directThread = await perCall(() =>
  thread.run({ [INPUT]: { type: "float32", data: row, dims: [1, F] } }, session.outputNames)
);
const threadServer = await startServer([], true);
const v2Thread = await perCall(() =>
  post(`http://127.0.0.1:${threadServer.port}/v2/models/OnnxServer/infer`, V2_BODY)
);
await stopServer(threadServer);
const f = (x: number) => x.toFixed(1);
console.log("single row, one request in flight (median µs per call):");
console.log(`  session.run direct      ${f(direct)}`);
console.log(`  session.run direct, 32 rows in one call  ${f(direct32)}  (what batching merges)`);
console.log(`  V2 REST infer           ${f(v2)}  (overhead ${f(v2 - direct)})`);
console.log(`  v1 REST predict         ${f(v1)}  (overhead ${f(v1 - direct)})`);
console.log(`  GET /health/ping        ${f(ping)}  (the transport alone)`);
console.log(`  session.run in a worker thread, from this thread  ${f(directThread)}`);
console.log(`  V2 REST infer, session_thread  ${f(v2Thread)}  (overhead ${f(v2Thread - direct)})`);

// 2. Throughput, 32 concurrent single-row clients.
async function wrk(url: string): Promise<number> {
  return (await wrkPost(url, V2_BODY, { threads: 1, connections: 32, seconds: values.seconds }))
    .rps;
}

const variants: { name: string; flags: string[] }[] = [{ name: "batching off", flags: [] }];
if (values.batch) {
  variants.push({
    name: `batching on (${values["max-batch-size"]} rows, ${values["max-batch-time"]} ms)`,
    flags: [
      "--max-batch-size",
      values["max-batch-size"],
      "--max-batch-time",
      values["max-batch-time"],
    ],
  });
}
const results = new Map<string, { rps: number[]; cpu: number[] }>();
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants) {
    const s = await startServer(v.flags).catch((err) => {
      throw new Error(`${v.name}: the server did not start (${v.flags.join(" ")}): ${err}`);
    });
    await wrk(`http://127.0.0.1:${s.port}/v2/models/OnnxServer/infer`).catch(() => 0); // warm-up
    const cpu0 = treeCpuSeconds(s.child.pid);
    const t0 = performance.now();
    const rps = await wrk(`http://127.0.0.1:${s.port}/v2/models/OnnxServer/infer`);
    const seconds = (performance.now() - t0) / 1000;
    const cpuUs = ((treeCpuSeconds(s.child.pid) - cpu0) / (rps * seconds)) * 1e6;
    await stopServer(s);
    const r = results.get(v.name) ?? { rps: [], cpu: [] };
    r.rps.push(rps);
    r.cpu.push(cpuUs);
    results.set(v.name, r);
  }
}
console.log("32 concurrent single-row V2 REST clients (wrk -c32):");
for (const [name, r] of results) {
  console.log(
    `  ${name.padEnd(34)} ${Math.round(median(r.rps))} req/s (rounds ${
      r.rps.map(Math.round).join(", ")
    }), server CPU ${f(median(r.cpu))} µs/req`,
  );
}
Deno.exit(0); // the session thread would keep the process alive
