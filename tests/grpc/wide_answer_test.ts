/**
 * A wide answer's generated names (`t:0` …) are kept between responses of the same width and
 * their wire bytes with them: every answer is still byte for byte what a fresh names list
 * encodes to, whatever the order of widths.
 */
import { Buffer } from "node:buffer";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";
import { rawUnary } from "../_helpers/grpc.ts";
import { encodeMessage } from "../../src/protocol/proto/codec.ts";
import { KEEP_NAMES_MIN } from "../../src/dataplane/names.ts";

class Identity {
  predict(X: unknown) {
    return X;
  }
}

/** A [1, cols] tensor request with a NaN and a -0 among its values. */
function request(cols: number): { bytes: Uint8Array; expected: Uint8Array } {
  const values: (number | string)[] = Array.from({ length: cols }, (_, i) => (i - 100) / 7);
  values[5] = "NaN";
  values[6] = -0;
  const tensor = { shape: [1, cols], values };
  const names = Array.from({ length: cols }, (_, i) => `t:${i}`); // a fresh, unfrozen list
  return {
    bytes: encodeMessage("SeldonMessage", { data: { tensor } }),
    expected: encodeMessage("SeldonMessage", { meta: {}, data: { names, tensor } }),
  };
}

Deno.test("grpc: wide answers repeat the same bytes as fresh names would give", () =>
  withServer(new Identity(), async (s) => {
    const port = s.running.grpc!.port;
    const widths = [KEEP_NAMES_MIN, KEEP_NAMES_MIN, KEEP_NAMES_MIN + 1, KEEP_NAMES_MIN, 10, 5000];
    for (const [i, cols] of widths.entries()) {
      const { bytes, expected } = request(cols);
      const answer = await rawUnary(port, bytes);
      assert(answer instanceof Uint8Array, String(answer?.details ?? answer));
      assertEquals(Buffer.compare(Buffer.from(answer), Buffer.from(expected)), 0, `call ${i}`);
    }
  }));

Deno.test("rest: wide answers with the kept names write the same text as fresh ones", () =>
  withServer(new Identity(), async (s) => {
    const cols = KEEP_NAMES_MIN + 2;
    const values = Array.from({ length: cols }, (_, i) => i / 4);
    const names = Array.from({ length: cols }, (_, i) => `t:${i}`);
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await s.post("/api/v1.0/predictions", {
        data: { tensor: { shape: [1, cols], values } },
      });
      assertEquals(res.status, 200);
      assertEquals(res.json.data.names, names);
      assertEquals(res.json.data.tensor.values, values);
      texts.push(res.text);
    }
    assertEquals(texts[1], texts[0]);
    assertEquals(texts[2], texts[0]);
  }));
