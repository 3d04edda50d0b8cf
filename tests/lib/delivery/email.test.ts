/**
 * The trader's status email, end to end: a real status change in PostgreSQL, the outbox worker,
 * nodemailer, and a real SMTP server on 127.0.0.1 (tests/helpers/smtp-sink.ts).
 */
import "../../scenarios/support/request-scope";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import path from "node:path";
import { getDb } from "@/lib/db/client";
import {
  getDeliveriesForEvent,
  insertOutboxEvent,
  listAttemptsForEvent,
  listOutboxEventsForCase,
} from "@/lib/db/queries/outbox";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { EMAIL_DESTINATION, sendStatusEmail } from "@/lib/delivery/email";
import { CASE_STATUS_CHANGED } from "@/lib/delivery/payload";
import { drainOnce } from "@/lib/delivery/worker";
import { parseEnv } from "@/lib/env";
import { startSmtpSink, type SmtpSink } from "../../helpers/smtp-sink";
import {
  decideCase,
  decideSubmittedCase,
  deliveryWorld,
  freshCase,
  submitCase,
  traderOf,
} from "./helpers";

const FROM = "Atlas Markets KYC <kyc@atlas.example>";
const BRAND = {
  BROKER_NAME: "Atlas Markets",
  SUPPORT_EMAIL: "support@atlas.example",
  SUPPORT_PHONE: "+44 20 7946 0000",
  SUPPORT_URL: "https://help.atlas.example/kyc",
  BRAND_LEGAL_ENTITY: "Atlas Markets Ltd, 1 Example Street, London",
};

/** An approval as the first release stored it: no sequence, approved level or account. */
const FIRST_RELEASE_APPROVAL = JSON.parse(
  readFileSync(
    path.join(__dirname, "../../fixtures/webhooks/first-release/case-approved.json"),
    "utf8",
  ),
);

// The trader's email is the only destination.
const world = deliveryWorld({ WEBHOOK_ENDPOINTS: "", CTRADER_ACCOUNT_UPDATE: undefined });
let sink: SmtpSink;

function configureEmail(overrides: Record<string, string | undefined> = {}) {
  world().configure({
    EMAIL_SMTP_URL: sink.url,
    EMAIL_FROM: FROM,
    EMAIL_STATUSES: undefined,
    EMAIL_REQUIRE_TLS: undefined,
    ...BRAND,
    ...overrides,
  });
}

beforeAll(async () => {
  sink = await startSmtpSink();
  configureEmail();
});
beforeEach(() => {
  configureEmail();
  sink.rejectRecipient = () => undefined;
});
afterAll(async () => {
  await sink.close();
});

/**
 * A trader cTrader opens the screen for, in the trader's language, with the email cTrader gives
 * (none: an empty one): the standard case the launch opened.
 */
function traderCase(trader: { email: string | null; locale?: string }) {
  return freshCase("standard", { email: trader.email ?? "", locale: trader.locale });
}

/**
 * One worker pass over these events only: deliveries other tests left pending (a refused
 * recipient, a server that was down) must not be retried into this test's sink.
 */
async function deliver(...events: { submitEventId?: string; eventId: string }[]) {
  for (const e of events)
    for (const eventId of [e.submitEventId, e.eventId].filter((id) => id !== undefined))
      await drainOnce({ eventId, limit: 10 });
}

async function emailDelivery(eventId: string) {
  const row = (await getDeliveriesForEvent(eventId)).find(
    (d) => d.destination === EMAIL_DESTINATION,
  );
  if (!row) throw new Error(`no ${EMAIL_DESTINATION} delivery for ${eventId}`);
  return row;
}

async function attemptLog(eventId: string) {
  const delivery = await emailDelivery(eventId);
  return (await listAttemptsForEvent(eventId))
    .filter((a) => a.deliveryId === delivery.id)
    .map((a) => [a.attempt, a.ok, a.httpStatus, a.errorKind]);
}

const mailsTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));

describe("status email", () => {
  it("mails an approval once, to the trader's address, in the trader's language, from EMAIL_FROM", async () => {
    const kycCase = await traderCase({ email: "anna@trader.example", locale: "de" });
    const decided = await decideCase(kycCase, "approve");
    await deliver(decided);
    const { eventId } = decided;

    const mails = mailsTo("anna@trader.example");
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.envelope).toEqual({ from: "kyc@atlas.example", to: ["anna@trader.example"] });
    expect(mail!.parsed.from?.value).toEqual([
      { address: "kyc@atlas.example", name: "Atlas Markets KYC" },
    ]);
    expect(mail!.parsed.subject).toBe("Atlas Markets: Ihre Identität ist bestätigt");
    expect(mail!.parsed.text).toContain("Status: Genehmigt");
    expect(mail!.parsed.text).toContain("Telefon: +44 20 7946 0000");
    expect(mail!.parsed.text).toContain(BRAND.BRAND_LEGAL_ENTITY);
    expect(mail!.parsed.html).toContain('<html lang="de" dir="ltr">');
    expect(mail!.parsed.headers.get("auto-submitted")).toBe("auto-generated");
    // Every attempt of this event carries the same Message-ID: copies can be recognised.
    expect(mail!.parsed.messageId).toBe(`<${eventId}.status@atlas.example>`);

    expect(await emailDelivery(eventId)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(await attemptLog(eventId)).toEqual([[1, true, 250, null]]);
  });

  it("tells a trader what to do next, and keeps the reviewer's message and document details out of the mail", async () => {
    const kycCase = await traderCase({ email: "ben@trader.example" });
    const secret = "Passport P7654321 expired on 2019-03-01, please upload a new one.";
    const decided = await decideCase(kycCase, "request_action", secret);
    await deliver(decided);
    const { eventId } = decided;

    const [mail] = mailsTo("ben@trader.example");
    expect(mail?.parsed.subject).toBe("Atlas Markets: we need more information");
    expect(mail?.parsed.text).toContain("Open the verification screen in cTrader");
    for (const body of [mail?.parsed.text ?? "", String(mail?.parsed.html)]) {
      expect(body).not.toContain("P7654321");
      expect(body).not.toContain("2019");
      expect(body).not.toContain(kycCase.id);
    }
    // The only links are the configured support contacts: nothing that carries a token.
    const hrefs = [...String(mail?.parsed.html).matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([
      "mailto:support@atlas.example",
      "tel:+442079460000",
      "https://help.atlas.example/kyc",
    ]);
    expect(await emailDelivery(eventId)).toMatchObject({ status: "delivered" });
  });

  it("sends nothing for a status outside EMAIL_STATUSES or to a trader without an address, and counts both delivered", async () => {
    const before = sink.messages.length;
    const withAddress = await traderCase({ email: "cleo@trader.example" });
    const first = await decideCase(withAddress, "approve");
    const without = await traderCase({ email: null });
    const second = await decideCase(without, "approve");
    await deliver(first, second);
    const { submitEventId } = first;
    const approvedWithoutAddress = second.eventId;

    // "submitted" is not announced by default; the approval is.
    expect(mailsTo("cleo@trader.example")).toHaveLength(1);
    expect(sink.messages.length - before).toBe(1);
    for (const eventId of [submitEventId, approvedWithoutAddress]) {
      expect(await emailDelivery(eventId)).toMatchObject({ status: "delivered" });
      expect(await attemptLog(eventId)).toEqual([[1, true, 204, null]]);
    }
  });

  it("announces exactly the statuses EMAIL_STATUSES names", async () => {
    configureEmail({ EMAIL_STATUSES: "submitted, rejected" });
    const kycCase = await traderCase({ email: "dora@trader.example", locale: "fr" });
    // Each mail falls due before the next change: a later one would make it old news (below).
    await deliver(await submitCase(kycCase));
    await deliver({ eventId: await decideSubmittedCase(kycCase, "approve") });
    expect(mailsTo("dora@trader.example").map((m) => m.parsed.subject)).toEqual([
      "Atlas Markets\u00a0: nous avons bien reçu votre vérification",
    ]);
  });

  it("does not mail a status that a later change replaced before its mail fell due, mailed or not", async () => {
    configureEmail({ EMAIL_STATUSES: "submitted, rejected" });
    const kycCase = await traderCase({ email: "emil@trader.example" });
    const decided = await decideCase(kycCase, "approve");
    await deliver(decided);
    const events = await listOutboxEventsForCase(kycCase.id);
    const approval = events.find((e) => e.id === decided.eventId)!.payload;

    expect(mailsTo("emil@trader.example")).toEqual([]);
    const [attempt] = await listAttemptsForEvent(decided.submitEventId);
    expect(attempt).toMatchObject({ ok: true, httpStatus: 204 });
    expect(JSON.parse(attempt!.note!)).toEqual({ code: "news_superseded", by: approval.sequence });
  });

  it("retries while the SMTP server is down and delivers once it is back", async () => {
    const relay = await startSmtpSink();
    const port = relay.port;
    await relay.close(); // nothing listens on the port now
    configureEmail({ EMAIL_SMTP_URL: `smtp://127.0.0.1:${port}` });
    const kycCase = await traderCase({ email: "emil@trader.example" });
    const { eventId } = await decideCase(kycCase, "approve");
    const start = new Date();

    await drainOnce({ now: start, eventId });
    const failed = await emailDelivery(eventId);
    expect(failed).toMatchObject({ status: "pending", attempts: 1 });
    expect(failed.lastError).toContain("ECONNREFUSED");
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(start.getTime());

    // Still down at the next due time: another recorded failure, another later attempt.
    await drainOnce({ now: failed.nextAttemptAt, eventId });
    const again = await emailDelivery(eventId);
    expect(again).toMatchObject({ status: "pending", attempts: 2 });

    const back = await startSmtpSink({ port });
    try {
      await drainOnce({ now: again.nextAttemptAt, eventId });
      expect(await emailDelivery(eventId)).toMatchObject({ status: "delivered", attempts: 3 });
      expect(back.messages.map((m) => m.envelope.to)).toEqual([["emil@trader.example"]]);
      expect(await attemptLog(eventId)).toEqual([
        [1, false, null, "network"],
        [2, false, null, "network"],
        [3, true, 250, null],
      ]);
    } finally {
      await back.close();
    }
  });

  it.each([
    [550, "5.1.1 <gone@trader.example>: mailbox unavailable", "smtp_rejected", "dead"],
    [451, "4.3.0 try again later", "smtp_deferred", "pending"],
  ])(
    "records the server's refusal of the recipient (%i) with its reply: 5xx is dead at once, 4xx retried",
    async (code, message, errorKind, status) => {
      sink.rejectRecipient = (address) =>
        address.startsWith("gone") ? { code, message } : undefined;
      const kycCase = await traderCase({ email: "gone@trader.example" });
      const decided = await decideCase(kycCase, "reject");
      await deliver(decided);
      const { eventId } = decided;

      expect(mailsTo("gone@trader.example")).toHaveLength(0);
      const delivery = await emailDelivery(eventId);
      expect(delivery.status).toBe(status);
      expect(delivery.lastError).toContain(`${code} ${message}`);
      expect(delivery.lastError).toContain("RCPT TO");
      expect(await attemptLog(eventId)).toEqual([[1, false, code, errorKind]]);
    },
  );

  it.each([
    "victim@trader.example\r\nBcc: attacker@evil.example",
    "victim@trader.example\nSubject: free money",
    "victim@trader.example, attacker@evil.example",
    '"Victim" <victim@trader.example>, attacker@evil.example',
    "victim@trader.example;attacker@evil.example",
  ])("never turns a hostile address into extra headers or recipients: %j", async (email) => {
    const before = sink.messages.length;
    const kycCase = await traderCase({ email });
    const decided = await decideCase(kycCase, "approve");
    await deliver(decided);
    const { eventId } = decided;

    expect(sink.messages.length).toBe(before);
    expect(sink.messages.some((m) => m.envelope.to.some((to) => to.includes("evil")))).toBe(false);
    expect(await attemptLog(eventId)).toEqual([[1, false, null, "invalid_recipient"]]);
    // Not worth 72 hours of the same refusal: dead now, listed for staff to look at.
    expect((await emailDelivery(eventId)).status).toBe("dead");
  });

  it("keeps CR/LF in configured text (the broker name in the subject) from adding headers or recipients", async () => {
    configureEmail({ BROKER_NAME: "Atlas\r\nBcc: attacker@evil.example" });
    const kycCase = await traderCase({ email: "fay@trader.example" });
    await deliver(await decideCase(kycCase, "approve"));

    const [mail] = mailsTo("fay@trader.example");
    expect(mail?.envelope.to).toEqual(["fay@trader.example"]);
    expect(mail?.rawHeaders).not.toMatch(/^bcc:/im);
    expect(mail?.parsed.bcc).toBeUndefined();
    expect(mail?.parsed.headers.has("bcc")).toBe(false);
  });

  it("refuses to send in clear text when TLS is required and the server offers no STARTTLS", async () => {
    configureEmail({ EMAIL_REQUIRE_TLS: "1" });
    const kycCase = await traderCase({ email: "gus@trader.example" });
    const decided = await decideCase(kycCase, "approve");
    await deliver(decided);
    const { eventId } = decided;

    expect(mailsTo("gus@trader.example")).toHaveLength(0);
    // The server refuses STARTTLS: recorded with its reply, and nothing goes out unencrypted.
    expect(await attemptLog(eventId)).toEqual([[1, false, 500, "smtp_rejected"]]);
    expect((await emailDelivery(eventId)).lastError).toMatch(/STARTTLS/);
  });

  it("logs in with the credentials in EMAIL_SMTP_URL", async () => {
    const relay = await startSmtpSink({ auth: { user: "kyc@atlas.example", pass: "p@ss:w/rd" } });
    try {
      configureEmail({ EMAIL_SMTP_URL: relay.url });
      const kycCase = await traderCase({ email: "hal@trader.example" });
      const decided = await decideCase(kycCase, "approve");
      await deliver(decided);
      const { eventId } = decided;
      expect(relay.messages.map((m) => m.envelope.to)).toEqual([["hal@trader.example"]]);
      expect(await attemptLog(eventId)).toEqual([[1, true, 250, null]]);

      configureEmail({ EMAIL_SMTP_URL: relay.url.replace("p%40ss", "wrong") });
      const other = await traderCase({ email: "ida@trader.example" });
      const second = await decideCase(other, "approve");
      await deliver(second);
      const refused = second.eventId;
      expect(await attemptLog(refused)).toEqual([[1, false, 535, "smtp_rejected"]]);
      expect((await emailDelivery(refused)).lastError).not.toContain("w/rd");
    } finally {
      await relay.close();
    }
  });

  it("gives up on a server that accepts the connection but never answers, within the timeout", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // no greeting, ever
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      configureEmail({
        EMAIL_SMTP_URL: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      });
      const outcome = await sendStatusEmail(
        "00000000-0000-4000-8000-000000000001",
        {
          ...FIRST_RELEASE_APPROVAL,
          trader: { ...FIRST_RELEASE_APPROVAL.trader, email: "kim@trader.example" },
        },
        { timeoutMs: 300 },
      );
      // Ended by the timeout given (an abort), not by the mail library's own greeting timeout.
      expect(outcome).toMatchObject({
        ok: false,
        errorKind: "timeout",
        httpStatus: null,
        error: "no answer within the timeout",
      });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("adds no email:trader destination at all when EMAIL_SMTP_URL is unset or empty", async () => {
    for (const url of [undefined, ""]) {
      configureEmail({ EMAIL_SMTP_URL: url });
      expect(destinationIdsFor(CASE_STATUS_CHANGED)).not.toContain(EMAIL_DESTINATION);
      const { eventId } = await submitCase(await traderCase({ email: "jo@trader.example" }));
      expect(await getDeliveriesForEvent(eventId)).toEqual([]);
    }
    configureEmail();
    expect(destinationIdsFor(CASE_STATUS_CHANGED)).toContain(EMAIL_DESTINATION);
  });
});

describe("email configuration", () => {
  const base = { NODE_ENV: "test", EMAIL_FROM: "kyc@atlas.example" };

  it("reads the server, credentials, sender and statuses; TLS is required except on loopback", () => {
    expect(parseEnv({ ...base, EMAIL_SMTP_URL: "smtp://127.0.0.1:2525" }).email).toMatchObject({
      host: "127.0.0.1",
      port: 2525,
      secure: false,
      requireTls: false,
      auth: undefined,
      from: { name: "", address: "kyc@atlas.example" },
      statuses: ["approved", "rejected", "action_required"],
    });
    expect(
      parseEnv({
        ...base,
        EMAIL_SMTP_URL: "smtps://mailer%40atlas.example:s%3Acret@smtp.atlas.example",
        EMAIL_FROM: "Atlas KYC <kyc@atlas.example>",
        EMAIL_STATUSES: "approved",
      }).email,
    ).toMatchObject({
      host: "smtp.atlas.example",
      port: 465,
      secure: true,
      requireTls: true,
      auth: { user: "mailer@atlas.example", pass: "s:cret" },
      from: { name: "Atlas KYC", address: "kyc@atlas.example" },
      statuses: ["approved"],
    });
    expect(parseEnv({ ...base, EMAIL_SMTP_URL: "smtp://smtp.atlas.example" }).email).toMatchObject({
      port: 587,
      requireTls: true,
    });
    expect(
      parseEnv({ ...base, EMAIL_SMTP_URL: "smtp://smtp.atlas.example", EMAIL_REQUIRE_TLS: "0" })
        .email?.requireTls,
    ).toBe(false);
  });

  it.each([
    ["EMAIL_SMTP_URL", { EMAIL_SMTP_URL: "https://smtp.atlas.example" }],
    ["EMAIL_SMTP_URL", { EMAIL_SMTP_URL: "smtp.atlas.example:587" }],
    ["EMAIL_FROM", { EMAIL_SMTP_URL: "smtp://127.0.0.1", EMAIL_FROM: "not an address" }],
    [
      "EMAIL_FROM",
      {
        EMAIL_SMTP_URL: "smtp://127.0.0.1",
        EMAIL_FROM: "KYC\r\nBcc: x@evil.example <k@a.example>",
      },
    ],
    ["EMAIL_FROM", { EMAIL_SMTP_URL: "smtp://127.0.0.1", EMAIL_FROM: "" }],
    ["EMAIL_STATUSES", { EMAIL_SMTP_URL: "smtp://127.0.0.1", EMAIL_STATUSES: "approved,maybe" }],
    ["EMAIL_REQUIRE_TLS", { EMAIL_SMTP_URL: "smtp://127.0.0.1", EMAIL_REQUIRE_TLS: "yes" }],
  ])("refuses a bad %s with a message naming it", (name, vars) => {
    expect(() => parseEnv({ ...base, ...vars })).toThrow(name);
  });

  it("never echoes the SMTP password in a configuration error", () => {
    expect(() =>
      parseEnv({ ...base, EMAIL_SMTP_URL: "ftp://u:hunter2-secret@smtp.atlas.example" }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining("hunter2") }));
  });

  it("is off when EMAIL_SMTP_URL is unset or empty", () => {
    expect(parseEnv({ ...base }).email).toBeNull();
    expect(parseEnv({ ...base, EMAIL_SMTP_URL: " " }).email).toBeNull();
  });
});

describe("events stored by another version", () => {
  /**
   * An event an older version left in the outbox (pending across an upgrade, or replayed from the
   * dead letters). This version cannot write one, so the test stores it with the outbox's own
   * insert, as the older version did.
   */
  async function storedByOlderVersion(payload: Record<string, unknown>) {
    const id = randomUUID();
    const caseId = (payload.case as { id: string }).id;
    await insertOutboxEvent(await getDb(), {
      id,
      type: String(payload.type),
      caseId,
      payload: { ...payload, id },
      destinations: [EMAIL_DESTINATION],
      now: new Date(),
    });
    await drainOnce({ eventId: id, limit: 10 });
    return id;
  }

  it("mails an approval the first release stored, without the fields added since", async () => {
    const kycCase = await traderCase({ email: "lena@trader.example", locale: "de" });
    const trader = { ...FIRST_RELEASE_APPROVAL.trader, email: "lena@trader.example" };
    const eventId = await storedByOlderVersion({
      ...FIRST_RELEASE_APPROVAL,
      case: { ...FIRST_RELEASE_APPROVAL.case, id: kycCase.id },
      trader: { ...trader, ctraderUserId: traderOf(kycCase).userId },
    });
    const [mail] = mailsTo("lena@trader.example");
    expect(mail?.parsed.subject).toBe("Atlas Markets: Ihre Identität ist bestätigt");
    expect(await attemptLog(eventId)).toEqual([[1, true, 250, null]]);
  });

  it("gives up at once on an event it cannot read, saying where, and mails nothing", async () => {
    const kycCase = await traderCase({ email: "max@trader.example" });
    const eventId = await storedByOlderVersion({
      ...FIRST_RELEASE_APPROVAL,
      case: { ...FIRST_RELEASE_APPROVAL.case, id: kycCase.id, status: "archived" },
      trader: {
        ctraderUserId: traderOf(kycCase).userId,
        tradingLogin: null,
        email: "max@trader.example",
      },
    });
    expect(mailsTo("max@trader.example")).toHaveLength(0);
    expect(await attemptLog(eventId)).toEqual([[1, false, null, "invalid_payload"]]);
    const delivery = await emailDelivery(eventId);
    expect(delivery.status).toBe("dead");
    expect(delivery.lastError).toBe("the stored event does not match its schema at case.status");
  });
});
