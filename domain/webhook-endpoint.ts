/**
 * Which webhook endpoints Herald will POST to. Pure: the check reads the URL only, with no DNS
 * lookup (a host name that resolves to a private address is not caught here; see the README).
 *
 * - https only; http only for a loopback host, and loopback only when WEBHOOK_ALLOW_LOOPBACK=1
 *   (tests and local development);
 * - no credentials in the URL;
 * - IP literals in private, loopback, link-local, shared (CGNAT), multicast, documentation or
 *   otherwise reserved ranges are refused, in every spelling the URL parser accepts
 *   (`0x7f.1`, `2130706433`, `[::ffff:10.0.0.1]` …);
 * - names that only mean something inside a network (`localhost`, `*.local`, `*.internal`,
 *   single labels like `intranet`) are refused.
 */

export const ENDPOINT_MAX_LENGTH = 2000;

export type EndpointCheck = { ok: true; url: string; loopback: boolean } | { ok: false; message: string };

const INTERNAL_SUFFIXES = [".local", ".internal", ".lan", ".home.arpa", ".intranet", ".corp"];

/** [first address as a 32-bit number, prefix length] of the IPv4 ranges that are not the public internet. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // shared address space (CGNAT)
  ["169.254.0.0", 16], // link-local (cloud metadata lives here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

function v4ToNumber(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inV4Range(value: number, [base, bits]: readonly [string, number]): boolean {
  const size = 2 ** (32 - bits);
  const start = v4ToNumber(base)!;
  return value >= start && value < start + size;
}

type AddressKind = "public" | "loopback" | "blocked";

function classifyV4(address: string): AddressKind | null {
  const value = v4ToNumber(address);
  if (value === null) return null;
  if (inV4Range(value, ["127.0.0.0", 8])) return "loopback";
  return BLOCKED_V4.some((range) => inV4Range(value, range)) ? "blocked" : "public";
}

/** Expands an IPv6 literal (as the URL parser prints it: compressed, lowercase, maybe with an embedded IPv4) to 8 groups. */
function v6Groups(address: string): number[] | null {
  let text = address;
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (embedded) {
    const v4 = v4ToNumber(embedded[1]!);
    if (v4 === null) return null;
    text = `${text.slice(0, -embedded[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.some(Number.isNaN) ? null : groups;
}

function classifyV6(address: string): AddressKind {
  const g = v6Groups(address);
  if (!g) return "blocked";
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroPrefix(7) && g[7] === 1) return "loopback"; // ::1
  if (zeroPrefix(8)) return "blocked"; // ::
  // IPv4-mapped (::ffff:a.b.c.d) and the NAT64 prefix 64:ff9b::/96 carry an IPv4 address: judge that one.
  if ((zeroPrefix(5) && g[5] === 0xffff) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))) {
    return classifyV4(`${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`)!;
  }
  if (zeroPrefix(6)) return "blocked"; // deprecated IPv4-compatible ::a.b.c.d
  if ((g[0]! & 0xfe00) === 0xfc00) return "blocked"; // fc00::/7 unique local
  if ((g[0]! & 0xffc0) === 0xfe80) return "blocked"; // fe80::/10 link-local
  if ((g[0]! & 0xffc0) === 0xfec0) return "blocked"; // fec0::/10 site-local (deprecated)
  if ((g[0]! & 0xff00) === 0xff00) return "blocked"; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "blocked"; // documentation
  if (g[0] === 0x2002) return "blocked"; // 6to4 (embeds any IPv4)
  if (g[0] === 0x2001 && g[1] === 0) return "blocked"; // Teredo
  return "public";
}

function classifyHost(hostname: string): AddressKind | "name" {
  if (hostname.startsWith("[") && hostname.endsWith("]")) return classifyV6(hostname.slice(1, -1));
  const v4 = classifyV4(hostname);
  if (v4) return v4;
  const name = hostname.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return "loopback";
  if (!name.includes(".") || INTERNAL_SUFFIXES.some((suffix) => name.endsWith(suffix))) return "blocked";
  return "name";
}

/** Checks a webhook endpoint; on success `url` is its normalized form (what is stored and called). */
export function checkEndpoint(raw: unknown, options: { allowLoopback: boolean }): EndpointCheck {
  if (typeof raw !== "string" || raw.trim() === "") return { ok: false, message: "Give the endpoint as an https:// URL." };
  if (raw.length > ENDPOINT_MAX_LENGTH) return { ok: false, message: `The endpoint URL is longer than ${ENDPOINT_MAX_LENGTH} characters.` };
  if (/[\u0000-\u0020\u007f-\u009f]/.test(raw.trim())) return { ok: false, message: "The endpoint URL contains spaces or control characters." };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, message: "The endpoint is not a valid URL." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, message: "The endpoint must be an https:// URL." };
  if (url.username || url.password) return { ok: false, message: "The endpoint URL must not contain a user name or password." };
  const kind = classifyHost(url.hostname);
  if (kind === "blocked") return { ok: false, message: "The endpoint must be on the public internet: private, link-local and reserved addresses are refused." };
  if (kind === "loopback" && !options.allowLoopback) return { ok: false, message: "The endpoint must be on the public internet, not this machine." };
  if (url.protocol === "http:" && kind !== "loopback") return { ok: false, message: "The endpoint must be an https:// URL." };
  url.hash = "";
  return { ok: true, url: url.href, loopback: kind === "loopback" };
}
