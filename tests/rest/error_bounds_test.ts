/**
 * Error paths are bounded: a malformed `json=` field of many megabytes and a huge request echoed
 * by `Invalid request data type` are answered quickly, with echoes cut at 64 KiB and marked, while
 * `/health/ping` stays fast. A real server process on loopback.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { appFolder, IDENTITY_APP, spawnServer } from "../_helpers/spawn.ts";

/** Pings `url` every 20 ms until `done` settles; the slowest ping in ms. */
async function slowestPing(url: string, done: Promise<unknown>): Promise<number> {
  let settled = false;
  done.finally(() => settled = true).catch(() => {});
  let slowest = 0;
  while (!settled) {
    const t = performance.now();
    const r = await fetch(`${url}/health/ping`);
    assertEquals(await r.text(), "pong");
    slowest = Math.max(slowest, performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return slowest;
}

async function timed(
  url: string,
  init: RequestInit,
): Promise<{ ms: number; status: number; text: string; json: any }> {
  const t = performance.now();
  const r = await fetch(url, init);
  const text = await r.text();
  return { ms: performance.now() - t, status: r.status, text, json: JSON.parse(text) };
}

Deno.test("error bounds: a 20 MB malformed json= field and a 50 MB echo are fast and cut", async () => {
  const dir = await appFolder(IDENTITY_APP);
  const server = await spawnServer(dir, ["MyModel", "--grpc-workers", "0"]);
  try {
    const row = "[" + Array.from({ length: 100 }, (_, i) => i * 1.5).join(",") + "]";
    const rows = Array.from({ length: Math.ceil(20e6 / (row.length + 1)) }, () => row);
    // A truncated document: CPython's exact text would need a scan of all of it.
    const malformed = `{"data":{"ndarray":[${rows.join(",")}]`;
    const form = timed(`${server.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ json: malformed }).toString(),
    });
    const pingDuringForm = await slowestPing(server.url, form);
    const f = await form;
    // The same form, well-formed: what any 20 MB form costs (decoding it, one JSON parse).
    const wellFormed = timed(`${server.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ json: malformed.slice(0, -1) + "]}}" }).toString(),
    });
    const pingDuringValid = await slowestPing(server.url, wellFormed);
    assertEquals((await wellFormed).status, 200);
    assertEquals(f.status, 500);
    assertEquals(f.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
    assert(
      f.json.status.info.startsWith(
        `Invalid JSON (${malformed.length} characters; Python's error text is given up to 1048576)`,
      ),
      f.json.status.info,
    );
    // Small ones keep CPython's text.
    const small = await timed(
      `${server.url}/predict?json=${encodeURIComponent('{"a": [1, 2}')}`,
      {},
    );
    assertEquals(small.json.status.info, "Expecting ',' delimiter: line 1 column 12 (char 11)");

    // A 50 MB body that is not a SeldonMessage: its echo is cut at 64 KiB.
    const huge = JSON.stringify({ notData: "x".repeat(50_000_000) });
    const echo = timed(`${server.url}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: huge,
    });
    const pingDuringEcho = await slowestPing(server.url, echo);
    const e = await echo;
    assertEquals(e.status, 400);
    const info: string = e.json.status.info;
    const prefix = "Invalid request data type: {'notData': 'xxx";
    assert(info.startsWith(prefix), info.slice(0, 100));
    assert(
      info.endsWith(` ... [truncated, the request has ${huge.length} bytes]`),
      info.slice(-80),
    );
    assert(info.length < 66_000, `info of ${info.length} characters`);
    assert(e.text.length < 70_000, `answer of ${e.text.length} bytes`);
    // The log line is bounded too.
    assert(server.log().length < 400_000, `log of ${server.log().length} characters`);

    console.log(
      `json= 20 MB: ${f.ms.toFixed(0)} ms (slowest ping ${pingDuringForm.toFixed(0)} ms, ` +
        `${pingDuringValid.toFixed(0)} ms when well-formed); ` +
        `echo 50 MB: ${e.ms.toFixed(0)} ms (slowest ping ${pingDuringEcho.toFixed(0)} ms)`,
    );
    assert(f.ms < 5000 && e.ms < 5000, `${f.ms} ms, ${e.ms} ms`);
    // The error path adds no long block to what the same body costs when well-formed.
    assert(pingDuringForm < pingDuringValid + 500, `${pingDuringForm} vs ${pingDuringValid} ms`);
    assert(pingDuringEcho < 1500, `${pingDuringEcho} ms`);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
