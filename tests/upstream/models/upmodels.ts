/** predict only: returns X. */
export class Echo {
  predict(X: unknown): unknown {
    return X;
  }
}

/** Every hook, identity-like. */
export class Full {
  predict(X: unknown): unknown {
    return X;
  }
  transformInput(X: unknown): unknown {
    return X;
  }
  transformOutput(X: unknown): unknown {
    return X;
  }
  route(): number {
    return -1;
  }
  aggregate(Xs: unknown[]): unknown {
    return Xs[0];
  }
  sendFeedback(): unknown {
    return null;
  }
  tags(): Record<string, unknown> {
    return { mytag: 1 };
  }
}

/** predict returns a fixed structure. */
export class Fixed {
  predict(): unknown {
    return { a: [1, 2.5, "x"], b: null };
  }
}
