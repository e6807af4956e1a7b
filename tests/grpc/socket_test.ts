/**
 * The gRPC worker's connection stream (`src/grpc/socket.ts`): writes of one turn leave as one
 * socket write, in order; a large message is not held back; reads arrive intact.
 */
import { Buffer } from "node:buffer";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { connStream } from "../../src/grpc/socket.ts";

/**
 * A connected pair on loopback: our stream on the accepted side (its socket writes counted),
 * the raw peer conn.
 */
async function pair() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const peer = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const accepted = await listener.accept();
  listener.close();
  const counted = { writes: 0 };
  const write = accepted.write.bind(accepted);
  accepted.write = (bytes: Uint8Array) => {
    counted.writes++;
    return write(bytes);
  };
  return { stream: connStream(accepted), peer, counted };
}

/** Reads from `conn` until `n` bytes came; returns them and how many reads it took. */
async function readBytes(
  conn: Deno.Conn,
  n: number,
): Promise<{ bytes: Uint8Array; reads: number }> {
  const out = new Uint8Array(n);
  let got = 0;
  let reads = 0;
  while (got < n) {
    const m = await conn.read(out.subarray(got));
    assert(m !== null, "connection closed early");
    got += m;
    reads++;
  }
  return { bytes: out, reads };
}

Deno.test("grpc socket: small writes of one turn arrive together and in order", async () => {
  const { stream, peer, counted } = await pair();
  try {
    const parts = Array.from({ length: 20 }, (_, i) => Buffer.from(`frame ${i};`));
    const total = parts.reduce((n, p) => n + p.length, 0);
    let written = 0;
    for (const p of parts) stream.write(p, () => written++);
    const { bytes, reads } = await readBytes(peer, total);
    assertEquals(new TextDecoder().decode(bytes), parts.map((p) => p.toString()).join(""));
    assertEquals(reads, 1);
    assertEquals(counted.writes, 1);
    // Every write's callback runs once the bytes are out.
    for (let i = 0; i < 50 && written < parts.length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assertEquals(written, parts.length);
  } finally {
    stream.destroy();
    peer.close();
  }
});

Deno.test("grpc socket: a large message is written at once, whole, and reads come back", async () => {
  const { stream, peer } = await pair();
  try {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    stream.write(Buffer.from("head"));
    // Written in 16 KiB pieces, as HTTP/2 DATA frames are.
    for (let off = 0; off < big.length; off += 16384) stream.write(big.subarray(off, off + 16384));
    const { bytes } = await readBytes(peer, 4 + big.length);
    assertEquals(new TextDecoder().decode(bytes.subarray(0, 4)), "head");
    assert(Buffer.from(bytes.subarray(4)).equals(big), "bytes differ");
    // The other way: what the peer writes is read by the stream.
    const echo = new Promise<string>((resolve) => stream.once("data", (d) => resolve(String(d))));
    await peer.write(new TextEncoder().encode("ping"));
    assertEquals(await echo, "ping");
  } finally {
    stream.destroy();
    peer.close();
  }
});
