/**
 * How the supervisor re-invokes this program for a worker role: `Deno.execPath()` plus, under
 * `deno run`, the script and its permission/unstable/config flags; a `deno compile`d binary is
 * re-run as itself (its permissions were fixed at compile time).
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Environment variable naming a child's role (unset: supervisor or debug). */
export const ROLE_ENV = "SELDON_TS_ROLE";
/** Environment variable with the control socket's path. */
export const CONTROL_ENV = "SELDON_TS_CONTROL";
/** Environment variable with the metrics collector's socket path. */
export const COLLECTOR_ENV = "SELDON_TS_COLLECTOR";
/**
 * The environment that gives a worker V8's `gc()` (`DENO_V8_FLAGS` plus `--expose-gc`), so an
 * idle worker can collect the garbage of large requests.
 */
export function exposeGcEnv(): Record<string, string> {
  const flags = Deno.env.get("DENO_V8_FLAGS") ?? "";
  if (flags.split(",").includes("--expose-gc")) return {};
  return { DENO_V8_FLAGS: flags ? `${flags},--expose-gc` : "--expose-gc" };
}

const PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;

/** True inside a `deno compile`d binary. */
export function isCompiled(): boolean {
  return (Deno.build as { standalone?: boolean }).standalone === true;
}

function permissionFlags(): string[] {
  const granted = PERMISSIONS.filter((name) => {
    try {
      return Deno.permissions.querySync({ name } as Deno.PermissionDescriptor).state === "granted";
    } catch {
      return false;
    }
  });
  return granted.length === PERMISSIONS.length ? ["-A"] : granted.map((name) => `--allow-${name}`);
}

/** The executable and leading arguments that start this program again. */
export function selfCommand(): { command: string; args: string[] } {
  const command = Deno.execPath();
  if (isCompiled()) return { command, args: [] };
  const args = ["run", "--unstable-net", ...permissionFlags()];
  if (Deno.mainModule.startsWith("file:")) {
    const config = join(dirname(fileURLToPath(Deno.mainModule)), "deno.json");
    try {
      if (Deno.statSync(config).isFile) args.push("--config", config);
    } catch { /* no config next to the script */ }
  }
  args.push(Deno.mainModule);
  return { command, args };
}
