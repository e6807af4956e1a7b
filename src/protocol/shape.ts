/**
 * Checking a shape a request names (`tensor.shape`, a tftensor's dims) before anything is sized
 * from it. What numpy's `reshape` refuses (a non-integer, more than 32 dimensions; a negative
 * size is the unknown one, see `resolveShape`) fails as it does upstream, a plain error with numpy's text (REST 500
 * `MICROSERVICE_INTERNAL_ERROR`, gRPC `UNKNOWN` with the text); absurd sizes numpy would
 * allocate or overflow on (`[1e18, 0]`, a dimension past 2^53) are a 400
 * `MICROSERVICE_BAD_DATA`, never an array echoing them.
 * @module
 */
import { badData } from "./errors.ts";
import { MAX_DIMS, pyShape } from "./ndarray.ts";
import { integralFloats } from "./number_tokens.ts";
import { pyTypeName } from "../python/repr.ts";

/**
 * The dimensions of a requested `shape` (a list; negative sizes stay, to be inferred). Throws a plain `Error` with numpy's text where numpy raises: `'float' object
 * cannot be interpreted as an integer` (a float token such as `2.0` or `2.5`, a string, …),
 * `an integer is required` (a bool), `maximum supported dimension for an ndarray is 32, found
 * 33`; and a 400 `tensor shape (…) is too large` when a dimension or the product
 * of the non-zero ones passes 2^53 − 1 (numpy would overflow or allocate).
 */
export function checkShape(shape: readonly unknown[]): number[] {
  if (shape.length > MAX_DIMS) {
    throw new Error(
      `maximum supported dimension for an ndarray is ${MAX_DIMS}, found ${shape.length}`,
    );
  }
  const floats = integralFloats(shape);
  let product = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    const float = floats === true || (floats !== undefined && floats.includes(i));
    if (typeof d === "bigint") throw tooLarge(shape);
    // numpy takes no bool for a dimension, with its own text.
    if (typeof d === "boolean") throw new Error("an integer is required");
    if (typeof d !== "number" || !Number.isInteger(d) || float) {
      throw new Error(
        `'${float ? "float" : pyTypeName(d)}' object cannot be interpreted as an integer`,
      );
    }
    if (d > 0) product *= d;
    if (product > Number.MAX_SAFE_INTEGER) throw tooLarge(shape);
  }
  return shape as number[];
}

function tooLarge(shape: readonly unknown[]) {
  return badData(`tensor shape ${pyShape(shape)} is too large`);
}
