/**
 * STUB until wt-oipcore's json.ts / binary.ts land: V2 JSON objects ↔ requests and answers,
 * numeric and BYTES tensors, flat or nested data. Deleted on merge.
 * @module
 */
import { type DType, NDArray } from "../ndarray.ts";
import { OipError } from "./errors.ts";
import type { Datatype, InferenceInput, InferenceRequest, InferenceResponse } from "./types.ts";

const DTYPE: Record<string, DType> = {
  BOOL: "bool",
  UINT8: "uint8",
  UINT16: "uint16",
  UINT32: "uint32",
  UINT64: "uint64",
  INT8: "int8",
  INT16: "int16",
  INT32: "int32",
  INT64: "int64",
  FP16: "float16",
  FP32: "float32",
  FP64: "float64",
  BYTES: "string",
};
const DATATYPE: Record<string, Datatype> = Object.fromEntries(
  Object.entries(DTYPE).map(([k, v]) => [v, k as Datatype]),
);

function flat(x: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(x)) { for (const v of x) flat(v, out); }
  else out.push(x);
  return out;
}

/** A V2 JSON request object → the request. */
export function decodeJsonRequest(doc: unknown): InferenceRequest {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new OipError(400, "The request body must be a JSON object");
  }
  const d = doc as Record<string, unknown>;
  if (!Array.isArray(d.inputs)) throw new OipError(400, "The request has no `inputs` array");
  const inputs: InferenceInput[] = d.inputs.map((i: Record<string, unknown>) => {
    const dtype = DTYPE[i.datatype as string];
    if (dtype === undefined) throw new OipError(400, `Unknown datatype ${i.datatype}`);
    const shape = i.shape as number[];
    const values = flat(i.data, []);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new OipError(400, `Input ${i.name} has ${values.length} elements for shape ${shape}`);
    }
    return {
      name: i.name as string,
      datatype: i.datatype as Datatype,
      shape,
      data: new NDArray(
        dtype === "string" ? values : Float64Array.from(values as number[]),
        shape,
        dtype,
      ),
    };
  });
  return {
    id: d.id as string | undefined,
    parameters: d.parameters as Record<string, string> | undefined,
    inputs,
    outputs: d.outputs as { name: string }[] | undefined,
  };
}

/** An answer → the V2 JSON answer object. */
export function encodeJsonResponse(response: InferenceResponse): Record<string, unknown> {
  return {
    model_name: response.modelName,
    model_version: response.modelVersion,
    id: response.id,
    parameters: response.parameters,
    outputs: response.outputs.map((o) => {
      const arr = o.data as NDArray;
      return {
        name: o.name,
        datatype: o.datatype ?? DATATYPE[arr.dtype] ?? "BYTES",
        shape: o.shape ?? arr.shape,
        data: Array.from(
          arr.data as ArrayLike<unknown>,
          (v) => typeof v === "bigint" ? Number(v) : v,
        ),
      };
    }),
  };
}
