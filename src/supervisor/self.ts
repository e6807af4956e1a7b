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

/**
 * The executable and leading arguments that start this program again (the supervisor appends
 * its own arguments). A compiled binary is its own executable: no `run`, no script, no flags.
 */
export function selfCommand(
  runtime: SelfRuntime = thisRuntime(),
): { command: string; args: string[] } {
  const command = runtime.execPath;
  if (runtime.standalone) return { command, args: [] };
  const args = ["run", "--unstable-net", ...permissionFlags()];
  if (runtime.mainModule.startsWith("file:")) {
    const config = join(dirname(fileURLToPath(runtime.mainModule)), "deno.json");
    try {
      if (Deno.statSync(config).isFile) args.push("--config", config);
    } catch { /* no config next to the script */ }
  }
  args.push(runtime.mainModule);
  return { command, args };
}

/** What {@link selfCommand} reads of the running program (injectable for tests). */
export interface SelfRuntime {
  /** `Deno.execPath()`: the `deno` executable, or the compiled binary itself. */
  readonly execPath: string;
  /** `Deno.mainModule` (inside a compiled binary, a URL in its embedded file system). */
  readonly mainModule: string;
  /** `Deno.build.standalone`: true inside a `deno compile`d binary. */
  readonly standalone: boolean;
}

/** This process's {@link SelfRuntime}. */
export function thisRuntime(): SelfRuntime {
  return {
    execPath: Deno.execPath(),
    mainModule: Deno.mainModule,
    standalone: Deno.build.standalone === true,
  };
}
