/**
 * Small requests through Seldon v1 and the Open Inference Protocol (V2), side by side in one
 * run, on an identity model (`bench/identity.ts`):
 *
 * - REST: v1 `POST /api/v1.0/predictions` ({@link SMALL_PREDICT}) and V2
 *   `POST /v2/models/Identity/infer` (four FP64 values of shape [1, 4], {@link V2_SMALL}).
 * - gRPC: v1 `seldon.protos.Model/Predict` (a `tensor` of four doubles with names) and V2
 *   `inference.GRPCInferenceService/ModelInfer` (four values as FP64, FP32 and INT64 `contents`).
 *
 * Two modes:
 *
 *   deno run -A bench/oip_small.ts [--rounds 15] [--calls 20000] [--only rest-v1,…] DIR…
 *
 * in-process (the default): the REST handler (`createHandler`, a REST worker's default options)
 * and the registered gRPC handlers (deserializer, handler, serializer as grpc-js calls them) of
 * every checkout DIR (e.g. a `git archive` of an older commit, and `.`) in one process. Blocks of
 * `--calls` requests alternate between the trees and the cases; the figure is the process CPU
 * per call (the REST one minus building the `Request`), the median of `--rounds` blocks, and
 * for a tree after the first the median of its per-round differences to the first tree. All
 * trees must give the same answer bytes.
 *
 *   deno run --unstable-net -A bench/oip_small.ts --e2e [--seconds 3] [--rounds 3] DIR…
 *
 * end to end: each DIR's `main.ts` (supervisor + one REST and one gRPC worker) driven by `wrk
 * -t2 -c32` for REST and by `grpc_load.ts` (4 channels × 8 in flight) for gRPC; rounds rotate
 * the servers; req/s and the server's CPU per request (its process tree, from /proc).
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import process from "node:process";
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import {
  grpcLoad,
  measureCpu,
  median,
  SMALL_PREDICT,
  spawnSeldon,
  stopServer,
  workerRestOptions,
  wrkPost,
} from "./proc.ts";
import { GRPC_CALLS } from "./grpc_load.ts";

/** The small V2 REST infer body (the v1 benchmark's four floats, as FP64 of shape [1, 4]). */
export const V2_SMALL =
  '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[5.1,3.5,1.4,0.2]}]}';

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    e2e: { type: "boolean", default: false },
    rounds: { type: "string" },
    calls: { type: "string", default: "20000" },
    seconds: { type: "string", default: "3" },
    only: { type: "string" },
  },
  allowPositionals: true,
});
const trees = (positionals.length > 0 ? positionals : ["."]).map((p) => resolve(p));

/** The REST cases: path and body. */
const REST: Record<string, { path: string; body: string }> = {
  "rest-v1": { path: "/api/v1.0/predictions", body: SMALL_PREDICT },
  "rest-v2": { path: "/v2/models/Identity/infer", body: V2_SMALL },
};
/** The gRPC cases: a {@link GRPC_CALLS} entry each. */
const GRPC = ["grpc-v1-tensor", "grpc-v2-fp64", "grpc-v2-fp32", "grpc-v2-int64"];
const only = values.only?.split(",");
const restCases = Object.keys(REST).filter((c) => !only || only.includes(c));
const grpcCases = GRPC.filter((c) => !only || only.includes(c));

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system; // µs
};

if (values.e2e) await endToEnd();
else await inProcess();

/** Per case, one call of each tree (resolves with the answer's bytes). */
type Call = () => Promise<Uint8Array>;

async function inProcess(): Promise<void> {
  const calls = Number(values.calls);
  const rounds = Number(values.rounds ?? "15");
  const cases = new Map<string, Call[]>();
  const mkRequest = (name: string) => () =>
    new Request(`http://127.0.0.1:9000${REST[name].path}`, {
      method: "POST",
      body: REST[name].body,
      headers: {
        "content-type": "application/json",
        "content-length": String(REST[name].body.length),
      },
    });
  for (const root of trees) {
    const { DataPlane } = await import(`file://${root}/src/dataplane/dataplane.ts`);
    const { createHandler } = await import(`file://${root}/src/rest/server.ts`);
    const { buildGrpcServer } = await import(`file://${root}/src/grpc/server.ts`);
    const { InFlight } = await import(`file://${root}/src/dataplane/inflight.ts`);
    const { Identity } = await import(`file://${root}/bench/identity.ts`);
    const plane = await DataPlane.create(new Identity(), {
      includeMetrics: true,
      executorEnabled: true,
    });
    const options = workerRestOptions();
    const rest = createHandler(plane, options);
    for (const name of restCases) {
      const mk = mkRequest(name);
      const call: Call = async () => {
        const response = await rest(mk());
        if (response.status !== 200) throw new Error(`${name}: ${await response.text()}`);
        return await response.bytes();
      };
      (cases.get(name) ?? cases.set(name, []).get(name)!).push(call);
    }
    const server = buildGrpcServer(plane, {
      port: 0,
      hostname: "",
      concurrency: 1,
      onRequest: options.onRequest,
      terminating: options.terminating,
    }, new InFlight());
    type Handler = {
      func: (call: unknown, cb: (err: unknown, value?: unknown) => void) => void;
      serialize: (v: unknown) => Buffer;
      deserialize: (b: Buffer) => unknown;
    };
    const registered = (server as unknown as { handlers: Map<string, Handler> }).handlers;
    // What grpc-js's server hands over for a grpc-js client's call.
    const metadata = grpc.Metadata.fromHttp2Headers({
      "user-agent": "grpc-node-js/1.14.7",
      "grpc-accept-encoding": "identity,deflate,gzip",
      "accept-encoding": "identity",
    });
    for (const name of grpcCases) {
      const { path, bytes } = GRPC_CALLS[name];
      const h = registered.get(path)!;
      const call: Call = () =>
        new Promise<Uint8Array>((resolve, reject) =>
          h.func({ request: h.deserialize(bytes), metadata }, (err, value) => {
            if (err) reject(new Error(`${name}: ${JSON.stringify(err)}`));
            else resolve(h.serialize(value));
          })
        );
      (cases.get(name) ?? cases.set(name, []).get(name)!).push(call);
    }
  }
  // Every tree answers the same bytes.
  for (const [name, calls] of cases) {
    const answers = new Set<string>();
    for (const c of calls) answers.add(Buffer.from(await c()).toString("base64"));
    if (answers.size > 1) throw new Error(`${name}: the answers differ`);
  }
  const block = async (c: Call): Promise<number> => {
    const t = cpu();
    for (let i = 0; i < calls; i++) await c();
    return (cpu() - t) / calls;
  };
  const mk = mkRequest("rest-v1");
  const construction = (): number => {
    const t = cpu();
    for (let i = 0; i < calls; i++) mk();
    return (cpu() - t) / calls;
  };
  for (const list of cases.values()) {
    for (const c of list) for (let i = 0; i < 2; i++) await block(c);
  }
  const results = new Map<string, number[][]>(
    [...cases.keys()].map((name) => [name, trees.map(() => [])]),
  );
  const base: number[] = [];
  const names = [...cases.keys()];
  for (let r = 0; r < rounds; r++) {
    base.push(construction());
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      const list = cases.get(name)!;
      for (let j = 0; j < list.length; j++) {
        const t = (j + r) % list.length;
        results.get(name)![t].push(await block(list[t]));
      }
    }
  }
  const b = median(base);
  console.log(
    `in-process CPU µs per call, median of ${rounds} blocks of ${calls} ` +
      `(REST: minus building the Request, ${b.toFixed(2)} µs)`,
  );
  for (const name of names) {
    const rows = results.get(name)!;
    const minus = name.startsWith("rest") ? b : 0;
    const cells = trees.map((tree, i) => {
      const paired = i === 0
        ? ""
        : ` (paired Δ ${median(rows[i].map((x, r) => x - rows[0][r])).toFixed(2)})`;
      return `${tree}: ${(median(rows[i]) - minus).toFixed(2)}${paired}`;
    });
    console.log(`${name.padEnd(16)} ${cells.join(" | ")}`);
  }
}

async function endToEnd(): Promise<void> {
  const rounds = Number(values.rounds ?? "3");
  const servers = [];
  for (const root of trees) {
    const http = 19_000 + Math.floor(Math.random() * 900);
    const s = await spawnSeldon(root, "./identity.ts#Identity", [
      "--http-port",
      String(http),
      "--grpc-port",
      String(http + 1000),
      "--grpc-workers",
      "1",
      "--workers",
      "1",
    ], { portPattern: /GRPC microservice running on port (\d+)/ });
    servers.push({ ...s, http });
  }
  try {
    const table = new Map<string, { rps: number; cpuUs: number }[][]>();
    const cases = [...restCases, ...grpcCases];
    for (const c of cases) table.set(c, trees.map(() => []));
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        for (let j = 0; j < servers.length; j++) {
          const t = (j + r) % servers.length;
          const s = servers[t];
          const m = c.startsWith("rest")
            ? await measureCpu(s.child.pid, async () => {
              const t0 = performance.now();
              const w = await wrkPost(
                `http://127.0.0.1:${s.http}${REST[c].path}`,
                REST[c].body,
                { threads: 2, connections: 32, seconds: values.seconds },
              );
              const seconds = (performance.now() - t0) / 1000;
              return { requests: w.rps * seconds, seconds };
            })
            : await grpcCase(s.port, s.child.pid, c);
          table.get(c)![t].push(m);
          console.log(
            `round ${r + 1} ${c} ${trees[t]}: ${m.rps.toFixed(0)} req/s, ` +
              `${m.cpuUs.toFixed(1)} µs CPU/req`,
          );
        }
      }
    }
    console.log("medians (req/s, server CPU µs per request):");
    for (const [c, rows] of table) {
      console.log(
        `${c.padEnd(16)} ${
          rows.map((ms, i) =>
            `${trees[i]}: ${median(ms.map((m) => m.rps)).toFixed(0)} req/s, ${
              median(ms.map((m) => m.cpuUs)).toFixed(1)
            } µs`
          ).join(" | ")
        }`,
      );
    }
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

/** One `grpc_load.ts` run of case `c` against `port`; CPU of the tree of `pid` meanwhile. */
function grpcCase(port: number, pid: number, c: string): Promise<{ rps: number; cpuUs: number }> {
  return grpcLoad(pid, ["--port", String(port), "--seconds", values.seconds, "--payload", c]);
}
