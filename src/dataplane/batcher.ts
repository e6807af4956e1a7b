/**
 * Adaptive batching (`--max-batch-size`, `--max-batch-time`): requests whose inputs can be
 * merged (equal keys) gather in a batch that opens with the first of them. The batch is due when
 * it holds `maxRows` rows or `maxTimeMs` after it opened; then it waits for one slot of its
 * transport's `--threads` limiter (still taking members while it waits: the model is busy
 * anyway) and runs as one model call. Each member gets its own result, or the batch's error.
 *
 * A member's deadline (its {@link Ticket}) still applies: cancelled while queued, it leaves the
 * batch at once; the batch runs for the members left (none: no model call).
 * @module
 */
import type { Limiter, Ticket } from "./limiter.ts";

/** One kind of batched model call: it merges the members' inputs and splits the result. */
export interface BatchRunner<I, O> {
  /**
   * Calls the model once for `inputs` (equal keys, in arrival order; `rows[i]` rows each) and
   * answers one output per input, in order; a throw fails every member with the error.
   */
  run(inputs: readonly I[], rows: readonly number[]): Promise<readonly O[]>;
}

/** Settings of a {@link Batcher}. */
export interface BatcherOptions {
  /** Most rows in one model call (≥ 2). */
  readonly maxRows: number;
  /** How long a batch waits for more members after its first (ms). */
  readonly maxTimeMs: number;
  /**
   * Told about every model call a batch makes: its operation label, its rows and each
   * member's seconds from arrival to the call.
   */
  readonly onBatch?: (operation: string, rows: number, queueSeconds: readonly number[]) => void;
}

interface Member<I, O> {
  readonly input: I;
  readonly rows: number;
  readonly arrived: number;
  readonly ticket: Ticket | undefined;
  readonly finish: (output: O) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

class Batch<I, O> {
  readonly members: Member<I, O>[] = [];
  rows = 0;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Asked its limiter for a slot (due: full or its time is up). */
  due = false;

  constructor(
    readonly key: string,
    readonly operation: string,
    readonly runner: BatchRunner<I, O>,
    readonly open: Map<string, AnyBatch>,
  ) {}
}

// deno-lint-ignore no-explicit-any
type AnyBatch = Batch<any, any>;

/** Gathers mergeable requests into batches (see the module). */
export class Batcher {
  readonly #maxRows: number;
  readonly #maxTimeMs: number;
  readonly #onBatch: BatcherOptions["onBatch"];
  /** The batches still taking members, per limiter (a batch takes a slot of its own transport). */
  readonly #open = new WeakMap<Limiter, Map<string, AnyBatch>>();

  constructor(options: BatcherOptions) {
    this.#maxRows = options.maxRows;
    this.#maxTimeMs = options.maxTimeMs;
    this.#onBatch = options.onBatch;
  }

  /** Most rows in one model call. */
  get maxRows(): number {
    return this.#maxRows;
  }

  /**
   * Adds a request to the open batch of `key` under `limiter` (opening one when there is none
   * or it is too full): `runner` makes the model call, `finish` turns this member's output into
   * its answer inside the batch's slot. Settles with that answer, the batch's error, or the
   * ticket's reason when its deadline passes first. A request of `rows` ≥ the most rows should
   * not come here: it runs alone.
   */
  submit<I, O, R>(
    runner: BatchRunner<I, O>,
    operation: string,
    key: string,
    input: I,
    rows: number,
    finish: (output: O) => R | Promise<R>,
    limiter: Limiter,
    ticket?: Ticket,
  ): Promise<R> {
    if (ticket?.cancelled) return Promise.reject(ticket.reason);
    let open = this.#open.get(limiter);
    if (open === undefined) {
      open = new Map();
      this.#open.set(limiter, open);
    }
    let batch = open.get(key) as Batch<I, O> | undefined;
    if (batch !== undefined && batch.rows + rows > this.#maxRows) {
      this.#close(batch);
      this.#due(batch, limiter);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = new Batch<I, O>(key, operation, runner, open);
      open.set(key, batch);
      const opened = batch;
      opened.timer = setTimeout(() => {
        opened.timer = undefined;
        this.#due(opened, limiter);
      }, this.#maxTimeMs);
    }
    return new Promise<R>((resolve, reject) => {
      const member: Member<I, O> = {
        input,
        rows,
        arrived: performance.now(),
        ticket,
        finish,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      const joined = batch!;
      joined.members.push(member);
      joined.rows += rows;
      if (ticket) {
        ticket.leave = (reason) => {
          ticket.leave = undefined;
          const at = joined.members.indexOf(member);
          if (at >= 0) {
            joined.members.splice(at, 1);
            joined.rows -= rows;
          }
          reject(reason);
        };
      }
      if (joined.rows >= this.#maxRows) {
        this.#close(joined);
        this.#due(joined, limiter);
      }
    });
  }

  /** The batch takes no more members. */
  #close(batch: AnyBatch): void {
    if (batch.open.get(batch.key) === batch) batch.open.delete(batch.key);
    if (batch.timer !== undefined) {
      clearTimeout(batch.timer);
      batch.timer = undefined;
    }
  }

  /** The batch asks its limiter for a slot (once). */
  #due<I, O>(batch: Batch<I, O>, limiter: Limiter): void {
    if (batch.due) return;
    batch.due = true;
    limiter.run(() => this.#run(batch)).catch(() => {/* #run settles every member itself */});
  }

  /** In the batch's slot: one model call for the members still waiting, then their answers. */
  async #run<I, O>(batch: Batch<I, O>): Promise<void> {
    this.#close(batch);
    const members = batch.members.splice(0);
    if (members.length === 0) return;
    const started = performance.now();
    const rows: number[] = [];
    for (const m of members) {
      if (m.ticket) m.ticket.leave = undefined;
      rows.push(m.rows);
    }
    let outputs: readonly O[];
    try {
      if (this.#onBatch) {
        const total = rows.reduce((a, b) => a + b, 0);
        this.#onBatch(batch.operation, total, members.map((m) => (started - m.arrived) / 1000));
      }
      outputs = await batch.runner.run(members.map((m) => m.input), rows);
    } catch (err) {
      for (const m of members) m.reject(err);
      return;
    }
    await Promise.all(members.map(async (m, i) => {
      try {
        m.resolve(await m.finish(outputs[i]));
      } catch (err) {
        m.reject(err);
      }
    }));
  }
}
