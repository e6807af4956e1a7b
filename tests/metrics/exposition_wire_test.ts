/**
 * The metrics port as a scraper reads it, beyond the catalogue: HELP/TYPE lines of every kind of
 * custom family, and what send-feedback counts when the request or the hook fails
 * (metrics-and-processes.md §2.3, §2.5).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { grpcCall } from "../_helpers/grpc.ts";
import { parseSamples, scrape } from "../_helpers/prometheus.ts";
import { withServer } from "../_helpers/server.ts";

/** `# HELP`/`# TYPE` lines of `text`, by family name. */
function comments(text: string, kind: "HELP" | "TYPE"): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = new RegExp(`^# ${kind} (\\S+) (.*)$`).exec(line);
    if (m) found.set(m[1], m[2]);
  }
  return found;
}

Deno.test("metrics wire: every custom family has upstream's empty HELP and its TYPE", () =>
  withServer({
    predict: (X: unknown) => X,
    metrics: () => [
      { type: "COUNTER", key: "hits", value: 2 },
      { type: "COUNTER", key: "debt", value: -3 },
      { type: "GAUGE", key: "depth", value: 7, tags: { shard: "a" } },
      { type: "TIMER", key: "lat", value: 12.5 },
    ],
  }, async (s) => {
    assertEquals((await s.post("/predict", { data: { ndarray: [1] } })).status, 200);
    const { status, text } = await scrape(s);
    assertEquals(status, 200);
    for (const line of text.split("\n").filter((l) => l.startsWith("# HELP "))) {
      assert(/^# HELP \S+ $/.test(line), `HELP with text: ${JSON.stringify(line)}`);
    }
    const types = comments(text, "TYPE");
    assertEquals(types.get("hits_total"), "counter");
    assertEquals(types.get("debt_total"), "counter");
    assertEquals(types.get("depth"), "gauge");
    assertEquals(types.get("lat"), "histogram");
    const help = comments(text, "HELP");
    for (const name of ["hits_total", "debt_total", "depth", "lat"]) {
      assertEquals(help.get(name), "", name);
    }
    const samples = parseSamples(text);
    assertEquals(Number(samples.find((x) => x.name === "debt_total")!.value), -3);
    assertEquals(samples.filter((x) => x.name === "lat_bucket").length, 51);
  }));

Deno.test("metrics wire: feedback is counted before the hook, not when the body fails to parse", () =>
  withServer({
    sendFeedback: () => {
      throw new Error("boom");
    },
  }, async (s) => {
    const rest = await s.post("/api/v1.0/feedback", { reward: 2.5 });
    assertEquals(rest.status, 500);
    assertEquals(rest.json.status.info, "boom");
    const bad = await s.post("/api/v1.0/feedback", { reward: 9, extra: 1 });
    assertEquals(bad.status, 400);
    const zero = await s.post("/send-feedback", { reward: 0 });
    assertEquals(zero.status, 500);
    const err = await grpcCall("Model", s.running.grpc!.port, "SendFeedback", { reward: 1.5 })
      .then(() => undefined, (e) => e);
    assertEquals([err?.code, err?.details], [2, "Exception calling application: boom"]);
    const { text } = await scrape(s);
    const samples = parseSamples(text);
    const count = samples.filter((x) => x.name === "seldon_api_model_feedback_total");
    const reward = samples.filter((x) => x.name === "seldon_api_model_feedback_reward_total");
    assertEquals(count.map((x) => [x.labels.method, Number(x.value)]), [["feedback", 2]]);
    assertEquals(reward.map((x) => [x.labels.method, Number(x.value)]), [["feedback", 4]]);
    assertEquals(comments(text, "TYPE").get("seldon_api_model_feedback_total"), "counter");
    assertEquals(comments(text, "HELP").get("seldon_api_model_feedback_reward_total"), "");
  }));
