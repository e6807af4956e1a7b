/**
 * Per-request JS cost of the REST predict path in-process (no sockets) with 32 requests in
 * flight at once, adaptive batching off vs on, on an identity model (nothing to save: what the
 * batching itself costs). `deno run -A bench/batch_handler.ts`
 */
import { plainRestOptions, smallPredictRequest } from "./proc.ts";
import { DataPlane } from "../src/dataplane/dataplane.ts";
import { createHandler } from "../src/rest/server.ts";
import { Identity } from "./identity.ts";

const mk = smallPredictRequest;

async function handler(batching: boolean) {
  const plane = await DataPlane.create(new Identity(), {
    includeMetrics: true,
    executorEnabled: true,
    batching: batching ? { maxRows: 32, maxTimeMs: 10, onBatch: () => {} } : undefined,
  });
  return createHandler(plane, plainRestOptions());
}

/** µs per request for `rounds` rounds of 32 concurrent requests. */
async function run(h: (r: Request) => Promise<Response>, rounds: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < rounds; i++) {
    await Promise.all(Array.from({ length: 32 }, async () => await (await h(mk())).text()));
  }
  return (performance.now() - t) / (rounds * 32) * 1000;
}

const off = await handler(false);
const on = await handler(true);
await run(off, 500);
await run(on, 500);
for (let i = 0; i < 6; i++) {
  const a = await run(off, 3000);
  const b = await run(on, 3000);
  console.log(`µs/req (incl. request construction): off ${a.toFixed(2)}, on ${b.toFixed(2)}`);
}
