/**
 * Hostile connections (issue 8 items 1–2), against the real program under a low open-files
 * limit: idle floods on every port, and slowloris clients that trickle their request heads.
 */
import { assert, assertEquals, eventually } from "../_helpers/assert.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { appFolder, IDENTITY_APP, type Spawned, spawnServer } from "../_helpers/spawn.ts";

/** Open-files limit of the server under test: its default connection cap is 256 - 128. */
const OPEN_FILES = 256;
const FLOOD = 600;

/** Opens `n` idle connections to `port` (those the server refuses are simply counted out). */
async function flood(port: number, n: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch { /* refused: the backlog is full */ }
  }
  return conns;
}

function closeAll(conns: Deno.TcpConn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

/** Milliseconds a GET takes (throws unless 200). */
async function timedGet(url: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  assertEquals(res.status, 200);
  return performance.now() - start;
}

async function predictOverGrpc(s: Spawned): Promise<void> {
  const res = await grpcCall("Model", s.grpcPort!, "Predict", {
    data: { tensor: { shape: [1, 1], values: [1] } },
  });
  assert(res.data, JSON.stringify(res));
}

/** Neither the supervisor nor any worker died (no replacement, no exit). */
function assertNobodyDied(s: Spawned): void {
  assert(!/exited|replacement|Uncaught/.test(s.log()), s.log());
}

for (const maxConnections of [undefined, "100000"]) {
  const what = maxConnections === undefined
    ? "the default cap"
    : "a cap above the open-files limit";
  Deno.test(`flood: ${FLOOD} idle connections on every port, ${what}`, async () => {
    const extra = maxConnections === undefined ? [] : ["--max-connections", maxConnections];
    const s = await spawnServer(
      await appFolder(IDENTITY_APP),
      ["MyModel", ...extra],
      {},
      true,
      { openFiles: OPEN_FILES },
    );
    try {
      for (const port of [s.port, s.metricsPort!, s.grpcPort!]) {
        const conns = await flood(port, FLOOD);
        if (maxConnections === undefined && port !== s.grpcPort) {
          // Under the cap an idle connection makes room: the port answers during the flood.
          await timedGet(`${s.url}/health/ping`);
          await timedGet(`http://127.0.0.1:${s.metricsPort}/metrics`);
        }
        closeAll(conns);
      }
      // Afterwards every port answers, and nothing was restarted.
      assert(await eventually(async () => (await timedGet(`${s.url}/health/ping`)) < 500));
      await timedGet(`http://127.0.0.1:${s.metricsPort}/metrics`);
      await predictOverGrpc(s);
      assertNobodyDied(s);
    } finally {
      await s.stop();
    }
  });
}

Deno.test("slowloris: 500 trickling connections are closed, /health/ping stays fast", async () => {
  const s = await spawnServer(
    await appFolder(IDENTITY_APP),
    ["MyModel", "--header-timeout", "2"],
    {},
    true,
    { openFiles: 1024 },
  );
  const encoder = new TextEncoder();
  try {
    const conns = await flood(s.port, 500);
    assertEquals(conns.length, 500);
    const closed = new Set<Deno.TcpConn>();
    for (const conn of conns) {
      conn.read(new Uint8Array(64)).then(() => closed.add(conn), () => closed.add(conn));
    }
    const started = performance.now();
    const pings: number[] = [];
    let step = 0;
    // One more header byte per connection every 100 ms, for up to 6 s.
    const header = encoder.encode("POST /api/v1.0/predictions HTTP/1.1\r\nx-slow: ");
    while (closed.size < conns.length && performance.now() - started < 6_000) {
      for (const conn of conns) {
        if (closed.has(conn)) continue;
        conn.write(step < header.length ? header.subarray(step, step + 1) : encoder.encode("a"))
          .catch(() => closed.add(conn));
      }
      step++;
      pings.push(await timedGet(`${s.url}/health/ping`));
      await new Promise((r) => setTimeout(r, 100));
    }
    const elapsed = performance.now() - started;
    assertEquals(closed.size, conns.length);
    assert(elapsed >= 1_900 && elapsed < 4_000, `all closed after ${elapsed} ms`);
    pings.sort((a, b) => a - b);
    const median = pings[pings.length >> 1];
    assert(median < 100 && pings.at(-1)! < 1_000, `/health/ping took ${pings.join(", ")} ms`);
    closeAll(conns);
    assertNobodyDied(s);
  } finally {
    await s.stop();
  }
});
