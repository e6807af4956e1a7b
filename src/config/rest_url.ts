/**
 * The address a person on this machine reaches the REST port at, for the start-up log line.
 * @module
 */

/** The base URL of the REST port on `host` (a wildcard host → localhost). */
export function restUrl(host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" || host === "" ? "localhost" : host;
  return `http://${name.includes(":") ? `[${name}]` : name}:${port}`;
}
