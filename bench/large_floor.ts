/**
 * The floor of `bench/large.ts`, in its own process like the server it is compared with: a bare
 * `Deno.serve` that `JSON.parse`s a v1 `tensor` or `ndarray` body and `JSON.stringify`s the
 * answer the identity model gets (`names` `t:0`… for the second axis, empty `meta`, Flask's
 * trailing newline).
 */
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
  const data = JSON.parse(await req.text()).data;
  const tensor = "tensor" in data;
  const columns = tensor ? data.tensor.shape[1] : data.ndarray[0].length;
  const names = Array.from({ length: columns }, (_, i) => `t:${i}`);
  const answer = tensor
    ? { data: { names, tensor: data.tensor }, meta: {} }
    : { data: { names, ndarray: data.ndarray }, meta: {} };
  return new Response(JSON.stringify(answer) + "\n", {
    headers: { "content-type": "application/json" },
  });
});
console.log(`running on port ${server.addr.port}`);
