/** The guarded server: connection cap, header and keep-alive timeouts, drain (issue 8). */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  closeAfterAnswer,
  type ConnectionLimits,
  guardedServe,
  type GuardedServer,
} from "../../../src/http/guarded_serve.ts";
import { defaultMaxConnections } from "../../../src/http/limits.ts";

const LIMITS: ConnectionLimits = { maxConnections: 100, headerTimeoutMs: 1000, keepAliveMs: 500 };
const encoder = new TextEncoder();
const GET = encoder.encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n");

async function withGuarded(
  limits: Partial<ConnectionLimits>,
  handler: (req: Request) => Response | Promise<Response>,
  body: (server: GuardedServer) => Promise<void>,
): Promise<void> {
  const server = guardedServe({ ...LIMITS, ...limits, port: 0, hostname: "127.0.0.1" }, handler);
  try {
    await body(server);
  } finally {
    await server.shutdown();
  }
}

const ok = () => new Response("ok");

function connect(server: GuardedServer): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
}

/** Reads until `text` has arrived; what was read. */
async function readUntil(conn: Deno.Conn, text: string): Promise<string> {
  const buf = new Uint8Array(4096);
  let got = "";
  while (!got.includes(text)) {
    const n = await conn.read(buf);
    if (n === null) throw new Error(`closed before ${JSON.stringify(text)}: ${got}`);
    got += new TextDecoder().decode(buf.subarray(0, n));
  }
  return got;
}

/** Milliseconds until the server closes `conn` (reads and drops anything it sends). */
async function msUntilClosed(conn: Deno.Conn): Promise<number> {
  const start = performance.now();
  const buf = new Uint8Array(4096);
  try {
    while ((await conn.read(buf)) !== null) { /* drain */ }
  } catch { /* reset */ }
  conn.close();
  return performance.now() - start;
}

Deno.test("guarded server: an idle keep-alive connection is closed after keepAliveMs", async () => {
  await withGuarded({}, ok, async (server) => {
    const conn = await connect(server);
    await conn.write(GET);
    await readUntil(conn, "ok");
    const ms = await msUntilClosed(conn);
    assert(ms >= 450 && ms < 1200, `closed after ${ms} ms`);
  });
});

Deno.test("guarded server: half-sent headers are closed after headerTimeoutMs", async () => {
  await withGuarded({}, ok, async (server) => {
    const conn = await connect(server);
    await conn.write(encoder.encode("GET / HTTP/1.1\r\nhost"));
    const ms = await msUntilClosed(conn);
    assert(ms >= 950 && ms < 1800, `closed after ${ms} ms`);
    assertEquals(server.connections, 0);
  });
});

Deno.test("guarded server: keepAliveMs 0 answers with connection: close", async () => {
  await withGuarded({ keepAliveMs: 0 }, ok, async (server) => {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assertEquals(res.headers.get("connection"), "close");
    assertEquals(await res.text(), "ok");
  });
});

Deno.test("guarded server: at the cap the longest-idle connection makes room", async () => {
  await withGuarded({ maxConnections: 3, headerTimeoutMs: 60_000 }, ok, async (server) => {
    const idle = [];
    for (let i = 0; i < 3; i++) {
      idle.push(await connect(server));
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assertEquals(await res.text(), "ok");
    // The oldest idle connection was closed for the newcomer; the others are still open.
    assert((await msUntilClosed(idle[0])) < 500);
    assertEquals(server.connections, 3);
    for (const conn of idle.slice(1)) conn.close();
  });
});

Deno.test("guarded server: at the cap with every connection busy, a newcomer is closed", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await withGuarded(
    { maxConnections: 2 },
    async () => {
      await held;
      return ok();
    },
    async (server) => {
      const busy = [await connect(server), await connect(server)];
      for (const conn of busy) await conn.write(GET);
      await new Promise((r) => setTimeout(r, 100));
      const late = await connect(server);
      assert((await msUntilClosed(late)) < 500);
      release();
      for (const conn of busy) {
        await readUntil(conn, "ok");
        conn.close();
      }
    },
  );
});

Deno.test("guarded server: draining serves a busy keep-alive client to the end", async () => {
  const server = guardedServe(
    { ...LIMITS, port: 0, hostname: "127.0.0.1" },
    async () => {
      await new Promise((r) => setTimeout(r, 5));
      return ok();
    },
  );
  const conn = await connect(server);
  let answered = 0;
  let closing = false;
  let drained: Promise<void> | undefined;
  // A client that sends its next request as soon as an answer arrives, as wrk does.
  for (; answered < 1000; answered++) {
    await conn.write(GET);
    const head = await readUntil(conn, "ok");
    if (answered === 20) drained = server.shutdown();
    if (head.includes("connection: close")) {
      closing = true;
      break;
    }
  }
  assert(closing, "the client was never told to close");
  assert(answered > 20 && answered < 40, `answered ${answered}`);
  assert((await msUntilClosed(conn)) < 500);
  await drained;
  assertEquals(server.connections, 0);
  // After the drain nothing listens on the port any more.
  let refused = false;
  try {
    (await connect(server)).close();
  } catch {
    refused = true;
  }
  assert(refused);
});

Deno.test("guarded server: the default cap follows the open-files limit", () => {
  assertEquals(defaultMaxConnections(1024), 896);
  assertEquals(defaultMaxConnections(100), 32);
  assertEquals(defaultMaxConnections(1_048_576), 16_384);
  assertEquals(defaultMaxConnections(undefined), 16_384);
});

Deno.test("guarded server: closeAfterAnswer ends a stalled upload's connection", async () => {
  const refuse = (req: Request) => {
    closeAfterAnswer(req);
    return new Response("too slow", { status: 408, headers: { connection: "close" } });
  };
  await withGuarded({ headerTimeoutMs: 60_000, keepAliveMs: 60_000 }, refuse, async (server) => {
    const conn = await connect(server);
    await conn.write(
      encoder.encode("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\nx"),
    );
    await readUntil(conn, "too slow");
    const ms = await msUntilClosed(conn);
    assert(ms < 1_000, `closed after ${ms} ms`);
  });
});

Deno.test("guarded server: stopping beside siblings, it drains once they closed and gives idle clients a second", async () => {
  const server = guardedServe(
    { ...LIMITS, keepAliveMs: 60_000, port: 0, hostname: "127.0.0.1" },
    ok,
  );
  const idle = await connect(server);
  await idle.write(GET);
  await readUntil(idle, "ok");
  let siblingsClosed!: () => void;
  const drained = server.shutdown(new Promise((r) => (siblingsClosed = r)));
  await server.listenerClosed;
  // Not told to drain yet: a keep-alive client is still answered as usual.
  await idle.write(GET);
  assert(!(await readUntil(idle, "ok")).includes("connection: close"));
  const told = performance.now();
  siblingsClosed();
  // Idle since before the drain: kept for about a second, in case its next request is coming.
  const ms = await msUntilClosed(idle);
  assert(ms > 800 && performance.now() - told < 3_000, `closed after ${ms} ms`);
  await drained;
  assertEquals(server.connections, 0);
});
