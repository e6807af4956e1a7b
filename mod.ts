/**
 * The public API of the Seldon Core v1 model server for TypeScript: everything a model author
 * imports (user-api.md). A model is a class whose optional hooks (`predict`, `route`, …) the
 * server calls; see {@link SeldonComponent}.
 *
 * ```ts
 * import { BaseComponent, NDArray } from "./mod.ts"; // path or URL to this file
 * export class Doubler extends BaseComponent {
 *   override predict(X: NDArray) {
 *     return X.map((v) => v * 2);
 *   }
 * }
 * ```
 * @module
 */
export { BaseComponent, counter, gauge, SeldonResponse, timer } from "./src/component/api.ts";
export type {
  Awaitable,
  ErrorResponse,
  HookContext,
  HookOperation,
  JsonValue,
  Meta,
  Metric,
  MetricType,
  Payload,
  SeldonComponent,
  SeldonComponentClass,
} from "./src/component/api.ts";
export type {
  Datatype,
  InferenceInput,
  InferenceOutput,
  InferenceRequest,
  InferenceResponse,
  ModelMetadata,
  Parameters,
  ParameterValue,
  RequestedOutput,
  ServerMetadata,
  TensorMetadata,
} from "./src/protocol/oip/types.ts";
export { NDArray } from "./src/protocol/ndarray.ts";
export type { DType, NDData, TypedArray } from "./src/protocol/ndarray.ts";
export { ProtoAny } from "./src/protocol/payload.ts";
export { SeldonMicroserviceException, SeldonNotImplementedError } from "./src/protocol/errors.ts";
export type { SeldonErrorOptions } from "./src/protocol/errors.ts";
export { modelLogger as logger } from "./src/logging.ts";
export type { ModelLogger } from "./src/logging.ts";
export { serve } from "./src/public_serve.ts";
export type { ComponentOrClass, ServeOptions, Server } from "./src/public_serve.ts";
export type { Config, ServiceType } from "./src/config/options.ts";
export { testClient } from "./src/test_client.ts";
export type { TestAnswer, TestClient, TestClientOptions } from "./src/test_client.ts";
