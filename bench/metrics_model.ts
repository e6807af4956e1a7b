/** Benchmark model: returns its input and four custom metrics per request (upstream's test set). */
export class WithMetrics {
  predict(X: unknown): unknown {
    return X;
  }
  metrics(): unknown[] {
    return [
      { type: "COUNTER", key: "mycounter", value: 1 },
      { type: "GAUGE", key: "mygauge", value: 100 },
      { type: "TIMER", key: "mytimer", value: 20.2 },
      { type: "GAUGE", key: "customtag", value: 200, tags: { mytag: "mytagvalue" } },
    ];
  }
}
