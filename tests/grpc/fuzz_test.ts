/**
 * Seldon v1 gRPC seeded mutation fuzzing against a real server (in this process, and the real
 * program with two gRPC workers): valid `SeldonMessage`s (tensor, ndarray, strData, binData,
 * jsonData, meta with tags and metrics), `Feedback`s and `SeldonMessageList`s on every service,
 * mutated at the wire level (fields dropped, duplicated, retyped, lengths that lie, bit flips,
 * truncation) or nested past protobuf's 100 levels, and valid protobuf with odd contents (shapes
 * against values, negative or huge dimensions, ragged or mixed ndarrays, unknown metric types,
 * tftensor dtypes, customData). Every answer must be OK with a message that
 * decodes (protobufjs, `proto/prediction.proto`) or upstream's status and details (INTERNAL
 * `Exception deserializing request!`, UNKNOWN `Exception calling application: …`) with no
 * JavaScript internals in them, within 2 s; a good call must succeed after each case; no worker
 * may crash or log a stack. Fixed seeds, bounded counts.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { concat } from "../_helpers/bytes.ts";
import {
  chance,
  crashLines,
  deepSeldonMessage,
  feedbackMessage,
  int,
  lenField,
  mutateProto,
  oddSeldonMessage,
  pick,
  seldonMessage,
} from "../_helpers/fuzz.ts";
import { rawChannel, seldonType, STATUS_NAME } from "../_helpers/fuzz_grpc.ts";
import { seededRandom } from "../_helpers/random.ts";
import { withServer } from "../_helpers/server.ts";
import { appFolder, spawnServer } from "../_helpers/spawn.ts";
import type { SeldonComponent } from "../../src/component/api.ts";

const MODEL_JS = `export class Model {
  predict(X) { return X; }
  send_feedback() { return null; }
  route() { return 0; }
  transform_input(X) { return X; }
  transform_output(X) { return X; }
  aggregate(Xs) { return Xs[0]; }
}
`;

const model: SeldonComponent = {
  predict: (X: unknown) => X,
  send_feedback: () => null,
  route: () => 0,
  transform_input: (X: unknown) => X,
  transform_output: (X: unknown) => X,
  aggregate: (Xs: unknown[]) => Xs[0],
} as SeldonComponent;

/** Every service's rpcs with the message kind they take. */
const RPCS: readonly (readonly [string, "message" | "feedback" | "list"])[] = [
  ["Model/Predict", "message"],
  ["Model/SendFeedback", "feedback"],
  ["Generic/TransformInput", "message"],
  ["Generic/Route", "message"],
  ["Generic/Aggregate", "list"],
  ["Transformer/TransformInput", "message"],
  ["OutputTransformer/TransformOutput", "message"],
  ["Router/Route", "message"],
  ["Router/SendFeedback", "feedback"],
  ["Combiner/Aggregate", "list"],
  ["Seldon/Predict", "message"],
  ["Seldon/SendFeedback", "feedback"],
];

/** Texts of JavaScript's own errors: never part of an answer. */
const INTERNALS = /TypeError|RangeError|ReferenceError|is not a function|Cannot read|Maximum call/;

/** strData "fast". */
const GOOD = new Uint8Array([0x2a, 4, 0x66, 0x61, 0x73, 0x74]);

async function sweep(port: number, seed: number, count: number) {
  const SeldonMessage = seldonType("SeldonMessage");
  const channel = rawChannel(port);
  const r = seededRandom(seed);
  const problems: string[] = [];
  const codes = new Map<string, number>();
  try {
    for (let i = 0; i < count && problems.length < 5; i++) {
      const [rpc, kind] = pick(r, RPCS);
      // Valid protobuf with odd contents, or a valid message maybe mutated at the wire level.
      const odd = kind !== "feedback" && chance(r, 0.3);
      const mutated = odd || chance(r, 0.85);
      const message = odd ? oddSeldonMessage : seldonMessage;
      let bytes = kind === "message"
        ? message(r)
        : kind === "feedback"
        ? feedbackMessage(r)
        : concat(...Array.from({ length: int(r, 1, 3) }, () => lenField(1, message(r))));
      if (odd) {
        // sent as it is
      } else if (mutated && chance(r, 0.03)) {
        bytes = deepSeldonMessage(pick(r, [99, 100, 101, 3000]));
      } else if (mutated) {
        for (let k = int(r, 1, 3); k > 0; k--) bytes = mutateProto(r, bytes);
      }
      const a = await channel.call(`/seldon.protos.${rpc}`, bytes);
      const name = STATUS_NAME[a.code];
      codes.set(name, (codes.get(name) ?? 0) + 1);
      const what = `seed ${seed} case ${i} (${rpc}${mutated ? ", mutated" : ""})`;
      if (a.code === 0) {
        try {
          SeldonMessage.decode(a.bytes!);
        } catch (err) {
          problems.push(`${what}: the answer does not decode: ${err}`);
        }
      } else if (
        !(a.code === 13 && a.details === "Exception deserializing request!") &&
          !(a.code === 2 && a.details.startsWith("Exception calling application: ")) ||
        INTERNALS.test(a.details)
      ) {
        problems.push(`${what}: ${name} ${a.details}`);
      }
      if (!mutated && a.code !== 0) problems.push(`${what}: a valid call got ${name} ${a.details}`);
      if (a.ms > 2000) problems.push(`${what}: ${a.ms.toFixed(0)} ms`);
      const after = await channel.call("/seldon.protos.Model/Predict", GOOD, 2000);
      if (after.code !== 0) problems.push(`${what}: the good call after it got ${after.details}`);
    }
  } finally {
    channel.close();
  }
  return { problems, codes };
}

Deno.test("v1 gRPC fuzz: 3000 seeded mutated calls in one process", async () => {
  await withServer(model, async (s) => {
    const { problems, codes } = await sweep(s.running.grpc!.port, 20261206, 3000);
    assertEquals(problems, []);
    assertEquals([...codes.keys()].sort(), ["INTERNAL", "OK", "UNKNOWN"]);
  });
});

Deno.test("v1 gRPC fuzz: 1000 seeded mutated calls on two gRPC workers", async () => {
  const dir = await appFolder({ "Model.js": MODEL_JS });
  const s = await spawnServer(dir, ["Model", "--grpc-workers", "2"]);
  try {
    const { problems, codes } = await sweep(s.grpcPort!, 13, 1000);
    assertEquals(problems, []);
    assert(codes.has("OK") && codes.has("INTERNAL"), JSON.stringify([...codes]));
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(crashLines(s.log()), []);
});
