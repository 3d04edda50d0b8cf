/**
 * Scenario: periodic review by risk. A clean (low-risk) approved case is due for review
 * PERIODIC_REVIEW_MONTHS_LOW months after its approval: the worker's sweep, with the clock moved
 * forward, opens one review task a reviewer finds in the queue's periodic tab, with what changed
 * since the approval (here: a screening list imported after it). A day before: nothing.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { adminUrl } from "../helpers/db-target";
import { sql } from "drizzle-orm";
import { sqlRows } from "../helpers/sql-rows";
import { textOf } from "../helpers/render-page";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { DAY_MS, dayAfterReviewDue, daysAfter, dayStart, monthsAfter } from "./support/dates";
import { whileCaseHeld } from "./support/faults";
import { OFAC_EXCERPT, scenarioWorld, type World } from "./support/world";

const world = scenarioWorld({
  PERIODIC_REVIEW_MONTHS_LOW: "60",
  PERIODIC_REVIEW_MONTHS_MEDIUM: "36",
  PERIODIC_REVIEW_MONTHS_HIGH: "12",
});

describe("scenario: a periodic review falls due", () => {
  it("opens one task in the queue at the boundary, with what changed since the approval", async () => {
    const w = world();
    const trader = new Trader(w, 470_001);
    const reviewer = await signedInStaff(w, "periodic.reviewer@broker.example", "reviewer");
    // A passport valid beyond the review date: the document expiry must not come first.
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate: "2045-01-31" });
    expect((await trader.currentCase()).riskLevel).toBe("low");
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    const due = new Date(approvedAt);
    due.setUTCMonth(due.getUTCMonth() + 60);
    // Something changes after the approval: the broker imports a sanctions list.
    await w.importLists([OFAC_EXCERPT]);

    await w.worker(new Date(due.getTime() - DAY_MS));
    let officer = await signedInStaff(w, "periodic.officer1@broker.example", "reviewer");
    expect(await officer.queue({ queue: "periodic" })).not.toContain(`data-case="${kycCase.id}"`);

    await w.worker(new Date(due.getTime() + 60_000));
    await w.worker(new Date(due.getTime() + DAY_MS)); // a second sweep opens nothing more
    officer = await signedInStaff(w, "periodic.officer2@broker.example", "reviewer");
    const queue = await officer.queue({ queue: "periodic" });
    expect(queue).toContain(`data-case="${kycCase.id}"`);
    expect(queue).toContain('data-testid="periodic-review"');
    expect(queue.match(new RegExp(`data-case="${kycCase.id}"`, "g"))).toHaveLength(1);
    const page = await officer.casePage(kycCase.id);
    expect(page).toContain('data-testid="periodic-review-task"');
    const text = textOf(page);
    expect(text).toContain(`last reviewed ${approvedAt.toISOString().slice(0, 10)}`);
    // Both dates in the officer's zone once in the browser, the UTC day on the server.
    const task = page.slice(page.indexOf('data-testid="periodic-review-task"'));
    expect(task.slice(0, task.indexOf("</p>")).match(/data-testid="officer-time"/g)).toHaveLength(
      2,
    );
    expect(text).toContain("every 60 months at Low risk");
    expect(text).toContain("Screening lists updated since: ofac-sdn-excerpt");
    // The case itself stays approved: a review task is work for a person, not a status change.
    expect((await trader.currentCase()).status).toBe("approved");
  });

  it("closes through 'Review completed'; the next task falls due the risk level's months later, at low, medium and high risk", async () => {
    const w = world();
    const trader = new Trader(w, 470_002);
    const reviewer = await signedInStaff(w, "periodic.reviewer3@broker.example", "reviewer");
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate: "2045-01-31" });
    expect((await trader.currentCase()).riskLevel).toBe("low");
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    // The worker runs months ahead and ends sessions idle since: a fresh officer signs in after
    // each run (a second sign-in of one officer within seconds would reuse their TOTP code).
    let signIns = 0;
    const freshOfficer = () =>
      signedInStaff(w, `periodic.officer3.${++signIns}@broker.example`, "reviewer");
    let officer = await freshOfficer();
    const periodicTab = async () =>
      (await (await freshOfficer()).queue({ queue: "periodic" })).match(
        new RegExp(`data-case="${kycCase.id}"`, "g"),
      )?.length ?? 0;

    // Nothing to close before a task is open.
    expect(await officer.completePeriodicReview(kycCase.id, "no_change")).toBe(
      "error:no_review_task",
    );
    await w.worker(monthsAfter(approvedAt, 60));
    expect(await periodicTab()).toBe(1);
    expect(await (await freshOfficer()).casePage(kycCase.id)).toContain(
      'data-testid="periodic-review-form"',
    );

    // Each round: the officer closes the task with an outcome; the next one opens the months
    // of the (possibly raised) risk level after the closing, not a day before.
    const rounds: { outcome: string; risk: string; months: number }[] = [
      { outcome: "no_change", risk: "low", months: 60 },
      { outcome: "risk_medium", risk: "medium", months: 36 },
      { outcome: "risk_high", risk: "high", months: 12 },
      { outcome: "no_change", risk: "high", months: 12 },
    ];
    for (const round of rounds) {
      officer = await freshOfficer();
      const before = new Date();
      expect(await officer.completePeriodicReview(kycCase.id, round.outcome, "reviewed")).toBe(
        "periodic_review_completed",
      );
      const after = new Date();
      // Closed once: a second click finds nothing open.
      expect(await officer.completePeriodicReview(kycCase.id, "no_change")).toBe(
        "error:no_review_task",
      );
      expect((await trader.currentCase()).riskLevel).toBe(round.risk);
      expect(await periodicTab()).toBe(0);
      expect(await officer.casePage(kycCase.id)).not.toContain(
        'data-testid="periodic-review-task"',
      );

      await w.worker(new Date(monthsAfter(before, round.months).getTime() - DAY_MS));
      expect(await periodicTab()).toBe(0);
      await w.worker(new Date(monthsAfter(after, round.months).getTime() + 60_000));
      expect(await periodicTab()).toBe(1);
      expect(textOf(await (await freshOfficer()).casePage(kycCase.id))).toMatch(
        new RegExp(`every ${round.months} months at ${round.risk} risk`, "i"),
      );
    }

    // A review never lowers the risk; an outcome that does not exist changes nothing.
    officer = await freshOfficer();
    expect(await officer.completePeriodicReview(kycCase.id, "risk_medium")).toBe(
      "error:risk_not_higher",
    );
    expect(await officer.completePeriodicReview(kycCase.id, "lower_risk")).toBe(
      "error:unknown_outcome",
    );
    expect(await periodicTab()).toBe(1);
    const admin = await signedInStaff(w, "periodic.admin3@broker.example", "admin");
    const audit = await admin.auditPage({
      case: kycCase.id,
      action: "case.periodic_review_completed",
    });
    expect(audit.match(/data-action="case\.periodic_review_completed"/g)).toHaveLength(
      rounds.length,
    );
    // The case stayed approved throughout.
    expect((await trader.currentCase()).status).toBe("approved");
  });

  it("asks the trader to re-verify: the renewal notice goes out to the CRM, the case stays approved", async () => {
    const w = world();
    const trader = new Trader(w, 470_003);
    const reviewer = await signedInStaff(w, "periodic.reviewer4@broker.example", "reviewer");
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate: "2045-01-31" });
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    await w.worker(monthsAfter(approvedAt, 60));
    const officer = await signedInStaff(w, "periodic.officer4@broker.example", "reviewer");
    expect(await officer.casePage(kycCase.id)).toContain('data-testid="periodic-review-task"');
    expect(await officer.completePeriodicReview(kycCase.id, "renewal")).toBe(
      "periodic_review_completed",
    );
    await w.worker();
    const renewal = await trader.currentCase();
    expect(renewal.status).toBe("approved");
    expect(renewal.renewalDueAt).not.toBeNull();
    expect(w.crmEventsFor(kycCase.id).map((e) => e.type)).toContain("case.renewal_due");
    // Asked once: with the notice out, asking again is refused.
    expect(await officer.completePeriodicReview(kycCase.id, "renewal")).toBe(
      "error:no_review_task",
    );
    // The next review falls due with the notice still out: asking again is refused, and
    // the task stays open for another outcome.
    await w.worker(new Date(monthsAfter(new Date(), 60).getTime() + DAY_MS));
    const later = await signedInStaff(w, "periodic.officer5@broker.example", "reviewer");
    expect(await later.completePeriodicReview(kycCase.id, "renewal")).toBe(
      "error:nothing_to_renew",
    );
    expect(await later.completePeriodicReview(kycCase.id, "no_change")).toBe(
      "periodic_review_completed",
    );
  });
});

describe("scenario: the approval is withdrawn while its periodic review is open", () => {
  it("closes the review with the withdrawal: the case page no longer offers 'Review completed'", async () => {
    const w = world();
    const trader = new Trader(w, 470_004);
    const reviewer = await signedInStaff(w, "withdrawn.reviewer@broker.example", "reviewer");
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate: "2045-01-31" });
    await w.worker(monthsAfter(new Date(), 60 + 1));
    const approver = await signedInStaff(w, "withdrawn.approver@broker.example", "approver");
    expect(await approver.queue({ queue: "periodic" })).toContain(`data-case="${kycCase.id}"`);

    expect(await approver.reject(kycCase.id, "fraud_suspected", "Chargebacks on three cards")).toBe(
      "rejected_final",
    );
    expect(await approver.casePage(kycCase.id)).not.toContain('data-testid="periodic-review-task"');
    const tasks = await sqlRows<{ resolution: string | null; closed_at: string | null }>(
      w.db.db,
      sql`select resolution, closed_at from review_tasks
          where case_id = ${kycCase.id} and kind = 'periodic_review'`,
    );
    expect(tasks).toEqual([{ resolution: "revoked", closed_at: expect.anything() }]);
  });
});

describe("scenario: no periodic review for a trader who is gone", () => {
  it("opens no task on a case whose relationship ended or that was erased; a current trader's still falls due", async () => {
    const w = world();
    // Erasure a year after the end, so the purge comes well before the 60-month review.
    w.configure({ RETENTION_CASE_YEARS: "1" });
    try {
      const reviewer = await signedInStaff(w, "periodic.gone.reviewer@broker.example", "reviewer");
      const approved = async (userId: number) => {
        const trader = new Trader(w, userId);
        const kycCase = await approvedAtStandard(
          w,
          trader,
          reviewer,
          {},
          { expiryDate: "2045-01-31" },
        );
        return kycCase;
      };
      const current = await approved(470_101);
      const ended = await approved(470_102);
      const erased = await approved(470_103);
      const admin = await signedInStaff(w, "periodic.gone.admin@broker.example", "admin");
      const today = new Date().toISOString().slice(0, 10);
      expect(await admin.relationshipEnd(ended.id, today)).toBe("relationship_ended");
      // The hold keeps the ended relationship's case from the purge: ended, not erased.
      expect(await admin.legalHold(ended.id, "set", "regulator inquiry 2026-31")).toBe(
        "legal_hold_set",
      );
      expect(await admin.relationshipEnd(erased.id, today)).toBe("relationship_ended");

      await w.worker(new Date(Date.now() + 370 * DAY_MS));
      await admin.signIn();
      expect(await admin.casePage(erased.id)).toContain('data-testid="tombstone"');
      expect(await admin.casePage(ended.id)).not.toContain('data-testid="tombstone"');

      const due = new Date(monthsAfter(new Date(), 60).getTime() + DAY_MS);
      await w.worker(due);
      await w.worker(new Date(due.getTime() + DAY_MS));
      const officer = await signedInStaff(w, "periodic.gone.officer@broker.example", "reviewer");
      const queue = await officer.queue({ queue: "periodic" });
      expect(queue).toContain(`data-case="${current.id}"`);
      const tasks = await sqlRows<{ case_id: string }>(
        w.db.db,
        sql`select case_id from review_tasks where kind = 'periodic_review'
          and case_id in (${current.id}, ${ended.id}, ${erased.id})`,
      );
      expect(tasks.map((t) => t.case_id)).toEqual([current.id]);
    } finally {
      w.configure({});
    }
    // Three traders through to approval, and five sweeps: a ceiling for a loaded machine.
  }, 400_000);
});

describe("scenario: a risk a periodic review raised outlasts the next checks", () => {
  it("keeps the raised risk through the renewal's clean checks and leaves the case to a person, even with AUTO_APPROVE", async () => {
    const w = world();
    // Clean checks need a screening result: with a list loaded, the renewal's checks pass.
    await w.importLists([OFAC_EXCERPT]);
    const trader = new Trader(w, 470_005);
    const reviewer = await signedInStaff(w, "floor.reviewer@broker.example", "reviewer");
    // The passport expires after the review falls due: its renewal comes after the review.
    const expiryDate = dayAfterReviewDue(175);
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate });
    expect((await trader.currentCase()).riskLevel).toBe("low");
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    await w.worker(monthsAfter(approvedAt, 60));
    const officer = await signedInStaff(w, "floor.officer@broker.example", "reviewer");
    expect(
      await officer.completePeriodicReview(kycCase.id, "risk_medium", "new trading pattern"),
    ).toBe("periodic_review_completed");
    expect((await trader.currentCase()).riskLevel).toBe("medium");

    w.configure({ AUTO_APPROVE: "1" });
    try {
      // The renewal notice, then the trader renews with a new passport.
      await w.worker(daysAfter(dayStart(expiryDate), -17));
      await trader.renewIdentity({ documentNumber: "FL4700050", expiryDate: "2040-05-01" });
      await w.worker();

      // The checks found nothing (low on their own), yet the case stays at the review's risk
      // and waits for a person: the checks cannot undo what a person raised.
      const renewed = await trader.currentCase();
      expect(renewed.status).toBe("in_review");
      expect(renewed.riskLevel).toBe("medium");
      const later = await signedInStaff(w, "floor.officer2@broker.example", "reviewer");
      const page = await later.casePage(kycCase.id);
      expect(page).toContain('data-risk="medium"');
      expect(page).toContain('data-risk-floor="medium"');
      expect(page).toContain('data-reason="risk_floor"');
      // Both risk lines say why it is medium: the run scored it low.
      for (const testId of ["case-risk", "summary-risk"]) {
        const line = page.slice(page.lastIndexOf("<", page.indexOf(`data-testid="${testId}"`)));
        expect(textOf(line.slice(0, line.search(/<\/(dd|p)>/)))).toMatch(
          /^Medium( · score \d+)? · at least Medium: raised by a periodic review/,
        );
      }
      expect(await later.approve(kycCase.id)).toBe("approved");
      expect((await trader.currentCase()).riskLevel).toBe("medium");
    } finally {
      // Named: configure({}) keeps a variable the defaults do not name.
      w.configure({ AUTO_APPROVE: undefined });
    }
  }, 300_000);
});

describe("scenario: the case changes while the officer closes its periodic review", () => {
  /** Approved now, its passport expiring on `expiryDate`; the review task open at 60 months. */
  async function reviewDue(w: World, userId: number, expiryDate: string) {
    const trader = new Trader(w, userId);
    const reviewer = await signedInStaff(w, `race.reviewer.${userId}@broker.example`, "reviewer");
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate });
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    await w.worker(monthsAfter(approvedAt, 60));
    const officer = await signedInStaff(w, `race.officer.${userId}@broker.example`, "reviewer");
    expect(await officer.casePage(kycCase.id)).toContain('data-testid="periodic-review-form"');
    return { trader, kycCase, officer };
  }

  const reviewState = async (w: World, caseId: string) => ({
    tasks: await sqlRows<{ closed_at: string | null }>(
      w.db.db,
      sql`select closed_at from review_tasks where case_id = ${caseId} and kind = 'periodic_review'`,
    ),
    decisions: await sqlRows<{ data: unknown }>(
      w.db.db,
      sql`select data from case_decisions where case_id = ${caseId} and decision = 'periodic_review'`,
    ),
  });

  // A second PostgreSQL connection holds the case: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "refuses 'renewal' when the document's own renewal notice went out meanwhile: nothing recorded, the task stays open",
    async () => {
      const w = world();
      const expiryDate = dayAfterReviewDue(175);
      const { kycCase, officer } = await reviewDue(w, 470_006, expiryDate);
      // The officer asks for a renewal as the expiry sweep sends the notice of the same document.
      const answer = await whileCaseHeld(
        w,
        kycCase.id,
        1,
        () => officer.completePeriodicReview(kycCase.id, "renewal", "asked for a new passport"),
        {
          keyShare: true,
          meanwhile: () => w.worker(daysAfter(dayStart(expiryDate), -17)),
        },
      );
      expect(answer).toBe("error:nothing_to_renew");
      expect(w.crmEventsFor(kycCase.id).filter((e) => e.type === "case.renewal_due")).toHaveLength(
        1,
      );
      // Nothing half-recorded: the task is open, no outcome is kept, another outcome closes it.
      expect(await reviewState(w, kycCase.id)).toEqual({
        tasks: [{ closed_at: null }],
        decisions: [],
      });
      const later = await signedInStaff(w, "race.officer.470006.b@broker.example", "reviewer");
      expect(await later.casePage(kycCase.id)).toContain('data-testid="periodic-review-form"');
      expect(await later.completePeriodicReview(kycCase.id, "no_change")).toBe(
        "periodic_review_completed",
      );
      expect((await reviewState(w, kycCase.id)).decisions).toEqual([
        { data: expect.objectContaining({ outcome: "no_change" }) },
      ]);
    },
  );

  it("refuses 'Review completed: no change' sent from a page read before a monitoring hit", async () => {
    const w = world();
    const list = path.join(w.dataDir, "stale-review-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.importLists([list]);
    const trader = new Trader(w, 470_011);
    const reviewer = await signedInStaff(w, "stale.review.reviewer@broker.example", "reviewer");
    const person = {
      givenNames: "Hedda",
      surnames: "Verhoeven",
      dateOfBirth: "1974-10-02",
      nationalities: ["NL"],
    };
    const kycCase = await approvedAtStandard(w, trader, reviewer, person, {
      expiryDate: "2045-01-31",
    });
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    await w.worker(monthsAfter(approvedAt, 60));
    const officer = await signedInStaff(w, "stale.review.officer@broker.example", "reviewer");
    expect(await officer.casePage(kycCase.id)).toContain('data-testid="periodic-review-form"');
    const read = await officer.shownOn(kycCase.id);
    // The trader is listed meanwhile: the re-screening opens a monitoring hit on the approval.
    writeFileSync(list, `${readFileSync(list, "utf8")}Hedda Verhoeven,,1974-10-02,Netherlands\n`);
    await w.importLists([list]);
    expect(await officer.shownOn(kycCase.id)).not.toEqual(read);

    expect(await officer.completePeriodicReview(kycCase.id, "no_change", "", read)).toBe(
      "error:changed",
    );
    expect((await reviewState(w, kycCase.id)).decisions).toEqual([]);
    // Read again, the page shows the hit; the review is concluded on what is there now.
    expect(
      await officer.completePeriodicReview(kycCase.id, "no_change", "hit left to its task"),
    ).toBe("periodic_review_completed");
  });

  it("closes the open task when the case expires, audited as closed by the expiry", async () => {
    const w = world();
    // The passport expires a few weeks after the review falls due, and nobody reviews it.
    const expiryDate = dayAfterReviewDue(38);
    const { trader, kycCase, officer } = await reviewDue(w, 470_009, expiryDate);
    await w.worker(dayStart(expiryDate));
    expect((await trader.currentCase()).status).toBe("expired");
    const tasks = await sqlRows<{ id: string; closed_at: string | null; resolution: string }>(
      w.db.db,
      sql`select id, closed_at, resolution from review_tasks
        where case_id = ${kycCase.id} and kind = 'periodic_review'`,
    );
    expect(tasks).toEqual([
      { id: expect.any(String), closed_at: expect.anything(), resolution: "expired" },
    ]);
    const audit = await sqlRows<{ actor_id: string; data: unknown }>(
      w.db.db,
      sql`select actor_id, data from audit_events
        where case_id = ${kycCase.id} and action = 'review_task.closed'`,
    );
    expect(audit).toEqual([
      {
        actor_id: "renewal",
        data: { taskId: tasks[0]!.id, kind: "periodic_review", resolution: "expired" },
      },
    ]);
    // Nothing left waiting in the console: the queue's tab and the case page no longer show it.
    await officer.signIn();
    expect(await officer.queue({ queue: "periodic" })).not.toContain(`data-case="${kycCase.id}"`);
    expect(await officer.casePage(kycCase.id)).not.toContain('data-testid="periodic-review-form"');
    expect(await officer.completePeriodicReview(kycCase.id, "no_change")).toBe(
      "error:no_review_task",
    );
  });

  // A second PostgreSQL connection holds the case: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "refuses to review an approval that expired meanwhile: nothing recorded, the risk as it was",
    async () => {
      const w = world();
      // The passport expires a few weeks after the review falls due.
      const expiryDate = dayAfterReviewDue(38);
      const { trader, kycCase, officer } = await reviewDue(w, 470_007, expiryDate);
      const answer = await whileCaseHeld(
        w,
        kycCase.id,
        1,
        () => officer.completePeriodicReview(kycCase.id, "risk_high", "adverse media"),
        { keyShare: true, meanwhile: () => w.worker(dayStart(expiryDate)) },
      );
      // The expiry closed the task the officer's page showed.
      expect(answer).toBe("error:no_review_task");
      expect(await trader.currentCase()).toMatchObject({
        status: "expired",
        riskLevel: "low",
        riskFloor: null,
      });
      expect(await reviewState(w, kycCase.id)).toEqual({
        tasks: [{ closed_at: expect.anything() }],
        decisions: [],
      });
    },
  );

  // A second PostgreSQL connection holds the case: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "refuses to review an approval the trader reopened for a renewal meanwhile: nothing recorded, the task stays open",
    async () => {
      const w = world();
      const expiryDate = dayAfterReviewDue(38);
      const { trader, kycCase, officer } = await reviewDue(w, 470_010, expiryDate);
      // The renewal notice goes out a month before the passport expires.
      await w.worker(daysAfter(dayStart(expiryDate), -26));
      await officer.signIn();
      await trader.launch("status");
      const answer = await whileCaseHeld(
        w,
        kycCase.id,
        1,
        () => officer.completePeriodicReview(kycCase.id, "risk_high", "adverse media"),
        {
          keyShare: true,
          meanwhile: async () => {
            expect(await trader.renew()).toEqual({
              redirect: "/inapp/kyc?step=identity_document",
            });
          },
        },
      );
      expect(answer).toBe("error:review_not_approved");
      expect(await trader.currentCase()).toMatchObject({
        status: "draft",
        riskLevel: "low",
        riskFloor: null,
      });
      expect(await reviewState(w, kycCase.id)).toEqual({
        tasks: [{ closed_at: null }],
        decisions: [],
      });
    },
  );

  // A second PostgreSQL connection holds the case while a list import's re-screening and then
  // the officer's review wait for it, in that order: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "refuses a raise to medium once a re-screening hit raised the risk to high meanwhile: the risk stays high",
    async () => {
      const w = world();
      const list = path.join(w.dataDir, "periodic-race-pep.csv");
      copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
      await w.importLists([list]);
      const trader = new Trader(w, 470_008);
      const reviewer = await signedInStaff(w, "race.reviewer.470008@broker.example", "reviewer");
      const kycCase = await approvedAtStandard(
        w,
        trader,
        reviewer,
        {
          givenNames: "Maren",
          surnames: "Oosterhuis",
          dateOfBirth: "1971-03-09",
          nationalities: ["NL"],
        },
        { expiryDate: "2045-01-31" },
      );
      expect((await trader.currentCase()).riskLevel).toBe("low");
      const approvedAt = new Date(
        String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
      );
      await w.worker(monthsAfter(approvedAt, 60));
      const officer = await signedInStaff(w, "race.officer.470008@broker.example", "reviewer");
      expect(await officer.casePage(kycCase.id)).toContain('data-testid="periodic-review-form"');
      // The broker's list gains the trader; its re-screening waits for the case first, then the
      // officer's raise, which has compared it with the low risk it read.
      writeFileSync(
        list,
        `${readFileSync(list, "utf8")}Maren Oosterhuis,,1971-03-09,Netherlands\n`,
      );
      let raised: Promise<string> | undefined;
      await whileCaseHeld(w, kycCase.id, 1, () => w.importLists([list]), {
        meanwhile: async (untilWaiting) => {
          raised = officer.completePeriodicReview(kycCase.id, "risk_medium", "new trading pattern");
          await untilWaiting(2, raised);
        },
      });
      expect(await raised).toBe("error:risk_not_higher");
      expect(await trader.currentCase()).toMatchObject({
        status: "approved",
        riskLevel: "high",
        riskFloor: null,
      });
      expect(await reviewState(w, kycCase.id)).toEqual({
        tasks: [{ closed_at: null }],
        decisions: [],
      });
    },
  );
});

describe("scenario: the trader sends a new round while the periodic review is open", () => {
  /** Approved at low risk, the review due at 60 months, then an upgrade to enhanced sent. */
  async function upgradeSentInReview(w: World, userId: number) {
    const trader = new Trader(w, userId);
    const reviewer = await signedInStaff(w, `resent.reviewer.${userId}@broker.example`, "reviewer");
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate: "2045-01-31" });
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    await w.worker(monthsAfter(approvedAt, 60));
    await trader.sendEnhancedUpgrade();
    const officer = await signedInStaff(w, `resent.officer.${userId}@broker.example`, "approver");
    return { trader, kycCase, officer };
  }

  /** The case's row in a queue page: its risk cell, or null when the page does not list it. */
  const riskInQueue = (queue: string, caseId: string) => {
    const at = queue.indexOf(`data-case="${caseId}"`);
    if (at < 0) return null;
    const row = queue.slice(at, queue.indexOf("</tr>", at));
    return {
      risk: /<td data-risk="([a-z]+)"/.exec(row)?.[1] ?? "none",
      text: textOf(row),
    };
  };

  it("shows the approval's risk, marked as the previous round's, until the new round's checks ran, in the queue and on the case page", async () => {
    const w = world();
    const { kycCase, officer } = await upgradeSentInReview(w, 587_001);

    // Before the checks: the assessment in force, told apart from one of this round.
    let page = await officer.casePage(kycCase.id);
    expect(page).toContain('data-risk="low"');
    expect(page).toContain('data-risk-earlier-round="true"');
    // The case summary's risk too, not only the header's.
    expect(page).toContain(
      'data-testid="summary-risk" data-risk="low" data-risk-earlier-round="true"',
    );
    expect(textOf(page)).toContain(
      "Low · from the previous round: this round's checks have not run yet",
    );
    // The review tab lists it (the periodic tab lists approvals; the task waits for the next one).
    for (const query of [{}, { sort: "risk" }, { risk: "low" }] as Record<string, string>[]) {
      const row = riskInQueue(await officer.queue(query), kycCase.id);
      expect([query, row?.risk]).toEqual([query, "low"]);
      expect(row?.text).toContain("Low · previous round");
    }

    // The checks of the upgrade replace it: their own assessment, no longer marked.
    await w.worker();
    page = await officer.casePage(kycCase.id);
    expect(page).toMatch(/data-testid="case-risk" data-risk="(low|medium|high)"/);
    expect(page).not.toContain("data-risk-earlier-round");
    expect(riskInQueue(await officer.queue({}), kycCase.id)?.text).not.toContain("previous round");
  }, 300_000);

  it("keeps the approval's risk when the upgrade is declined before its checks ran", async () => {
    const w = world();
    const { trader, kycCase, officer } = await upgradeSentInReview(w, 587_002);
    expect(await officer.reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    await w.worker();
    // Approved again on the assessment it was approved with, not on none (read as high).
    // Nor with the second approver the unchecked round asked for.
    expect(await trader.currentCase()).toMatchObject({
      status: "approved",
      riskLevel: "low",
      fourEyesRequired: false,
    });
    const page = await officer.casePage(kycCase.id);
    expect(page).toContain('data-testid="case-risk" data-risk="low"');
    expect(page).not.toContain("data-risk-earlier-round");
    expect(textOf(page)).not.toContain("four eyes required");
  }, 300_000);
});
