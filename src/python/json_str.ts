/**
 * Python `str()` of `json.loads(text)` rendered straight from the JSON text, reading at most
 * about `cap` characters of it: an echo of a request of any size (`Invalid request data type:
 * …`) costs no more than its cap. Equal to `pyStr(parseJsonPythonic(text))` when the text fits.
 * @module
 */
import { PyFloat, pyFloatRepr } from "./float.ts";
import { JSON_ESCAPES } from "./json_loads.ts";
import { ECHO_CAP, pyStr, pyStrRepr, truncationMarker } from "./repr.ts";

/** Thrown when the input passes the cap: `partial` is the rendering of what was read. */
class Cut {
  constructor(readonly partial: string) {}
}

/** Not valid JSON (callers parsed the text already, so only a safety net). */
class Invalid {}

const LITERALS: ReadonlyArray<[string, string]> = [
  ["null", "None"],
  ["true", "True"],
  ["false", "False"],
  ["NaN", pyFloatRepr(NaN)],
  ["Infinity", pyFloatRepr(Infinity)],
  ["-Infinity", pyFloatRepr(-Infinity)],
];
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;

class Renderer {
  constructor(readonly s: string, readonly limit: number) {}

  /** Throws a {@link Cut} once reading would pass the limit. */
  check(i: number, partial = ""): void {
    if (i > this.limit) throw new Cut(partial);
  }

  ws(i: number): number {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
      i++;
      this.check(i);
    }
  }

  /** `repr` of the value at `i` (`str` when `top` and a string) and the index after it. */
  value(i: number, top = false): [string, number] {
    this.check(i);
    const s = this.s;
    const c = s[i];
    if (c === '"') {
      const [text, next] = this.string(i + 1, (partial) => top ? partial : openRepr(partial));
      return [top ? text : pyStrRepr(text), next];
    }
    if (c === "[") return this.array(i + 1);
    if (c === "{") return this.object(i + 1);
    for (const [word, repr] of LITERALS) {
      if (s.startsWith(word, i)) return [repr, i + word.length];
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(s);
    if (m === null) throw new Invalid();
    const end = NUMBER.lastIndex;
    this.check(end);
    if (m[1] !== undefined || m[2] !== undefined) {
      return [new PyFloat(Number(m[0])).toString(), end];
    }
    const n = Number(m[0]);
    return [Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(m[0]).toString(), end];
  }

  /**
   * The decoded string whose opening quote is at `start - 1`, and the index after its closing
   * quote. A cut renders the part read through `show`.
   */
  string(start: number, show: (partial: string) => string): [string, number] {
    const s = this.s;
    let out = "";
    let i = start;
    for (;;) {
      let j = i;
      const end = Math.min(s.length, this.limit + 1);
      while (j < end && s[j] !== '"' && s[j] !== "\\") j++;
      out += s.slice(i, j);
      if (j > this.limit) throw new Cut(show(out));
      if (j >= s.length) throw new Invalid();
      if (s[j] === '"') return [out, j + 1];
      const e = s[j + 1];
      if (e === "u") {
        const digits = s.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw new Invalid();
        out += String.fromCharCode(parseInt(digits, 16));
        i = j + 6;
      } else {
        if (JSON_ESCAPES[e] === undefined) throw new Invalid();
        out += JSON_ESCAPES[e];
        i = j + 2;
      }
      this.check(i, show(out));
    }
  }

  array(i: number): [string, number] {
    const parts: string[] = [];
    const s = this.s;
    try {
      i = this.ws(i);
      if (s[i] === "]") return ["[]", i + 1];
      for (;;) {
        const [item, next] = this.value(i);
        parts.push(item);
        i = this.ws(next);
        if (s[i] === "]") return [`[${parts.join(", ")}]`, i + 1];
        if (s[i] !== ",") throw new Invalid();
        i = this.ws(i + 1);
      }
    } catch (err) {
      if (err instanceof Cut) throw new Cut(`[${parts.join(", ")}${sep(parts)}${err.partial}`);
      throw err;
    }
  }

  /** A dict keeps the first position of a repeated key and its last value, as Python's. */
  object(i: number): [string, number] {
    const entries = new Map<string, string>();
    const s = this.s;
    const shown = () => [...entries].map(([k, v]) => `${pyStrRepr(k)}: ${v}`);
    let key: string | undefined;
    try {
      i = this.ws(i);
      if (s[i] === "}") return ["{}", i + 1];
      for (;;) {
        key = undefined;
        if (s[i] !== '"') throw new Invalid();
        [key, i] = this.string(i + 1, openRepr);
        i = this.ws(i);
        if (s[i] !== ":") throw new Invalid();
        const [item, next] = this.value(this.ws(i + 1));
        entries.set(key, item);
        key = undefined;
        i = this.ws(next);
        if (s[i] === "}") return [`{${shown().join(", ")}}`, i + 1];
        if (s[i] !== ",") throw new Invalid();
        i = this.ws(i + 1);
      }
    } catch (err) {
      if (!(err instanceof Cut)) throw err;
      const done = shown();
      const head = key === undefined ? "" : `${pyStrRepr(key)}: `;
      throw new Cut(`{${done.join(", ")}${sep(done)}${head}${err.partial}`);
    }
  }
}

/** `repr` of the start of a string that was cut (no closing quote). */
function openRepr(partial: string): string {
  return pyStrRepr(partial).slice(0, -1);
}

function sep(parts: readonly string[]): string {
  return parts.length > 0 ? ", " : "";
}

/**
 * Python `str()` of the value that `json.loads(text)` would produce — the `<value>` of `Invalid
 * request data type: <value>` (protocol.md §2.4): source key order, float tokens as Python
 * floats (`5.0`, `1e+20`, `1e-05`), integer tokens with their exact digits. Reads at most `cap`
 * characters of `text` and renders at most `cap`: a longer rendering is cut there and marked
 * ({@link truncationMarker}, with `size`, the request's size in bytes, when given). Text that is
 * not JSON (callers parsed it already) is shown as it is, cut the same way.
 */
export function pyStrFromJsonText(text: string, cap = ECHO_CAP, size?: number): string {
  const renderer = new Renderer(text, cap);
  let rendered: string;
  let cut = false;
  try {
    const [value, next] = renderer.value(renderer.ws(0), true);
    if (renderer.ws(next) !== text.length) throw new Invalid();
    rendered = value;
  } catch (err) {
    if (err instanceof Cut) {
      rendered = err.partial;
      cut = true;
    } else if (err instanceof Invalid || err instanceof RangeError) {
      rendered = pyStr(text.slice(0, cap + 1));
      cut = text.length > cap;
    } else throw err;
  }
  return cut || rendered.length > cap ? rendered.slice(0, cap) + truncationMarker(size) : rendered;
}
