import { guardedLookup, isPublicAddress } from "@/lib/delivery/target-guard";
import { sendWebhook, WEBHOOK_TIMEOUT_MS } from "@/lib/delivery/webhook";
import { startReceiver, TEST_WEBHOOK_SECRET, type Receiver } from "../../helpers/webhook-receiver";

let receiver: Receiver;
let port: string;
beforeAll(async () => {
  receiver = await startReceiver();
  port = new URL(receiver.url).port;
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.respond = () => 204;
});

const message = { id: "ssrf-1", body: "{}" };
const endpoint = (url: string, allowPrivate = false) => ({
  url,
  secrets: [TEST_WEBHOOK_SECRET],
  allowPrivate,
});

describe("webhook target guard (SSRF)", () => {
  it.each([
    "127.0.0.1",
    "127.255.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "::127.0.0.1",
    "64:ff9b::10.0.0.1",
    "2002:c0a8:0101::1",
    "not-an-ip",
  ])("treats %s as not public", (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "2a00:1450::1",
  ])("treats %s as public", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ["10.0.0.1", "64:ff9b::10.0.0.1"],
    ["169.254.169.254 (cloud metadata)", "64:ff9b::a9fe:a9fe"],
    ["127.0.0.1", "64:ff9b::7f00:1"],
    ["192.168.1.1", "64:ff9b::c0a8:101"],
  ])("refuses a NAT64 address (64:ff9b::/96) that embeds %s", (_v4, ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it("accepts a NAT64 address (64:ff9b::/96) that embeds a public IPv4, as DNS64 answers", () => {
    expect(isPublicAddress("64:ff9b::8.8.8.8")).toBe(true);
    expect(isPublicAddress("64:ff9b::101:101")).toBe(true);
  });

  it.each(["64:ff9b:1::808:808", "64:ff9b:1::a00:1", "64:ff9b:1:ffff::1", "64:ff9b:1:808:808::"])(
    "refuses the local-use NAT64 prefix 64:ff9b:1::/48 whatever it embeds (%s)",
    (ip) => {
      expect(isPublicAddress(ip)).toBe(false);
    },
  );

  it.each([
    ["IPv4-translated (SIIT, ::ffff:0:0:0/96)", "::ffff:0:127.0.0.1"],
    ["IPv4-translated (SIIT, ::ffff:0:0:0/96)", "::ffff:0:a00:1"],
    ["IPv4-translated (SIIT, ::ffff:0:0:0/96)", "0:0:0:0:ffff:0:a9fe:a9fe"],
    ["IPv4-mapped (::ffff:0:0/96)", "::ffff:10.0.0.1"],
    ["IPv4-mapped (::ffff:0:0/96)", "0:0:0:0:0:ffff:c0a8:101"],
    ["IPv4-compatible (::/96)", "::a00:1"],
    ["IPv4-compatible (::/96)", "::10.0.0.1"],
    ["6to4 (2002::/16)", "2002:a9fe:a9fe::1"],
  ])("refuses an %s address that embeds a private IPv4: %s", (_form, ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each(["::ffff:0:8.8.8.8", "::ffff:8.8.8.8", "2002:808:808::1"])(
    "judges an IPv6 address that carries a public IPv4 by that address (%s)",
    (ip) => {
      expect(isPublicAddress(ip)).toBe(true);
    },
  );

  it.each([
    ["a teredo address", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    ["an IPv6 documentation address", "2001:db8::1"],
    ["a discard-only address", "100::1"],
    ["a site-local address", "fec0::1"],
    ["a segment-routing address", "5f00::1"],
    ["an ORCHIDv2 address", "2001:20::1"],
    ["an address outside 2000::/3", "4000::1"],
    ["a link-local address with a zone", "fe80::1%eth0"],
    ["a carrier-grade NAT address", "100.127.255.254"],
    ["a benchmarking address", "198.18.0.1"],
    ["an IPv4 documentation address", "203.0.113.7"],
    ["a reserved address", "240.0.0.1"],
    ["the 6to4 relay anycast address", "192.88.99.1"],
    ["IPv4 in a legacy octal spelling", "0177.0.0.1"],
    ["IPv4 in a short spelling", "1.2.3"],
  ])("treats %s as not public (%s)", (_name, ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it("refuses loopback targets in every spelling without allowPrivate, and sends nothing", async () => {
    const before = receiver.received.length;
    for (const host of [
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `localhost:${port}`,
      `2130706433:${port}`, // 127.0.0.1 as one number
    ]) {
      const outcome = await sendWebhook(endpoint(`http://${host}/hooks/kyc`), message);
      expect(outcome).toMatchObject({ ok: false, errorKind: "refused_target" });
    }
    expect(receiver.received.length).toBe(before);
  });

  it("refuses a host name whose DNS answer is private, at connect time", async () => {
    const error = await new Promise<Error | null>((resolve) =>
      guardedLookup("localhost", {}, (e) => resolve(e)),
    );
    expect(error?.name).toBe("RefusedTarget");
  });

  it("delivers to a loopback receiver when the endpoint allows private targets", async () => {
    const outcome = await sendWebhook(endpoint(receiver.url, true), message);
    expect(outcome).toMatchObject({ ok: true, httpStatus: 204 });
  });

  it("does not follow a redirect: a 3xx is a failed attempt and the target is never called", async () => {
    const other = await startReceiver();
    try {
      receiver.respond = () => ({ status: 307, headers: { location: other.url } });
      const outcome = await sendWebhook(endpoint(receiver.url, true), message);
      expect(outcome).toMatchObject({ ok: false, errorKind: "redirect", httpStatus: 307 });
      expect(other.received).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("gives up on a receiver that does not answer within the timeout (15 s in production)", async () => {
    expect(WEBHOOK_TIMEOUT_MS).toBe(15_000);
    receiver.respond = () => "hold";
    const outcome = await sendWebhook(endpoint(receiver.url, true), message, { timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: false, errorKind: "timeout", httpStatus: null });
    // Ended by the timeout given, not at once and not by the production one: the two bounds are
    // the configured values, so a slow machine does not move the answer.
    expect(outcome.durationMs).toBeGreaterThanOrEqual(250);
    expect(outcome.durationMs).toBeLessThan(WEBHOOK_TIMEOUT_MS);
    receiver.release();
  });

  it("counts only 2xx as delivered", async () => {
    for (const [status, ok] of [
      [200, true],
      [202, true],
      [400, false],
      [410, false],
      [500, false],
    ] as const) {
      receiver.respond = () => status;
      const outcome = await sendWebhook(endpoint(receiver.url, true), message);
      expect(outcome.ok).toBe(ok);
      expect(outcome.httpStatus).toBe(status);
    }
  });
});
