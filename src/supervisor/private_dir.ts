/**
 * The supervisor's private temporary folder (`seldon-ts-<pid>-…`, holding the control socket),
 * and the clean-up of folders whose supervisor was killed (`kill -9`) before it could remove
 * its own: its orphaned workers remove it as they exit, and the next supervisor sweeps any
 * left behind. A folder is only removed when nothing listens on its control socket any more
 * and its supervisor's pid is gone, so a live supervisor's folder is never touched.
 * @module
 */
import { basename, dirname, join } from "node:path";

const PREFIX = "seldon-ts-";
/** The control socket's name in the folder. */
export const SOCKET_NAME = "control.sock";
/** The metrics collector's socket in that folder. */
export const COLLECTOR_SOCKET_NAME = "collector.sock";
/** A folder younger than this may belong to a supervisor that has not listened yet. */
const MIN_AGE_MS = 2000;
/** How long a connection to a control socket may take before its supervisor counts as alive. */
const CONNECT_TIMEOUT_MS = 1000;

/** Creates this supervisor's private folder (mode 0700), named after its pid. */
export async function makePrivateDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `${PREFIX}${Deno.pid}-` });
  await Deno.chmod(dir, 0o700);
  return dir;
}

/** The supervisor pid in a private folder's name, if it is one. */
function ownerPid(name: string): number | undefined {
  const m = /^seldon-ts-(\d+)-/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether `pid` runs (and is not a zombie) in this pid namespace; `undefined`: cannot tell. */
function pidAlive(pid: number): boolean | undefined {
  if (pid === Deno.pid) return true;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) return undefined;
    try {
      return Deno.statSync("/proc/self").isDirectory ? false : undefined;
    } catch {
      return undefined; // no /proc
    }
  }
}

/** True unless the control socket at `path` refuses connections (or is gone). */
export async function socketAlive(path: string): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connecting = Deno.connect({ transport: "unix", path });
  try {
    const conn = await Promise.race([
      connecting,
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), CONNECT_TIMEOUT_MS))),
    ]);
    if (conn === undefined) {
      connecting.then((c) => c.close(), () => {});
      return true; // slow to answer, but there
    }
    conn.close();
    return true;
  } catch (err) {
    return !(err instanceof Deno.errors.ConnectionRefused ||
      err instanceof Deno.errors.NotFound);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Removes the private folders next to `own` whose supervisor is dead: older than 2 s, owned by
 * this user, nothing listening on their control socket, and their owner pid gone (a folder
 * named with this process's own pid is a previous life of it, e.g. PID 1 in a container).
 * Resolves with the removed paths; never throws.
 */
export async function sweepStaleDirs(own: string): Promise<string[]> {
  const parent = dirname(own);
  const removed: string[] = [];
  let uid: number | null = null;
  try {
    uid = Deno.uid();
  } catch { /* not allowed: removal fails anyway for folders of others in a sticky /tmp */ }
  try {
    for await (const entry of Deno.readDir(parent)) {
      const pid = ownerPid(entry.name);
      const path = join(parent, entry.name);
      if (!entry.isDirectory || pid === undefined || path === own) continue;
      try {
        const info = await Deno.stat(path);
        if (uid !== null && info.uid !== null && info.uid !== uid) continue;
        if (Date.now() - (info.mtime?.getTime() ?? Date.now()) < MIN_AGE_MS) continue;
        if (pid !== Deno.pid && pidAlive(pid) !== false) continue;
        if (await socketAlive(join(path, SOCKET_NAME))) continue;
        await Deno.remove(path, { recursive: true });
        removed.push(path);
      } catch { /* gone meanwhile, or not ours to remove */ }
    }
  } catch { /* the temporary folder cannot be listed */ }
  return removed;
}

/**
 * Called by a worker whose supervisor vanished: removes the supervisor's folder (the one
 * holding `socketPath`) if nothing listens there any more. Never throws.
 */
export async function removeOrphanedDir(socketPath: string): Promise<void> {
  const dir = dirname(socketPath);
  if (ownerPid(basename(dir)) === undefined) return;
  if (await socketAlive(socketPath)) return;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
