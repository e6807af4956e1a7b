/**
 * Keep-alive load as `wrk` makes it, on raw TCP (no client-side retries to hide a lost request):
 * each client sends its next request as soon as an answer arrives, reconnects when told
 * `connection: close`, and counts a connection lost with a request outstanding as an error.
 */

/** What the clients saw. */
export interface LoadResult {
  ok: number;
  non2xx: number;
  /** Requests lost: connection closed, reset or refused while a request was outstanding. */
  errors: number;
  statuses: Map<number, number>;
  reconnects: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A POST of `body` to `path` as bytes, keep-alive. */
export function postRequest(path: string, body: string): Uint8Array {
  const bytes = encoder.encode(body);
  return encoder.encode(
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
      `content-length: ${bytes.length}\r\n\r\n${body}`,
  );
}

/** Reads one response from `conn`, keeping leftovers in `state.buf`; null if closed. */
async function readResponse(
  conn: Deno.Conn,
  state: { buf: Uint8Array },
): Promise<{ status: number; close: boolean } | null> {
  const chunk = new Uint8Array(65536);
  const more = async () => {
    const n = await conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(state.buf.length + n);
    next.set(state.buf);
    next.set(chunk.subarray(0, n), state.buf.length);
    state.buf = next;
    return true;
  };
  let end: number;
  while ((end = decoder.decode(state.buf).indexOf("\r\n\r\n")) < 0) {
    if (!(await more())) return null;
  }
  const head = decoder.decode(state.buf.subarray(0, end)).toLowerCase();
  const status = Number(head.slice(9, 12));
  const length = Number(/\r\ncontent-length: *(\d+)/.exec(head)?.[1] ?? 0);
  const total = end + 4 + length;
  while (state.buf.length < total) if (!(await more())) return null;
  state.buf = state.buf.slice(total);
  return { status, close: /\r\nconnection: *close/.test(head) };
}

/** Runs `clients` keep-alive clients sending `request` to `port` until `stop` aborts. */
export async function keepAliveLoad(
  port: number,
  clients: number,
  request: Uint8Array,
  stop: AbortSignal,
): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, non2xx: 0, errors: 0, statuses: new Map(), reconnects: 0 };
  const one = async () => {
    while (!stop.aborted) {
      let conn: Deno.Conn;
      try {
        conn = await Deno.connect({ hostname: "127.0.0.1", port });
      } catch {
        result.errors++;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const state = { buf: new Uint8Array(0) };
      try {
        while (!stop.aborted) {
          await conn.write(request);
          const res = await readResponse(conn, state);
          if (res === null) {
            result.errors++;
            break;
          }
          result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 200 && res.status < 300) result.ok++;
          else result.non2xx++;
          if (res.close) {
            result.reconnects++;
            break;
          }
        }
      } catch {
        result.errors++;
      } finally {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, one));
  return result;
}
