/**
 * The worker thread of an `OnnxServer` session (`session_thread` parameter): opens the model,
 * then runs it for each message, transferring the results' buffers back.
 * @module
 */
import { type FromThread, openSession, type Session, type ToThread } from "./session.ts";

let session: Session | undefined;
const scope = self as unknown as {
  onmessage: (event: MessageEvent<ToThread>) => void;
  postMessage(message: FromThread, transfer?: Transferable[]): void;
};

scope.onmessage = async (event) => {
  const msg = event.data;
  if (msg.kind === "open") {
    try {
      session = await openSession(msg.path, msg.settings);
      scope.postMessage({
        kind: "opened",
        inputs: [...session.inputs],
        outputs: [...session.outputs],
      });
    } catch (err) {
      scope.postMessage({ kind: "failed", message: String((err as Error)?.message ?? err) });
    }
    return;
  }
  try {
    const results = await session!.run(msg.feeds, msg.fetches);
    const transfer: Transferable[] = [];
    for (const r of Object.values(results)) {
      if (ArrayBuffer.isView(r.data) && !transfer.includes(r.data.buffer as ArrayBuffer)) {
        transfer.push(r.data.buffer as ArrayBuffer);
      }
    }
    scope.postMessage({ kind: "ran", id: msg.id, results }, transfer);
  } catch (err) {
    scope.postMessage({
      kind: "error",
      id: msg.id,
      message: String((err as Error)?.message ?? err),
    });
  }
};
