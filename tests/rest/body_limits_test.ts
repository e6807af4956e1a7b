/**
 * Bodies are read incrementally, after the route and content type are checked, under
 * `--max-body-size` and `--body-timeout`: lying and slow clients hold no more memory than they
 * sent and get a 408. Real servers on loopback, raw TCP clients.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { appFolder, IDENTITY_APP, spawnServer } from "../_helpers/spawn.ts";
import { withServer } from "../_helpers/server.ts";
import { DataPlane } from "../../src/dataplane/dataplane.ts";
import { createHandler } from "../../src/rest/server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A raw HTTP/1.1 client connection that has sent `head` (and `body`, if any). */
async function open(port: number, head: string, body = ""): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc.encode(head + "\r\n\r\n" + body));
  return conn;
}

/** Request headers of a POST with a declared length. */
function post(path: string, contentType: string, length: number): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\n` +
    `Content-Length: ${length}`;
}

/** One response read off `conn` (status, lower-case headers, body), or a timeout error. */
async function response(
  conn: Deno.TcpConn,
  ms = 10_000,
): Promise<{ status: number; headers: string; body: any }> {
  const buf = new Uint8Array(65536);
  let text = "";
  const timer = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const headers = text.slice(0, end).toLowerCase();
        const length = Number(/content-length: (\d+)/.exec(headers)?.[1]);
        if (text.length >= end + 4 + length) {
          const body = JSON.parse(text.slice(end + 4, end + 4 + length));
          return { status: Number(text.split(" ")[1]), headers, body };
        }
      }
      const n = await conn.read(buf);
      if (n === null) throw new Error(`connection closed after ${JSON.stringify(text)}`);
      text += dec.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The resident memory of `pid` (VmRSS, through `ps`: tests may not read /proc). */
async function rssMiB(pid: number): Promise<number> {
  const out = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] }).output();
  return Number(dec.decode(out.stdout).trim()) / 1024;
}

async function childrenOf(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(pid)] })
    .output();
  return dec.decode(out.stdout).split(/\s+/).filter(Boolean).map(Number);
}

async function pingMs(url: string): Promise<number> {
  const t = performance.now();
  const r = await fetch(`${url}/health/ping`);
  assertEquals(await r.text(), "pong");
  return performance.now() - t;
}

const TIMEOUT_TEXT = "408 Request Timeout: The server closed the network connection because the " +
  "browser didn't finish the request within the specified time.";

Deno.test("bodies: 60 connections declaring 128 MiB and sending 1 byte hold < 100 MB, then get a 408", async () => {
  const dir = await appFolder(IDENTITY_APP);
  const server = await spawnServer(dir, ["MyModel", "--grpc-workers", "0", "--body-timeout", "3"]);
  const conns: Deno.TcpConn[] = [];
  try {
    const [worker] = await childrenOf(server.child.pid);
    assert(await pingMs(server.url) < 5000);
    const before = await rssMiB(worker);
    const sent = performance.now();
    for (let i = 0; i < 60; i++) {
      conns.push(
        await open(server.port, post("/api/v1.0/predictions", "application/json", 134217728), "{"),
      );
    }
    // A small declared body (read with `req.bytes()`) is under the same timeout.
    conns.push(await open(server.port, post("/predict", "application/json", 100), "{"));
    await new Promise((r) => setTimeout(r, 1000));
    const pings = [];
    for (let i = 0; i < 5; i++) pings.push(await pingMs(server.url));
    const grown = await rssMiB(worker) - before;
    assert(grown < 100, `RSS grew by ${grown.toFixed(0)} MiB`);
    assert(Math.max(...pings) < 500, `pings took ${pings.map((p) => p.toFixed(0))} ms`);
    for (const conn of conns) {
      const r = await response(conn);
      assertEquals(r.status, 408);
      assert(r.headers.includes("connection: close"), r.headers);
      assertEquals(r.body, {
        status: { code: -1, info: TIMEOUT_TEXT, reason: "MICROSERVICE_BAD_DATA", status: 1 },
      });
    }
    const elapsed = performance.now() - sent;
    assert(elapsed > 2500 && elapsed < 8000, `408s after ${elapsed.toFixed(0)} ms`);
    // …and the server then closes those connections rather than wait for the rest.
    const buf = new Uint8Array(16);
    for (const conn of conns) {
      const timer = setTimeout(() => conn.close(), 5_000);
      assertEquals(await conn.read(buf).catch(() => "cut by the test"), null);
      clearTimeout(timer);
    }
    assert(await pingMs(server.url) < 1000);
  } finally {
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed by the timeout of `response` */ }
    }
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bodies: a body the answer does not depend on is not waited for", () =>
  withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const port = Number(new URL(s.url).port);
      // Not JSON, not a form: 400 at once, the declared 128 MiB never arrives.
      const conns = [await open(port, post("/predict", "text/plain", 134217728), "x")];
      let r = await response(conns[0], 5000);
      assertEquals(r.status, 400);
      assertEquals(r.body.status.info, "Can't find JSON in data");
      // A `json` query parameter decides: the body is not read.
      conns.push(
        await open(
          port,
          post(`/predict?json=${encodeURIComponent('{"strData":"q"}')}`, "application/json", 1000),
          "{",
        ),
      );
      r = await response(conns[1], 5000);
      assertEquals(r.status, 200);
      assertEquals(r.body, { meta: {}, strData: "q" });
      // An unknown route is answered before any body.
      conns.push(await open(port, post("/nowhere", "application/json", 134217728), "{"));
      r = await response(conns[2], 5000);
      assertEquals(r.status, 500);
      for (const conn of conns) conn.close();
    },
    {},
    { bodyTimeout: 60 },
  ));

Deno.test("bodies: large bodies arrive whole, in any chunking, up to the limit", () =>
  withServer(
    { predict: (X: unknown) => X },
    async (s) => {
      const doc = JSON.stringify({ strData: "a".repeat(3_000_000) });
      let r = await s.post("/predict", doc);
      assertEquals(r.status, 200);
      assertEquals(r.json.strData.length, 3_000_000);
      // Chunked (no content-length), in small pieces.
      const bytes = enc.encode(doc);
      const chunked = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 100_000) c.enqueue(bytes.slice(i, i + 100_000));
          c.close();
        },
      });
      r = await s.fetch("/predict", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunked,
      });
      assertEquals(r.status, 200);
      assertEquals(r.json.strData.length, 3_000_000);
      // Multipart bodies are read under the same limit.
      const form = new FormData();
      form.set("strData", "b".repeat(5_000_000));
      r = await s.fetch("/predict", { method: "POST", body: form });
      assertEquals(r.status, 500);
      assertEquals(
        r.json.status.info,
        "413 Request Entity Too Large: The data value transmitted exceeds the capacity limit.",
      );
      const small = new FormData();
      small.set("strData", "b".repeat(1_000_000));
      r = await s.fetch("/predict", { method: "POST", body: small });
      assertEquals(r.status, 200);
      assertEquals(r.json.strData.length, 1_000_000);
    },
    {},
    { maxBodySize: 4_000_000 },
  ));

Deno.test("bodies: a stalled body (no content-length) gets the 408", async () => {
  const plane = await DataPlane.create({ predict: (X: unknown) => X }, {
    includeMetrics: true,
    executorEnabled: true,
  });
  const handle = createHandler(plane, {
    port: 0,
    hostname: "",
    maxBodySize: 1 << 20,
    bodyTimeoutMs: 300,
    payloadPassthrough: false,
    concurrency: 1,
    json: { pretty: false, ascii: true },
  });
  let cancelled = false;
  const stalled = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(enc.encode('{"data":')),
    cancel: () => {
      cancelled = true;
    },
  });
  const info = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 4242 } };
  const t = performance.now();
  const res = await handle(
    new Request("http://127.0.0.1/api/v1.0/predictions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stalled,
    }),
    info as Deno.ServeHandlerInfo,
  );
  const elapsed = performance.now() - t;
  assertEquals(res.status, 408);
  assertEquals(res.headers.get("connection"), "close");
  assertEquals((await res.json()).status.info, TIMEOUT_TEXT);
  assert(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);
  assert(cancelled, "the body stream was cancelled");
});
