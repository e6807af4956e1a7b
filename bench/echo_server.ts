/** Baseline for the benchmark: a bare `Deno.serve` JSON echo (parse + stringify). */
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
  const body = JSON.parse(await req.text());
  return new Response(JSON.stringify(body) + "\n", {
    headers: { "content-type": "application/json" },
  });
});
console.log(`running on port ${server.addr.port}`);
