/**
 * Refuses webhook targets inside our own network (SSRF): a broker admin, or anyone who can edit
 * the configuration, must not turn the webhook sender into a probe of loopback services, cloud
 * metadata (169.254.169.254) or the private network the app runs in.
 *
 * The check runs on the address we actually connect to: lib/delivery/webhook.ts passes
 * `guardedLookup` as the socket's DNS lookup, so a name that resolves to a public address at
 * check time and a private one at connect time (DNS rebinding) is still refused. Every resolved
 * address must be public, and literal IPs (IPv4, IPv6, IPv4-mapped/-compatible IPv6, NAT64) are
 * checked the same way. `allowPrivate` on an endpoint turns the guard off (tests, in-cluster CRMs).
 */
import { lookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { isIP } from "node:net";

type Cidr = [bytes: number[], bits: number];

const V4_BLOCKED: Cidr[] = [
  [[0, 0, 0, 0], 8], // "this network"
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local (cloud metadata)
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
];

const V6_BLOCKED: Cidr[] = [
  [[0xfc], 7], // unique local
  [[0xfe, 0x80], 10], // link-local
  [[0xfe, 0xc0], 10], // site-local (deprecated)
  [[0xff], 8], // multicast
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // discard-only
];

function inCidr(bytes: number[], [prefix, bits]: Cidr): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function parseV4(ip: string): number[] | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseV6(ip: string): number[] | undefined {
  let text = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, ""); // brackets, zone id
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** True when `ip` (a literal IPv4 or IPv6 address) is publicly routable. Unparseable: false. */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseV4(ip);
  if (v4) return !V4_BLOCKED.some((c) => inCidr(v4, c));
  const v6 = parseV6(ip);
  if (!v6) return false;
  const zeros = (n: number) => v6.slice(0, n).every((b) => b === 0);
  // ::/128 unspecified and ::1 loopback.
  if (zeros(15) && (v6[15] === 0 || v6[15] === 1)) return false;
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d):
  // judged by the IPv4 address they carry.
  const embedded = v6.slice(12).join(".");
  if (zeros(10) && v6[10] === 0xff && v6[11] === 0xff) return isPublicAddress(embedded);
  if (zeros(12)) return isPublicAddress(embedded);
  if (inCidr(v6, [[0, 0x64, 0xff, 0x9b], 96])) return isPublicAddress(embedded);
  // 6to4 (2002:a.b.c.d::/48) carries an IPv4 address too.
  if (v6[0] === 0x20 && v6[1] === 0x02) return isPublicAddress(v6.slice(2, 6).join("."));
  return !V6_BLOCKED.some((c) => inCidr(v6, c));
}

export class RefusedTarget extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefusedTarget";
  }
}

/** Throws RefusedTarget when a URL's literal host is not public (names are checked at connect). */
export function assertLiteralHostAllowed(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) && !isPublicAddress(host)) {
    throw new RefusedTarget(`target address ${host} is not public`);
  }
  if (host === "localhost" || host.endsWith(".localhost")) {
    throw new RefusedTarget(`target host ${host} is loopback`);
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A drop-in `lookup` for http.request: resolves every address of the name and fails unless all
 * are public, so the socket can only connect to an address that passed the check.
 */
export function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string } | undefined,
  callback: LookupCallback,
): void {
  const all: LookupAllOptions = { all: true, family: (options?.family ?? 0) as 0 | 4 | 6 };
  lookup(hostname, all, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused || addresses.length === 0) {
      return callback(
        new RefusedTarget(
          `${hostname} resolves to ${refused?.address ?? "nothing"}, which is not public`,
        ),
        [],
      );
    }
    if (options?.all) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
}
