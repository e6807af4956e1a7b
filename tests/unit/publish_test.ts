/**
 * `deno publish --dry-run` passes offline (license, no slow types in mod.ts's API) and the
 * package holds what the server reads at run time (proto/) but not the tests.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { fileURLToPath } from "node:url";

Deno.test("publish: the dry run succeeds with LICENSE and proto/, without tests/", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  assert(text.includes("Success Dry run complete"), text);
  for (
    const file of ["/LICENSE ", "/mod.ts ", "/proto/prediction.proto ", "/src/rest/openapi.json "]
  ) {
    assert(text.includes(file), `${file} not published`);
  }
  assert(!/\/tests\//.test(text), "tests/ published");
  assert(!text.includes("error["), text);
});
