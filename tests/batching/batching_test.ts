/**
 * Adaptive batching (issue 11, item 3) over real servers on loopback: concurrent predict / infer
 * requests share model calls without cross-talk, the window is honoured, errors stay per batch,
 * unmergeable requests run alone, batch metrics are exposed, and off is the default.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { parseSamples, scrape } from "../_helpers/prometheus.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { oipClient } from "../oip/_grpc_client.ts";
import {
  type InferenceRequest,
  type InferenceResponse,
  NDArray,
  SeldonResponse,
} from "../../mod.ts";

/** Every model call's first column (each request's row id) and whether it threw. */
interface CallLog {
  ids: number[];
  threw: boolean;
}

/** Answers X * 2 (row `[id, id + 0.5]` → `[2 id, 2 id + 1]`); throws when row id 13 is in. */
class RowModel {
  calls: CallLog[] = [];
  predict(X: NDArray): NDArray {
    const ids: number[] = [];
    const width = X.shape[1] ?? 1;
    for (let r = 0; r < X.shape[0]; r++) ids.push(Number(X.data[r * width]));
    const threw = ids.includes(13);
    this.calls.push({ ids, threw });
    if (threw) throw new Error("poisoned row 13 in this batch");
    return X.map((v) => v * 2);
  }
}

const ON = (size: number, ms: number) => ({
  SELDON_MAX_BATCH_SIZE: String(size),
  SELDON_MAX_BATCH_TIME_MS: String(ms),
});

const row = (id: number) => [id, id + 0.5];

/** A v1 REST predict of one row; its answer's row. */
async function restPredict(s: TestServer, id: number): Promise<unknown> {
  const res = await s.post("/api/v1.0/predictions", {
    data: { ndarray: [row(id)] },
    meta: { puid: `p${id}` },
  });
  if (res.status !== 200) throw new Error(res.json?.status?.info ?? res.text);
  assertEquals(res.json.meta.puid, `p${id}`);
  return res.json.data.ndarray[0];
}

/** A V2 REST infer of one row; its answer's row. */
async function v2Predict(s: TestServer, id: number): Promise<unknown> {
  const res = await s.post("/v2/models/RowModel/infer", {
    id: `v${id}`,
    inputs: [{ name: "x", datatype: "FP64", shape: [1, 2], data: row(id) }],
  });
  if (res.status !== 200) throw new Error(res.json?.error ?? res.text);
  assertEquals(res.json.id, `v${id}`);
  assertEquals(res.json.outputs[0].shape, [1, 2]);
  return res.json.outputs[0].data;
}

Deno.test("batching: 48 concurrent single-row requests (v1 REST, v1 gRPC, V2 REST, V2 gRPC) share calls, each gets its own answer", async () => {
  const model = new RowModel();
  await withServer(model, async (s) => {
    const grpc = seldonClient("Model", s.running.grpc!.port);
    const v2 = oipClient(s.running.grpc!.port);
    try {
      const ids = Array.from({ length: 48 }, (_, i) => 100 + i);
      const answers = await Promise.all(ids.map((id) => {
        switch (id % 4) {
          case 0:
            return restPredict(s, id);
          case 1:
            return grpc.call("Predict", {
              data: { ndarray: [row(id)] },
              meta: { puid: `g${id}` },
            }).then((r) => {
              assertEquals(r.meta.puid, `g${id}`);
              return r.data.ndarray[0];
            });
          case 2:
            return v2Predict(s, id);
          default:
            return v2.call("ModelInfer", {
              model_name: "RowModel",
              id: `gv${id}`,
              inputs: [{
                name: "x",
                datatype: "FP64",
                shape: [1, 2],
                contents: { fp64_contents: row(id) },
              }],
            }).then((r) => {
              assertEquals(r.id, `gv${id}`);
              return r.outputs[0].contents.fp64_contents;
            });
        }
      }));
      for (let i = 0; i < ids.length; i++) {
        assertEquals(answers[i], [2 * ids[i], 2 * ids[i] + 1], `request ${ids[i]}`);
      }
      const served = model.calls.flatMap((c) => c.ids).sort((a, b) => a - b);
      assertEquals(served, ids, "every row reached the model exactly once");
      assert(model.calls.length < 48, `${model.calls.length} model calls for 48 requests`);
      assert(model.calls.some((c) => c.ids.length > 1), "some call held several requests");
      // Batch metrics are on with batching, without --builtin-metrics.
      const samples = parseSamples((await scrape(s)).text);
      const count = samples.filter((x) => x.name === "seldon_ts_batch_size_count")
        .reduce((n, x) => n + Number(x.value), 0);
      assertEquals(count, model.calls.length);
      const queued = samples.filter((x) => x.name === "seldon_ts_batch_queue_seconds_count")
        .reduce((n, x) => n + Number(x.value), 0);
      assertEquals(queued, 48);
      assert(!samples.some((x) => x.name === "seldon_ts_requests_total"));
    } finally {
      grpc.close();
      v2.close();
    }
  }, ON(8, 50));
});

Deno.test("batching: a lone request waits the window, not more; a full batch does not wait", async () => {
  const model = new RowModel();
  await withServer(model, async (s) => {
    await restPredict(s, 1); // warm-up (connection, JIT)
    const t0 = performance.now();
    assertEquals(await restPredict(s, 2), [4, 5]);
    const lone = performance.now() - t0;
    assert(lone >= 195, `a lone request answered after ${lone} ms, before the 200 ms window`);
    assert(lone < 200 + 600, `a lone request answered after ${lone} ms (window 200 ms)`);
  }, ON(4, 200));
  await withServer(new RowModel(), async (s) => {
    await Promise.all([6, 7, 8, 9].map((id) => restPredict(s, id))); // warm-up: a full batch
    const t0 = performance.now();
    await Promise.all([2, 3, 4, 5].map((id) => restPredict(s, id)));
    const full = performance.now() - t0;
    assert(full < 2_500, `a full batch of 4 answered after ${full} ms (window 10 s)`);
  }, ON(4, 10_000));
});

Deno.test("batching: an error fails only its batch's requests, each with the error", async () => {
  const model = new RowModel();
  await withServer(model, async (s) => {
    const ids = Array.from({ length: 24 }, (_, i) => i + 1); // 13 is poisoned
    const results = await Promise.allSettled(ids.map((id) => restPredict(s, id)));
    const thrown = model.calls.filter((c) => c.threw);
    assertEquals(thrown.length, 1);
    assert(thrown[0].ids.length > 1, "the poisoned row shared its batch");
    const failed = ids.filter((_, i) => results[i].status === "rejected");
    assertEquals(failed, [...thrown[0].ids].sort((a, b) => a - b));
    for (let i = 0; i < ids.length; i++) {
      const r = results[i];
      if (r.status === "rejected") assert(/poisoned row 13/.test(String(r.reason)), r.reason);
      else assertEquals(r.value, [2 * ids[i], 2 * ids[i] + 1]);
    }
  }, ON(4, 100));
});

Deno.test("batching: requests that cannot merge run alone", async () => {
  const shapes: number[][] = [];
  const model = {
    predict(X: unknown) {
      shapes.push(NDArray.isNDArray(X) ? [...X.shape] : [-1]);
      return X;
    },
  };
  await withServer(model, async (s) => {
    const sends = [
      s.post("/predict", { data: { ndarray: [[1, 2]] } }),
      s.post("/predict", { data: { ndarray: [[1, 2, 3]] } }), // another trailing shape
      s.post("/predict", { data: { ndarray: [[1.5, 2]] } }), // float64, not int64
      s.post("/predict", { strData: "text" }),
      s.post("/predict", { data: { ndarray: [[3, 4]] } }),
      s.post("/predict", { data: { names: ["a", "b"], ndarray: [[5, 6]] } }), // other names
    ];
    const answers = await Promise.all(sends);
    for (const a of answers) assertEquals(a.status, 200, a.text);
    assertEquals(answers[3].json.strData, "text");
    assertEquals(answers[4].json.data.ndarray, [[3, 4]]);
    shapes.sort((a, b) => a.join().localeCompare(b.join()));
    // Only the two int64 [1,2]-wide rows without names shared a call.
    assertEquals(shapes, [[-1], [1, 2], [1, 2], [1, 3], [2, 2]]);
  }, ON(8, 100));
  // A model with its own predictRaw: every request runs alone, through it.
  let raw = 0;
  await withServer({ predictRaw: (m: unknown) => (raw++, m) }, async (s) => {
    const answers = await Promise.all(
      [1, 2, 3].map((i) => s.post("/predict", { data: { ndarray: [[i]] } })),
    );
    assertEquals(answers.map((a) => a.json.data.ndarray), [[[1]], [[2]], [[3]]]);
    assertEquals(raw, 3);
  }, ON(8, 100));
});

Deno.test("batching: a model's wrong row count fails the batch with a clear error", async () => {
  await withServer({ predict: () => [[1]] }, async (s) => {
    const answers = await Promise.all(
      [1, 2, 3].map((i) => s.post("/predict", { data: { ndarray: [[i, i]] } })),
    );
    for (const a of answers) {
      assertEquals(a.status, 500);
      assert(/answered 1 rows for a batch of 3 rows/.test(a.json.status.info), a.text);
    }
  }, ON(3, 1_000));
});

Deno.test("batching: runtime tags go to every answer, runtime metrics are recorded once", async () => {
  const model = {
    predict: (X: NDArray) =>
      new SeldonResponse(X, {
        tags: { rows: X.shape[0] },
        metrics: [{ type: "COUNTER", key: "model_calls", value: 1 }],
      }),
    metrics: () => [{ type: "COUNTER" as const, key: "answers", value: 1 }],
  };
  await withServer(model, async (s) => {
    const answers = await Promise.all(
      [1, 2, 3, 4].map((i) => s.post("/predict", { data: { ndarray: [[i]] } })),
    );
    for (const a of answers) {
      assertEquals(a.json.meta.tags, { rows: 4 });
      assertEquals(a.json.meta.metrics.map((m: { key: string }) => m.key), [
        "answers",
        "model_calls",
      ]);
    }
    const samples = parseSamples((await scrape(s)).text);
    const value = (name: string) => Number(samples.find((x) => x.name === name)?.value);
    assertEquals(value("model_calls_total"), 1);
    assertEquals(value("answers_total"), 4);
  }, ON(4, 1_000));
});

Deno.test("batching: V2 infer merges named inputs and splits every output", async () => {
  const calls: number[] = [];
  const model = {
    infer(request: InferenceRequest): InferenceResponse {
      const [a, b] = request.inputs;
      calls.push(a.data.shape[0]);
      const x = a.data.data as Float32Array;
      const y = b.data.data as Float32Array;
      return {
        parameters: { batch: a.data.shape[0] },
        outputs: [
          { name: "sum", data: new NDArray(x.map((v, i) => v + y[i]), a.data.shape) },
          { name: "first", data: Array.from(x), shape: a.data.shape },
        ],
      };
    },
  };
  await withServer(model, async (s) => {
    const answers = await Promise.all([1, 2, 3].map((i) =>
      s.post("/v2/models/Object/infer", {
        id: `r${i}`,
        inputs: [
          { name: "a", datatype: "FP32", shape: [1, 2], data: [i, i] },
          { name: "b", datatype: "FP32", shape: [1, 2], data: [10, 20] },
        ],
      })
    ));
    assertEquals(calls, [3]);
    answers.forEach((a, k) => {
      const i = k + 1;
      assertEquals(a.status, 200, a.text);
      assertEquals(a.json.id, `r${i}`);
      assertEquals(a.json.parameters, { batch: 3 });
      assertEquals(a.json.outputs.map((o: { data: number[] }) => o.data), [
        [i + 10, i + 20],
        [i, i],
      ]);
      assertEquals(a.json.outputs[1].shape, [1, 2]);
    });
  }, ON(3, 1_000));
});

Deno.test("batching: off by default, every request is its own call", async () => {
  const model = new RowModel();
  await withServer(model, async (s) => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => restPredict(s, i + 20)));
    assertEquals(model.calls.length, 8);
    assert(!(await scrape(s)).text.includes("seldon_ts_batch"));
  });
});

Deno.test("batching: a request whose REST deadline passes in its batch leaves it; no model call for nobody", async () => {
  const dir = await Deno.makeTempDir();
  const annotations = `${dir}/annotations`;
  await Deno.writeTextFile(annotations, 'seldon.io/rest-timeout="1000"\n');
  const seen: number[][] = [];
  const model = {
    async predict(X: NDArray) {
      seen.push([...X.shape]);
      if (X.shape[1] === 3) await new Promise((r) => setTimeout(r, 2_000)); // holds the slot
      return X;
    },
  };
  try {
    await withServer(model, async (s) => {
      const slow = s.post("/predict", { data: { ndarray: [[1, 2, 3]] } });
      await new Promise((r) => setTimeout(r, 50)); // the slow call has the one --threads slot
      const queued = await Promise.all(
        [1, 2].map((i) => s.post("/predict", { data: { ndarray: [[i, i]] } })),
      );
      for (const a of queued) {
        assertEquals(a.status, 500);
        assert(/timed out after 1 s/.test(a.json.status.info), a.text);
      }
      assertEquals((await slow).status, 500); // it missed its deadline too
      await new Promise((r) => setTimeout(r, 1_500)); // the slot is free again
      assertEquals(seen, [[1, 3]], "the batch that lost its members made no model call");
      const later = await s.post("/predict", { data: { ndarray: [[5, 6]] } });
      assertEquals(later.json.data.ndarray, [[5, 6]]);
    }, { ...ON(8, 20), SELDON_ANNOTATIONS_FILE: annotations });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("batching: V2 JSON and binary-tensor requests to infer merge (binary_data_size is not part of the key)", async () => {
  const calls: number[] = [];
  class Twice {
    infer(request: InferenceRequest): InferenceResponse {
      const x = request.inputs[0].data;
      calls.push(x.shape[0]);
      return { outputs: [{ name: "y", data: x.map((v) => v * 2) }] };
    }
  }
  await withServer(new Twice(), async (s) => {
    const json = (i: number) =>
      s.post("/v2/models/Twice/infer", {
        id: `j${i}`,
        inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], data: [i, i + 0.5] }],
      });
    const binary = (i: number) => {
      const header = JSON.stringify({
        id: `b${i}`,
        inputs: [{
          name: "x",
          datatype: "FP32",
          shape: [1, 2],
          parameters: { binary_data_size: 8 },
        }],
      });
      const head = new TextEncoder().encode(header);
      const body = new Uint8Array(head.length + 8);
      body.set(head);
      body.set(new Uint8Array(new Float32Array([i, i + 0.5]).buffer), head.length);
      return s.fetch("/v2/models/Twice/infer", {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          "inference-header-content-length": String(head.length),
        },
        body,
      });
    };
    const answers = await Promise.all([json(1), binary(2), json(3), binary(4)]);
    assertEquals(calls, [4]);
    answers.forEach((a, k) => {
      const i = k + 1;
      assertEquals(a.status, 200, a.text);
      assertEquals(a.json.id, `${k % 2 === 0 ? "j" : "b"}${i}`);
      assertEquals(a.json.outputs[0].data, [2 * i, 2 * i + 1]);
    });
  }, ON(4, 1_000));
});
