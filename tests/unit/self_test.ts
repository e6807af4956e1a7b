/** The `deno` flags a child is re-launched with: taken from the supervisor's command line. */
import { assertEquals } from "../_helpers/assert.ts";
import { childDenoFlags, denoFlagsOf } from "../../src/supervisor/self.ts";

const MAIN = "file:///srv/seldon-ts/main.ts";

Deno.test("self: the flags between `run` and the script pass through, watch and inspect flags do not", () => {
  assertEquals(
    denoFlagsOf(
      [
        "/usr/bin/deno",
        "run",
        "-A",
        "--config",
        "model/deno.json",
        "--watch",
        "--inspect=127.0.0.1:9229",
        "main.ts",
        "M",
      ],
      MAIN,
      "/srv/seldon-ts",
    ),
    ["-A", "--config", "model/deno.json"],
  );
  assertEquals(
    denoFlagsOf(
      ["deno", "--lock=m.lock", "--frozen", "../seldon-ts/main.ts", "--config", "x"],
      MAIN,
      "/srv/model",
    ),
    ["--lock=m.lock", "--frozen"],
  );
  assertEquals(denoFlagsOf(["deno", "run", "-A", MAIN, "M"], MAIN, "/"), ["-A"]);
  assertEquals(denoFlagsOf(["deno", "run", "-A", "other.ts"], MAIN, "/srv/seldon-ts"), undefined);
});

Deno.test("self: --unstable-net and permissions are added only when absent", () => {
  assertEquals(childDenoFlags("--allow-net --config m.json", undefined), [
    "--unstable-net",
    "--allow-net",
    "--config",
    "m.json",
  ]);
  assertEquals(childDenoFlags("--unstable-net -A", undefined), ["--unstable-net", "-A"]);
});
