/**
 * `sendableDetails`: what grpc-js can percent-encode into `grpc-message` — lone surrogates
 * replaced, the encoded text kept within 64 KiB (never cutting a surrogate pair), short texts
 * unchanged.
 */
import { assertEquals } from "../../_helpers/assert.ts";
import { MAX_DETAILS_BYTES, sendableDetails } from "../../../src/grpc/details.ts";

Deno.test("sendableDetails: short and well-formed texts are unchanged", () => {
  for (const text of ["", 'Model "m" not found', "é😀", "x".repeat(MAX_DETAILS_BYTES)]) {
    assertEquals(sendableDetails(text), text);
  }
});

Deno.test("sendableDetails: lone surrogates become U+FFFD (encodeURI would throw)", () => {
  assertEquals(sendableDetails("a\ud800b\udc00c"), "a\ufffdb\ufffdc");
  encodeURI(sendableDetails("\ud83d"));
});

Deno.test("sendableDetails: the percent-encoded text stays within the limit, pairs whole", () => {
  for (const unit of ["x", "é", "€", "😀"]) {
    const text = unit.repeat(100_000);
    const sent = sendableDetails(text);
    const encoded = encodeURI(sent).length;
    assertEquals(encoded <= MAX_DETAILS_BYTES, true, `${unit}: ${encoded}`);
    assertEquals(encoded > MAX_DETAILS_BYTES - 64, true, `${unit}: ${encoded} (cut too much)`);
    assertEquals(sent.endsWith(` ... [truncated, ${text.length} characters]`), true);
    assertEquals(sent.isWellFormed(), true);
  }
});
