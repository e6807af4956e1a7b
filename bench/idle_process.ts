/**
 * An empty Deno process that only waits: the runtime's own footprint, the floor of every
 * role's idle RSS (`bench/footprint.ts` measures it beside the server's processes).
 * @module
 */
setTimeout(() => {}, 600_000);
