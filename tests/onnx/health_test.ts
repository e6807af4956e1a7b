/**
 * Inference load does not starve the health and metrics ports (issue 11 item 4): while clients
 * keep the REST worker's model busy, `/health/ping` and the metrics port answer promptly.
 *
 * onnxruntime-node 1.30's `session.run` is asynchronous only in name: it defers the native call
 * with `setImmediate` and then runs it on the JavaScript thread. Between two runs every pending
 * request (a ping among them) is handled, so a ping waits for at most the runs queued ahead of it;
 * the metrics port is the collector's process and waits for no model.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { spawnServer } from "../_helpers/spawn.ts";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PARAMS = JSON.stringify([
  { name: "model_uri", value: "examples/onnx/model.onnx", type: "STRING" },
  { name: "intra_op_threads", value: "1", type: "INT" },
]);
const ROWS = 512;
const BODY = JSON.stringify({
  inputs: [{
    name: "input",
    datatype: "FP32",
    shape: [ROWS, 64],
    data: Array.from({ length: ROWS * 64 }, (_, i) => i % 17),
  }],
  outputs: [{ name: "label" }],
});

async function timed(url: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(url);
  await res.body?.cancel();
  assertEquals(res.status, 200, url);
  return performance.now() - start;
}

Deno.test("OnnxServer under inference load: /health/ping and the metrics port answer promptly", async () => {
  const server = await spawnServer(ROOT, ["OnnxServer", "--parameters", PARAMS]);
  try {
    const infer = `${server.url}/v2/models/OnnxServer/infer`;
    let stop = false;
    let served = 0;
    const client = async () => {
      while (!stop) {
        const res = await fetch(infer, { method: "POST", body: BODY });
        const answer = await res.json();
        assertEquals(res.status, 200, JSON.stringify(answer));
        assertEquals(answer.outputs[0].shape, [ROWS]);
        served++;
      }
    };
    const clients = Array.from({ length: 16 }, client);
    const pings: number[] = [];
    const scrapes: number[] = [];
    const deadline = performance.now() + 2_000;
    await new Promise((r) => setTimeout(r, 200)); // the load is running
    const before = served;
    while (performance.now() < deadline) {
      pings.push(await timed(`${server.url}/health/ping`));
      scrapes.push(await timed(`http://127.0.0.1:${server.metricsPort}/metrics`));
      await new Promise((r) => setTimeout(r, 25));
    }
    const during = served - before;
    stop = true;
    await Promise.all(clients);
    pings.sort((a, b) => a - b);
    scrapes.sort((a, b) => a - b);
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
    const summary = `pings median ${median(pings).toFixed(1)} ms, max ${
      pings.at(-1)!.toFixed(1)
    } ms; scrapes median ${median(scrapes).toFixed(1)} ms, max ${
      scrapes.at(-1)!.toFixed(1)
    } ms; ${during} inferences of ${ROWS} rows meanwhile`;
    // The model was busy the whole time, and the ports still answered quickly.
    assert(during >= 20, summary);
    assert(pings.length >= 10, summary);
    assert(median(pings) < 100, summary);
    assert(pings.at(-1)! < 1_000, summary);
    assert(median(scrapes) < 200, summary);
    console.log(summary);
  } finally {
    await server.stop();
  }
});

/**
 * One long run (tests/onnx/fixtures/slow.onnx: an n×n matrix product) while `/health/ping` is
 * called: pings sent during the run complete during it; without it they wait for the run to end.
 */
async function pingsDuringOneRun(sessionThread: boolean) {
  const params = JSON.stringify([
    { name: "model_uri", value: "tests/onnx/fixtures/slow.onnx", type: "STRING" },
    { name: "intra_op_threads", value: "1", type: "INT" },
    { name: "session_thread", value: String(sessionThread), type: "BOOL" },
  ]);
  const server = await spawnServer(ROOT, ["OnnxServer", "--parameters", params]);
  try {
    const body = (n: number) =>
      JSON.stringify({ inputs: [{ name: "n", datatype: "INT64", shape: [1], data: [n] }] });
    const warm = await fetch(`${server.url}/v2/models/OnnxServer/infer`, {
      method: "POST",
      body: body(10),
    });
    assertEquals((await warm.json()).outputs[0].data, [1000]);
    const start = performance.now();
    let inferEnd = 0;
    const infer = fetch(`${server.url}/v2/models/OnnxServer/infer`, {
      method: "POST",
      body: body(2500),
    }).then(async (res) => {
      const json = await res.json();
      inferEnd = performance.now() - start;
      assertEquals(json.outputs[0].shape, [1]);
    });
    await new Promise((r) => setTimeout(r, 50));
    const pings: { sent: number; done: number }[] = [];
    while (inferEnd === 0) {
      const sent = performance.now() - start;
      await timed(`${server.url}/health/ping`);
      pings.push({ sent, done: performance.now() - start });
      await new Promise((r) => setTimeout(r, 10));
    }
    await infer;
    return { inferEnd, pings };
  } finally {
    await server.stop();
  }
}

Deno.test("OnnxServer session_thread: /health/ping answers while one long run is in progress", async () => {
  const threaded = await pingsDuringOneRun(true);
  const during = threaded.pings.filter((p) => p.done < threaded.inferEnd - 20);
  const summary = `run ended at ${threaded.inferEnd.toFixed(0)} ms; pings ${
    JSON.stringify(threaded.pings.map((p) => [Math.round(p.sent), Math.round(p.done)]))
  }`;
  assert(threaded.inferEnd >= 150, `the run was too short to tell: ${summary}`);
  assert(during.length >= 3, summary);
  assert(during.every((p) => p.done - p.sent < 100), summary);
  console.log(
    `session_thread: run ${
      threaded.inferEnd.toFixed(0)
    } ms, ${during.length} pings answered during it, slowest ${
      Math.max(...during.map((p) => p.done - p.sent)).toFixed(1)
    } ms`,
  );

  // The default (the JavaScript thread): the first ping waits for the run.
  const inline = await pingsDuringOneRun(false);
  const first = inline.pings[0];
  assert(
    inline.inferEnd >= 150 && first.done >= inline.inferEnd - 20,
    `run ended at ${inline.inferEnd.toFixed(0)} ms; first ping sent ${first.sent.toFixed(0)}, ` +
      `answered ${first.done.toFixed(0)} ms`,
  );
  console.log(
    `JavaScript thread: run ${inline.inferEnd.toFixed(0)} ms; first ping sent at ${
      first.sent.toFixed(0)
    } ms, answered at ${first.done.toFixed(0)} ms`,
  );
});
