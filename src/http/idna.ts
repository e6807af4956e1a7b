/**
 * The host name werkzeug 2.2 puts in a URL it builds (`_encode_idna`): a `Host` that is all
 * ASCII is kept as it is; otherwise each `.`-separated part (port included, as werkzeug splits
 * the whole `host:port`) goes through Python's `idna` codec: nameprep, then `xn--` + Punycode.
 * @module
 */
import punycode from "node:punycode";

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
  const ascii = isAscii(prepared) ? prepared : `xn--${punycode.encode(prepared)}`;
  return ascii.length > 0 && ascii.length < 64 ? ascii : undefined;
}

/** RFC 3491 nameprep as it acts on Latin-1 characters. */
function nameprep(label: string): string | undefined {
  if (/[\x80-\x9f]/.test(label)) return undefined;
  const folded = label.replaceAll("\u00ad", "").replaceAll("ß", "ss").toLowerCase();
  return folded.normalize("NFKC");
}
