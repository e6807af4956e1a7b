/**
 * The command line as upstream's argparse reads it (server.md §1.1, §1.5, §1.7): negative numbers
 * and odd tokens as values, leftovers and ambiguous prefixes reported in upstream's words and
 * order, and the environment checks that run before the flags.
 */
import { assert, assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { ConfigExit, parseConfig } from "../../../src/config/options.ts";

Deno.test("config: argparse negative numbers are values (--grpc-workers -1 disables gRPC)", () => {
  const config = parseConfig(["MyModel", "--grpc-workers", "-1", "--debug", "-1"], {});
  assertEquals(config.grpcWorkers, -1);
  assertEquals(config.debug, true);
});

Deno.test("config: unknown arguments are reported in command-line order", () => {
  const e = assertThrows(() => parseConfig(["MyModel", "REST", "--foo"], {})) as ConfigExit;
  assertEquals(e.exitCode, 255);
  assert(e.message.startsWith("Unknown args ['REST', '--foo']."), e.message);
});

Deno.test("config: PREDICTOR_LABELS is checked before the flags (import-time crash, exit 1)", () => {
  for (const labels of ["{bad", "[1]", "null"]) {
    const e = assertThrows(() =>
      parseConfig(["MyModel", "REST"], { PREDICTOR_LABELS: labels })
    ) as ConfigExit;
    assertEquals(e.exitCode, 1, labels);
  }
});

function exitOf(argv: string[]): ConfigExit {
  return assertThrows(() => parseConfig(argv, {}), (e) => e instanceof ConfigExit);
}

Deno.test("config: Unknown args lists each leftover token exactly as typed", () => {
  const e = exitOf(["M", "--foo=", "-xyz", "-x y", "--bar", "z"]);
  assertEquals(e.exitCode, 255);
  assert(e.message.startsWith("Unknown args ['--foo=', '-xyz', '-x y', '--bar', 'z']. Note"));
});

Deno.test("config: `-` and values with a space are flag values, as argparse takes them", () => {
  assertEquals(parseConfig(["M", "--parameters", "-"], {}).parameters, "-");
  assertEquals(parseConfig(["M", "--pidfile", "-a b"], {}).pidfile, "-a b");
  assertEquals(parseConfig(["M", "--debug", "-"], {}).debug, true);
  assertEquals(exitOf(["M", "--parameters", "--workers=1 2"]).exitCode, 2);
});

Deno.test("config: ambiguous prefixes name the whole token, candidates in upstream's order", () => {
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

Deno.test("config: after `--` every token is a positional, left exactly as typed", () => {
  const e = exitOf(["M", "--", "--workers", "3"]);
  assertEquals(e.exitCode, 255);
  assert(e.message.startsWith("Unknown args ['--workers', '3']. Note"), e.message);
  assertEquals(parseConfig(["--", "M"], {}).interfaceName, "M");
  assertEquals(parseConfig(["--workers", "3", "M", "--"], {}).workers, 3);
  const h = exitOf(["M", "--", "-h"]);
  assertEquals(h.exitCode, 255);
  assert(h.message.startsWith("Unknown args ['-h']. Note"), h.message);
});
