/**
 * Per-request JS cost of the REST handler, measured in-process (no sockets):
 * `deno run -A bench/handler.ts [--worker]`. `--worker` gives the handler the options a REST
 * worker has by default (the 5000 s request timeout, the 60 s body deadline, `--threads 1`, a
 * request counter and a terminating signal).
 */
import { plainRestOptions, smallPredictRequest, workerRestOptions } from "./proc.ts";
import { DataPlane } from "../src/dataplane/dataplane.ts";
import { createHandler } from "../src/rest/server.ts";
const worker = Deno.args.includes("--worker");
const plane = await DataPlane.create({ predict: (X: unknown) => X }, {
  includeMetrics: true,
  executorEnabled: true,
});
const h = createHandler(plane, worker ? workerRestOptions() : plainRestOptions());
const mk = smallPredictRequest;
for (let i = 0; i < 20000; i++) await (await h(mk())).text();
const n = 100000;
let t = performance.now();
for (let i = 0; i < n; i++) mk();
const base = (performance.now() - t) / n * 1000;
t = performance.now();
for (let i = 0; i < n; i++) await (await h(mk())).text();
console.log(
  "handler µs/req (minus request construction):",
  ((performance.now() - t) / n * 1000 - base).toFixed(2),
  "construct:",
  base.toFixed(2),
);
