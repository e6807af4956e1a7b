/**
 * Raw HTTP/1.1 exchanges on loopback, for requests `fetch` cannot send (odd request lines,
 * methods, targets, upgrade headers) and answers read byte for byte.
 */

/**
 * Sends `request` on a fresh connection to 127.0.0.1:`port` and reads until the server closes
 * it, or `ms` pass. A string is sent as UTF-8; give bytes for anything else.
 */
export async function exchange(
  port: number,
  request: string | Uint8Array,
  ms = 5_000,
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), ms);
  try {
    await conn.write(typeof request === "string" ? new TextEncoder().encode(request) : request);
    let text = "";
    const decoder = new TextDecoder();
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
    }
    return text;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

/** `text` with each character as one byte (Latin-1), as a client sends raw header bytes. */
export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** An answer read by {@link exchange}: its status line, lower-case headers and body. */
export function splitAnswer(answer: string): {
  status: string;
  headers: Map<string, string>;
  body: string;
} {
  const end = answer.indexOf("\r\n\r\n");
  const head = answer.slice(0, end).split("\r\n");
  const headers = new Map(
    head.slice(1).map((h) => {
      const i = h.indexOf(":");
      return [h.slice(0, i).toLowerCase(), h.slice(i + 1).trim()] as const;
    }),
  );
  return { status: head[0], headers, body: answer.slice(end + 4) };
}
