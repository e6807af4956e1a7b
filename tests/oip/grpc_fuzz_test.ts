/**
 * V2 gRPC seeded mutation fuzzing against a real server (in this process, and the real program
 * with two gRPC workers): valid `ModelInferRequest`s of every datatype (`contents` packed and
 * unpacked, `raw_input_contents`, parameters, requested outputs) mutated semantically (shapes
 * huge, negative or against the data; datatypes against contents; raw tensors cut, grown,
 * missing; duplicate inputs; empty or double `InferParameter`s) and at the wire level (fields
 * dropped, duplicated, retyped, lengths that lie, bit flips, truncation), plus the metadata and
 * readiness rpcs. Every answer must be OK — an unmutated request echoed exactly, checked with
 * protobufjs and the canonical `.proto` — or INVALID_ARGUMENT / NOT_FOUND / RESOURCE_EXHAUSTED
 * with details, within 2 s; a good call must succeed after each case; no worker may crash or log
 * a stack. Fixed seeds, bounded counts.
 */
import { assertEquals } from "../_helpers/assert.ts";
import {
  chance,
  crashLines,
  encodeGrpcRequest,
  grpcRequest,
  int,
  mutateGrpcRequest,
  mutateProto,
  pick,
  strField,
} from "../_helpers/fuzz.ts";
import { concat } from "../_helpers/bytes.ts";
import { echoProblem, oipType, rawChannel, STATUS_NAME } from "../_helpers/fuzz_grpc.ts";
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

const SERVICE = "/inference.GRPCInferenceService/";
/** INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED: the codes bad input may get. */
const CLIENT_ERRORS = new Set([3, 5, 8]);

async function sweep(port: number, model: string, seed: number, count: number) {
  const T = oipType("ModelInferRequest");
  const good = T.encode(T.fromObject({
    model_name: model,
    inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: [1, 2] } }],
  })).finish();
  const channel = rawChannel(port);
  const r = seededRandom(seed);
  const problems: string[] = [];
  const codes = new Map<string, number>();
  try {
    for (let i = 0; i < count && problems.length < 5; i++) {
      const mutated = chance(r, 0.85);
      let rpc = "ModelInfer";
      let bytes: Uint8Array;
      if (chance(r, 0.08)) {
        rpc = pick(r, ["ModelReady", "ModelMetadata", "ServerLive", "ServerMetadata"]);
        bytes = concat(
          strField(1, pick(r, [model, "other", ""])),
          chance(r, 0.5) ? strField(2, "1") : new Uint8Array(),
        );
      } else {
        const request = grpcRequest(r, model);
        if (mutated && chance(r, 0.7)) mutateGrpcRequest(r, request);
        bytes = encodeGrpcRequest(request);
      }
      if (mutated && (rpc !== "ModelInfer" || chance(r, 0.35))) {
        for (let k = int(r, 1, 2); k > 0; k--) bytes = mutateProto(r, bytes);
      }
      const a = await channel.call(SERVICE + rpc, bytes);
      const name = STATUS_NAME[a.code];
      codes.set(name, (codes.get(name) ?? 0) + 1);
      const what = `seed ${seed} case ${i} (${rpc}${mutated ? ", mutated" : ""})`;
      if (a.code !== 0 && (!CLIENT_ERRORS.has(a.code) || a.details === "")) {
        problems.push(`${what}: ${name} ${a.details}`);
      }
      if (!mutated && rpc === "ModelInfer") {
        const problem = a.code === 0 ? echoProblem(bytes, a.bytes!) : `${name} ${a.details}`;
        if (problem !== undefined) problems.push(`${what}: ${problem}`);
      }
      if (a.ms > 2000) problems.push(`${what}: ${a.ms.toFixed(0)} ms`);
      const after = await channel.call(SERVICE + "ModelInfer", good, 2000);
      if (after.code !== 0) problems.push(`${what}: the good call after it got ${after.details}`);
    }
  } finally {
    channel.close();
  }
  return { problems, codes };
}

Deno.test("V2 gRPC fuzz: 1500 seeded mutated calls in one process", async () => {
  await withServer(
    new Echo(),
    async (s) => {
      const { problems, codes } = await sweep(s.running.grpc!.port, "m", 20261206, 1500);
      assertEquals(problems, []);
      assertEquals([...codes.keys()].sort(), ["INVALID_ARGUMENT", "NOT_FOUND", "OK"]);
    },
    {},
    { modelName: "m" },
  );
});

Deno.test("V2 gRPC fuzz: 600 seeded mutated calls on two gRPC workers", async () => {
  const dir = await appFolder({ "Echo.js": ECHO_JS });
  const s = await spawnServer(dir, ["Echo", "--grpc-workers", "2"]);
  try {
    const { problems } = await sweep(s.grpcPort!, "Echo", 11, 600);
    assertEquals(problems, []);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(crashLines(s.log()), []);
});

Deno.test("V2 gRPC fuzz: 4 lanes of 150 seeded calls at once, adaptive batching on", async () => {
  const dir = await appFolder({ "Echo.js": ECHO_JS });
  const s = await spawnServer(dir, [
    "Echo",
    "--max-batch-size",
    "8",
    "--max-batch-time",
    "2",
    "--grpc-threads",
    "8",
  ]);
  try {
    const lanes = await Promise.all(
      [21, 22, 23, 24].map((seed) => sweep(s.grpcPort!, "Echo", seed, 150)),
    );
    assertEquals(lanes.flatMap((l) => l.problems), []);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(crashLines(s.log()), []);
});
