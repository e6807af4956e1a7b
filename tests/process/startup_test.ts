/**
 * Audit regressions (server.md §1.1, §1.7): argparse's token rules and leftovers as upstream's
 * `parse_known_args` sees them, its option order, and a bad gRPC size annotation that stops
 * only gRPC.
 */
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";
import { join } from "node:path";
import { ConfigExit, parseConfig } from "../../src/config/options.ts";
import { appFolder, spawnServer } from "../_helpers/spawn.ts";

function exitOf(argv: string[]): ConfigExit {
  return assertThrows(() => parseConfig(argv, {}), (e) => e instanceof ConfigExit);
}

Deno.test("audit cli: Unknown args lists each leftover token exactly as typed", () => {
  const e = exitOf(["M", "--foo=", "-xyz", "-x y", "--bar", "z"]);
  assertEquals(e.exitCode, 255);
  assert(e.message.startsWith("Unknown args ['--foo=', '-xyz', '-x y', '--bar', 'z']. Note"));
});

Deno.test("audit cli: `-` and values with a space are flag values, as argparse takes them", () => {
  assertEquals(parseConfig(["M", "--parameters", "-"], {}).parameters, "-");
  assertEquals(parseConfig(["M", "--pidfile", "-a b"], {}).pidfile, "-a b");
  assertEquals(parseConfig(["M", "--debug", "-"], {}).debug, true);
  assertEquals(exitOf(["M", "--parameters", "--workers=1 2"]).exitCode, 2);
});

Deno.test("audit cli: ambiguous prefixes name the whole token, candidates in upstream's order", () => {
  const p = exitOf(["M", "--p", "1"]);
  assertEquals(p.exitCode, 2);
  assert(
    p.message.endsWith(
      "error: ambiguous option: --p could match --persistence, --parameters, --pidfile",
    ),
    p.message,
  );
  const g = exitOf(["M", "--grpc=5"]);
  assert(
    g.message.endsWith(
      "error: ambiguous option: --grpc=5 could match --grpc-port, --grpc-threads, --grpc-workers",
    ),
    g.message,
  );
  assert(p.message.includes("[--service-type {"), p.message);
  assert(
    p.message.indexOf("[--persistence [PERSISTENCE]]") < p.message.indexOf("[--parameters"),
    p.message,
  );
});

Deno.test("audit annotations: a non-integer grpc-max-message-size stops gRPC only; REST serves", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }\n",
    "annotations": 'seldon.io/grpc-max-message-size="abc"\n',
  });
  for (const extra of [[], ["--debug"]]) {
    const s = await spawnServer(dir, ["MyModel", ...extra], {
      SELDON_ANNOTATIONS_FILE: join(dir, "annotations"),
    });
    try {
      const res = await fetch(`${s.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"data":{"ndarray":[1]}}',
      });
      assertEquals(res.status, 200);
      assertEquals(await res.json(), { data: { names: [], ndarray: [1] }, meta: {} });
      assertEquals(s.grpcPort, undefined);
      assert(/ERROR: {2}gRPC (workers|server) not started/.test(s.log()), s.log());
    } finally {
      await s.stop();
    }
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("audit examples: start-up logs `Starting servers` in the upstream log format (supervisor and --debug)", async () => {
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }\n",
  });
  for (const extra of [[], ["--debug"]]) {
    const s = await spawnServer(dir, ["MyModel", ...extra]);
    await s.stop();
    // metrics-and-processes.md §4.1: `<date> - <module>:<function>:<line> - INFO:  <message>`.
    assert(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - \S+:\S+:\d+ - INFO: {2}Starting servers$/m.test(
        s.log(),
      ),
      s.log(),
    );
  }
  await Deno.remove(dir, { recursive: true });
});
