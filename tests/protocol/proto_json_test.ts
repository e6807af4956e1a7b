/**
 * Proto mode on the wire (protocol.md §2.1, §6.4, §6.5, §7.2; server.md §3.5): REST
 * send-feedback printed like protobuf's `MessageToJson` (non-finite numbers as strings), and
 * TensorProto ↔ array conversion with TensorFlow's `make_ndarray` / `make_tensor_proto` rules.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { NDArray } from "../../src/protocol/ndarray.ts";
import { ndarrayToTftensor, tftensorToNDArray } from "../../src/protocol/tftensor.ts";

const f64 = (values: number[], shape = [values.length]) =>
  new NDArray(Float64Array.from(values), shape, "float64");

Deno.test("proto json: REST feedback prints non-finite doubles as NaN/Infinity strings (§2.1)", async () => {
  let result: unknown;
  const model = {
    tags: () => ({ n: -Infinity, x: 1.5 }),
    sendFeedback: () => result,
  };
  await withServer(model, async (s) => {
    result = f64([NaN, Infinity, -Infinity]);
    const t = await s.post("/api/v1.0/feedback", {
      request: { data: { tensor: { shape: [1], values: [0] } } },
    });
    assertEquals(t.status, 200);
    assertEquals(t.json, {
      data: { tensor: { shape: [3], values: ["NaN", "Infinity", "-Infinity"] } },
      meta: { tags: { n: "-Infinity", x: 1.5 } },
    });
    const n = await s.post("/api/v1.0/feedback", { request: { data: { ndarray: [] } } });
    assertEquals(n.json.data, { ndarray: ["NaN", "Infinity", "-Infinity"] });
    const original = { a: NaN, b: [1, Infinity] };
    result = original;
    const j = await s.post("/api/v1.0/feedback", { reward: 1 });
    assertEquals(j.json.jsonData, { a: "NaN", b: [1, "Infinity"] });
    assert(Number.isNaN(original.a), "the hook's own object is not modified");
  });
});

Deno.test("proto json: gRPC feedback keeps non-finite numbers as numbers on the wire", async () => {
  const model = { sendFeedback: () => f64([NaN, 2]) };
  await withServer(model, async (s) => {
    const port = s.running.grpc!.port;
    const r = await grpcCall("Model", port, "SendFeedback", {
      request: { data: { ndarray: [1] } },
    });
    assertEquals(r.data, { ndarray: ["NaN", 2] }); // the test client prints canonical JSON
    const t = await grpcCall("Model", port, "SendFeedback", { reward: 1 });
    assertEquals(t.data, { tensor: { shape: [2], values: ["NaN", 2] } });
  });
});

Deno.test('proto json: a reward of "NaN" / "Infinity" reaches the hook as that float (§2.1, §7.2)', async () => {
  const rewards: number[] = [];
  const model = {
    sendFeedback(_X: unknown, _n: unknown, reward: number) {
      rewards.push(reward);
    },
  };
  await withServer(model, async (s) => {
    for (const reward of ["NaN", "Infinity", "-Infinity", "0.1"]) {
      const r = await s.post("/api/v1.0/feedback", { reward });
      assertEquals(r.status, 200);
    }
  });
  assert(Number.isNaN(rewards[0]));
  assertEquals(rewards.slice(1), [Infinity, -Infinity, Math.fround(0.1)]);
});

Deno.test("proto json: DT_FLOAT floatVal decodes to float32 and prints shortest (§6.4, §6.5)", async () => {
  const x = tftensorToNDArray({
    dtype: "DT_FLOAT",
    tensorShape: { dim: [{ size: "2" }] },
    floatVal: [0.1],
  });
  assertEquals(x.dtype, "float32");
  assertEquals(Array.from(x.data as Float64Array), [Math.fround(0.1), Math.fround(0.1)]);
  // An unrounded value in a float32 array still prints as protobuf prints a float.
  const one = new NDArray(Float64Array.from([0.1]), [1], "float32");
  assertEquals(ndarrayToTftensor(one).floatVal, [0.1]);
  const seen: number[] = [];
  const model = {
    predict(X: NDArray) {
      seen.push((X.data as Float64Array)[0]);
      return X;
    },
  };
  await withServer(model, async (s) => {
    const r = await s.post("/predict", {
      data: {
        tftensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "1" }] }, floatVal: [0.1] },
      },
    });
    assertEquals(r.json.data.tftensor, {
      dtype: "DT_FLOAT",
      floatVal: [0.1],
      tensorShape: { dim: [{ size: "1" }] },
    });
  });
  assertEquals(seen, [Math.fround(0.1)]);
});

Deno.test("proto json: a single non-finite typed value prints as a string (§2.1, §6.5)", async () => {
  assertEquals(ndarrayToTftensor(f64([NaN], [1, 1])).doubleVal, ["NaN"]);
  assertEquals(
    ndarrayToTftensor(new NDArray(Float64Array.from([-Infinity]), [1], "float32")).floatVal,
    ["-Infinity"],
  );
  await withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.post("/predict", {
      data: {
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: 1 }] },
          doubleVal: ["Infinity"],
        },
      },
    });
    assertEquals(r.json.data.tftensor.doubleVal, ["Infinity"]);
  });
});

Deno.test("proto json: uint16 is never packed into tensorContent (make_tensor_proto)", async () => {
  const u16 = new NDArray(Float64Array.from([1, 2, 65535]), [3], "uint16");
  assertEquals(ndarrayToTftensor(u16), {
    dtype: "DT_UINT16",
    tensorShape: { dim: [{ size: "3" }] },
    intVal: [1, 2, 65535],
  });
  const request = {
    data: {
      tftensor: { dtype: "DT_UINT16", tensorShape: { dim: [{ size: "3" }] }, intVal: [1, 2] },
    },
  };
  const expected = {
    dtype: "DT_UINT16",
    intVal: [1, 2, 2],
    tensorShape: { dim: [{ size: "3" }] },
  };
  await withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.post("/predict", request);
    assertEquals(r.json.data.tftensor, expected);
    const g = await grpcCall("Model", s.running.grpc!.port, "Predict", request);
    assertEquals(g.data.tftensor, expected);
  });
});

Deno.test("proto json: tftensor decode errors and inferred dims follow numpy (§6.4)", async () => {
  const shape2 = { dim: [{ size: "2" }] };
  const fails = (proto: Record<string, unknown>, text: string) => {
    try {
      tftensorToNDArray(proto);
    } catch (e) {
      assertEquals((e as Error).message, text);
      return;
    }
    throw new Error(`no error for ${JSON.stringify(proto)}`);
  };
  fails(
    { dtype: "DT_INT8", tensorShape: shape2, tensorContent: "AQID" },
    "cannot reshape array of size 3 into shape (2,)",
  );
  fails(
    { dtype: "DT_DOUBLE", tensorShape: shape2, tensorContent: "AAAA" },
    "buffer size must be a multiple of element size",
  );
  fails(
    { dtype: "DT_INT8", tensorShape: shape2, intVal: [1, 2, 3] },
    "index can't contain negative values",
  );
  // frombuffer(...).reshape(shape) infers one -1 axis; np.array(strings).reshape too.
  const inferred = tftensorToNDArray({
    dtype: "DT_INT8",
    tensorShape: { dim: [{ size: "-1" }, { size: "1" }] },
    tensorContent: "AQID",
  });
  assertEquals(inferred.shape, [3, 1]);
  const strings = tftensorToNDArray({
    dtype: "DT_STRING",
    tensorShape: { dim: [{ size: "-1" }] },
    stringVal: ["YQ==", "Yg=="],
  });
  assertEquals([strings.shape, strings.data], [[2], ["a", "b"]]);
  await withServer({ predict: (X: unknown) => X }, async (s) => {
    const r = await s.post("/predict", {
      data: { tftensor: { dtype: "DT_INT8", tensorShape: shape2, tensorContent: "AQID" } },
    });
    assertEquals(r.status, 500);
    assertEquals(r.json.status.info, "cannot reshape array of size 3 into shape (2,)");
  });
});
