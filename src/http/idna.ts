/**
 * The host name werkzeug 2.2 puts in a URL it builds (`_encode_idna`): a `Host` that is all
 * ASCII is kept as it is; otherwise each `.`-separated part (port included, as werkzeug splits
 * the whole `host:port`) goes through Python's `idna` codec: nameprep, then `xn--` + Punycode.
 * @module
 */

/**
 * `host` (a `Host` header value: its bytes as Latin-1 characters) as werkzeug encodes it, or
 * `undefined` where Python's codec refuses it (werkzeug's `BadHost`): a label of 64 or more
 * characters, a C1 control character (nameprep prohibits them), a non-ASCII label starting
 * `xn--`. Nameprep is reduced to what
 * Latin-1 input needs: soft hyphen removed, case folded (`ß` → `ss`), NFKC.
 */
export function encodeIdnaHost(host: string): string | undefined {
  if (isAscii(host)) return host;
  const labels: string[] = [];
  for (const part of host.split(".")) {
    const label = toAscii(part);
    if (label === undefined) return undefined;
    labels.push(label);
  }
  return labels.join(".");
}

// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** Python's `label.encode("idna")` for one label (RFC 3490 ToASCII, STD3 rules off). */
function toAscii(label: string): string | undefined {
  if (isAscii(label)) return label.length < 64 ? label : undefined;
  const prepared = nameprep(label);
  if (prepared === undefined) return undefined;
  if (!isAscii(prepared) && prepared.startsWith("xn--")) return undefined;
  const ascii = isAscii(prepared) ? prepared : `xn--${punycode(prepared)}`;
  return ascii.length > 0 && ascii.length < 64 ? ascii : undefined;
}

/** RFC 3491 nameprep as it acts on Latin-1 characters. */
function nameprep(label: string): string | undefined {
  if (/[\x80-\x9f]/.test(label)) return undefined;
  const folded = label.replaceAll("\u00ad", "").replaceAll("ß", "ss").toLowerCase();
  return folded.normalize("NFKC");
}

const BASE = 36, T_MIN = 1, T_MAX = 26, SKEW = 38, DAMP = 700;

/** RFC 3492 Punycode of `input` (without the `xn--` prefix). */
export function punycode(input: string): string {
  const codePoints = Array.from(input, (c) => c.codePointAt(0)!);
  let output = codePoints.filter((c) => c < 0x80).map((c) => String.fromCharCode(c)).join("");
  const basic = output.length;
  let handled = basic;
  if (basic > 0) output += "-";
  let n = 0x80, delta = 0, bias = 72;
  while (handled < codePoints.length) {
    const m = Math.min(...codePoints.filter((c) => c >= n));
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of codePoints) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = BASE;; k += BASE) {
        const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
        if (q < t) break;
        output += digit(t + (q - t) % (BASE - t));
        q = Math.floor((q - t) / (BASE - t));
      }
      output += digit(q);
      bias = adapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return output;
}

function digit(d: number): string {
  return String.fromCharCode(d < 26 ? d + 97 : d + 22);
}

function adapt(delta: number, points: number, first: boolean): number {
  delta = first ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / points);
  let k = 0;
  while (delta > ((BASE - T_MIN) * T_MAX) >> 1) {
    delta = Math.floor(delta / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * delta) / (delta + SKEW));
}
