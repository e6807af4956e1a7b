/**
 * Example transformer for a Seldon graph (examples/k8s/iris-transformer.yaml): multiplies every
 * feature by the `scale` parameter (FLOAT, default 1) before the model behind it sees them,
 * e.g. `0.1` for iris measurements sent in millimetres (the model expects centimetres).
 */
import { BaseComponent, type NDArray } from "../../mod.ts";

export class FeatureScaler extends BaseComponent {
  #scale: number;

  constructor(params: { scale?: number } = {}) {
    super();
    this.#scale = params.scale ?? 1;
  }

  override transformInput(X: NDArray): NDArray {
    return X.map((v: number) => v * this.#scale);
  }
}
