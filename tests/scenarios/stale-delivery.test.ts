/**
 * Scenario: no stale state reaches cTrader or the CRM. The approval's deliveries are dead-lettered
 * (cTrader and the CRM down for days); the approval is then withdrawn and that news arrives; an
 * admin replays every dead delivery. cTrader keeps the rejected rights, and the CRM, applying the
 * documented rule (drop an event older than one already applied for the case), ends at rejected.
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { getDeliveriesForEvent, listOutboxEventsForCase } from "@/lib/db/queries/outbox";
import { drainOnce } from "@/lib/delivery/worker";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld, setClock, type CrmEvent, type World } from "./support/world";

const world = scenarioWorld();
const HOUR = 3_600_000;

/** A receiver that applies events by their sequence, as docs/webhooks.md tells CRMs to. */
function applied(events: readonly CrmEvent[]): string | undefined {
  let last = 0;
  let status: string | undefined;
  for (const e of events) {
    if (e.sequence <= last) continue;
    last = e.sequence;
    status = e.status;
  }
  return status;
}

describe("scenario: a dead-lettered approval replayed after a rejection", () => {
  it("leaves cTrader with the rejected rights and the CRM at rejected", async () => {
    const w = world();
    const trader = new Trader(w, 460_001);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "stale.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "stale.approver@broker.example", "approver");
    const admin = await signedInStaff(w, "stale.admin@broker.example", "admin");

    // cTrader and the CRM are down for days: the approval's deliveries run out of retries.
    w.setDown({ ctrader: true, crm: true });
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    let now = Date.now();
    for (let pass = 0; pass < 40; pass++) {
      now += 12 * HOUR;
      await w.worker(new Date(now));
    }
    // Days later, staff sign in again (their sessions ended meanwhile).
    for (const person of [reviewer, approver, admin]) await person.signIn();
    const page = await admin.casePage(kycCase.id);
    expect(page.match(/data-status="dead"/g)?.length).toBe(2);

    // Both come back; the approval is withdrawn, and that news is delivered.
    w.setDown({ ctrader: false, crm: false });
    expect(await approver.reject(kycCase.id, "fraud_suspected", "Forged utility bill")).toBe(
      "rejected_final",
    );
    await w.worker();
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "NO_TRADING" },
    ]);

    // An admin replays every dead delivery.
    expect(await reviewer.replayDead()).toBe("/admin?error=forbidden");
    expect(await admin.replayDead()).toMatch(/^\/admin\/deliveries\?replayed=2$/);
    await w.worker();

    // cTrader was not told to restore trading: the replayed approval sent the rights of now
    // again (its own call could have landed after the rejection's), and the log says so.
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "NO_TRADING" },
      { login: trader.tradingLogin, accessRights: "NO_TRADING" },
    ]);
    expect(textOf(await admin.casePage(kycCase.id))).toContain(
      "set NO_TRADING: the case is now Rejected (this event said Approved)",
    );
    // The CRM received the old approval after the rejection, and its sequence says so.
    const events = w.crmEventsFor(kycCase.id);
    expect(events.map((e) => e.status).slice(-2)).toEqual(["rejected", "approved"]);
    const [rejected, approved] = events.slice(-2);
    expect(approved!.sequence).toBeLessThan(rejected!.sequence);
    expect(applied(events)).toBe("rejected");
    await trader.launch("status");
    expect(await trader.status()).toBe("rejected");
  });
});

describe("scenario: a withdrawn approval reopened before its news reached cTrader", () => {
  it("still takes trading away: the review reopened keeps the rejection's rights", async () => {
    const w = world();
    const trader = new Trader(w, 460_002);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "withdrawn.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "withdrawn.approver@broker.example", "approver");
    const admin = await signedInStaff(w, "withdrawn.admin@broker.example", "admin");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const updates = () => w.accountUpdates.filter((u) => u.login === trader.tradingLogin);
    expect(updates()).toEqual([{ login: trader.tradingLogin, accessRights: "FULL_ACCESS" }]);

    // The approval is withdrawn and the case reopened for a second look before the worker runs:
    // the withdrawal's event is superseded by the reopening's, whose state (in review) the
    // mapping does not name. The rejection's rights stand until the next decision.
    expect(await approver.reject(kycCase.id, "fraud_suspected", "Chargebacks on the card")).toBe(
      "rejected_final",
    );
    expect(await admin.reopen(kycCase.id, "Second look at the file")).toBe("reopened");
    await w.worker();
    expect(updates()).toEqual([
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
      { login: trader.tradingLogin, accessRights: "NO_TRADING" },
    ]);
    expect(textOf(await admin.casePage(kycCase.id))).toMatch(/superseded by event \d+/);

    // Approved again after the second look: trading comes back.
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect(updates().at(-1)).toEqual({ login: trader.tradingLogin, accessRights: "FULL_ACCESS" });
  });
});

/**
 * Runs `scenario` with mail to the trader on, through a fresh SMTP sink, announcing `statuses`;
 * mail is off and the sink closed afterwards, whatever happens.
 */
async function withMail(
  w: World,
  statuses: string,
  scenario: (sink: SmtpSink) => Promise<void>,
): Promise<void> {
  const sink = await startSmtpSink();
  try {
    w.configure({
      EMAIL_SMTP_URL: sink.url,
      EMAIL_FROM: "Broker KYC <kyc@broker.example>",
      EMAIL_STATUSES: statuses,
    });
    await scenario(sink);
  } finally {
    w.configure({ EMAIL_SMTP_URL: undefined, EMAIL_FROM: undefined, EMAIL_STATUSES: undefined });
    await sink.close();
  }
}
const GREYLISTED = { code: 451, message: "4.7.1 greylisted, try later" };

describe("scenario: a request for information mailed late, after the approval that answered it", () => {
  it("is not sent: the trader's last mail is the approval", async () => {
    const w = world();
    await withMail(w, "approved,action_required", async (sink) => {
      const trader = new Trader(w, 460_003);
      const address = "trader460003@example.com";
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "latemail.reviewer@broker.example", "reviewer");

      // The trader's mail server defers every mail to the trader for a while: the request for
      // information, and later the approval, wait for their retries.
      sink.rejectRecipient = (to) =>
        to === address ? { code: 451, message: "4.7.1 greylisted, try later" } : undefined;
      expect(
        await reviewer.requestInformation(kycCase.id, ["document:identity"], "A sharper photo."),
      ).toBe("action_requested");
      await w.worker();
      // The trader answers from the app anyway, and is approved.
      expect((await trader.upload("identity", "page")).status).toBe(200);
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      await w.worker();
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      await w.worker();
      expect(sink.messages.filter((m) => m.envelope.to.includes(address))).toHaveLength(0);
      // The server takes mail again; both retries fall due. The request's news is the past.
      sink.rejectRecipient = () => undefined;
      await w.worker(new Date(Date.now() + 6 * 3_600_000));
      await w.worker(new Date(Date.now() + 12 * 3_600_000));
      const subjects = sink.messages
        .filter((m) => m.envelope.to.includes(address))
        .map((m) => m.parsed.subject ?? "");
      expect(subjects).toEqual([expect.stringMatching(/: your identity is verified$/)]);
      expect(textOf(await reviewer.casePage(kycCase.id))).toMatch(
        /not sent: event \d+ tells the trader a newer status/,
      );
    });
  });
});

describe("scenario: a mail held up past a later status that is not mailed", () => {
  it("does not send a request for information the trader has answered already", async () => {
    const w = world();
    // The broker mails requests for information, not the trader's own resubmission.
    await withMail(w, "approved,rejected,action_required", async (sink) => {
      const trader = new Trader(w, 460_006);
      const address = "trader460006@example.com";
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "answered.reviewer@broker.example", "reviewer");

      sink.rejectRecipient = (to) => (to === address ? GREYLISTED : undefined);
      expect(
        await reviewer.requestInformation(kycCase.id, ["document:identity"], "A sharper photo."),
      ).toBe("action_requested");
      await w.worker();
      // The trader answers from the app while the request's mail waits for its retry.
      expect((await trader.upload("identity", "page")).status).toBe(200);
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      await w.worker();

      // The server takes mail again and the retry falls due: the request is old news.
      sink.rejectRecipient = () => undefined;
      await w.worker(new Date(Date.now() + 6 * HOUR));
      expect(
        sink.messages.filter((m) => m.envelope.to.includes(address)).map((m) => m.parsed.subject),
      ).toEqual([]);
      const events = w.crmEventsFor(kycCase.id);
      const asked = events.findLast((e) => e.status === "action_required")!;
      const later = events.filter((e) => e.sequence > asked.sequence);
      expect(later.map((e) => e.status)).toContain("resubmitted");
      const latest = Math.max(...later.map((e) => e.sequence));
      expect(textOf(await reviewer.casePage(kycCase.id))).toContain(
        `not sent: event ${latest} tells the trader a newer status`,
      );
    });
  });

  it("does not send a rejection once the case was reopened", async () => {
    const w = world();
    await withMail(w, "approved,rejected,action_required", async (sink) => {
      const trader = new Trader(w, 460_007);
      const address = "trader460007@example.com";
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const approver = await signedInStaff(w, "reopened.approver@broker.example", "approver");
      const admin = await signedInStaff(w, "reopened.admin@broker.example", "admin");

      sink.rejectRecipient = (to) => (to === address ? GREYLISTED : undefined);
      expect(await approver.reject(kycCase.id, "fraud_suspected", "Chargebacks on the card")).toBe(
        "rejected_final",
      );
      await w.worker();
      expect(await admin.reopen(kycCase.id, "Second look at the file")).toBe("reopened");
      await w.worker();

      sink.rejectRecipient = () => undefined;
      await w.worker(new Date(Date.now() + 6 * HOUR));
      expect(
        sink.messages.filter((m) => m.envelope.to.includes(address)).map((m) => m.parsed.subject),
      ).toEqual([]);
      const reopened = w.crmEventsFor(kycCase.id).at(-1)!;
      expect(reopened.status).toBe("in_review");
      expect(textOf(await admin.casePage(kycCase.id))).toContain(
        `not sent: event ${reopened.sequence} tells the trader a newer status`,
      );
    });
  });

  it("still sends a submission's confirmation held up past the start of the review", async () => {
    const w = world();
    await withMail(w, "submitted,approved,rejected,action_required", async (sink) => {
      const trader = new Trader(w, 460_009);
      const address = "trader460009@example.com";
      sink.rejectRecipient = (to) => (to === address ? GREYLISTED : undefined);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      // The checks move the submission into review before its mail's first attempt.
      await w.worker();
      expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toEqual(["submitted", "in_review"]);

      // In review reads as the same news to the trader: the confirmation is still worth sending.
      sink.rejectRecipient = () => undefined;
      await w.worker(new Date(Date.now() + 6 * HOUR));
      expect(
        sink.messages.filter((m) => m.envelope.to.includes(address)).map((m) => m.parsed.subject),
      ).toEqual([expect.stringMatching(/: we have received your verification$/)]);
    });
  });
});

describe("scenario: an approval's mail held up past the start of an upgrade", () => {
  it("is still sent: the approval stays in force while the trader upgrades", async () => {
    const w = world();
    await withMail(w, "approved,rejected,action_required", async (sink) => {
      const trader = new Trader(w, 460_011);
      const address = "trader460011@example.com";
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "upgrade.mail.reviewer@broker.example", "reviewer");
      sink.rejectRecipient = (to) => (to === address ? GREYLISTED : undefined);
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      await w.worker();
      // cTrader asks for the enhanced level right away: the upgrade starts on the approval.
      await trader.launch("kyc", { kycType: "enhanced" });
      await w.worker();
      expect(await trader.currentCase()).toMatchObject({
        status: "draft",
        approvedLevel: "standard",
      });

      sink.rejectRecipient = () => undefined;
      await w.worker(new Date(Date.now() + 6 * HOUR));
      expect(
        sink.messages.filter((m) => m.envelope.to.includes(address)).map((m) => m.parsed.subject),
      ).toEqual([expect.stringMatching(/: your identity is verified$/)]);
    });
  });
});

describe("scenario: a mail skipped for newer news, then replayed and sent", () => {
  it("counts as sent: an older mail falling due after it stays unsent", async () => {
    const w = world();
    await withMail(w, "approved,rejected,action_required,in_review", async (sink) => {
      try {
        const trader = new Trader(w, 460_008);
        const address = "trader460008@example.com";
        await trader.completeStandardLevel();
        const kycCase = await trader.currentCase();
        await w.worker();
        const reviewer = await signedInStaff(w, "replayed.reviewer@broker.example", "reviewer");
        const approver = await signedInStaff(w, "replayed.approver@broker.example", "approver");
        const admin = await signedInStaff(w, "replayed.admin@broker.example", "admin");
        const mailed = () =>
          sink.messages
            .filter((m) => m.envelope.to.includes(address))
            .map((m) => m.parsed.subject ?? "");
        const before = mailed().length;
        // The clock stands still until the request's retry is meant to fall due (below).
        const start = Date.now();
        setClock(start);

        // The request for information is greylisted: it waits for its retry.
        sink.rejectRecipient = (to) => (to === address ? GREYLISTED : undefined);
        expect(
          await reviewer.requestInformation(kycCase.id, ["document:identity"], "A sharper photo."),
        ).toBe("action_requested");
        await w.worker();
        // The case is rejected and reopened at once. The rejection's mail is skipped for the
        // reopening's, which the trader's server then refuses for good: the reopening's is dead.
        expect(
          await approver.reject(kycCase.id, "fraud_suspected", "Chargebacks on the card"),
        ).toBe("rejected_final");
        expect(await admin.reopen(kycCase.id, "Second look at the file")).toBe("reopened");
        sink.rejectRecipient = (to) =>
          to === address ? { code: 550, message: "5.2.1 mailbox disabled" } : undefined;
        await w.worker();
        const [rejected, reopened] = w.crmEventsFor(kycCase.id).slice(-2);
        expect([rejected!.status, reopened!.status]).toEqual(["rejected", "in_review"]);
        let page = await admin.casePage(kycCase.id);
        expect(textOf(page)).toContain(
          `not sent: event ${reopened!.sequence} tells the trader a newer status`,
        );
        expect(page).toMatch(/data-status="dead" data-destination="email:trader"/);

        // The server takes mail again; an admin replays the rejection's event from the case page,
        // and its mail goes out now: the reopening's mail, the only later one, is dead.
        sink.rejectRecipient = () => undefined;
        const rejectionId = String(rejected!.payload.id);
        expect(page).toContain(`name="eventId" value="${rejectionId}"`);
        expect(await admin.replayEvent(kycCase.id, rejectionId)).toBe("replayed");
        await w.worker();
        const rejection = expect.stringMatching(/: we could not verify your identity$/);
        expect(mailed().slice(before)).toEqual([rejection]);

        // The request's retry falls due: the replayed rejection, sent after it, is newer news
        // (its earlier skipped attempt stays in the log beside the sent one).
        jest.useRealTimers();
        await w.worker(new Date(start + 6 * HOUR));
        expect(mailed().slice(before)).toEqual([rejection]);
        page = await admin.casePage(kycCase.id);
        expect(textOf(page)).toContain(
          `not sent: event ${rejected!.sequence} tells the trader a newer status`,
        );
      } finally {
        jest.useRealTimers();
      }
    });
  });
});

describe("scenario: the approval's call to cTrader is slow, and the withdrawal's lands first", () => {
  it.each([
    [460_004, false],
    [460_005, true],
  ])(
    "sends the rights of now again, so the last call to land takes trading away (trader %i, reopened: %s)",
    async (userId, reopened) => {
      const w = world();
      const trader = new Trader(w, userId);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(
        w,
        `slowcall.reviewer${userId}@broker.example`,
        "reviewer",
      );
      const approver = await signedInStaff(
        w,
        `slowcall.approver${userId}@broker.example`,
        "approver",
      );
      const admin = await signedInStaff(w, `slowcall.admin${userId}@broker.example`, "admin");
      const updates = () => w.accountUpdates.filter((u) => u.login === trader.tradingLogin);

      // The approval's delivery calls cTrader, which takes its time...
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      const slow = w.holdNextAccountUpdate();
      const approvalPass = drainOnce();
      await slow.arrived;
      // ...while the approval is withdrawn (and the case reopened for a second look), and
      // another worker delivers that at once.
      expect(await approver.reject(kycCase.id, "fraud_suspected", "Chargebacks on the card")).toBe(
        "rejected_final",
      );
      if (reopened)
        expect(await admin.reopen(kycCase.id, "Second look at the file")).toBe("reopened");
      await drainOnce();
      expect(updates()).toEqual([{ login: trader.tradingLogin, accessRights: "NO_TRADING" }]);
      // The approval's call lands last; its delivery sees the case moved on and calls again.
      slow.release();
      await approvalPass;
      expect(updates().map((u) => u.accessRights)).toEqual([
        "NO_TRADING",
        "FULL_ACCESS",
        "NO_TRADING",
      ]);
    },
  );
});

describe("scenario: an admin replays an event while a send past its lease is still running", () => {
  it.each([
    [460_021, 503],
    [460_022, 204],
  ])(
    "the stale send's outcome leaves the replay pending, and the replay is sent (trader %i, stale answer %i)",
    async (userId, staleAnswer) => {
      const w = world();
      const trader = new Trader(w, userId);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, `replaylease.r${userId}@broker.example`, "reviewer");
      const admin = await signedInStaff(w, `replaylease.a${userId}@broker.example`, "admin");
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      const approval = (await listOutboxEventsForCase(kycCase.id)).at(-1)!;
      const crm = async () =>
        (await getDeliveriesForEvent(approval.id)).find((d) => d.destination === "webhook:crm")!;
      const answer = w.receiver.respond;
      let arrived = () => {};
      const holding = new Promise<void>((resolve) => (arrived = resolve));
      w.receiver.respond = (request, index) => {
        if (request.id !== approval.id) return answer(request, index);
        w.receiver.respond = answer;
        arrived();
        return "hold";
      };
      const start = Date.now();
      setClock(start);
      try {
        // The CRM holds the approval past the worker's lease; an admin replays it meanwhile.
        const stale = drainOnce();
        await holding;
        jest.setSystemTime(start + 61_000);
        expect(await admin.replayEvent(kycCase.id, approval.id)).toBe("replayed");
        w.receiver.release(staleAnswer);
        await stale;
        expect(await crm()).toMatchObject({ status: "pending", attempts: 0, lastError: null });
        expect((await crm()).nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
        await drainOnce();
        expect(await crm()).toMatchObject({ status: "delivered" });
        expect(w.crmEventsFor(kycCase.id).at(-1)?.status).toBe("approved");
      } finally {
        jest.useRealTimers();
      }
    },
  );
});
