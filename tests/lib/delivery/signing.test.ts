import { readFileSync } from "node:fs";
import path from "node:path";
import { signatureFor, signWebhook } from "@/lib/delivery/signing";
import { sendWebhook } from "@/lib/delivery/webhook";
// The verifier docs/webhooks.md links for receivers, tested here as is.
import { verifyWebhook } from "../../../docs/webhook-verify.mjs";
import { startReceiver, TEST_WEBHOOK_SECRET, type Receiver } from "../../helpers/webhook-receiver";

const ROOT = path.join(__dirname, "../../..");
const OLD_SECRET = "whsec_" + Buffer.from("an-older-secret-being-rotated-out").toString("base64");
const OTHER_SECRET = "whsec_" + Buffer.from("somebody-elses-secret-0123456789").toString("base64");

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const asHeaders = (r: Receiver["received"][number]) => ({
  "webhook-id": r.id,
  "webhook-timestamp": r.timestamp,
  "webhook-signature": r.signature,
});

describe("Standard Webhooks signing", () => {
  it("matches the Standard Webhooks reference signature", () => {
    expect(
      signatureFor(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("sends a request the published verifier accepts, with the exact body signed", async () => {
    const body = JSON.stringify({ type: "case.status_changed", version: 1, note: "ünïcødé" });
    const outcome = await sendWebhook(
      { url: receiver.url, secrets: [TEST_WEBHOOK_SECRET], allowPrivate: true },
      { id: "3f1c0e0a-0000-4000-8000-000000000001", body },
    );
    expect(outcome).toMatchObject({ ok: true, httpStatus: 204 });
    const got = receiver.received.at(-1)!;
    expect(got.body).toBe(body);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.id).toBe("3f1c0e0a-0000-4000-8000-000000000001");
    expect(Math.abs(Number(got.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(verifyWebhook(TEST_WEBHOOK_SECRET, asHeaders(got), got.body)).toEqual(JSON.parse(body));
  });

  it("fails verification for a tampered body, another secret or a missing header", () => {
    const now = Math.floor(Date.now() / 1000);
    const body = '{"case":{"status":"rejected"}}';
    const headers = signWebhook({ id: "e1", timestamp: now, body, secrets: [TEST_WEBHOOK_SECRET] });
    expect(() => verifyWebhook(TEST_WEBHOOK_SECRET, headers, body)).not.toThrow();
    expect(() =>
      verifyWebhook(TEST_WEBHOOK_SECRET, headers, body.replace("rejected", "approved")),
    ).toThrow("invalid webhook signature");
    expect(() =>
      verifyWebhook(TEST_WEBHOOK_SECRET, { ...headers, "webhook-id": "e2" }, body),
    ).toThrow("invalid webhook signature");
    expect(() => verifyWebhook(OTHER_SECRET, headers, body)).toThrow("invalid webhook signature");
    expect(() =>
      verifyWebhook(TEST_WEBHOOK_SECRET, { ...headers, "webhook-signature": "" }, body),
    ).toThrow("missing webhook headers");
  });

  it("fails verification for a timestamp older than 5 minutes (a replayed request) or from the future", () => {
    const body = "{}";
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now - 3600, now + 301]) {
      const headers = signWebhook({ id: "e1", timestamp, body, secrets: [TEST_WEBHOOK_SECRET] });
      expect(() => verifyWebhook(TEST_WEBHOOK_SECRET, headers, body, now)).toThrow(
        "webhook timestamp outside the tolerance",
      );
    }
    const fresh = signWebhook({
      id: "e1",
      timestamp: now - 299,
      body,
      secrets: [TEST_WEBHOOK_SECRET],
    });
    expect(() => verifyWebhook(TEST_WEBHOOK_SECRET, fresh, body, now)).not.toThrow();
  });

  it("signs with every configured secret during a rotation; either one verifies", async () => {
    const body = '{"rotation":true}';
    await sendWebhook(
      { url: receiver.url, secrets: [TEST_WEBHOOK_SECRET, OLD_SECRET], allowPrivate: true },
      { id: "rot-1", body },
    );
    const got = receiver.received.at(-1)!;
    expect(got.signature.split(" ")).toHaveLength(2);
    expect(got.signature.split(" ").every((s) => s.startsWith("v1,"))).toBe(true);
    expect(verifyWebhook(TEST_WEBHOOK_SECRET, asHeaders(got), got.body)).toEqual({
      rotation: true,
    });
    expect(verifyWebhook(OLD_SECRET, asHeaders(got), got.body)).toEqual({ rotation: true });
    expect(() => verifyWebhook(OTHER_SECRET, asHeaders(got), got.body)).toThrow();
  });

  it("sends a user and password in the endpoint's URL as Basic authentication, decoded", async () => {
    // A CRM behind an authenticating proxy: the credentials ride in WEBHOOK_ENDPOINTS, as secret
    // as the signing secrets beside them, and the signature is still what the receiver verifies.
    const url = new URL(receiver.url);
    url.username = "kyc";
    url.password = "p@ss:w/rd";
    await sendWebhook(
      { url: url.href, secrets: [TEST_WEBHOOK_SECRET], allowPrivate: true },
      { id: "basic-1", body: "{}" },
    );
    const got = receiver.received.at(-1)!;
    expect(got.headers.authorization).toBe(
      `Basic ${Buffer.from("kyc:p@ss:w/rd").toString("base64")}`,
    );
    expect(verifyWebhook(TEST_WEBHOOK_SECRET, asHeaders(got), got.body)).toEqual({});
    await sendWebhook(
      { url: receiver.url, secrets: [TEST_WEBHOOK_SECRET], allowPrivate: true },
      { id: "basic-2", body: "{}" },
    );
    expect(receiver.received.at(-1)!.headers.authorization).toBeUndefined();
  });

  it("points receivers to exactly the verification code that is tested here", () => {
    const guide = readFileSync(path.join(ROOT, "docs/webhooks.md"), "utf8");
    expect(guide).toContain("](webhook-verify.mjs)");
    expect(readFileSync(path.join(ROOT, "docs/webhook-verify.mjs"), "utf8")).toContain(
      "export function verifyWebhook",
    );
  });
});
