/**
 * An idle Deno process that holds only what a role cannot serve without — the runtime and the
 * role's libraries, none of this server's code: the floor of that role's idle RSS.
 * `bench/footprint.ts` starts one per stack beside the server and measures them with it.
 *
 *   deno run -A --v8-flags=--expose-gc bench/idle_process.ts [runtime|supervisor|rest|grpc|collector]
 *
 * - `runtime`: nothing (an empty script waiting on a timer);
 * - `supervisor`: logtape configured and `node:util`'s `parseArgs` (the flag table), one child
 *   process (`cat`) with piped input and output, as the supervisor holds its workers;
 * - `rest`: logtape, a `Deno.serve` on a loopback port that has answered one request (the REST
 *   worker has answered `/health/ping` when it is measured);
 * - `grpc`: logtape, a grpc-js server with one unary method, bound on a loopback port;
 * - `collector`: logtape, prom-client's registry, counter, gauge and histogram modules (one
 *   metric of each rendered), a `Deno.serve` on a loopback port.
 *
 * Like the workers, each runs one compacting collection a second after start when `gc()` is
 * exposed (`footprint.ts` exposes it to every stack but `runtime`, kept as any `deno run` is).
 * @module
 */
// Type-only imports: `deno run` does not load them (the runtime stack stays empty).
import type * as Grpc from "@grpc/grpc-js";
import type { Buffer } from "node:buffer";
const stack = Deno.args[0] ?? "runtime";
const STACKS = ["runtime", "supervisor", "rest", "grpc", "collector"];
if (!STACKS.includes(stack)) throw new Error(`unknown stack ${stack}: one of ${STACKS}`);

if (stack !== "runtime") {
  const { configure, getLogger } = await import("@logtape/logtape");
  const encoder = new TextEncoder();
  await configure({
    sinks: { stderr: (record) => Deno.stderr.writeSync(encoder.encode(`${record.message}\n`)) },
    loggers: [
      { category: ["floor"], lowestLevel: "info", sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
  getLogger(["floor"]).debug("configured");
}

if (stack === "supervisor") {
  const { parseArgs } = await import("node:util");
  parseArgs({ args: ["--port", "1"], options: { port: { type: "string" } } });
  // `cat` ends when this process does (its stdin closes): nothing outlives the measurement.
  new Deno.Command("cat", { stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
}

if (stack === "rest") {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("pong", { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  // One request over a raw socket (a `fetch` would load the HTTP client too).
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await conn.write(new TextEncoder().encode("GET /health/ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  await conn.read(new Uint8Array(1024));
  conn.close();
}

if (stack === "grpc") {
  const grpc = await import("@grpc/grpc-js");
  const server = new grpc.Server();
  const method: Grpc.MethodDefinition<Buffer, Buffer> = {
    path: "/floor.Echo/Call",
    requestStream: false,
    responseStream: false,
    requestSerialize: (b) => b,
    requestDeserialize: (b) => b,
    responseSerialize: (b) => b,
    responseDeserialize: (b) => b,
  };
  server.addService({ Call: method }, {
    Call: (call: Grpc.ServerUnaryCall<Buffer, Buffer>, cb: Grpc.sendUnaryData<Buffer>) =>
      cb(null, call.request),
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (err) => err ? reject(err) : resolve(),
    )
  );
}

if (stack === "collector") {
  const { default: Registry } = await import("npm:prom-client@15.1.3/lib/registry.js");
  const { default: Counter } = await import("npm:prom-client@15.1.3/lib/counter.js");
  const { default: Gauge } = await import("npm:prom-client@15.1.3/lib/gauge.js");
  const { default: Histogram } = await import("npm:prom-client@15.1.3/lib/histogram.js");
  const registry = new Registry();
  for (const Metric of [Counter, Gauge, Histogram]) {
    new Metric({ name: `floor_${Metric.name.toLowerCase()}`, help: "x", registers: [registry] });
  }
  await registry.metrics();
  Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async () => new Response(await registry.metrics()),
  );
}

const gc = (globalThis as { gc?: (options?: unknown) => void }).gc;
if (gc !== undefined) {
  setTimeout(() => gc({ type: "major", execution: "sync", flavor: "last-resort" }), 1000);
}
setTimeout(() => {}, 600_000);
