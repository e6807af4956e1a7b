/**
 * Binding a TCP port so that a clash names the port: every listener of the server (REST, gRPC,
 * metrics) and the supervisor's start-up probe.
 * @module
 */

/** A listener's name, address and whether it shares its port (SO_REUSEPORT). */
export interface ListenOptions {
  /** What listens, for the error text (`REST`, `gRPC`, `metrics`). */
  readonly name: string;
  readonly hostname: string;
  readonly port: number;
  readonly reusePort?: boolean;
}

/** The error of a port in use: a `Deno.errors.AddrInUse` whose message names the port. */
export function portInUse(name: string, hostname: string, port: number): Error {
  return new Deno.errors.AddrInUse(
    `${name} port ${port} on ${hostname} is already in use (AddrInUse): another process listens there`,
  );
}

/** `Deno.listen` on TCP; a port in use throws {@link portInUse}. */
export function listenTcp(options: ListenOptions): Deno.TcpListener {
  try {
    return Deno.listen({
      port: options.port,
      hostname: options.hostname,
      reusePort: options.reusePort === true,
    } as Deno.TcpListenOptions);
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw portInUse(options.name, options.hostname, options.port);
    }
    throw err;
  }
}

/**
 * Throws {@link portInUse} when `port` cannot be bound without SO_REUSEPORT. Workers bind with
 * SO_REUSEPORT, which would let a second server share a port the first one holds: this plain
 * bind fails on any socket holding the port, shared or not (Linux). Port 0 is not probed.
 */
export function probePort(name: string, hostname: string, port: number): void {
  if (port === 0) return;
  listenTcp({ name, hostname, port }).close();
}
