/**
 * gRPC robustness against the real program in a subprocess (so a process abort shows as an exit
 * status): Deno 2.9.4–2.9.6 aborted in node:http2 when a client closed a busy channel and opened
 * a new one; also malformed frames, cancelled calls and abrupt disconnects. Every new channel
 * must be answered and the server must stay alive. Bounded: 20 rounds, loopback only.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { appFolder, type Spawned, spawnServer } from "../_helpers/spawn.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { concat } from "../_helpers/bytes.ts";

const SLOW_MODEL = `
export class Slow {
  async predict(X) {
    if (typeof X === "string" && X === "slow") await new Promise((r) => setTimeout(r, 700));
    return X;
  }
}
`;

/** `--debug` serves everything in one process (where Deno 2.9.5 aborted); else supervisor + workers. */
async function withSlowServer(fn: (s: Spawned) => Promise<void>, debug = false) {
  const dir = await appFolder({ "Slow.js": SLOW_MODEL });
  const server = await spawnServer(dir, [
    "Slow",
    "--grpc-threads",
    "64",
    ...(debug ? ["--debug"] : []),
  ]);
  try {
    await fn(server);
    const alive = await Promise.race([
      server.child.status.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), 100)),
    ]);
    assert(alive, `server died:\n${server.log()}`);
  } finally {
    const status = await server.stop();
    assertEquals(
      status.signal === null || status.signal === "SIGTERM",
      true,
      `exit ${JSON.stringify(status)}`,
    );
    // No worker may have died (the supervisor would have replaced it and logged that).
    assert(
      !/free\(\): invalid pointer|Assertion|panicked|SIGABRT|worker \d+ exited/.test(server.log()),
      server.log(),
    );
    await Deno.remove(dir, { recursive: true });
  }
}

async function fastCall(port: number) {
  const client = seldonClient("Model", port);
  try {
    const res = await client.call("Predict", { strData: "fast" });
    assertEquals(res.strData, "fast");
  } finally {
    client.close();
  }
}

async function busyChannelRounds(s: Spawned) {
  const port = s.grpcPort!;
  for (let round = 0; round < 20; round++) {
    // 8 calls kept in flight on one channel for ~0.7 s: a slow call and a stream of fast ones,
    // so the server is writing responses when the channel goes away.
    const busy = seldonClient("Model", port);
    const until = Date.now() + 700;
    const loops = Array.from({ length: 8 }, async (_, i) => {
      if (i === 0) return await busy.call("Predict", { strData: "slow" }).catch(() => null);
      while (Date.now() < until) {
        if (await busy.call("Predict", { strData: "fast" }).catch(() => null) === null) return;
      }
    });
    await new Promise((r) => setTimeout(r, 700));
    busy.close();
    await fastCall(port);
    await Promise.all(loops);
  }
}

Deno.test("grpc robustness: closing a busy channel and opening a new one, 20 times (one process)", () =>
  withSlowServer(busyChannelRounds, true));

Deno.test("grpc robustness: closing a busy channel and opening a new one, 20 times (workers)", () =>
  withSlowServer(busyChannelRounds));

async function rawSend(port: number, bytes: Uint8Array, readBack = true) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(bytes);
    if (readBack) {
      const buf = new Uint8Array(1024);
      await Promise.race([
        conn.read(buf).catch(() => null),
        new Promise((r) => setTimeout(r, 200)),
      ]);
    }
  } finally {
    try {
      conn.close();
    } catch { /* already closed by the server */ }
  }
}

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

Deno.test("grpc robustness: malformed frames, cancelled calls and abrupt disconnects", () =>
  withSlowServer(async (s) => {
    const port = s.grpcPort!;
    const enc = new TextEncoder();
    // not HTTP/2 at all
    await rawSend(port, enc.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await fastCall(port);
    // garbage
    await rawSend(port, crypto.getRandomValues(new Uint8Array(4096)));
    await fastCall(port);
    // a valid preface followed by a frame with a bogus length and type
    await rawSend(
      port,
      concat(PREFACE, new Uint8Array([0xff, 0xff, 0xff, 0x09, 0xff, 0, 0, 0, 1, 1, 2, 3])),
    );
    await fastCall(port);
    // a SETTINGS frame followed by HEADERS with garbage HPACK
    const settings = new Uint8Array([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const headers = concat(
      new Uint8Array([0, 0, 8, 1, 5, 0, 0, 0, 1]),
      crypto.getRandomValues(new Uint8Array(8)),
    );
    await rawSend(port, concat(PREFACE, settings, headers));
    await fastCall(port);
    // preface, then hang up at once
    await rawSend(port, PREFACE, false);
    await fastCall(port);
    // cancelled calls in flight
    const client = seldonClient("Model", port);
    const calls = Array.from({ length: 8 }, () => {
      const call = (client.raw as any).makeUnaryRequest(
        "/seldon.protos.Model/Predict",
        (m: Uint8Array) => m,
        (b: Uint8Array) => b,
        new Uint8Array([0x2a, 4, 0x73, 0x6c, 0x6f, 0x77]), // strData "slow"
        () => {},
      );
      return call;
    });
    await new Promise((r) => setTimeout(r, 100));
    for (const c of calls) c.cancel();
    client.close();
    await fastCall(port);
    // a connection dropped in the middle of a message
    await rawSend(
      port,
      concat(PREFACE, settings, new Uint8Array([0, 0x40, 0, 0, 0, 0, 0, 0, 1, 1, 2])),
      false,
    );
    await fastCall(port);
  }));
