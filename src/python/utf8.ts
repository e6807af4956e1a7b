/**
 * Strict UTF-8 decoding with CPython's error text (`bytes.decode("utf-8")`): the first bad
 * sequence is named as CPython's decoder names it, e.g.
 * `'utf-8' codec can't decode byte 0xff in position 0: invalid start byte`.
 * @module
 */

const strict = new TextDecoder("utf-8", { fatal: true });

function isContinuation(c: number | undefined): boolean {
  return c !== undefined && c >= 0x80 && c <= 0xbf;
}

/** The range a second byte must lie in after lead byte `c` (overlongs and surrogates excluded). */
function secondRange(c: number): [number, number] {
  if (c === 0xe0) return [0xa0, 0xbf];
  if (c === 0xed) return [0x80, 0x9f];
  if (c === 0xf0) return [0x90, 0xbf];
  if (c === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** CPython's message for the first invalid sequence in `bytes`, or `undefined` when it is valid. */
export function utf8ErrorText(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const length = c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    if (length === 0) return message(bytes, i, i + 1, "invalid start byte");
    const [low, high] = secondRange(c);
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined) return message(bytes, i, n, "unexpected end of data");
      const ok = k === 1 ? next >= low && next <= high : isContinuation(next);
      if (!ok) return message(bytes, i, i + k, "invalid continuation byte");
    }
    i += length;
  }
  return undefined;
}

function message(bytes: Uint8Array, start: number, end: number, reason: string): string {
  const where = end - start === 1
    ? `byte 0x${bytes[start].toString(16).padStart(2, "0")} in position ${start}`
    : `bytes in position ${start}-${end - 1}`;
  return `'utf-8' codec can't decode ${where}: ${reason}`;
}

/** `bytes` as UTF-8 text; invalid input throws an `Error` with CPython's message. */
export function decodeUtf8Python(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new Error(utf8ErrorText(bytes) ?? "'utf-8' codec can't decode the data");
  }
}
