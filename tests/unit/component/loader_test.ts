/** Resolving and importing the user's component (server.md §4.1). */
import { assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { appFolder } from "../../_helpers/spawn.ts";
import { importComponent } from "../../../src/component/loader.ts";

Deno.test("loader: pkg.MyModel needs that export; the default export is only for the bare form", async () => {
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
