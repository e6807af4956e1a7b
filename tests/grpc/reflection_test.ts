/**
 * Server reflection describes the `.proto` files so that a client can link them, as `grpcurl`
 * does: `file_containing_symbol` for a service, then every file it depends on, each type a file
 * names declared in it or in a file it imports. Upstream serves protoc's descriptors
 * (`proto/prediction.proto` importing `google/protobuf/struct.proto`, …; protocol.md §1.1).
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import descriptor from "npm:protobufjs@7.6.6/ext/descriptor/index.js";
import { createRequire } from "node:module";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { withServer } from "../_helpers/server.ts";

const REFLECTION_PROTO = createRequire(import.meta.url).resolve(
  "@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto",
);
const loaded = grpc.loadPackageDefinition(
  protoLoader.loadSync(REFLECTION_PROTO, { keepCase: true, defaults: false, oneofs: true }),
) as any;
const FileDescriptorProto = (descriptor as any).FileDescriptorProto;

/** Asks `requests` in one reflection stream; each answer's files decoded, or its error. */
async function reflect(port: number, requests: object[]): Promise<any[]> {
  const client = new loaded.grpc.reflection.v1.ServerReflection(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  try {
    return await new Promise((resolve, reject) => {
      const answers: any[] = [];
      const call = client.ServerReflectionInfo();
      call.on("data", (r: any) => {
        const files = r.file_descriptor_response?.file_descriptor_proto;
        answers.push(files ? files.map((b: Uint8Array) => FileDescriptorProto.decode(b)) : r);
        if (answers.length === requests.length) {
          call.end();
          resolve(answers);
        }
      });
      call.on("error", reject);
      for (const request of requests) call.write(request);
    });
  } finally {
    client.close();
  }
}

/** Every fully-qualified name a file declares (messages, nested ones, enums, services). */
function declared(file: any): Set<string> {
  const names = new Set<string>();
  const prefix = file.package ? `.${file.package}` : "";
  const message = (scope: string, m: any) => {
    names.add(`${scope}.${m.name}`);
    for (const n of m.nestedType ?? []) message(`${scope}.${m.name}`, n);
    for (const e of m.enumType ?? []) names.add(`${scope}.${m.name}.${e.name}`);
  };
  for (const m of file.messageType ?? []) message(prefix, m);
  for (const e of file.enumType ?? []) names.add(`${prefix}.${e.name}`);
  return names;
}

/** Every type name a file refers to, and its map fields with their entry types. */
function references(file: any): { types: string[]; maps: [string, string][] } {
  const types: string[] = [];
  const maps: [string, string][] = [];
  const message = (m: any) => {
    const entries = new Map<string, any>(
      (m.nestedType ?? []).filter((n: any) => n.options?.mapEntry).map((n: any) => [n.name, n]),
    );
    for (const f of m.field ?? []) {
      if (f.typeName) types.push(f.typeName);
      const entry = entries.get(f.typeName?.split(".").pop());
      if (entry) maps.push([f.name, entry.name]);
    }
    for (const n of m.nestedType ?? []) message(n);
  };
  for (const m of file.messageType ?? []) message(m);
  for (const s of file.service ?? []) {
    for (const method of s.method ?? []) types.push(method.inputType, method.outputType);
  }
  return { types, maps };
}

/** Checks that `files` (one reflection answer) link: what grpcurl needs to build them. */
function assertLinkable(files: any[]): void {
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const file of files) {
    const visible = declared(file);
    for (const dep of file.dependency ?? []) {
      assert(byName.has(dep), `${file.name} imports ${dep}, which the answer lacks`);
      for (const name of declared(byName.get(dep))) visible.add(name);
    }
    const { types, maps } = references(file);
    for (const type of types) {
      assert(type.startsWith("."), `${file.name}: ${type} is not fully qualified`);
      assert(visible.has(type), `${file.name} refers to ${type} without importing its file`);
    }
    for (const [field, entry] of maps) {
      const camel = field.replace(/_+(.)/g, (_: string, c: string) => c.toUpperCase());
      assertEquals(entry, camel[0].toUpperCase() + camel.slice(1) + "Entry", `${file.name}`);
    }
  }
}

Deno.test("grpc reflection: files named and linked as protoc does, so grpcurl can build them", () =>
  withServer({ predict: (X: unknown) => X }, async (s) => {
    const port = s.running.grpc!.port;
    const [seldon, oip] = await reflect(port, [
      { file_containing_symbol: "seldon.protos.Model" },
      { file_containing_symbol: "inference.GRPCInferenceService" },
    ]);
    assertEquals(seldon[0].name, "proto/prediction.proto");
    assertEquals(seldon[0].package, "seldon.protos");
    assertEquals([...seldon[0].dependency].sort(), [
      "google/protobuf/any.proto",
      "google/protobuf/empty.proto",
      "google/protobuf/struct.proto",
      "tensorflow/core/framework/tensor.proto",
    ]);
    assertLinkable(seldon);
    assertEquals(oip[0].name, "inference.proto");
    assertLinkable(oip);
    // grpcurl then asks for each file by name.
    const names: string[] = seldon.map((f: any) => f.name);
    for (
      const answer of await reflect(port, names.map((file_by_filename) => ({ file_by_filename })))
    ) {
      assert(Array.isArray(answer), JSON.stringify(answer));
      assertLinkable(answer);
    }
  }));
