/**
 * The seams between the supervisor's lifecycle rules and the operating system: a started child
 * process ({@link Child}, made by a {@link Spawner}) and timers ({@link Clock}). The pool and the
 * auxiliary children see only these, so their rules are tested with fakes (no processes, no time).
 * @module
 */

/** How a child exited (the part of `Deno.CommandStatus` the rules read). */
export interface ChildStatus {
  readonly code: number;
  readonly signal: Deno.Signal | null;
}

/** A started child process. */
export interface Child {
  readonly pid: number;
  /** Settles when the child has exited. */
  readonly status: Promise<ChildStatus>;
  /** Sends `signal`; a child already gone is ignored. */
  kill(signal: Deno.Signal): void;
}

/** Starts one child for `role` (a worker role, or an auxiliary child's name). */
export type Spawner<R extends string = string> = (role: R) => Child;

/** Starts `command` with `env` added, stdout/stderr inherited (what every child of ours is). */
export function spawnProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Child {
  const process = new Deno.Command(command, {
    args: [...args],
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return {
    pid: process.pid,
    status: process.status,
    kill(signal) {
      try {
        process.kill(signal);
      } catch { /* already gone */ }
    },
  };
}

/** Time as the lifecycle rules need it. */
export interface Clock {
  now(): number;
  /** Calls `fn` once after `ms` without keeping the process alive; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` every `ms` without keeping the process alive; returns a cancel function. */
  every(ms: number, fn: () => void): () => void;
}

/** The real clock (unref'd timers). */
export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const id = setTimeout(fn, ms);
    Deno.unrefTimer(id);
    return () => clearTimeout(id);
  },
  every(ms, fn) {
    const id = setInterval(fn, ms);
    Deno.unrefTimer(id);
    return () => clearInterval(id);
  },
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopChild(child: Child, graceMs: number, clock = realClock): Promise<void> {
  child.kill("SIGTERM");
  const cancel = clock.after(graceMs, () => child.kill("SIGKILL"));
  await child.status;
  cancel();
}
