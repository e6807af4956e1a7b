/**
 * No graceful path drops a request (issue 8 item 7): replacing REST workers — SIGHUP, and
 * `--max-requests` recycling — under keep-alive load as `wrk` makes it.
 */
import { assert, assertEquals, eventually } from "../_helpers/assert.ts";
import { keepAliveLoad, postRequest } from "../_helpers/keepalive.ts";
import { appFolder, IDENTITY_APP, spawnServer } from "../_helpers/spawn.ts";

const PREDICT = postRequest("/api/v1.0/predictions", '{"data":{"ndarray":[[1,2,3]]}}');
const CLIENTS = 20;
const REPLACEMENTS = 5;

const boots = (log: string) => log.match(/Booting rest worker/g)?.length ?? 0;

/** Runs `ps` with `args`; its output (tests may not read /proc themselves). */
async function ps(args: string[]): Promise<string> {
  const out = await new Deno.Command("ps", { args }).output();
  return new TextDecoder().decode(out.stdout);
}

/** Whether process `pid` exists. */
async function alive(pid: number): Promise<boolean> {
  return (await ps(["-o", "pid=", "-p", String(pid)])).trim() !== "";
}

/** The REST worker processes of supervisor `pid` (their role is in their environment). */
async function restWorkers(pid: number): Promise<number[]> {
  return (await ps(["e", "-o", "pid=,args=", "--ppid", String(pid)])).split("\n")
    .filter((line) => line.includes("SELDON_TS_ROLE=rest"))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

Deno.test("drain: SIGHUP replacements lose nothing from 20 keep-alive clients", async () => {
  const s = await spawnServer(await appFolder(IDENTITY_APP), ["MyModel", "--workers", "2"]);
  try {
    const stop = new AbortController();
    const load = keepAliveLoad(s.port, CLIENTS, PREDICT, stop.signal);
    for (let i = 1; i <= REPLACEMENTS; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const olds = await restWorkers(s.child.pid);
      assertEquals(olds.length, 2);
      s.child.kill("SIGHUP");
      // The replacements booted, and the old workers drained under the load and exited.
      assert(await eventually(() => boots(s.log()) === 2 + 2 * i, 20_000), s.log());
      assert(
        await eventually(async () => !(await alive(olds[0])) && !(await alive(olds[1])), 20_000),
        s.log(),
      );
    }
    await new Promise((r) => setTimeout(r, 1_500));
    stop.abort();
    const result = await load;
    assertEquals({ errors: result.errors, non2xx: result.non2xx }, { errors: 0, non2xx: 0 });
    assert(result.ok > 500, `only ${result.ok} answers`);
    // The old workers told their clients to reconnect rather than cutting them.
    assert(result.reconnects >= REPLACEMENTS, `${result.reconnects} reconnects`);
  } finally {
    await s.stop();
  }
});

Deno.test("drain: max-requests recycling loses nothing from 20 keep-alive clients", async () => {
  const s = await spawnServer(await appFolder(IDENTITY_APP), [
    "MyModel",
    "--max-requests",
    "300",
  ]);
  try {
    const stop = new AbortController();
    const load = keepAliveLoad(s.port, CLIENTS, PREDICT, stop.signal);
    assert(await eventually(() => boots(s.log()) >= 1 + REPLACEMENTS, 30_000), s.log());
    stop.abort();
    const result = await load;
    assertEquals({ errors: result.errors, non2xx: result.non2xx }, { errors: 0, non2xx: 0 });
    assert(result.ok >= 300 * REPLACEMENTS, `only ${result.ok} answers`);
  } finally {
    await s.stop();
  }
});
