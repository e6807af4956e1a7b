/**
 * The last differences from upstream's answers (issue 7, item 8), end to end against a real
 * server: 0-d arrays, an empty 2-d tensor, the `NaN` / `Infinity` literals of Python's `json`,
 * and int/float tokens whatever the body's size (protocol.md §2.2, §6.1, §6.7).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import type { NDArray } from "../../mod.ts";
import { type TestServer, withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { parseJsonPythonic } from "../../src/python/json_loads.ts";
import type { PyFloat } from "../../src/python/float.ts";

/** An identity model that records what its hook was given. */
function recordingIdentity() {
  const seen: { shape: readonly number[]; dtype: string }[] = [];
  const model = {
    predict(X: NDArray) {
      seen.push({ shape: X.shape, dtype: X.dtype });
      return X;
    },
  };
  return { model, seen };
}

const grpcPort = (s: TestServer) => s.running.grpc!.port;

Deno.test("upstream diffs: a scalar ndarray is a 0-d array, echoed as the same scalar (§6.7)", async () => {
  const { model, seen } = recordingIdentity();
  await withServer(model, async (s) => {
    const n = await s.post("/predict", '{"data":{"ndarray":5}}');
    assertEquals([n.status, n.text], [200, '{"data":{"names":[],"ndarray":5},"meta":{}}\n']);
    const t = await s.post("/predict", '{"data":{"ndarray":"abc"}}');
    assertEquals([t.status, t.text], [200, '{"data":{"names":[],"ndarray":"abc"},"meta":{}}\n']);
  });
  // numpy: np.array(5) is int64 and np.array("abc") a string array, both of shape ().
  assertEquals(seen, [{ shape: [], dtype: "int64" }, { shape: [], dtype: "string" }]);
});

Deno.test("upstream diffs: a tensor of shape [] and one value is 0-d; gRPC answers it without a shape (§6.2, §6.7)", async () => {
  const { model, seen } = recordingIdentity();
  await withServer(model, async (s) => {
    const r = await s.post("/predict", '{"data":{"tensor":{"shape":[],"values":[7.5]}}}');
    assertEquals(r.json, { data: { names: [], tensor: { shape: [], values: [7.5] } }, meta: {} });
    // proto3 has no empty-list value: shape [] is an absent shape. Upstream's gRPC decoder
    // crashes on it (np.prod([]) is a float slice index); this server decodes it as 0-d.
    const g = await grpcCall("Model", grpcPort(s), "Predict", {
      data: { tensor: { shape: [], values: [7.5] } },
    });
    assertEquals(g, { meta: {}, data: { tensor: { values: [7.5] } } });
  });
  assertEquals(seen, [{ shape: [], dtype: "float64" }, { shape: [], dtype: "float64" }]);
});

Deno.test("upstream diffs: an empty [0,3] tensor keeps its shape and gets 3 names, REST and gRPC (§6.7)", async () => {
  const { model, seen } = recordingIdentity();
  await withServer(model, async (s) => {
    const r = await s.post("/predict", '{"data":{"tensor":{"shape":[0,3],"values":[]}}}');
    assertEquals(r.json, {
      data: { names: ["t:0", "t:1", "t:2"], tensor: { shape: [0, 3], values: [] } },
      meta: {},
    });
    const g = await grpcCall("Model", grpcPort(s), "Predict", {
      data: { tensor: { shape: [0, 3], values: [] } },
    });
    assertEquals(g, {
      meta: {},
      data: { names: ["t:0", "t:1", "t:2"], tensor: { shape: [0, 3] } },
    });
  });
  assertEquals(seen, [{ shape: [0, 3], dtype: "float64" }, { shape: [0, 3], dtype: "float64" }]);
});

Deno.test("upstream diffs: NaN and ±Infinity literals are read and written back as Python's json does (§2.2)", async () => {
  const { model, seen } = recordingIdentity();
  await withServer(model, async (s) => {
    const body = '{"data":{"ndarray":[[1.5, NaN], [Infinity, -Infinity]]}}';
    const r = await s.post("/predict", body);
    assertEquals(r.status, 200, r.text);
    assertEquals(
      r.text,
      '{"data":{"names":["t:0","t:1"],"ndarray":[[1.5,NaN],[Infinity,-Infinity]]},"meta":{}}\n',
    );
    // A Python client reads the answer back: json.loads accepts the literals.
    const back = parseJsonPythonic(r.text) as Map<string, Map<string, unknown>>;
    const rows = back.get("data")!.get("ndarray") as PyFloat[][];
    assert(Number.isNaN(rows[0][1].value));
    assertEquals([rows[1][0].value, rows[1][1].value], [Infinity, -Infinity]);

    const t = await s.post("/predict", '{"data":{"tensor":{"shape":[2],"values":[1,NaN]}}}');
    assertEquals(
      t.text,
      '{"data":{"names":[],"tensor":{"shape":[2],"values":[1,NaN]}},"meta":{}}\n',
    );
    // numpy's str(nan) in a string array.
    const m = await s.post("/predict", '{"data":{"ndarray":[["a", NaN, -Infinity]]}}');
    assertEquals(m.json.data.ndarray, [["a", "nan", "-inf"]]);
  });
  assertEquals(seen.map((x) => x.dtype), ["float64", "float64", "string"]);
});

Deno.test("upstream diffs: non-finite numbers in jsonData, tags and the json parameter (§2.2, §2.3)", async () => {
  const model = {
    predict: (X: unknown) => X,
    tags: () => ({ missing: NaN, big: Infinity }),
  };
  await withServer(model, async (s) => {
    const j = await s.post("/predict", '{"jsonData": {"a": NaN, "b": [-Infinity, null]}}');
    assertEquals(
      j.text,
      '{"jsonData":{"a":NaN,"b":[-Infinity,null]},"meta":{"tags":{"big":Infinity,"missing":NaN}}}\n',
    );
    const q = await s.get(`/predict?json=${encodeURIComponent('{"jsonData":[NaN]}')}`);
    assertEquals(q.status, 200, q.text);
    assertEquals(
      q.text,
      '{"data":{"names":[],"tensor":{"shape":[1],"values":[NaN]}},"meta":{"tags":{"big":Infinity,"missing":NaN}}}\n',
    );
  });
});

Deno.test("upstream diffs: the literals only where Python's json accepts them; pretty mode writes them too", async () => {
  await withServer({ predict: (X: unknown) => X }, async (s) => {
    for (const body of ['{"a": -NaN}', "{NaN: 1}", '{"a": nan}', '{"a": NaNa}', '{"a": 1NaN}']) {
      const r = await s.post("/predict", body);
      assertEquals([r.status, r.json?.status?.info], [400, "Can't find JSON in data"], body);
    }
    // Feedback is parsed as protobuf JSON, which wants the quoted forms (protobuf's own error).
    const f = await s.post("/send-feedback", '{"request":{"data":{"ndarray":[1]}},"reward":NaN}');
    assertEquals(f.status, 400);
    assertEquals(
      f.json.status.info,
      'Invalid JSON: Failed to parse reward field: Couldn\'t parse NaN, use quoted "NaN" instead at Feedback.reward.',
    );
  });
  await withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.post("/predict", '{"jsonData":{"x":[NaN]}}');
    assertEquals(
      r.text,
      '{\n  "jsonData": {\n    "x": [\n      NaN\n    ]\n  },\n  "meta": {}\n}\n',
    );
  }, { FLASK_JSONIFY_PRETTYPRINT_REGULAR: "1" });
});

/** `rows` copies of `row` as a JSON ndarray request body with column names. */
function ndarrayBody(row: string, rows: number): string {
  return `{"data":{"names":["x","y","z","w"],"ndarray":[${Array(rows).fill(row).join(",")}]}}`;
}

Deno.test("upstream diffs: the answer does not depend on the body's size (§6.1)", async () => {
  const { model, seen } = recordingIdentity();
  await withServer(model, async (s) => {
    for (const rows of [1, 4000]) {
      const body = ndarrayBody('["a", 2.0, 2, 1e2]', rows);
      assert(rows === 1 || body.length > 64 * 1024);
      const r = await s.post("/predict", body);
      assertEquals(r.status, 200);
      assertEquals(r.json.data.ndarray.length, rows);
      for (const row of r.json.data.ndarray) assertEquals(row, ["a", "2.0", "2", "100.0"]);
      // Integral values written as floats make a float64 array; written as integers, int64.
      await s.post("/predict", ndarrayBody("[1.0, 2.0, 3.0, 4E0]", rows));
      await s.post("/predict", ndarrayBody("[1, 2, 3, 4]", rows));
    }
  });
  const once = ["string", "float64", "int64"];
  assertEquals(seen.map((x) => x.dtype), [...once, ...once]);
});
