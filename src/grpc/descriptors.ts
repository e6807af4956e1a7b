/**
 * The `.proto` files as server reflection describes them: one `FileDescriptorProto` per source
 * file, named and linked as protoc names and links them (upstream's reflection serves
 * `proto/prediction.proto`, importing `google/protobuf/struct.proto`,
 * `tensorflow/core/framework/tensor.proto`, …). protobufjs's own `toDescriptor` groups a root by
 * package and lists no imports, which clients such as `grpcurl` cannot link ("unresolvable
 * reference"); this builds each file from the types parsed out of it instead.
 * @module
 */
import protobuf from "npm:protobufjs@7.6.6";
import descriptor from "npm:protobufjs@7.6.6/ext/descriptor/index.js";

/** The file of each well-known type (protobufjs bundles them without a file name). */
const WELL_KNOWN: Readonly<Record<string, string>> = {
  ".google.protobuf.Any": "google/protobuf/any.proto",
  ".google.protobuf.Struct": "google/protobuf/struct.proto",
  ".google.protobuf.Value": "google/protobuf/struct.proto",
  ".google.protobuf.ListValue": "google/protobuf/struct.proto",
  ".google.protobuf.NullValue": "google/protobuf/struct.proto",
  ".google.protobuf.Empty": "google/protobuf/empty.proto",
};

type Declaration = protobuf.Type | protobuf.Enum | protobuf.Service;

/** A descriptor message as the descriptor extension creates it (plain, mutable fields). */
// deno-lint-ignore no-explicit-any
type Desc = any;

/** protoc's name of a map field's entry type: `request_path` / `requestPath` → `RequestPathEntry`. */
export function mapEntryName(field: string): string {
  const camel = field.replace(/_+(.)/g, (_, c: string) => c.toUpperCase());
  return camel.charAt(0).toUpperCase() + camel.slice(1) + "Entry";
}

/**
 * The encoded `FileDescriptorProto`s of every file `root` was loaded from, dependencies first.
 * `fileName` gives a declaration's file name as clients see it (`undefined`: the well-known
 * types' own files).
 */
export function describeFiles(
  root: protobuf.Root,
  fileName: (declaration: Declaration) => string | undefined,
): Uint8Array[] {
  const nameOf = (d: Declaration) => WELL_KNOWN[d.fullName] ?? fileName(d) ?? "unknown.proto";
  const files = new Map<string, { pkg: string; decls: Declaration[]; deps: Set<string> }>();
  const collect = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (
        nested instanceof protobuf.Type || nested instanceof protobuf.Enum ||
        nested instanceof protobuf.Service
      ) {
        const name = nameOf(nested);
        const entry = files.get(name) ?? { pkg: ns.fullName.slice(1), decls: [], deps: new Set() };
        entry.decls.push(nested);
        files.set(name, entry);
      } else if (nested instanceof protobuf.Namespace) collect(nested);
    }
  };
  collect(root);
  const fileOf = (t: protobuf.ReflectionObject): string => {
    let top = t;
    while (top.parent && (top.parent instanceof protobuf.Type)) top = top.parent;
    return nameOf(top as Declaration);
  };

  const out = new Map<string, Desc>();
  for (const [name, { pkg, decls, deps }] of files) {
    const refer = (t: protobuf.ReflectionObject | null | undefined) => {
      if (!t) return;
      const file = fileOf(t);
      if (file !== name) deps.add(file);
    };
    const file: Desc = descriptor.FileDescriptorProto.create({ name, syntax: "proto3" });
    if (pkg) file["package"] = pkg;
    for (const d of decls) {
      if (d instanceof protobuf.Type) {
        const message = d.toDescriptor("proto3");
        qualify(d, message, refer);
        file.messageType.push(message);
      } else if (d instanceof protobuf.Enum) {
        file.enumType.push(d.toDescriptor("proto3"));
      } else {
        for (const m of d.methodsArray) {
          m.resolve();
          refer(m.resolvedRequestType);
          refer(m.resolvedResponseType);
        }
        file.service.push((d as unknown as { toDescriptor(): Desc }).toDescriptor());
      }
    }
    file.dependency = [...deps];
    out.set(name, file);
  }
  // Dependencies before their dependents, as a descriptor pool wants them.
  const ordered: Desc[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const file = out.get(name);
    if (!file) return;
    for (const dep of file.dependency) visit(dep);
    ordered.push(file);
  };
  for (const name of out.keys()) visit(name);
  return ordered.map((f) => descriptor.FileDescriptorProto.encode(f).finish());
}

/**
 * Gives every message or enum field of `message` (the descriptor of `type`) its fully-qualified
 * type name, names map entries as protoc does (`TagsEntry`), and reports each referenced type.
 */
function qualify(
  type: protobuf.Type,
  message: Desc,
  refer: (t: protobuf.ReflectionObject | null | undefined) => void,
): void {
  const entries = new Map<string, Desc>();
  for (const nested of message.nestedType) {
    if (nested.options?.mapEntry) entries.set(nested.name, nested);
  }
  for (const field of message.field) {
    const source = type.fields[field.name];
    if (!source) continue;
    source.resolve();
    if (source.map) {
      const entry = entries.get(field.typeName);
      const entryName = mapEntryName(field.name);
      field.typeName = `${type.fullName}.${entryName}`;
      if (entry) {
        entry.name = entryName;
        const value = entry.field.find((f: Desc) => f.name === "value");
        if (value && source.resolvedType) {
          value.typeName = source.resolvedType.fullName;
          refer(source.resolvedType);
        }
      }
    } else if (source.resolvedType) {
      field.typeName = source.resolvedType.fullName;
      refer(source.resolvedType);
    }
  }
  for (const nested of message.nestedType) {
    if (nested.options?.mapEntry) continue;
    const inner = type.nested?.[nested.name];
    if (inner instanceof protobuf.Type) qualify(inner, nested, refer);
  }
}
