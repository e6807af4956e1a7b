/**
 * Example model: a Gaussian naive-Bayes iris classifier. Its parameters (per-class feature
 * means and standard deviations of Fisher's iris data) ship in `model.json` and are read in
 * `load()`. `predict` takes rows of [sepal_length, sepal_width, petal_length, petal_width] and
 * returns one probability per class; `classNames` names the output columns.
 */
import {
  BaseComponent,
  type HookContext,
  type Metric,
  NDArray,
  SeldonMicroserviceException,
} from "../../mod.ts";

interface Weights {
  classes: string[];
  priors: number[];
  means: number[][];
  stddevs: number[][];
}

export class IrisClassifier extends BaseComponent {
  classNames: string[] = [];
  #weights: Weights | undefined;
  #served = 0;

  override async load(): Promise<void> {
    const url = new URL("./model.json", import.meta.url);
    this.#weights = JSON.parse(await Deno.readTextFile(url)) as Weights;
    this.classNames = this.#weights.classes;
  }

  override predict(X: NDArray, _names: string[], _meta: unknown, _ctx: HookContext): number[][] {
    const w = this.#weights;
    if (!w) throw new Error("model not loaded");
    if (!NDArray.isNDArray(X) || X.ndim !== 2 || X.shape[1] !== 4) {
      throw new SeldonMicroserviceException(
        `expected rows of 4 features, got shape [${
          NDArray.isNDArray(X) ? X.shape.join(", ") : typeof X
        }]`,
      );
    }
    const rows = X.shape[0];
    const out: number[][] = [];
    for (let r = 0; r < rows; r++) {
      const logp = w.classes.map((_, c) => {
        let s = Math.log(w.priors[c]);
        for (let f = 0; f < 4; f++) {
          const sd = w.stddevs[c][f];
          const z = (Number(X.get(r, f)) - w.means[c][f]) / sd;
          s += -0.5 * z * z - Math.log(sd * Math.sqrt(2 * Math.PI));
        }
        return s;
      });
      const max = Math.max(...logp);
      const exp = logp.map((v) => Math.exp(v - max));
      const total = exp.reduce((a, b) => a + b, 0);
      out.push(exp.map((v) => v / total));
    }
    this.#served += rows;
    return out;
  }

  override metrics(): Metric[] {
    return [{ type: "GAUGE", key: "iris_rows_served", value: this.#served }];
  }
}
