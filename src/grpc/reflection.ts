/**
 * gRPC server reflection (v1 and v1alpha), built on its first call: parsing the `.proto` files
 * and indexing them is most of a gRPC worker's start-up memory (~13 MiB RSS, bench/footprint.ts),
 * and most servers are never asked. The two services are registered at start with definitions
 * that forward to `@grpc/reflection`'s own, made when a reflection call first arrives; its
 * packages (`@grpc/reflection`, protobufjs's reflection, parser and descriptors) are
 * imported then too (~1 MiB RSS less in an idle worker, BENCHMARKS.md "session 14").
 * @module
 */
import type { Buffer } from "node:buffer";
import * as grpc from "npm:@grpc/grpc-js@1.14.7";
import type { PackageDefinition } from "npm:@grpc/proto-loader@0.8.1";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { errorText } from "../error_text.ts";
import { logger } from "../logging.ts";

const log = logger("grpc");

/** Where the `.proto` files are (bundled with `--include proto` in a compiled binary). */
const PROTO_DIR = fileURLToPath(new URL("../../proto/", import.meta.url));

/** The files reflection describes (with their imports). */
const FILES = ["prediction.proto", "inference.proto"];

/**
 * A parsed file's name as clients see it: relative to the folder it was imported from, and the
 * Seldon file as upstream registers it (`proto/prediction.proto`, protocol.md §1.1).
 */
function clientFileName(path: string | null): string | undefined {
  if (path === null) return undefined;
  if (path === PROTO_DIR + "prediction.proto") return "proto/prediction.proto";
  if (path.startsWith(PROTO_DIR)) return path.slice(PROTO_DIR.length);
  const reflection = path.lastIndexOf("grpc/reflection/");
  return reflection < 0 ? path : path.slice(reflection);
}

/** The reflection versions served, as in their package names. */
const VERSIONS = ["v1", "v1alpha"] as const;

/**
 * The v1alpha reflection `.proto` shipped with `@grpc/reflection`: upstream lists the reflection
 * service itself beside the seven Seldon services (metrics-and-processes.md §1.6). Not found →
 * the Seldon services only.
 */
function reflectionProto(): string[] {
  try {
    const file = createRequire(import.meta.url).resolve(
      "@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto",
    );
    return existsSync(file) ? [file] : [];
  } catch {
    return [];
  }
}

/** One reflection method as `@grpc/reflection` registers it. */
interface Method {
  readonly definition: grpc.MethodDefinition<unknown, unknown>;
  readonly handler: grpc.handleBidiStreamingCall<unknown, unknown>;
}

/** The reflection methods by path, built once per process; an Error when they cannot be. */
let methods: Promise<Map<string, Method> | Error> | undefined;
/** {@link methods} once built. */
let built: Map<string, Method> | Error | undefined;

/**
 * Imports `@grpc/reflection`, protobufjs and the descriptor builder, parses the `.proto` files
 * and collects the methods `@grpc/reflection` would register.
 */
async function buildMethods(): Promise<Map<string, Method> | Error> {
  try {
    const [{ default: protobuf }, { ReflectionService }, { describeFiles }] = await Promise.all([
      import("npm:protobufjs@7.6.6"),
      import("npm:@grpc/reflection@1.0.4"),
      import("./descriptors.ts"),
    ]);
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      target.startsWith("/") || target.startsWith("google/protobuf/") ? target : PROTO_DIR + target;
    root.loadSync([...FILES.map((file) => PROTO_DIR + file), ...reflectionProto()], {
      keepCase: true,
    });
    root.resolveAll();
    // One FileDescriptorProto per file, named and linked as protoc does (descriptors.ts), given
    // to @grpc/reflection as the one entry of a package definition it reads them from.
    const files = describeFiles(root, (declaration) => clientFileName(declaration.filename));
    const reflection = new ReflectionService(
      { files: { fileDescriptorProtos: files } } as unknown as PackageDefinition,
    );
    const found = new Map<string, Method>();
    const collect = {
      addService(service: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation) {
        for (const [name, definition] of Object.entries(service)) {
          found.set(definition.path, {
            definition,
            handler: impl[name] as grpc.handleBidiStreamingCall<unknown, unknown>,
          });
        }
      },
    };
    reflection.addToServer(collect as unknown as grpc.Server);
    return found;
  } catch (err) {
    log.warning("gRPC reflection disabled: {error}", { error: errorText(err) });
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The method at `path`, or `undefined` when reflection could not be built. */
async function method(path: string): Promise<Method | undefined> {
  methods ??= buildMethods().then((m) => built = m);
  const found = await methods;
  return found instanceof Error ? undefined : found.get(path);
}

/** The method at `path` if reflection is built already. */
function builtMethod(path: string): Method | undefined {
  return built === undefined || built instanceof Error ? undefined : built.get(path);
}

/** A request message that arrived before the reflection methods were built: decoded later. */
class Pending {
  constructor(readonly bytes: Buffer) {}
}

/**
 * `stream` as `@grpc/reflection`'s handler reads it (`on("data")`, `on("end")`, `write`, `end`),
 * with the messages that arrived before the methods were built decoded by `definition`; one
 * that cannot be is answered as grpc-js answers undecodable requests.
 */
function decoding(
  stream: grpc.ServerDuplexStream<unknown, unknown>,
  definition: grpc.MethodDefinition<unknown, unknown>,
): grpc.ServerDuplexStream<unknown, unknown> {
  const decode = (listener: (message: unknown) => void) => (message: unknown) => {
    if (!(message instanceof Pending)) return listener(message);
    let decoded: unknown;
    try {
      decoded = definition.requestDeserialize(message.bytes);
    } catch {
      stream.emit("error", { code: grpc.status.INTERNAL, details: "Error deserializing request" });
      return;
    }
    listener(decoded);
  };
  return new Proxy(stream, {
    get(target, key) {
      if (key === "on" || key === "addListener") {
        return (event: string, listener: (...args: unknown[]) => void) =>
          target.on(event, event === "data" ? decode(listener) : listener);
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Server reflection (v1 and v1alpha), listing the seven Seldon services and
 * `grpc.reflection.v1alpha.ServerReflection` as upstream does, and the Open Inference Protocol's
 * `inference.GRPCInferenceService`, so `grpcurl` works without the `.proto` files. Skipped with
 * a warning if they are missing; if they cannot be parsed, the first reflection call logs why
 * and is answered as an unknown method.
 */
export function addReflection(server: grpc.Server): void {
  const missing = FILES.find((file) => !existsSync(PROTO_DIR + file));
  if (missing !== undefined) {
    log.warning("gRPC reflection disabled: {error}", { error: `${PROTO_DIR}${missing} not found` });
    return;
  }
  for (const version of VERSIONS) {
    const path = `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`;
    const real = () => builtMethod(path)?.definition;
    const definition: grpc.MethodDefinition<unknown, unknown> = {
      path,
      requestStream: true,
      responseStream: true,
      originalName: "serverReflectionInfo",
      requestSerialize: (value) => real()!.requestSerialize(value),
      // Before the first call has built the methods, the bytes wait for them (`decoding`).
      requestDeserialize: (bytes) => real()?.requestDeserialize(bytes) ?? new Pending(bytes),
      responseSerialize: (value) => real()!.responseSerialize(value),
      responseDeserialize: (bytes) => real()!.responseDeserialize(bytes),
    };
    server.addService({ ServerReflectionInfo: definition }, {
      ServerReflectionInfo: (stream: grpc.ServerDuplexStream<unknown, unknown>) => {
        method(path).then((found) => {
          if (found !== undefined) return found.handler(decoding(stream, found.definition));
          // As grpc-js answers a service that is not registered (grpcio's text, server.md §5.5).
          stream.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "Method not found!" });
        });
      },
    });
  }
}
