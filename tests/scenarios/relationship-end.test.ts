/**
 * Scenarios: after the broker's CRM ends a trader's business relationship (the relationship-end
 * API), the trader's cases are records kept until the purge, not a customer to act on. The
 * scheduled jobs (the worker's housekeeping and the daily cron job, with the clock moved forward)
 * send no renewal notice and expire nothing, and the list re-screening screens nobody of theirs,
 * while a current trader's case goes through each as before. A trader who comes back after the
 * purge opens a new case that is live again: noticed, expired and re-screened like anyone's.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { POST as relationshipEnd } from "@/app/api/crm/traders/[id]/relationship-end/route";
import { runScheduledJobs } from "@/lib/jobs/daily";
import { textOf } from "../helpers/render-page";
import { startSmtpSink } from "../helpers/smtp-sink";
import { sqlRows } from "../helpers/sql-rows";
import en from "@/messages/en.json";
import { IDENTITY } from "../fixtures/kyc-values";
import { drainOnce } from "@/lib/delivery/worker";
import { failAttemptLogs, restoreAttemptLogs } from "./support/faults";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { BROKER, scenarioWorld, setClock, type World } from "./support/world";

const CRM_KEY = "crm-api-key-for-the-relationship-end-scenarios";
const world = scenarioWorld({
  CRM_API_KEY: CRM_KEY,
  RENEWAL_NOTICE_DAYS: "30",
  // Kept well past the fixture passport's expiry (2031-05-01): ended, not erased.
  RETENTION_CASE_YEARS: "10",
});
const DAY = 86_400_000;
const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

/** The broker's CRM says the relationship ended now. */
async function endRelationship(userId: number) {
  const response = await relationshipEnd(
    new Request(`${BROKER}/api/crm/traders/${userId}/relationship-end`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${CRM_KEY}` },
      body: JSON.stringify({ endedAt: new Date().toISOString() }),
    }),
    { params: Promise.resolve({ id: String(userId) }) },
  );
  expect(response.status).toBe(200);
}

async function approvedTrader(
  w: World,
  userId: number,
  person: Record<string, string | string[]> = {},
  identity: Record<string, string> = {},
) {
  const trader = new Trader(w, userId);
  const reviewer = await signedInStaff(w, `reviewer.${userId}@broker.example`, "reviewer");
  const kycCase = await approvedAtStandard(w, trader, reviewer, person, identity);
  return { trader, kycCase };
}

const eventTypes = (w: World, caseId: string) => w.crmEventsFor(caseId).map((e) => e.type);

const rescreened = async (w: World, caseId: string) =>
  (
    await sqlRows<{ case_id: string }>(
      w.db.db,
      sql`select case_id from check_runs where reason = 'rescreen' and case_id = ${caseId}`,
    )
  ).length;

/** A broker list the worker imports on its schedule, and a person added to it later. */
function brokerList(w: World, settings: Record<string, string> = {}) {
  const list = path.join(w.dataDir, "broker-pep.csv");
  copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
  w.configure({ SANCTIONS_LIST_PATH: list, LISTS_IMPORT_HOURS: "24", ...settings });
  return {
    path: list,
    add: (line: string) => writeFileSync(list, `${readFileSync(list, "utf8")}${line}\n`),
  };
}

describe("scenario: the document expiry after the relationship ended", () => {
  it("sends no renewal notice and expires nothing for the former customer; a current one's case goes on", async () => {
    const w = world();
    const gone = await approvedTrader(w, 482_001);
    const current = await approvedTrader(w, 482_002);
    await endRelationship(482_001);

    // The daily cron job on the notice day, the worker on the expiry date.
    await runScheduledJobs(at("2031-04-01T00:00:00Z"));
    await w.worker(at("2031-04-02T00:00:00Z"));
    await w.worker(at("2031-05-01T00:00:00Z"));

    expect(eventTypes(w, current.kycCase.id)).toContain("case.renewal_due");
    expect((await current.trader.currentCase()).status).toBe("expired");

    expect(eventTypes(w, gone.kycCase.id)).not.toContain("case.renewal_due");
    const kept = await gone.trader.currentCase();
    expect(kept.status).toBe("approved");
    expect(kept.renewalDueAt).toBeNull();
    expect(
      w.crmEventsFor(gone.kycCase.id).filter((e) => e.type === "case.status_changed"),
    ).not.toContainEqual(expect.objectContaining({ status: "expired" }));
  }, 400_000);
});

describe("scenario: re-screening after the relationship ended", () => {
  it("screens the former customer no more and opens no monitoring hit; a current one's match still reaches a person", async () => {
    const w = world();
    const list = brokerList(w);
    await w.worker(); // the first pass imports the list on its schedule
    const person = (givenNames: string, surnames: string, dateOfBirth: string) => ({
      givenNames,
      surnames,
      dateOfBirth,
      nationalities: ["PL"],
    });
    // Passports valid beyond the other scenarios' dates: these hits stay out of their sweeps.
    const passport = { expiryDate: "2045-01-31" };
    const gone = await approvedTrader(
      w,
      482_101,
      person("Marta", "Kowalczyk", "1984-03-09"),
      passport,
    );
    const current = await approvedTrader(
      w,
      482_102,
      person("Jonas", "Lindqvist", "1979-11-02"),
      passport,
    );
    await endRelationship(482_101);

    // Both now on the broker's list: the next scheduled import re-screens.
    list.add("Marta Kowalczyk,,1984-03-09,Poland");
    list.add("Jonas Lindqvist,,1979-11-02,Poland");
    await w.worker(new Date(Date.now() + 25 * HOUR));
    await w.worker(new Date(Date.now() + 50 * HOUR));

    expect(await rescreened(w, current.kycCase.id)).toBe(1);
    expect(eventTypes(w, current.kycCase.id)).toContain("case.monitoring_hit");
    expect(await rescreened(w, gone.kycCase.id)).toBe(0);
    expect(eventTypes(w, gone.kycCase.id)).not.toContain("case.monitoring_hit");
    const officer = await signedInStaff(w, "rescreen.ended.officer@broker.example", "reviewer");
    const queue = await officer.queue({ queue: "monitoring" });
    expect(queue).toContain(`data-case="${current.kycCase.id}"`);
    expect(queue).not.toContain(`data-case="${gone.kycCase.id}"`);
  }, 400_000);
});

describe("scenario: a trader who comes back after the relationship ended", () => {
  it("has a live case again: noticed, re-screened and expired like any current customer's", async () => {
    const w = world();
    // Erased a year after the end, so the trader can come back long before the expiry.
    const list = brokerList(w, { RETENTION_CASE_YEARS: "1" });
    const person = { givenNames: "Ilse", surnames: "Vandermeer", dateOfBirth: "1990-06-21" };
    const first = await approvedTrader(w, 482_201, { ...person, nationalities: ["PL"] });
    await endRelationship(482_201);
    await w.worker(new Date(Date.now() + 370 * DAY));

    // The trader comes back: a new case, approved.
    await first.trader.launch("kyc");
    await first.trader.completeStandardLevel({ ...person, nationalities: ["PL"] });
    const second = await first.trader.currentCase();
    expect(second.id).not.toBe(first.kycCase.id);
    await w.worker();
    const reviewer = await signedInStaff(w, "returning.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(second.id)).toBe("approved");
    await w.worker();

    list.add("Ilse Vandermeer,,1990-06-21,Poland");
    await w.worker(at("2031-03-30T00:00:00Z"));
    expect(await rescreened(w, second.id)).toBe(1);
    expect(eventTypes(w, second.id)).toContain("case.monitoring_hit");
    // The open hit does not stop the notice: a timeline entry on an approved case approves nothing.
    await w.worker(at("2031-04-01T00:00:00Z"));
    expect(eventTypes(w, second.id)).toContain("case.renewal_due");
    await runScheduledJobs(at("2031-05-01T00:00:00Z"));
    expect((await first.trader.currentCase()).status).toBe("expired");
  }, 400_000);

  it("is a customer again: an erasure request is refused until the new relationship ends, and the approved case stays", async () => {
    const w = world();
    w.configure({ RETENTION_CASE_YEARS: "1" });
    const first = await approvedTrader(w, 482_211);
    await endRelationship(482_211);
    // A year and more on: the old case's retention is over and the purge erases it.
    const later = new Date(Date.now() + 370 * DAY);
    setClock(later);
    try {
      await w.worker(later);
      const admin = await signedInStaff(w, "returning.admin@broker.example", "admin");
      expect(await admin.casePage(first.kycCase.id)).toContain('data-testid="tombstone"');

      // The trader comes back: a new case, approved.
      await first.trader.launch("kyc");
      await first.trader.completeStandardLevel();
      const second = await first.trader.currentCase();
      expect(second.id).not.toBe(first.kycCase.id);
      await w.worker();
      const reviewer = await signedInStaff(w, "returning.approver@broker.example", "reviewer");
      expect(await reviewer.approve(second.id)).toBe("approved");
      await w.worker();

      // The old end does not cover the new case: its retention starts when this relationship ends.
      expect(await admin.erasureRequest(second.id)).toBe("erasure_refused");
      const page = await admin.casePage(second.id);
      expect(page).toContain('data-reason="retention_not_over" data-runs-at=""');
      expect(page).not.toContain('data-testid="tombstone"');
      // Nor does the Retention section date its end or erasure by the old relationship.
      expect(page).toContain('<dd data-testid="relationship-ended">—</dd>');
      expect(page).toContain('<dd data-testid="erasure-due">—</dd>');
      expect(textOf(page)).toContain(
        "refused — the retention period is not over; it will run on a date set once the relationship ends",
      );
      expect(await first.trader.status()).toBe("approved");
      expect((await first.trader.currentCase()).id).toBe(second.id);
      const erased = await sqlRows<{ case_id: string }>(
        w.db.db,
        sql`select case_id from case_retention where purged_at is not null
            and case_id in (${first.kycCase.id}, ${second.id})`,
      );
      expect(erased.map((r) => r.case_id)).toEqual([first.kycCase.id]);
    } finally {
      jest.useRealTimers();
    }
  }, 400_000);
});

describe("scenario: an open periodic review when the relationship ends", () => {
  it("is closed with the end, the reason in the case's history in the officer's language and in the audit trail; a current trader's stays open", async () => {
    const w = world();
    const passport = { expiryDate: "2045-01-31" };
    const gone = await approvedTrader(w, 482_301, {}, passport);
    const current = await approvedTrader(w, 482_302, {}, passport);
    // Past every risk level's review interval (at most PERIODIC_REVIEW_MONTHS_LOW, 60 months).
    const due = new Date(Date.now() + (5 * 366 + 2) * DAY);
    await w.worker(due);
    const ids = [gone.kycCase.id, current.kycCase.id];
    const tasks = () =>
      sqlRows<{ case_id: string; closed_at: string | null; resolution: string | null }>(
        w.db.db,
        sql`select case_id, closed_at, resolution from review_tasks where kind = 'periodic_review'
          and case_id in (${ids[0]}, ${ids[1]})`,
      );
    expect((await tasks()).filter((t) => t.closed_at === null)).toHaveLength(2);

    await endRelationship(482_301);
    const after = await tasks();
    expect(after.find((t) => t.case_id === current.kycCase.id)).toMatchObject({
      closed_at: null,
    });
    expect(after.find((t) => t.case_id === gone.kycCase.id)).toMatchObject({
      closed_at: expect.anything(),
      resolution: "relationship_ended",
    });
    // A later sweep opens none again for the former customer.
    await w.worker(new Date(due.getTime() + DAY));
    expect((await tasks()).filter((t) => t.closed_at === null).map((t) => t.case_id)).toEqual([
      current.kycCase.id,
    ]);

    const officer = await signedInStaff(w, "periodic.ended.officer@broker.example", "reviewer");
    const queue = await officer.queue({ queue: "periodic" });
    expect(queue).toContain(`data-case="${current.kycCase.id}"`);
    expect(queue).not.toContain(`data-case="${gone.kycCase.id}"`);
    const page = await officer.casePage(gone.kycCase.id);
    expect(page).not.toContain('data-testid="periodic-review-task"');
    expect(page).toContain('data-event="periodic_review_closed"');
    expect(textOf(page)).toContain("Periodic review closed: the business relationship ended");
    officer.locale = "de";
    expect(textOf(await officer.casePage(gone.kycCase.id))).toContain(
      "Regelmäßige Überprüfung geschlossen: Geschäftsbeziehung beendet",
    );
    officer.locale = "en";
    const audit = await sqlRows<{ actor_id: string; data: { reason?: string } }>(
      w.db.db,
      sql`select actor_id, data from audit_events where action = 'case.periodic_review_closed'
        and case_id = ${gone.kycCase.id}`,
    );
    expect(audit).toEqual([
      expect.objectContaining({
        actor_id: "crm",
        data: expect.objectContaining({ reason: "relationship_ended" }),
      }),
    ]);
    // The trader's own timeline keeps to their verification.
    await gone.trader.launch("status");
    expect(textOf(await gone.trader.html("status"))).not.toContain("Updated");
  }, 400_000);
});

describe("scenario: a monitoring hit open when the relationship ends", () => {
  it("stays open and says the relationship ended; the erasure waits for it (audited once) and follows its clearing", async () => {
    const w = world();
    // Erased a year after the end, so the purge comes due while the hit is still open.
    const list = brokerList(w, { RETENTION_CASE_YEARS: "1" });
    const person = { givenNames: "Marta", surnames: "Kowalczyk", dateOfBirth: "1984-03-09" };
    const gone = await approvedTrader(
      w,
      482_401,
      { ...person, nationalities: ["PL"] },
      { expiryDate: "2045-01-31" },
    );
    // The operator imports the list at once (the scheduled import's clock is the other scenarios').
    list.add("Marta Kowalczyk,,1984-03-09,Poland");
    await w.importLists([list.path]);
    await w.worker();
    expect(eventTypes(w, gone.kycCase.id)).toContain("case.monitoring_hit");

    await endRelationship(482_401);
    const officer = await signedInStaff(w, "hit.ended.officer@broker.example", "reviewer");
    expect(await officer.queue({ queue: "monitoring" })).toContain(
      `data-case="${gone.kycCase.id}"`,
    );
    const page = await officer.casePage(gone.kycCase.id);
    expect(page).toContain('data-testid="monitoring-task"');
    expect(page).toContain('data-testid="task-relationship-ended"');
    expect(textOf(page)).toContain("This task stays open");
    officer.locale = "de";
    expect(textOf(await officer.casePage(gone.kycCase.id))).toContain("Diese Aufgabe bleibt offen");
    officer.locale = "en";

    // A year on, the purge is due: it waits for the open task, and says so once.
    const purged = async () =>
      (
        await sqlRows<{ purged_at: string | null }>(
          w.db.db,
          sql`select purged_at from case_retention where case_id = ${gone.kycCase.id}`,
        )
      ).filter((r) => r.purged_at !== null).length;
    const deferrals = () =>
      sqlRows<{ data: { kind: string } }>(
        w.db.db,
        sql`select data from audit_events where action = 'retention.purge_deferred'
          and case_id = ${gone.kycCase.id}`,
      );
    await w.worker(new Date(Date.now() + 370 * DAY));
    await w.worker(new Date(Date.now() + 371 * DAY));
    expect(await purged()).toBe(0);
    expect(await deferrals()).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ kind: "monitoring_hit" }) }),
    ]);
    // Signed in again: the sweeps at the moved clock ended the sessions of a year ago.
    const reviewer = await signedInStaff(w, "hit.ended.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "hit.ended.approver@broker.example", "approver");
    expect(await reviewer.casePage(gone.kycCase.id)).toContain('data-testid="monitoring-task"');
    // The trader asks to be erased meanwhile: refused while the task is open, nothing erased.
    const admin = await signedInStaff(w, "hit.ended.admin@broker.example", "admin");
    expect(await admin.erasureRequest(gone.kycCase.id)).toBe("erasure_refused");
    const refused = await admin.casePage(gone.kycCase.id);
    expect(refused).toContain('data-reason="open_task"');
    expect(textOf(refused)).toContain("a monitoring task is open");
    expect(await purged()).toBe(0);

    // Two people clear the hit; the next purge erases the case.
    const hitKey = /data-hit="([^"]+)"/.exec(page)?.[1];
    expect(
      await reviewer.judgeHit(gone.kycCase.id, hitKey!, "false_positive", "Other DOB on ID"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(gone.kycCase.id, hitKey!, "false_positive", "Passport checked again"),
    ).toBe("monitoring_cleared");
    await w.worker(new Date(Date.now() + 372 * DAY));
    expect(await purged()).toBe(1);
  }, 400_000);
});

describe("scenario: a renewal notice queued before the relationship ended", () => {
  it("is withheld with its audit line in one step: a pass that cannot record the delivery leaves no line, the next pass writes one", async () => {
    const w = world();
    const expiryDate = new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10);
    const trader = new Trader(w, 482_551);
    await trader.completeStandardLevel({}, { expiryDate });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "notice.cut.reviewer@broker.example", "reviewer");
    // The CRM and cTrader are down while the notice is queued.
    w.setDown({ crm: true, ctrader: true });
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect((await trader.currentCase()).renewalDueAt).not.toBeNull();
    await endRelationship(482_551);
    w.setDown({ crm: false, ctrader: false });
    const withheldLines = () =>
      sqlRows<{ data: { destination: string } }>(
        w.db.db,
        sql`select data from audit_events where action = 'delivery.renewal_notice_withheld'
          and case_id = ${kycCase.id}`,
      );

    // The pass that withholds it stops as it records the outcome: nothing says it was withheld.
    await failAttemptLogs(w, "relationship_ended");
    try {
      await expect(drainOnce({ now: new Date(Date.now() + 2 * HOUR) })).rejects.toThrow();
    } finally {
      await restoreAttemptLogs(w);
    }
    expect(await withheldLines()).toEqual([]);

    // Its claims come due again; the next pass withholds it, one audit line per delivery.
    await w.worker(new Date(Date.now() + DAY));
    const skipped = await sqlRows<{ destination: string }>(
      w.db.db,
      sql`select d.destination from delivery_attempts a
        join deliveries d on d.id = a.delivery_id join outbox_events e on e.id = a.event_id
        where e.case_id = ${kycCase.id} and e.type = 'case.renewal_due' and a.ok`,
    );
    expect(skipped.length).toBeGreaterThan(0);
    expect((await withheldLines()).map((a) => a.data.destination).sort()).toEqual(
      skipped.map((a) => a.destination).sort(),
    );
  });

  it("is not sent once the relationship has ended: neither the CRM nor the trader's mailbox gets it, the delivery log and the audit trail say why", async () => {
    const w = world();
    const sink = await startSmtpSink();
    w.configure({ EMAIL_SMTP_URL: sink.url, EMAIL_FROM: "Broker KYC <kyc@broker.example>" });
    try {
      // The passport runs out in 20 days: the sweep after the approval queues the notice.
      const expiryDate = new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10);
      const trader = new Trader(w, 482_501);
      await trader.completeStandardLevel({}, { expiryDate });
      await w.worker();
      const kycCase = await trader.currentCase();
      const reviewer = await signedInStaff(w, "notice.ended.reviewer@broker.example", "reviewer");
      // The CRM, cTrader and the mail relay are down while it is queued.
      w.setDown({ crm: true, ctrader: true });
      sink.rejectRecipient = () => ({ code: 451, message: "try again later" });
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      await w.worker();
      expect((await trader.currentCase()).renewalDueAt).not.toBeNull();

      await endRelationship(482_501);
      w.setDown({ crm: false, ctrader: false });
      sink.rejectRecipient = () => undefined;
      await w.worker(new Date(Date.now() + 2 * HOUR));

      // The approval still reaches the CRM; the notice reaches nobody.
      expect(eventTypes(w, kycCase.id)).toContain("case.status_changed");
      expect(eventTypes(w, kycCase.id)).not.toContain("case.renewal_due");
      expect(sink.messages.filter((m) => /expires soon/.test(m.parsed.subject ?? ""))).toEqual([]);
      const skipped = await sqlRows<{ destination: string; note: string }>(
        w.db.db,
        sql`select d.destination, a.note from delivery_attempts a
          join deliveries d on d.id = a.delivery_id join outbox_events e on e.id = a.event_id
          where e.case_id = ${kycCase.id} and e.type = 'case.renewal_due' and a.ok`,
      );
      expect(skipped.length).toBeGreaterThan(0);
      for (const attempt of skipped)
        expect(JSON.parse(attempt.note)).toEqual({ code: "relationship_ended" });
      const audit = await sqlRows<{ data: { destination: string } }>(
        w.db.db,
        sql`select data from audit_events where action = 'delivery.renewal_notice_withheld'
          and case_id = ${kycCase.id}`,
      );
      expect(audit.map((a) => a.data.destination).sort()).toEqual(
        skipped.map((a) => a.destination).sort(),
      );
      const officer = await signedInStaff(w, "notice.ended.officer@broker.example", "reviewer");
      expect(textOf(await officer.casePage(kycCase.id))).toContain(
        "not sent: the business relationship ended",
      );
    } finally {
      w.configure({ EMAIL_SMTP_URL: undefined, EMAIL_FROM: undefined });
      await sink.close();
    }
  }, 400_000);
});

describe("scenario: a rejection with a retry on a case whose periodic review closed with its expiry, then the relationship ends", () => {
  it("the trader still reads why and may send again; the erasure record keeps the rejection's time", async () => {
    const w = world();
    const gone = await approvedTrader(w, 482_601, {}, { expiryDate: "2032-03-31" });
    // The periodic review falls due (past every risk level's interval), then the passport runs
    // out before anyone completed it: the expiry closes the task (nothing is left to review).
    await w.worker(new Date(Date.now() + (5 * 366 + 2) * DAY));
    await w.worker(at("2032-03-01T00:00:00Z"));
    await w.worker(at("2032-03-31T00:00:00Z"));
    await gone.trader.launch("status");
    expect(await gone.trader.status()).toBe("expired");

    // The trader renews with a new passport; a reviewer asks for a readable photo of it.
    expect(await gone.trader.renew()).toEqual({ redirect: "/inapp/kyc?step=identity_document" });
    expect(
      await gone.trader.continue("identity_document", {
        ...IDENTITY,
        documentNumber: "RN4825010",
        expiryDate: "2037-03-31",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await gone.trader.upload("identity")).status).toBe(200);
    expect(await gone.trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const reviewer = await signedInStaff(w, "retry.ended.reviewer@broker.example", "reviewer");
    expect(await reviewer.reject(gone.kycCase.id, "document_unreadable")).toBe("rejected_retry");

    const tasks = await sqlRows<{ resolution: string | null }>(
      w.db.db,
      sql`select resolution from review_tasks
        where case_id = ${gone.kycCase.id} and kind = 'periodic_review'`,
    );
    expect(tasks).toEqual([{ resolution: "expired" }]);
    // The relationship's end finds no periodic review left to close on the rejected case.
    await endRelationship(482_601);
    expect(await reviewer.casePage(gone.kycCase.id)).not.toContain(
      'data-event="periodic_review_closed"',
    );
    await gone.trader.launch("status");
    const status = await gone.trader.html("status");
    expect(status).toContain('data-testid="rejection-reason"');
    expect(textOf(status)).toContain(en.RejectReasons.document_unreadable);
    expect(textOf(status)).toContain(en.Kyc.retryAction);
    expect(textOf(status)).not.toContain(en.Kyc.finalRejection);

    // Erased a year after the end: the record says the case was decided by the rejection.
    const approver = await signedInStaff(w, "retry.ended.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(gone.kycCase.id)).json()) as {
      timeline: { event: string; at: string }[];
    };
    const when = (event: string) => evidence.timeline.findLast((e) => e.event === event)?.at;
    w.configure({ RETENTION_CASE_YEARS: "1" });
    await w.worker(new Date(Date.now() + 370 * DAY));
    const [erased] = await sqlRows<{ tombstone: { decidedAt: string; outcome: string } }>(
      w.db.db,
      sql`select tombstone from case_retention
          where case_id = ${gone.kycCase.id} and purged_at is not null`,
    );
    expect(erased?.tombstone).toMatchObject({ outcome: "rejected" });
    expect(new Date(erased!.tombstone.decidedAt).toISOString()).toBe(when("reject"));
  }, 400_000);
});
