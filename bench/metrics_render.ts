/**
 * The cost of the metrics exposition: recording one request's custom metrics into the
 * collector and rendering a scrape, for 4 workers × 3 methods × (counter, gauge, timer, tagged
 * gauge) series. Run: `deno run -A bench/metrics_render.ts`.
 */
import { Collector } from "../src/metrics/collector.ts";
import { defaultLabels } from "../src/metrics/exposition.ts";

const labels = defaultLabels({});
const collector = new Collector();
const metrics = () => [
  { type: "COUNTER", key: "mycounter", value: 1 },
  { type: "GAUGE", key: "mygauge", value: 100 },
  { type: "TIMER", key: "mytimer", value: 20.2 },
  { type: "GAUGE", key: "customtag", value: 200, tags: { mytag: "mytagvalue" } },
];
const methods = ["predict", "feedback", "inputtransform"];

const RECORDS = 200_000;
let t = performance.now();
for (let i = 0; i < RECORDS; i++) {
  collector.record(String(1000 + (i % 4)), metrics(), methods[i % 3]);
}
const recordUs = ((performance.now() - t) * 1000) / RECORDS;

const SCRAPES = 300;
let bytes = 0;
for (let i = 0; i < 20; i++) await collector.render(labels); // warm up
t = performance.now();
for (let i = 0; i < SCRAPES; i++) bytes = (await collector.render(labels)).length;
const renderMs = (performance.now() - t) / SCRAPES;
console.log(
  `record: ${recordUs.toFixed(2)} µs per request (4 metrics); render: ${
    renderMs.toFixed(2)
  } ms per scrape (48 series, ${bytes} bytes)`,
);
