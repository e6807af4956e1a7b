/**
 * gRPC status names for request metrics and logs.
 * @module
 */
import { status } from "npm:@grpc/grpc-js@1.14.7";

/** gRPC status code → its name (`0` → `OK`). */
const STATUS_NAMES: readonly string[] = Object.entries(status)
  .filter(([, code]) => typeof code === "number")
  .sort(([, a], [, b]) => (a as number) - (b as number))
  .map(([name]) => name);

/** The name of a gRPC status code (`OK` when there is none, as for a success). */
export function statusName(code: number | undefined): string {
  return STATUS_NAMES[code ?? 0] ?? "UNKNOWN";
}
