/**
 * The `collector` role (`SELDON_TS_ROLE=collector`, started by the supervisor before the
 * workers): serves `PREDICTIVE_UNIT_METRICS_ENDPOINT` on `--metrics-port`. Workers connect to its
 * Unix socket (`SELDON_TS_COLLECTOR`) and keep their own cumulative metrics; each scrape asks
 * every connected worker for a snapshot (a worker that does not answer within
 * {@link COLLECT_TIMEOUT_MS} shows its previous one) and prom-client renders them. A worker's
 * series vanish when its connection closes (it exited or is draining) or when the supervisor
 * says `clear`. The collector holds nothing that is not also in a worker, so a restarted one
 * shows the same values. It exits when the supervisor's connection closes, or on SIGTERM.
 * @module
 */
import type { Config } from "../config/options.ts";
import { failureText } from "../error_text.ts";
import { logger } from "../logging.ts";
import { Collector } from "../metrics/collector.ts";
import { metricsLabels } from "../metrics/labels.ts";
import { startMetricsServer } from "../metrics/server.ts";
import { seriesFromWire } from "../metrics/wire.ts";
import { LineWriter, readLines } from "../supervisor/channel.ts";
import { COLLECTOR_ENV } from "../supervisor/self.ts";
import { compactAfterStart, takeGc } from "./memory.ts";

const log = logger("collector");

/** How long a scrape waits for a worker's snapshot. */
const COLLECT_TIMEOUT_MS = 1_000;
/**
 * How long after its start a collector's scrape waits for the workers the supervisor named to
 * connect (a restarted collector: they reconnect within ~100 ms), so it shows every value.
 */
const EXPECT_WINDOW_MS = 3_000;
/** How many retired workers' pids are remembered. */
const MAX_CLEARED = 10_000;

interface Link {
  readonly pid: string;
  readonly writer: LineWriter;
  readonly pending: Map<number, (snapshot: Record<string, unknown>) => void>;
}

/** Runs the collector until SIGTERM or the supervisor is gone; resolves with the exit status. */
export async function runCollector(config: Config): Promise<number> {
  const path = Deno.env.get(COLLECTOR_ENV);
  if (!path) {
    log.error("collector started without a supervisor");
    return 1;
  }
  const collector = new Collector();
  const labels = metricsLabels(config);
  const links = new Map<string, Link>();
  /** Workers the supervisor retired: their series are gone even if they still connect. */
  const cleared = new Set<string>();
  /** Live workers the supervisor named that have not connected yet. */
  const expected = new Set<string>();
  const startedAt = performance.now();
  let nextId = 1;

  /** Whether the supervisor has said which workers serve (`synced`). */
  let synced = false;

  /**
   * Waits (within the start-up window) until the supervisor said which workers serve and every
   * one of them connected.
   */
  async function awaitExpected(): Promise<void> {
    while (
      (!synced || expected.size > 0) && performance.now() - startedAt < EXPECT_WINDOW_MS
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function collect(link: Link): Promise<void> {
    const id = nextId++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = await Promise.race([
      new Promise<Record<string, unknown>>((resolve) => link.pending.set(id, resolve)),
      new Promise<undefined>((
        resolve,
      ) => (timer = setTimeout(() => resolve(undefined), COLLECT_TIMEOUT_MS))),
      link.writer.send({ op: "collect", id }).then(
        () => new Promise<undefined>(() => {}),
        () => undefined,
      ),
    ]);
    clearTimeout(timer);
    link.pending.delete(id);
    if (answer === undefined || links.get(link.pid) !== link) return;
    collector.setSnapshot(
      link.pid,
      seriesFromWire(answer.series),
      answer.builtin as Parameters<Collector["setSnapshot"]>[2],
    );
  }

  const render = async () => {
    await awaitExpected();
    await Promise.all([...links.values()].map(collect));
    return collector.render(
      labels,
      (key) => log.error("Invalid metric name {key}: series skipped", { key }),
    );
  };

  let server;
  try {
    server = startMetricsServer(config, render);
  } catch (err) {
    // e.g. the metrics port is in use: the supervisor stops the server with this status.
    console.error(failureText(err));
    return 1;
  }
  await Deno.remove(path).catch(() => {});
  const listener = Deno.listen({ transport: "unix", path });
  const gc = takeGc();
  const cancelCompaction = gc ? compactAfterStart(gc) : undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  async function serve(conn: Deno.Conn): Promise<void> {
    const writer = new LineWriter(conn);
    let link: Link | undefined;
    let supervisor = false;
    for await (const raw of readLines(conn)) {
      const msg = raw as Record<string, unknown>;
      if (msg.op === "hello") {
        const pid = String(msg.pid);
        if (cleared.has(pid)) break;
        link = { pid, writer, pending: new Map() };
        links.set(pid, link);
        expected.delete(pid);
      } else if (msg.op === "snapshot" && link) {
        link.pending.get(msg.id as number)?.(msg);
      } else if (msg.op === "supervisor") {
        supervisor = true;
      } else if (msg.op === "expect") {
        for (const pid of msg.pids as string[]) if (!links.has(pid)) expected.add(pid);
      } else if (msg.op === "synced") {
        synced = true;
      } else if (msg.op === "clear") {
        for (const pid of msg.pids as string[]) {
          cleared.add(pid);
          // Recycled workers' pids pile up over a long life: the oldest are long gone.
          if (cleared.size > MAX_CLEARED) cleared.delete(cleared.values().next().value!);
          expected.delete(pid);
          links.delete(pid);
          collector.clear(pid);
        }
      }
    }
    if (link && links.get(link.pid) === link) {
      links.delete(link.pid);
      collector.clear(link.pid);
    }
    try {
      conn.close();
    } catch { /* closed */ }
    // The supervisor is gone (or stopping us): no orphan keeps the metrics port.
    if (supervisor) resolveDone();
  }

  (async () => {
    for await (const conn of listener) serve(conn).catch(() => {});
  })().catch(() => {});
  Deno.addSignalListener("SIGTERM", () => resolveDone());
  // The terminal's Ctrl-C reaches the whole process group: the supervisor orchestrates the stop.
  Deno.addSignalListener("SIGINT", () => {});
  await done;
  cancelCompaction?.();
  listener.close();
  await server.shutdown();
  return 0;
}
