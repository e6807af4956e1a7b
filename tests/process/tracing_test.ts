/**
 * Tracing: with `--tracing`, worker processes export OpenTelemetry spans over OTLP/HTTP for
 * REST requests and gRPC calls, named after the interface; responses are unchanged.
 * A local OTLP receiver (JSON protocol) stands in for the collector.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { appFolder, spawnServer } from "../_helpers/spawn.ts";
import { grpcCall } from "../_helpers/grpc.ts";

Deno.test("tracing: REST and gRPC spans reach the OTLP endpoint with the interface as service name", async () => {
  const bodies: string[] = [];
  const receiver = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    if (new URL(req.url).pathname === "/v1/traces") bodies.push(await req.text());
    else await req.body?.cancel();
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  const dir = await appFolder({
    "MyModel.js": "export class MyModel { predict(X) { return X; } }",
  });
  const server = await spawnServer(dir, ["MyModel", "--tracing"], {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "200",
  });
  try {
    const res = await fetch(
      `${server.url}/predict?json=${encodeURIComponent('{"data":{"ndarray":[[1,2]]}}')}`,
    );
    assertEquals(await res.json(), {
      data: { names: ["t:0", "t:1"], ndarray: [[1, 2]] },
      meta: {},
    });
    const g = await grpcCall("Model", server.grpcPort!, "Predict", { strData: "x" });
    assertEquals(g.strData, "x");
    const deadline = Date.now() + 15_000;
    const all = () => bodies.join("\n");
    while (
      Date.now() < deadline &&
      !(all().includes("/predict") && all().includes("seldon.protos.Model/Predict"))
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const text = all();
    assert(
      text.includes('"stringValue":"MyModel"') || text.includes('"stringValue": "MyModel"'),
      text.slice(0, 2000),
    );
    assert(text.includes("/predict"), "no REST span");
    assert(text.includes("seldon.protos.Model/Predict"), "no gRPC span");
  } finally {
    await server.stop();
    await receiver.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
