/**
 * Scenario: the identity document of an approved trader expires. The scheduled sweep (the
 * worker's housekeeping, with the clock moved forward) sends the renewal notice
 * RENEWAL_NOTICE_DAYS before the expiry date and expires the case on that date; the trader renews
 * on the same case by entering and uploading only a new identity document; the checks run again
 * and a reviewer approves it anew. The CRM hears every step in order and cTrader applies the
 * configured access rights of each state.
 */
import "./support/request-scope";
import { IDENTITY, PERSONAL } from "../fixtures/kyc-values";
import { textOf } from "../helpers/render-page";
import { startSmtpSink } from "../helpers/smtp-sink";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld({ RENEWAL_NOTICE_DAYS: "30" });

/** The fixture's passport expires on 2031-05-01: the notice is due from 2031-04-01. */
const at = (iso: string) => new Date(iso);

/**
 * A trader verified at the standard level (`identity` overrides the passport's fields), the checks
 * run and a reviewer's approval: the start of every renewal.
 */
async function approvedTrader(
  w: World,
  userId: number,
  reviewerEmail: string,
  options: { locale?: string; identity?: Record<string, string> } = {},
) {
  const trader = new Trader(w, userId, options.locale);
  await trader.completeStandardLevel({}, options.identity ?? {});
  await w.worker();
  const kycCase = await trader.currentCase();
  const reviewer = await signedInStaff(w, reviewerEmail, "reviewer");
  expect(await reviewer.approve(kycCase.id)).toBe("approved");
  return { trader, kycCase, reviewer };
}

/** The sweep on the notice day, then the trader starts the renewal from the status screen. */
async function renewOnNotice(w: World, trader: Trader) {
  await w.worker(at("2031-04-01T00:00:00Z"));
  await trader.launch("status");
  expect(await trader.renew()).toEqual({ redirect: "/inapp/kyc?step=identity_document" });
}

describe("scenario: an identity document expires and the trader renews it", () => {
  it("notices, expires on the date, renews only the identity document and is approved again", async () => {
    const w = world();
    expect(IDENTITY.expiryDate).toBe("2031-05-01");
    const { trader, kycCase } = await approvedTrader(w, 460_001, "renewal.reviewer@broker.example");
    await w.worker();

    // A day before the notice is due: nothing happens.
    await w.worker(at("2031-03-31T23:59:59Z"));
    expect(w.crmEventsFor(kycCase.id).map((e) => e.type)).not.toContain("case.renewal_due");

    // On the notice day: the CRM hears it, the case stays approved, the screen says so.
    await w.worker(at("2031-04-01T00:00:00Z"));
    await w.worker(at("2031-04-02T00:00:00Z")); // a second sweep sends nothing twice
    expect(w.crmEventsFor(kycCase.id).filter((e) => e.type === "case.renewal_due")).toEqual([
      expect.objectContaining({
        status: "approved",
        payload: expect.objectContaining({ documentExpiresOn: "2031-05-01" }),
      }),
    ]);
    await trader.launch("status");
    expect(await trader.status()).toBe("approved");
    let html = await trader.html("status");
    expect(html).toContain('data-testid="renewal-notice" data-state="due"');
    expect(textOf(html)).toContain("Your identity document expires on May 1, 2031.");

    // The day before expiry the case is still approved; on the date it expires.
    // (Each launch is a fresh cTrader session: the sweeps at these dates end the older ones.)
    await w.worker(at("2031-04-30T23:59:59Z"));
    await trader.launch("status");
    expect(await trader.status()).toBe("approved");
    await w.worker(at("2031-05-01T00:00:00Z"));
    await trader.launch("status");
    expect(await trader.status()).toBe("expired");
    html = await trader.html("status");
    expect(html).toContain('data-testid="renewal-notice" data-state="expired"');

    // The trader renews: only the identity document's fields and its upload are open.
    expect(await trader.renew()).toEqual({ redirect: "/inapp/kyc?step=identity_document" });
    expect(await trader.status()).toBe("draft");
    // The form says why in the notice's words: a renewal has no reviewer's reason to translate.
    const form = await trader.html("kyc", { step: "identity_document" });
    expect(form).toContain('data-testid="note-identity_document"');
    expect(textOf(form)).toContain("May 1, 2031");
    expect(form).not.toContain("RejectReasons");
    expect(await trader.continue("personal", { ...PERSONAL, givenNames: "Someone Else" })).toEqual({
      value: expect.objectContaining({ status: "failed" }),
    });
    expect(await trader.upload("address")).toMatchObject({ status: 409 });
    expect(await trader.submit()).toEqual({
      value: { status: "error", message: expect.any(String) },
    });
    expect(
      await trader.continue("identity_document", {
        ...IDENTITY,
        documentNumber: "RN4455667",
        expiryDate: "2036-05-01",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    // The checks run again; a reviewer approves the renewed case (the same case).
    await w.worker();
    const officer = await signedInStaff(w, "renewal.officer@broker.example", "reviewer");
    expect(await officer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect((await trader.currentCase()).id).toBe(kycCase.id);
    expect(await trader.status()).toBe("approved");
    expect(await trader.html("status")).not.toContain('data-testid="renewal-notice"');

    // The new document's dates rule from now on: nothing is due at the old expiry any more.
    await w.worker(at("2031-05-02T00:00:00Z"));
    expect((await trader.currentCase()).status).toBe("approved");

    const events = w.crmEventsFor(kycCase.id);
    expect(events.map((e) => [e.type, e.event ?? null, e.status])).toEqual([
      ["case.status_changed", "submit", "submitted"],
      ["case.status_changed", "start_review", "in_review"],
      ["case.status_changed", "approve", "approved"],
      ["case.renewal_due", null, "approved"],
      ["case.status_changed", "expire", "expired"],
      ["case.status_changed", "renew", "draft"],
      ["case.status_changed", "submit", "submitted"],
      ["case.status_changed", "start_review", "in_review"],
      ["case.status_changed", "approve", "approved"],
    ]);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
      { login: trader.tradingLogin, accessRights: "CLOSE_ONLY" },
      // The expiry's rights stand while the renewal is a draft and in review: sent again.
      { login: trader.tradingLogin, accessRights: "CLOSE_ONLY" },
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
    ]);
  });

  it("an early renewal declined reads as a renewal and leaves the approval on the old document", async () => {
    const w = world();
    const { trader, kycCase } = await approvedTrader(w, 460_002, "early.reviewer@broker.example", {
      identity: { documentNumber: "AP4600020" },
    });

    // On the notice, before the expiry: a new document is sent and refused.
    await renewOnNotice(w, trader);
    expect(
      await trader.continue("identity_document", {
        ...IDENTITY,
        documentNumber: "RN7788990",
        expiryDate: "2036-05-01",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const officer = await signedInStaff(w, "early.officer@broker.example", "reviewer");
    expect(await officer.reject(kycCase.id, "document_unreadable")).toBe("renewal_declined");

    // The trader reads a renewal, not an upgrade; the approval and the notice stand.
    expect(await trader.status()).toBe("approved");
    const html = await trader.html("status");
    expect(html).toContain('data-event="decline_renewal"');
    expect(textOf(html)).toContain("Renewal not approved");
    expect(textOf(html)).not.toContain("Upgrade");
    expect(html).toContain('data-testid="renewal-notice" data-state="due"');
    expect(textOf(html)).toContain("Your identity document expires on May 1, 2031.");

    // The evidence names the approval in force and who signed it: not the notice, not the decline.
    const approver = await signedInStaff(w, "early.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      approval: { at: string; round: number; signers: { role: string }[] } | null;
      timeline: { event: string; at: string }[];
    };
    const approvals = evidence.timeline.filter((e) => e.event === "approve");
    expect(approvals).toHaveLength(1);
    expect(evidence.approval).toEqual({
      at: approvals[0]!.at,
      round: 1,
      automatic: false,
      signers: [expect.objectContaining({ role: "reviewer" })],
    });

    // The console finds the case by the approved document's number, no longer by the refused one
    // (the worker's indexing pass leaves it so).
    await w.worker();
    const found = async (q: string) =>
      (await officer.queue({ queue: "decided", q })).includes(`data-case="${kycCase.id}"`);
    expect(await found("AP4600020")).toBe(true);
    expect(await found("RN7788990")).toBe(false);

    // The refused document's date does not count: the case expires on the old one.
    await w.worker(at("2031-05-01T00:00:00Z"));
    await trader.launch("status");
    expect(await trader.status()).toBe("expired");
    expect(w.crmEventsFor(kycCase.id).map((e) => e.event ?? e.type)).toEqual([
      "submit",
      "start_review",
      "approve",
      "case.renewal_due",
      "renew",
      "submit",
      "start_review",
      "decline_upgrade",
      "expire",
    ]);
    // The CRM tells the refused renewal from a refused upgrade by `declined`; no other event has it.
    expect(
      w.crmEventsFor(kycCase.id).map((e) => [e.event ?? e.type, e.payload.declined ?? null]),
    ).toContainEqual(["decline_upgrade", "renewal"]);
    expect(
      w
        .crmEventsFor(kycCase.id)
        .filter((e) => "declined" in e.payload)
        .map((e) => e.event),
    ).toEqual(["decline_upgrade"]);
  });

  it("a renewal started and never submitted expires with the document", async () => {
    const w = world();
    const { trader, kycCase } = await approvedTrader(w, 460_003, "idle.reviewer@broker.example");
    await renewOnNotice(w, trader);

    await w.worker(at("2031-04-30T23:59:59Z"));
    expect((await trader.currentCase()).status).toBe("draft");
    await w.worker(at("2031-05-01T00:00:00Z"));
    await w.worker(at("2031-05-01T00:00:01Z")); // a second sweep expires nothing twice
    await trader.launch("status");
    expect(await trader.status()).toBe("expired");
    expect(await trader.html("status")).toContain(
      'data-testid="renewal-notice" data-state="expired"',
    );
    expect(w.crmEventsFor(kycCase.id).filter((e) => e.event === "expire")).toEqual([
      expect.objectContaining({ status: "expired" }),
    ]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin).at(-1)).toEqual({
      login: trader.tradingLogin,
      accessRights: "CLOSE_ONLY",
    });
    // The trader can still renew from there.
    expect(await trader.renew()).toEqual({ redirect: "/inapp/kyc?step=identity_document" });
  });
});

describe("scenario: a renewal carries the approved address over and the trader moves", () => {
  it("asks for a new bill when the renewal's reviewer reopens the personal step and the address changes", async () => {
    const w = world();
    const { trader, kycCase } = await approvedTrader(w, 460_010, "moved.renewal@broker.example");

    // The renewal reopens the identity document only; the bill approved before is kept.
    await renewOnNotice(w, trader);
    expect(
      await trader.continue("identity_document", {
        ...IDENTITY,
        documentNumber: "RN5566778",
        expiryDate: "2036-05-01",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    // (The sweep at the notice date ended the earlier staff sessions.)
    const officer = await signedInStaff(w, "moved.officer@broker.example", "reviewer");
    expect(
      await officer.requestInformation(kycCase.id, ["step:personal"], "Please check your address."),
    ).toBe("action_requested");
    await trader.launch("kyc");
    const moved = { addressLine1: "Kungsgatan 12", city: "Göteborg", postcode: "411 19" };
    expect(await trader.continue("personal", { ...PERSONAL, ...moved })).toEqual({
      redirect: "/inapp/kyc",
    });
    expect(await trader.sides("address")).toEqual([
      expect.objectContaining({ side: "page", state: "retake", reason: "address_changed" }),
    ]);
    expect(await trader.submit()).toEqual({
      value: { status: "error", message: expect.stringContaining("still missing") },
    });
    expect((await trader.upload("address")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  }, 300_000);
});

describe("scenario: the renewal notice by email", () => {
  it("mails the trader, in their language, the date their document expires", async () => {
    const w = world();
    const sink = await startSmtpSink();
    const mail = {
      EMAIL_SMTP_URL: sink.url,
      EMAIL_FROM: "Broker KYC <kyc@broker.example>",
      EMAIL_STATUSES: "approved",
    };
    try {
      w.configure(mail);
      const { reviewer } = await approvedTrader(w, 460_101, "renewal.mail@broker.example", {
        locale: "de",
      });
      await w.worker();
      await w.worker(at("2031-04-01T00:00:00Z"));
      await w.worker(at("2031-04-02T00:00:00Z")); // a second sweep mails nothing twice

      const to = (userId: number) =>
        sink.messages.filter((m) => m.envelope.to.includes(`trader${userId}@example.com`));
      const subjects = to(460_101).map((m) => m.parsed.subject ?? "");
      expect(subjects).toHaveLength(2);
      expect(subjects[0]).toMatch(/: Ihre Identität ist bestätigt$/);
      expect(subjects[1]).toMatch(/: Ihr Ausweisdokument läuft bald ab$/);
      const notice = to(460_101)[1]!.parsed;
      expect(notice.text).toContain("Ihr Ausweisdokument läuft am 1. Mai 2031 ab.");
      expect(notice.text).toContain("Status: Erneuerung erforderlich");
      expect(notice.messageId).toMatch(/\.renewal@broker\.example>$/);
      // Nothing in it signs anyone in or names the document.
      expect(String(notice.html)).not.toContain("token");
      expect(notice.text).not.toMatch(/P\d{6}/);

      // A broker who mails statuses only: the notice goes to the CRM, not by email.
      w.configure({ ...mail, EMAIL_RENEWAL_DUE: "0" });
      const other = new Trader(w, 460_102, "en");
      await other.completeStandardLevel();
      await w.worker();
      const otherCase = await other.currentCase();
      await reviewer.signIn(); // the sweeps in 2031 ended the earlier session
      expect(await reviewer.approve(otherCase.id)).toBe("approved");
      await w.worker();
      await w.worker(at("2031-04-03T00:00:00Z"));
      expect(w.crmEventsFor(otherCase.id).map((e) => e.type)).toContain("case.renewal_due");
      expect(to(460_102).map((m) => m.parsed.subject ?? "")).toEqual([
        expect.stringMatching(/: your identity is verified$/),
      ]);
    } finally {
      w.configure({ EMAIL_SMTP_URL: undefined, EMAIL_FROM: undefined, EMAIL_STATUSES: undefined });
      w.configure({ EMAIL_RENEWAL_DUE: undefined });
      await sink.close();
    }
  });
});
