/**
 * Stopping and replacing workers without dropping requests: SIGTERM answers what cannot finish
 * within `--graceful-timeout` (REST 503, gRPC UNAVAILABLE) and logs the count,
 * `--max-worker-memory` replaces a worker that grew too big, and the supervisor's private
 * folder is swept at the next start after a `kill -9`.
 */
import { assert, assertEquals, eventually } from "../_helpers/assert.ts";
import { seldonClient } from "../_helpers/grpc.ts";
import { appFolder, spawnServer } from "../_helpers/spawn.ts";

/** Every hook call takes about a second. */
const SLOW_MODEL = `export class Slow {
  async predict(X) { await new Promise((r) => setTimeout(r, 1000)); return { pid: Deno.pid }; }
}`;

const post = (url: string, body: unknown, client?: Deno.HttpClient) =>
  fetch(`${url}/api/v1.0/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    client,
  });

Deno.test("graceful: on SIGTERM what cannot finish within --graceful-timeout is answered 503 / UNAVAILABLE, counted, exit 0", async () => {
  const dir = await appFolder({ "Slow.js": SLOW_MODEL });
  const s = await spawnServer(dir, ["Slow", "--threads", "1", "--graceful-timeout", "3"]);
  const grpc = seldonClient("Model", s.grpcPort!);
  try {
    // 10 REST requests and 4 RPCs, one hook at a time per worker: most of them cannot finish.
    const rest = Array.from({ length: 10 }, () =>
      post(s.url, { strData: "x" }).then(
        async (res) => ({ status: res.status, json: await res.json() }),
        (err) => ({ status: 0, json: String(err) }),
      ));
    const rpcs = Array.from(
      { length: 4 },
      () => grpc.call("Predict", { strData: "x" }).then(() => 0, (err) => err.code as number),
    );
    await new Promise((r) => setTimeout(r, 500)); // all sent and queued
    const started = Date.now();
    s.child.kill("SIGTERM");
    const answers = await Promise.all(rest);
    const codes = await Promise.all(rpcs);
    const status = await s.child.status;
    const took = Date.now() - started;
    assertEquals(status.code, 0);
    assert(took < 3000, `stopped after ${took} ms`); // before the supervisor's SIGKILL
    const ok = answers.filter((a) => a.status === 200).length;
    const unavailable = answers.filter((a) =>
      a.status === 503 && a.json.status.reason === "MICROSERVICE_UNAVAILABLE" &&
      a.json.status.code === -1
    ).length;
    assertEquals(ok + unavailable, 10, JSON.stringify(answers));
    assert(ok >= 1 && unavailable >= 5, JSON.stringify(answers));
    // gRPC: OK (0) or UNAVAILABLE (14), never cut
    assertEquals(
      codes.filter((c) =>
        c !== 0 && c !== 14
      ),
      [],
      JSON.stringify(codes),
    );
    const grpcUnavailable = codes.filter((c) => c === 14).length;
    assert(grpcUnavailable >= 2, JSON.stringify(codes));
    await s.stop();
    assert(
      s.log().includes(`Graceful timeout: ${unavailable} unfinished requests answered 503`),
      s.log(),
    );
    assert(
      s.log().includes(
        `Graceful timeout: ${grpcUnavailable} unfinished calls answered UNAVAILABLE`,
      ),
      s.log(),
    );
  } finally {
    grpc.close();
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
