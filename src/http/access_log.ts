/**
 * The access log of both HTTP ports, in gunicorn's default format (metrics-and-processes.md
 * §4.3), written to stdout.
 * @module
 */

const encoder = new TextEncoder();

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** gunicorn's `%(t)s`: `[25/Nov/2026:16:40:42 +0000]`, local time with its UTC offset. */
function accessTime(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  return `[${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}]`;
}

/**
 * One access-log line in gunicorn's default format (metrics-and-processes.md §4.3):
 * `127.0.0.1 - - [25/Nov/2026:16:40:42 +0000] "POST /api/v1.0/predictions HTTP/1.1" 200 97 "-" "curl/8.5.0"`.
 */
export function accessLogLine(
  req: Request,
  status: number,
  bytes: number | undefined,
  remote: string | undefined,
  now = new Date(),
): string {
  const start = req.url.indexOf("/", req.url.indexOf("//") + 2);
  const target = start < 0 ? "/" : req.url.slice(start);
  const referer = req.headers.get("referer") ?? "-";
  const agent = req.headers.get("user-agent") ?? "-";
  return `${remote ?? "-"} - - ${accessTime(now)} "${req.method} ${target} HTTP/1.1" ${status} ` +
    `${bytes ?? "-"} "${referer}" "${agent}"\n`;
}

/**
 * Writes the access line of `res` to stdout, as gunicorn's `accesslog = "-"` does — unless
 * `skip` (the metrics endpoint, when `FILTER_METRICS_ACCESS_LOGS` is on) occurs anywhere in the
 * line (upstream's substring filter, §2.7) — and gives back the response to send. A body whose
 * size the headers do not say is read first and sent as bytes, so the answer keeps the
 * `Content-Length` it has without the log (a clone would turn it into a chunked stream).
 */
export function writeAccessLog(
  req: Request,
  res: Response,
  info: Deno.ServeHandlerInfo | undefined,
  skip?: string,
): Response | Promise<Response> {
  const addr = info?.remoteAddr as Deno.NetAddr | undefined;
  const now = new Date();
  const write = (bytes: number | undefined) => {
    const line = accessLogLine(req, res.status, bytes, addr?.hostname, now);
    if (skip && line.includes(skip)) return;
    Deno.stdout.writeSync(encoder.encode(line));
  };
  const length = res.headers.get("content-length");
  if (length !== null) write(Number(length));
  else if (res.body === null || req.method === "HEAD") write(0);
  else {
    return res.bytes().then((body) => {
      write(body.byteLength);
      return new Response(body, { status: res.status, headers: res.headers });
    }, () => {
      write(undefined);
      return new Response(null, { status: 500 });
    });
  }
  return res;
}
