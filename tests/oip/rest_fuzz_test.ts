/**
 * V2 REST seeded mutation fuzzing against a real server (in this process, and the real program
 * with two REST workers): valid infer requests of every datatype — JSON, Triton's binary tensor
 * extension, gzip/deflate bodies — mutated (members dropped, duplicated, retyped; shapes against
 * data; header lengths, truncated tails, compressed bytes and codings, lying `Content-Length`,
 * deep nesting, `__proto__` keys, non-UTF-8) and odd `/v2` routes. Every answer must be a valid
 * infer response or `{"error": "..."}` with a 4xx/5xx, within 2 s; a good request must succeed
 * after each case; no worker may crash or log a stack. Fixed seeds, bounded counts.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { crashLines } from "../_helpers/fuzz.ts";
import {
  restCase,
  type RestCaseOptions,
  restProblem,
  sendRestCase,
} from "../_helpers/fuzz_rest.ts";
import { seededRandom } from "../_helpers/random.ts";
import { withServer } from "../_helpers/server.ts";
import { appFolder, spawnServer } from "../_helpers/spawn.ts";
import type { InferenceRequest, InferenceResponse } from "../../src/protocol/oip/types.ts";

/** Answers every input as `output-<i>`, so every datatype also goes back out. */
class Echo {
  infer(request: InferenceRequest): InferenceResponse {
    return { outputs: request.inputs.map((t, i) => ({ name: `output-${i}`, data: t.data })) };
  }
}

const ECHO_JS = "export class Echo { infer(req) { return { outputs: req.inputs.map((t, i) => " +
  "({ name: `output-${i}`, data: t.data })) }; } }\n";

const GOOD = JSON.stringify({
  inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], data: [1, 2] }],
});

/** Runs `count` cases of `seed` against `url`; returns what went wrong (empty: nothing). */
async function sweep(
  url: string,
  model: string,
  seed: number,
  count: number,
  options: RestCaseOptions,
): Promise<{ problems: string[]; statuses: Map<number, number> }> {
  const path = `/v2/models/${model}/infer`;
  const r = seededRandom(seed);
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < count && problems.length < 5; i++) {
    const c = await restCase(r, options);
    const start = performance.now();
    const a = await sendRestCase(url, path, c, 5000);
    const ms = performance.now() - start;
    statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    const problem = c.kind === "raw" && a.status === 0 ? undefined : restProblem(a, c);
    const what = `seed ${seed} case ${i} (${c.kind})`;
    if (problem !== undefined) problems.push(`${what}: ${problem}`);
    if (!c.mutated && a.status !== 200) problems.push(`${what}: a valid request got ${a.status}`);
    if (ms > 2000) problems.push(`${what}: ${ms.toFixed(0)} ms`);
    const good = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: GOOD,
      signal: AbortSignal.timeout(2000),
    });
    await good.arrayBuffer();
    if (good.status !== 200) problems.push(`${what}: the good request after it got ${good.status}`);
  }
  return { problems, statuses };
}

Deno.test("V2 REST fuzz: 3000 seeded mutated requests in one process", async () => {
  await withServer(
    new Echo(),
    async (s) => {
      const { problems, statuses } = await sweep(s.url, "m", 20261206, 3000, { longLies: false });
      assertEquals(problems, []);
      // The sweep reaches both outcomes: successes and each kind of client error.
      for (const status of [200, 400, 404, 415]) assert(statuses.has(status), `no ${status}`);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 REST fuzz: 150 seeded mutated requests on two REST workers, lying lengths included", async () => {
  const dir = await appFolder({ "Echo.js": ECHO_JS });
  const s = await spawnServer(dir, ["Echo", "--workers", "2", "--body-timeout", "1"]);
  try {
    const { problems, statuses } = await sweep(s.url, "Echo", 7, 150, { longLies: true });
    assertEquals(problems, []);
    assert(statuses.has(408), "no body timeout reached");
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(crashLines(s.log()), []);
});
