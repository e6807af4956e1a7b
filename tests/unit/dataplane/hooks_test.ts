/**
 * Ports of upstream `python/tests/test_user_model.py` (tests-catalog.md § test_user_model.py):
 * how output column names are chosen (protocol.md §4.3) — the user's `classNames` as a method
 * or as an array property, else `t:0 … t:n-1`.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { BaseComponent } from "../../../mod.ts";
import type { SeldonComponent } from "../../../src/component/api.ts";
import { classNamesOf } from "../../../src/dataplane/hooks.ts";
import { NDArray } from "../../../src/protocol/ndarray.ts";
import type { JsonObject } from "../../../src/protocol/payload.ts";
import { buildResponse } from "../../../src/protocol/response.ts";

/** Upstream UserObjectClassAttr: the (deprecated) attribute form. */
class UserObjectClassAttr extends BaseComponent {
  classNames = ["a", "b"];
}

/** Upstream UserObjectClassMethod: the method form. */
class UserObjectClassMethod extends BaseComponent {
  classNames(): string[] {
    return ["x", "y"];
  }
}

/** A plain class with no hooks at all. */
class X {}

const PREDICTION = [[1, 2], [3, 4]];

/** Output names as the server computes them for a 2×2 prediction of `user`. */
function namesFor(user: SeldonComponent): unknown {
  const array = NDArray.from(PREDICTION);
  const direct = classNamesOf(user, array.shape[1]);
  // The same names end up in a constructed response's data.names.
  const response = buildResponse(array, {
    ref: { data: { ndarray: PREDICTION } },
    merge: undefined,
    puid: undefined,
    userTags: undefined,
    runtimeTags: undefined,
    metrics: [],
    ownPath: undefined,
    classNames: (cols) => classNamesOf(user, cols),
  }, "json");
  assertEquals((response.data as JsonObject).names, direct);
  return direct;
}

/** Runs `fn` with every console method captured; returns what was written. */
function captureConsole(fn: () => void): string[] {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    fn();
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]));
  }
  return lines;
}

Deno.test("test_class_names_attr", () => {
  // [TS] the deprecation log line is optional; the property must be accepted.
  assertEquals(namesFor(new UserObjectClassAttr()), ["a", "b"]);
});

Deno.test("test_class_names_method", () => {
  let names: unknown;
  const logged = captureConsole(() => {
    names = namesFor(new UserObjectClassMethod());
  });
  assertEquals(names, ["x", "y"]);
  assert(
    !logged.some((l) => /deprecated/i.test(l)),
    `unexpected deprecation log: ${logged.join("\n")}`,
  );
});

Deno.test("test_no_class_names_on_seldon_component", () => {
  assertEquals(namesFor(new BaseComponent()), ["t:0", "t:1"]);
});

Deno.test("test_no_class_names", () => {
  // Upstream only checks that this completes; the result is the generated names.
  assertEquals(namesFor(new X()), ["t:0", "t:1"]);
});

Deno.test("generated names: each call gets its own list, whatever an earlier caller did to its", () => {
  const first = classNamesOf(new X() as SeldonComponent, 3) as string[];
  assertEquals(first, ["t:0", "t:1", "t:2"]);
  first[0] = "changed";
  first.push("extra");
  assertEquals(classNamesOf(new X() as SeldonComponent, 3), ["t:0", "t:1", "t:2"]);
  assertEquals(classNamesOf(new X() as SeldonComponent, 0), []);
  // widths past the per-width lists are generated afresh
  const wide = classNamesOf(new X() as SeldonComponent, 100) as string[];
  assertEquals(wide.length, 100);
  assertEquals(wide[99], "t:99");
});
