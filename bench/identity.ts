/** Benchmark model: returns its input unchanged. */
export class Identity {
  predict(X: unknown): unknown {
    return X;
  }
}
