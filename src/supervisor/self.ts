/**
 * How the supervisor re-invokes this program for a worker role: `Deno.execPath()` plus, under
 * `deno run`, the same `deno` flags the supervisor was started with (config, lockfile, import
 * map, node_modules, permissions) and the script; a `deno compile`d binary is re-run as itself
 * (its permissions were fixed at compile time).
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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

/** Environment variable with the `deno run` flags to re-launch children with (space-separated). */
export const DENO_FLAGS_ENV = "SELDON_TS_DENO_FLAGS";

const PERMISSION_FLAG = /^(-A|--allow-|-P$|-P=|--permission-set)/;
/**
 * Flags a child must not inherit: it would watch files and restart itself, or open the
 * supervisor's inspector port again.
 */
const DROPPED = /^--((watch|hmr)(-exclude)?|inspect(-brk|-wait)?)(=|$)/;

/**
 * The `deno` flags of the command line `argv` (`/proc/self/cmdline`: the executable, `run` or
 * not, flags, the script, the script's arguments) that started `mainModule` in `cwd`: everything
 * between the executable (and `run`) and the script, without `--watch`/`--hmr`/`--inspect*`. `undefined` when
 * the script is not found on it.
 */
export function denoFlagsOf(
  argv: readonly string[],
  mainModule: string,
  cwd: string,
): string[] | undefined {
  const script = argv.findIndex((arg, i) => i > 0 && sameModule(arg, mainModule, cwd));
  if (script < 0) return undefined;
  const flags = argv.slice(argv[1] === "run" ? 2 : 1, script);
  return flags.filter((flag) => !DROPPED.test(flag));
}

function sameModule(arg: string, mainModule: string, cwd: string): boolean {
  if (arg.startsWith("-")) return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(arg)) return arg === mainModule;
  const path = resolve(cwd, arg);
  if (pathToFileURL(path).href === mainModule) return true;
  try {
    return pathToFileURL(Deno.realPathSync(path)).href === mainModule;
  } catch {
    return false;
  }
}

/** This process's command line (Linux), or `undefined`. */
function ownCommandLine(): string[] | undefined {
  try {
    const raw = Deno.readTextFileSync("/proc/self/cmdline");
    return raw.split("\0").filter((arg, i, all) => arg !== "" || i < all.length - 1);
  } catch {
    return undefined;
  }
}

/**
 * The `deno run` flags children get, in this order of preference: `SELDON_TS_DENO_FLAGS`; the
 * flags this process was started with (`/proc/self/cmdline`, so `--config`, `--lock`,
 * `--frozen`, `--no-lock`, `--import-map`, `--node-modules-dir`, … pass through as given); else
 * the `deno.json` next to the script. `--unstable-net` (workers share ports) and the granted
 * permissions are added when absent.
 */
export function childDenoFlags(
  env: string | undefined = Deno.env.get(DENO_FLAGS_ENV),
  argv: readonly string[] | undefined = ownCommandLine(),
  mainModule: string = Deno.mainModule,
): string[] {
  let flags: string[] | undefined;
  if (env !== undefined && env.trim() !== "") flags = env.trim().split(/\s+/);
  else if (argv !== undefined) flags = denoFlagsOf(argv, mainModule, Deno.cwd());
  if (flags === undefined) {
    flags = [];
    if (mainModule.startsWith("file:")) {
      const config = join(dirname(fileURLToPath(mainModule)), "deno.json");
      try {
        if (Deno.statSync(config).isFile) flags.push("--config", config);
      } catch { /* no config next to the script */ }
    }
  }
  const extra: string[] = [];
  if (!flags.some((f) => f === "--unstable-net" || f === "--unstable")) {
    extra.push("--unstable-net");
  }
  if (!flags.some((f) => PERMISSION_FLAG.test(f))) extra.push(...permissionFlags());
  return [...extra, ...flags];
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
  const flags = childDenoFlags(undefined, undefined, runtime.mainModule);
  return { command, args: ["run", ...flags, runtime.mainModule] };
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
