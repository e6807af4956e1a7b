/**
 * A model overriding every hook of `BaseComponent` with the types the server passes; must type
 * check (tests/component/types_test.ts also checks a copy with `--no-config`, importing `mod.ts`
 * by file URL).
 */
import {
  BaseComponent,
  counter,
  type ErrorResponse,
  type HookContext,
  type InferenceRequest,
  type InferenceResponse,
  type Meta,
  type Metric,
  NDArray,
  type Payload,
  SeldonResponse,
} from "../../mod.ts";

export class EveryHook extends BaseComponent {
  override async load(): Promise<void> {}
  override async customService(): Promise<void> {}
  override predict(X: NDArray, names: string[], meta: Meta | undefined, ctx: HookContext) {
    const x: Float32Array = X.toFloat32Array();
    const rows: Float64Array = X.toFloat64Array();
    const ids: Int32Array = X.toInt32Array();
    const big: BigInt64Array = X.toBigInt64Array();
    return new SeldonResponse(NDArray.fromTypedArray(x, X.shape), {
      tags: { names: names.join(","), meta: meta ?? {}, op: ctx.operation },
      metrics: [counter("rows", rows.length + ids.length + Number(big.length))],
    });
  }
  override predictRaw(message: unknown): unknown {
    return message;
  }
  override transformInput(X: Payload): Payload {
    return X;
  }
  override transformInputRaw(message: unknown): unknown {
    return message;
  }
  override transformOutput(X: string): string {
    return X.toUpperCase();
  }
  override transformOutputRaw(message: unknown): unknown {
    return message;
  }
  override route(_X: Uint8Array): number {
    return 0;
  }
  override routeRaw(message: unknown): unknown {
    return message;
  }
  override aggregate(Xs: Payload[], namesList: string[][]): Payload {
    return namesList.length > 0 ? Xs[0] : null;
  }
  override aggregateRaw(messages: unknown): unknown {
    return messages;
  }
  override sendFeedback(
    _X: Payload,
    _names: string[],
    reward: number,
    _truth: Payload,
    routing: number | undefined,
  ): number[] {
    return [reward, routing ?? -1];
  }
  override sendFeedbackRaw(feedback: unknown): unknown {
    return feedback;
  }
  override healthStatus(): string {
    return "ok";
  }
  override healthStatusRaw(): unknown {
    return { ok: true };
  }
  override initMetadata(): Record<string, unknown> {
    return { name: "every-hook" };
  }
  override infer(request: InferenceRequest): InferenceResponse {
    const x = request.inputs[0].data;
    return { outputs: [{ name: "y", data: NDArray.fromTypedArray(x.toFloat32Array(), x.shape) }] };
  }
  override metrics(): Metric[] {
    return [{ type: "GAUGE", key: "g", value: 1 }, { type: "TIMER", key: "t", value: 2 }];
  }
  override tags(): Record<string, unknown> {
    return { model: "every-hook" };
  }
  override modelErrorHandler(err: unknown): ErrorResponse {
    return { status: 500, body: { error: String(err) } };
  }
  classNames = ["a", "b"];
}
