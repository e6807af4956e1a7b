/**
 * A `Deno.Conn` as the `node:stream` Duplex grpc-js's connection injector takes. gRPC workers
 * accept with our own loop (`acceptLoop`) because the `node:net` listener of Deno 2.9.3 stops
 * accepting for good once it ran out of file descriptors or reached `maxConnections`.
 * @module
 */
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";

/** Bytes asked of the socket per read. */
const READ_SIZE = 64 * 1024;

/** Writes all of `bytes` (a socket write may take part of them). */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

/** `conn` as a Duplex with the socket fields grpc-js reads (peer address for `getPeer()`). */
export function connStream(conn: Deno.TcpConn): Duplex {
  // HTTP/2 frames are small and answered at once: Nagle's delay would cost ~40 ms a call.
  conn.setNoDelay(true);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const stream = new Duplex({
    // The peer's FIN ends both sides: the stream then closes, and the connection is counted out.
    allowHalfOpen: false,
    read() {
      const buf = new Uint8Array(READ_SIZE);
      conn.read(buf).then(
        (n) => this.push(n === null ? null : Buffer.from(buf.buffer, 0, n)),
        (err) => this.destroy(closed ? undefined : err),
      );
    },
    write(chunk: Uint8Array, _encoding, done) {
      writeAll(conn, chunk).then(() => done(), done);
    },
    writev(chunks: { chunk: Uint8Array }[], done) {
      writeAll(conn, Buffer.concat(chunks.map((c) => c.chunk))).then(() => done(), done);
    },
    final(done) {
      conn.closeWrite().then(() => done(), () => done());
    },
    destroy(err, done) {
      close();
      done(err);
    },
  });
  const remote = conn.remoteAddr;
  const local = conn.localAddr;
  return Object.assign(stream, {
    remoteAddress: remote.hostname,
    remotePort: remote.port,
    remoteFamily: remote.hostname.includes(":") ? "IPv6" : "IPv4",
    localAddress: local.hostname,
    localPort: local.port,
    setNoDelay: () => stream,
    setKeepAlive: () => stream,
    setTimeout: () => stream,
    ref: () => stream,
    unref: () => stream,
  });
}
