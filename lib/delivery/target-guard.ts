/**
 * Refuses webhook targets inside our own network (SSRF): a broker admin, or anyone who can edit
 * the configuration, must not turn the webhook sender into a probe of loopback services, cloud
 * metadata (169.254.169.254) or the private network the app runs in.
 *
 * The check runs on the address we actually connect to: lib/delivery/webhook.ts passes
 * `guardedLookup` as the socket's DNS lookup, so a name that resolves to a public address at
 * check time and a private one at connect time (DNS rebinding) is still refused. Every resolved
 * address must be public, and literal IPs (IPv4, IPv6, IPv6 that carries an IPv4 address) are
 * checked the same way (isPublicAddress says what counts as public). `allowPrivate` on an
 * endpoint turns the guard off (tests, in-cluster CRMs).
 */
import { lookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * IPv6 outside global unicast (2000::/3) is never a webhook receiver's address: what remains
 * there after the named ranges below is unassigned or reserved.
 */
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR("2000::/3");
/** RFC 6052 well-known NAT64 prefix: the last 32 bits are the IPv4 address reached. */
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR("64:ff9b::/96");
/** IPv4-compatible (RFC 4291, deprecated): the last 32 bits are an IPv4 address. */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR("::/96");

function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 address an IPv6 address hands traffic to, when it is one of the forms that carry one:
 * IPv4-compatible `::a.b.c.d` (ipaddr.js already reads it as IPv4-mapped when written with
 * dots; `::` and `::1` land in 0.0.0.0/8, refused), SIIT's IPv4-translated `::ffff:0:a.b.c.d`
 * (RFC 6145; not the IPv4-mapped `::ffff:a.b.c.d`, which `ipaddr.process` has already turned
 * into IPv4), NAT64's `64:ff9b::a.b.c.d` (RFC 6052) and 6to4's `2002:aabb:ccdd::/48` (RFC 3056).
 */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const [, p1 = 0, p2 = 0, , , , p6 = 0, p7 = 0] = address.parts;
  if (address.match(IPV4_COMPATIBLE) || address.match(NAT64_WELL_KNOWN)) return ipv4From(p6, p7);
  if (address.range() === "rfc6145") return ipv4From(p6, p7);
  if (address.range() === "6to4") return ipv4From(p1, p2);
  return undefined;
}

/**
 * True when `ip` (a literal IPv4 or IPv6 address, as a resolver returns it) is publicly
 * routable; anything else, including a spelling node:net does not take for an address, is not.
 *
 * IPv4 is public only in ipaddr.js's `unicast`: every named range is refused (private,
 * loopback, linkLocal (cloud metadata), carrierGradeNat, unspecified, broadcast, multicast,
 * reserved (documentation, benchmarking, 240/4, the 6to4 relay), as112, amt). IPv6 that carries
 * an IPv4 address is judged by that address; otherwise it is public only as `unicast` inside
 * 2000::/3, which refuses loopback, unspecified, linkLocal, uniqueLocal, multicast, teredo (its
 * far end is hidden in the address), the RFC 8215 local-use NAT64 prefix 64:ff9b:1::/48 (a
 * translator inside the operator's own network, and where the IPv4 address sits depends on its
 * prefix length), discard, documentation, benchmarking, ORCHID, segment routing and the rest.
 */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, "");
  if (!isIP(bare)) return false;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(bare);
  } catch {
    return false;
  }
  if (address.kind() === "ipv4") return address.range() === "unicast";
  const v6 = address as ipaddr.IPv6;
  const carried = embeddedIpv4(v6);
  if (carried) return carried.range() === "unicast";
  return v6.range() === "unicast" && v6.match(GLOBAL_UNICAST);
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
