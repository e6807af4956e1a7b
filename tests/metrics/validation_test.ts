/**
 * Regression tests from the metrics/configuration fidelity audit (metrics-and-processes.md
 * §2–§3, server.md §1 and §4): real servers on ephemeral loopback ports, the real program for
 * command-line behaviour.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertThrows } from "../_helpers/assert.ts";
import { startTestServer, type TestServer } from "../_helpers/server.ts";
import { appFolder, runMain } from "../_helpers/spawn.ts";
import { type ConfigExit, parseConfig } from "../../src/config/options.ts";
import { importComponent } from "../../src/component/loader.ts";
import { serverAnnotations } from "../../src/serve.ts";
import { testConfig } from "../_helpers/server.ts";

async function scrape(server: TestServer): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${server.running.metricsPort}/metrics`);
  assertEquals(res.status, 200);
  return await res.text();
}

async function withMetrics(
  component: Record<string, unknown>,
  fn: (server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startTestServer(component);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const DATA = { data: { ndarray: [1] } };

Deno.test("audit: a non-string tag value fails the request with Python's join error (§3.3)", async () => {
  for (
    const [tags, info] of [
      [{ shard: 3 }, "sequence item 1: expected str instance, int found"],
      [{ a: "x", shard: 2.5 }, "sequence item 1: expected str instance, float found"],
      ["abc", "'str' object does not support item assignment"],
      [null, "'NoneType' object does not support item assignment"],
    ] as const
  ) {
    await withMetrics({
      predict: (X: unknown) => X,
      metrics: () => [{ type: "GAUGE", key: "q", value: 3, tags }],
    }, async (server) => {
      const r = await server.post("/predict", DATA);
      assertEquals(r.status, 500);
      assertEquals(r.json, {
        status: { code: -1, info, reason: "MICROSERVICE_INTERNAL_ERROR", status: 1 },
      });
    });
  }
});

Deno.test("audit: raw-hook metrics: non-numeric COUNTER/TIMER fail as Python, nothing of the list is kept", async () => {
  for (
    const [metrics, info] of [
      [
        [{ type: "COUNTER", key: "c", value: "5" }],
        "unsupported operand type(s) for +: 'int' and 'str'",
      ],
      [
        [{ type: "COUNTER", key: "c", value: null }],
        "unsupported operand type(s) for +: 'int' and 'NoneType'",
      ],
      [
        [{ type: "TIMER", key: "t", value: "5" }],
        "unsupported operand type(s) for /: 'str' and 'int'",
      ],
      [
        [{ type: "COUNTER", key: "ok", value: 1.5 }, { type: "COUNTER", key: "ok", value: "x" }],
        "unsupported operand type(s) for +: 'float' and 'str'",
      ],
    ] as const
  ) {
    await withMetrics({
      predictRaw: (m: { data: unknown }) => ({ data: m.data, meta: { metrics } }),
    }, async (server) => {
      const r = await server.post("/predict", DATA);
      assertEquals(r.status, 500);
      assertEquals(r.json.status.info, info);
      assertEquals(r.json.status.reason, "MICROSERVICE_INTERNAL_ERROR");
      assertEquals(await scrape(server), "");
    });
  }
});

Deno.test("audit: a raw-hook metric without type is recorded as a COUNTER (upstream default)", () =>
  withMetrics({
    predictRaw: (m: { data: unknown }) => ({
      data: m.data,
      meta: { metrics: [{ key: "untyped", value: 2 }] },
    }),
  }, async (server) => {
    const r = await server.post("/predict", DATA);
    assertEquals(r.status, 200);
    const text = await scrape(server);
    assert(text.includes("# TYPE untyped_total counter\n"), text);
    assert(/\nuntyped_total\{.*method="predict".*\} 2\.0\n/.test(text), text);
  }));

Deno.test("audit: argparse negative numbers are values (--grpc-workers -1 disables gRPC)", () => {
  const config = parseConfig(["MyModel", "--grpc-workers", "-1", "--debug", "-1"], {});
  assertEquals(config.grpcWorkers, -1);
  assertEquals(config.debug, true);
});

Deno.test("audit: argparse errors print the usage then exactly `<prog>: error: <text>`", async () => {
  const r = await runMain(["MyModel", "--h", "3"]);
  assertEquals(r.code, 2);
  const lines = r.stderr.trim().split("\n").filter((l) => !l.includes(" - INFO:  "));
  assert(lines[0].startsWith("usage: seldon-core-microservice [-h]"), r.stderr);
  assertEquals(
    lines[lines.length - 1],
    "seldon-core-microservice: error: ambiguous option: --h could match --help, --http-port",
  );
  const e = assertThrows(() => parseConfig(["MyModel", "--service-type", "X"], {})) as ConfigExit;
  assert(
    e.message.endsWith(
      "\nseldon-core-microservice: error: argument --service-type: invalid choice: 'X' " +
        "(choose from 'MODEL', 'ROUTER', 'TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR')",
    ),
    e.message,
  );
  assert(e.message.includes("[--service-type {MODEL,ROUTER,"), e.message);
});

Deno.test("audit: unknown arguments are reported in command-line order", () => {
  const e = assertThrows(() => parseConfig(["MyModel", "REST", "--foo"], {})) as ConfigExit;
  assertEquals(e.exitCode, 255);
  assert(e.message.startsWith("Unknown args ['REST', '--foo']."), e.message);
});

Deno.test("audit: PREDICTOR_LABELS is checked before the flags (import-time crash, exit 1)", () => {
  for (const labels of ["{bad", "[1]", "null"]) {
    const e = assertThrows(() =>
      parseConfig(["MyModel", "REST"], { PREDICTOR_LABELS: labels })
    ) as ConfigExit;
    assertEquals(e.exitCode, 1, labels);
  }
});

Deno.test("audit: annotation integers follow Python int() (empty or 1e3 is an error)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "annotations");
    const config = testConfig({}, { annotationsFile: file });
    await Deno.writeTextFile(file, 'seldon.io/rest-timeout="2_500"\n');
    assertEquals(serverAnnotations(config).restTimeoutMs, 2000);
    for (const bad of ['""', '"1e3"', '"1.0"']) {
      await Deno.writeTextFile(file, `seldon.io/rest-timeout=${bad}\n`);
      assertThrows(() => serverAnnotations(config));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audit: pkg.MyModel needs that export; the default export is only for the bare form", async () => {
  const dir = await appFolder({
    "pkg.ts": "export default class Other { predict(X: unknown) { return X; } }",
    "Solo.ts": "export default class Solo { predict(X: unknown) { return X; } }",
  });
  try {
    await assertRejects(() => importComponent("pkg.MyModel", dir));
    assertEquals(typeof await importComponent("Solo", dir), "function");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
