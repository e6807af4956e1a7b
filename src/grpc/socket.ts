/**
 * A `Deno.Conn` as the `node:stream` Duplex grpc-js's connection injector takes. gRPC workers
 * accept with our own loop (`acceptLoop`) because the `node:net` listener of Deno 2.9.3 stops
 * accepting for good once it ran out of file descriptors or reached `maxConnections`.
 * @module
 */
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { setImmediate } from "node:timers";

/**
 * Reads go into a shared slab of this size, each pushed as a view of the bytes it filled (no
 * copy, no buffer per read: a fresh 64 KiB buffer per read cost more than a small gRPC call's
 * own work). A new slab is taken when less than {@link MIN_READ} is left; a pushed view keeps
 * its slab alive only as long as grpc-js holds it.
 */
const SLAB_SIZE = 256 * 1024;
/** The least room a read is given. */
const MIN_READ = 16 * 1024;
/** Writes of all chunks together are joined into one buffer (one syscall) up to this size. */
const JOIN_MAX = 64 * 1024;

/** Writes all of `bytes` (a socket write may take part of them). */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

/** Small chunks joined into one write; large ones written in turn (no copy of megabytes). */
async function writeChunks(conn: Deno.Conn, chunks: { chunk: Uint8Array }[]): Promise<void> {
  let total = 0;
  for (const c of chunks) total += c.chunk.length;
  if (total <= JOIN_MAX) {
    // Not `Buffer.concat`: under Deno 2.9 it takes a fresh ArrayBuffer (~0.8 µs for a few
    // hundred bytes); `allocUnsafe` below 4 KiB is a view of a shared pool (~0.06 µs).
    const joined = Buffer.allocUnsafe(total);
    let off = 0;
    for (const c of chunks) {
      joined.set(c.chunk, off);
      off += c.chunk.length;
    }
    return writeAll(conn, joined);
  }
  for (const c of chunks) await writeAll(conn, c.chunk);
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
  let slab = new Uint8Array(0);
  let used = 0;
  const stream = new Duplex({
    // The peer's FIN ends both sides: the stream then closes, and the connection is counted out.
    allowHalfOpen: false,
    read() {
      if (slab.length - used < MIN_READ) {
        slab = new Uint8Array(SLAB_SIZE);
        used = 0;
      }
      const target = slab;
      const start = used;
      conn.read(target.subarray(start)).then(
        (n) => {
          if (n === null) return this.push(null);
          // The next read starts after these bytes (a read is in flight only once at a time).
          if (target === slab) used = start + n;
          this.push(Buffer.from(target.buffer, start, n));
        },
        (err) => this.destroy(closed ? undefined : err),
      );
    },
    write(chunk: Uint8Array, _encoding, done) {
      writeAll(conn, chunk).then(() => done(), done);
    },
    writev(chunks: { chunk: Uint8Array }[], done) {
      writeChunks(conn, chunks).then(() => done(), done);
    },
    final(done) {
      conn.closeWrite().then(() => done(), () => done());
    },
    destroy(err, done) {
      close();
      done(err);
    },
  });
  // The frames HTTP/2 writes in one turn of the event loop (a call's headers, message and
  // trailers, other calls' frames) go out as one socket write: the stream is corked at the
  // first write and uncorked in the next turn's check phase, where node:http2 also sends.
  // Small Predicts: ~2.0 → ~0.4 writes and −7 µs CPU per call (a loopback write is ~4 µs).
  // Once a write's worth is waiting ({@link JOIN_MAX}: a large message), it goes out at once.
  let corked = false;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    stream.uncork();
  };
  const write = stream.write;
  stream.write = function (this: Duplex, ...args: Parameters<Duplex["write"]>) {
    if (!corked) {
      corked = true;
      this.cork();
      setImmediate(uncork);
    }
    const ok = write.apply(this, args);
    if (this.writableLength >= JOIN_MAX) uncork();
    return ok;
  } as Duplex["write"];
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
