/**
 * Scenario: a level verified by a vendor (Sumsub, stubbed at its API with msw). The trader fills
 * the forms, uploads, runs the vendor's capture from the upload screen and submits; Sumsub posts
 * its signed webhook as it would; the vendor's decline becomes a failing check the reviewer sees
 * with the vendor's report, and a person decides. Nothing passes silently.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { ctraderServer } from "../helpers/ctrader-stub";
import { hiddenFieldsOf, textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { CHECKS_ACTOR } from "@/lib/checks/run";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { captureRefusal } from "@/lib/vendors/verdict";
import { vendorStepLabels } from "@/lib/inapp/refusal-words";
import en from "@/messages/en.json";
import { stubSumsub, SUMSUB, SUMSUB_SETTINGS, sumsubWebhook } from "../helpers/sumsub-stub";
import { ENHANCED_OWN_STEPS } from "../fixtures/kyc-values";
import { signedInStaff, Trader, type Staff } from "./support/people";
import {
  deliverTwice,
  openVendorReport,
  postVendorWebhook as postWebhook,
  STORED_ONCE,
  REPORT_OPENED,
  vendorCheckOn,
  verdictSeen,
} from "./support/vendors";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";
import { adminUrl } from "../helpers/db-target";
import { whileCaseHeld } from "./support/faults";

const world = scenarioWorld({
  VENDOR_LEVELS: JSON.stringify({ standard: { vendor: "sumsub" } }),
  SUMSUB_LEVELS: JSON.stringify({ standard: "basic-kyc-level" }),
  ...SUMSUB_SETTINGS,
});

/**
 * The dashboard's "monitoring open" figure, and the rows of its CSV export as
 * [case id, kind of the open task].
 */
async function monitoringOnDashboard(staff: Staff) {
  const page = await staff.dashboardPage();
  const open = /data-testid="monitoring-open"[^>]*>([^<]*)</.exec(page)?.[1];
  const csv = await (await staff.exportDashboard("monitoring")).text();
  const rows = csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(","))
    .map((cells) => [cells[0], cells[2]]);
  return { open: Number(open), rows };
}

/** Sumsub's final answer: a forged document, the selfie fine; returns the webhook it posts. */
function sumsubDeclinesForgery(sumsub: ReturnType<typeof stubSumsub>, caseId: string) {
  sumsub.review = {
    reviewStatus: "completed",
    reviewDate: "2026-12-03 03:00:00+0000",
    reviewResult: { reviewAnswer: "RED", rejectLabels: ["FORGERY"], reviewRejectType: "FINAL" },
  };
  sumsub.steps = {
    IDENTITY: { reviewResult: { reviewAnswer: "RED", rejectLabels: ["FORGERY"] } },
    SELFIE: { reviewResult: { reviewAnswer: "GREEN" } },
  };
  return {
    type: "applicantReviewed",
    applicantId: sumsub.applicants[0]?.id ?? "applicant-1",
    externalUserId: caseId,
    reviewStatus: "completed",
    reviewResult: { reviewAnswer: "RED" },
  };
}

/** A trader who ran Sumsub's capture and sent the case; the checks ran before Sumsub answered. */
async function sentWithSumsub(w: ReturnType<typeof world>, traderId: number, idPrefix: string) {
  const sumsub = stubSumsub(ctraderServer, { idPrefix });
  const trader = new Trader(w, traderId);
  await trader.launch("kyc", { kycType: "standard" });
  await trader.fillStandardForms();
  await trader.uploadStandardDocuments();
  expect((await trader.startVendorStep()).status).toBe(201);
  expect((await trader.finishVendorStep()).status).toBe(200);
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();
  return { sumsub, trader, kycCase: await trader.currentCase() };
}

describe("scenario: a case verified by Sumsub, from the cTrader launch to the reviewer's decision", () => {
  it("takes the vendor's signed decline as a failing check a reviewer sees with its report, and decides", async () => {
    const w = world();
    const sumsub = stubSumsub(ctraderServer);
    const trader = new Trader(w, 430_001);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();

    // The upload screen offers the vendor step; without it the case cannot be sent.
    expect(await trader.uploadScreen("identity")).toContain('data-vendor="sumsub"');
    expect("redirect" in (await trader.submit())).toBe(false);

    const started = await trader.startVendorStep();
    expect(started.status).toBe(201);
    const kycCase = await trader.currentCase();
    expect(started.body).toEqual({
      vendor: "sumsub",
      token: `_act-sbx-${kycCase.id}`,
      reference: "applicant-1",
    });
    expect(sumsub.applicants).toEqual([
      { id: "applicant-1", externalUserId: kycCase.id, levelName: "basic-kyc-level" },
    ]);
    // A reload starts again without a second applicant (Sumsub's 409 is reused).
    expect((await trader.startVendorStep()).status).toBe(201);
    expect(sumsub.applicants).toHaveLength(1);

    expect(await trader.finishVendorStep()).toEqual({ status: 200, body: { status: "captured" } });
    const submitted = await trader.submit();
    expect(submitted).toEqual({ redirect: "/inapp/kyc/status" });

    // The checks run before Sumsub answered: the vendor check waits, the case goes to a person.
    await w.worker();
    expect(await trader.status()).toBe("in_review");
    const approver = await signedInStaff(w, "vendor.approver@broker.example", "approver");
    let page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-check="vendor" data-outcome="warn"');
    expect(page).toContain("No verdict from sumsub yet.");

    // Sumsub reviews: a forged document, the selfie fine.
    const reviewed = sumsubDeclinesForgery(sumsub, kycCase.id);
    // A forged signature is refused before anything is read; a signed body that is not
    // Sumsub's shape is a 400; neither stores anything.
    expect((await postWebhook("sumsub", sumsubWebhook(reviewed, "not-the-secret"))).status).toBe(
      401,
    );
    expect((await postWebhook("sumsub", sumsubWebhook("{not json"))).status).toBe(400);
    expect((await postWebhook("sumsub", sumsubWebhook({ type: "applicantReviewed" }))).status).toBe(
      400,
    );
    expect(await postWebhook("onfido", sumsubWebhook(reviewed))).toMatchObject({ status: 404 });
    // The real one, delivered twice (Sumsub retries): stored once.
    expect(await deliverTwice("sumsub", sumsubWebhook(reviewed))).toEqual(STORED_ONCE);

    // The worker runs the checks again with the verdict: the vendor check fails.
    await w.worker();
    page = await approver.casePage(kycCase.id);
    expect(vendorCheckOn(page)).toEqual({
      outcome: "fail",
      vendorOutcome: "declined",
      signals: expect.objectContaining({ documentAuthenticity: "consider", faceMatch: "clear" }),
      signalWords: expect.objectContaining({
        documentAuthenticity: "Consider",
        faceMatch: "Clear",
      }),
      reportLink: true,
    });
    expect(page).toContain("FORGERY");
    expect(await trader.status()).toBe("in_review");

    // The reviewer opens Sumsub's report: fetched from Sumsub, and the opening is audited.
    expect(await openVendorReport(approver, kycCase.id)).toEqual(REPORT_OPENED);
    expect(sumsub.reportsServed).toBe(1);

    // A person decides.
    expect(await approver.reject(kycCase.id, "fraud_suspected")).toBe("rejected_final");
    await w.worker();
    expect(await trader.status()).toBe("rejected");

    // Years after the relationship ended the purge erases the case: the blind index, the vendor's
    // applicant and verdict, and the settled webhooks and e-mails (with their addresses) go too.
    const left = async () => {
      const [row] = await sqlRows<{ terms: number; vendor: number; events: number; sent: number }>(
        w.db.db,
        sql`select
          (select count(*)::int from case_search_terms where case_id = ${kycCase.id}) as terms,
          (select count(*)::int from vendor_verifications where case_id = ${kycCase.id}) as vendor,
          (select count(*)::int from outbox_events where case_id = ${kycCase.id}) as events,
          (select count(*)::int from deliveries d join outbox_events e on e.id = d.event_id
            where e.case_id = ${kycCase.id}) as sent`,
      );
      return row!;
    };
    const before = await left();
    expect(before.terms).toBeGreaterThan(0);
    expect(before.vendor).toBe(1);
    expect(before.events).toBeGreaterThan(0);
    expect(before.sent).toBeGreaterThan(0);
    const admin = await signedInStaff(w, "vendor.admin@broker.example", "admin");
    const endedOn = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await admin.relationshipEnd(kycCase.id, endedOn)).toBe("relationship_ended");
    await w.worker(new Date(Date.now() + 6 * 366 * 86_400_000));
    expect(await left()).toEqual({ terms: 0, vendor: 0, events: 0, sent: 0 });
    await admin.signIn();
    expect(await admin.casePage(kycCase.id)).toContain('data-testid="tombstone"');
    // Sumsub re-sends its verdict: it names no case any more, and nothing is stored.
    expect(await postWebhook("sumsub", sumsubWebhook(reviewed))).toMatchObject({ status: 200 });
    expect((await left()).vendor).toBe(0);
    const verify = await w.runCommand("scripts/audit-verify.ts");
    expect(verify.code).toBe(0);
  });

  it("opens a monitoring task with the vendor's reasons when its decline arrives after the approval", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_101, "");

    // The approver does not wait for Sumsub.
    const approver = await signedInStaff(w, "late.approver@broker.example", "approver");
    expect(await approver.casePage(kycCase.id)).toContain("No verdict from sumsub yet.");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect(await trader.status()).toBe("approved");
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );

    // Then Sumsub declines: a forged document.
    const reviewed = sumsubDeclinesForgery(sumsub, kycCase.id);
    expect(await deliverTwice("sumsub", sumsubWebhook(reviewed))).toEqual(STORED_ONCE);
    await w.worker();

    // A person is told: the case is in the monitoring tab, and its page says why.
    expect(await approver.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-testid="vendor-verdict-task"');
    expect(page).toContain("after this case was approved");
    expect(page).toContain("declined");
    expect(page).toContain('data-signal="documentAuthenticity"');
    expect(page).toContain('data-label="FORGERY"');
    expect(await trader.status()).toBe("approved");
    const audited = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(audited.filter((a) => a === "case.vendor_verdict_after_decision")).toHaveLength(1);

    // Taking back the approval closes the task.
    expect(await approver.reject(kycCase.id, "fraud_suspected")).toBe("rejected_final");
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    expect(await approver.casePage(kycCase.id)).not.toContain('data-testid="vendor-verdict-task"');
  });

  it("holds the approved account while the late decline waits, and lets an approver keep the approval with a note", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_102, "keep-");
    const approver = await signedInStaff(w, "keep.approver@broker.example", "approver");
    const reviewer = await signedInStaff(w, "keep.reviewer@broker.example", "reviewer");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const accountRights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    expect(accountRights().at(-1)).toBe("FULL_ACCESS");
    const eventsBefore = w.crmEventsFor(kycCase.id).length;
    const dashboardBefore = await monitoringOnDashboard(approver);

    expect(
      await deliverTwice("sumsub", sumsubWebhook(sumsubDeclinesForgery(sumsub, kycCase.id))),
    ).toEqual(STORED_ONCE);
    await w.worker();

    // The head of compliance's dashboard counts the alert with the monitoring hits, and its CSV
    // names it for what it is.
    const dashboard = await monitoringOnDashboard(approver);
    expect(dashboard.open).toBe(dashboardBefore.open + 1);
    expect(dashboard.rows).toHaveLength(dashboard.open);
    expect(dashboard.rows).toContainEqual([kycCase.id, "vendor_verdict"]);

    // The CRM hears of the alert once, with what Sumsub said and nothing personal; the account
    // gets the monitoring hold; the approval itself stands.
    const alerts = w.crmEventsFor(kycCase.id).slice(eventsBefore);
    expect(alerts.map((e) => e.type)).toEqual(["case.vendor_alert"]);
    expect(alerts[0]!.payload).toMatchObject({
      version: 1,
      case: { id: kycCase.id, status: "approved", approvedLevel: "standard" },
      vendor: { name: "sumsub", outcome: "declined", considered: ["documentAuthenticity"] },
    });
    expect(JSON.stringify(alerts[0]!.payload)).not.toContain("FORGERY");
    expect(accountRights().at(-1)).toBe("CLOSE_ONLY");
    expect(await trader.status()).toBe("approved");
    let page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-testid="keep-approval-form"');

    // Keeping it is an approver's call, confirmed in a dialog, with a note that says why.
    expect(await reviewer.casePage(kycCase.id)).toContain(
      'data-control="keepApproval" data-why="needs_approver"',
    );
    const note = "Sumsub's FORGERY label is their known false alarm on this passport series.";
    expect(await reviewer.keepApproval(kycCase.id, note)).toBe("error:needs_approver");
    expect(await approver.keepApproval(kycCase.id, note, false)).toBe(
      "error:confirmation_required",
    );
    expect(await approver.keepApproval(kycCase.id, "  ok  ")).toBe("error:reason_required");
    expect(await approver.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    const otherTab = await approver.caseForm(kycCase.id, "keep-approval");
    expect(await approver.keepApproval(kycCase.id, note)).toBe("approval_kept");
    await w.worker();

    // The task is closed, the hold lifted and the broker's systems told; the decision and its
    // note are in the case's history and the audit trail.
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    page = await approver.casePage(kycCase.id);
    expect(page).not.toContain('data-testid="vendor-verdict-task"');
    expect(page).toContain('data-decision="vendor_verdict"');
    expect(page).toContain("Approval kept after the vendor");
    expect(page).toContain("known false alarm on this passport series");
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({
      type: "case.vendor_alert_cleared",
      status: "approved",
    });
    expect(accountRights().at(-1)).toBe("FULL_ACCESS");
    expect(await trader.status()).toBe("approved");
    expect((await monitoringOnDashboard(approver)).open).toBe(dashboardBefore.open);
    const kept = (await listCaseAuditEvents(kycCase.id)).filter(
      (e) => e.action === "case.approval_kept",
    );
    expect(kept).toHaveLength(1);
    expect(kept[0]!.data).toMatchObject({ vendor: "sumsub", outcome: "declined" });
    // Nothing is left to keep: a second keep (another tab) changes nothing.
    expect(await approver.keepApproval(kycCase.id, note, true, otherTab)).toBe(
      "error:no_vendor_task",
    );
  });

  it("keeps no approval on a verdict the approver did not read: a newer verdict since the page was read is refused as changed, and the hold stays", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_108, "stale-");
    const approver = await signedInStaff(w, "stale.approver@broker.example", "approver");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const accountRights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    const kept = async () =>
      (await listCaseAuditEvents(kycCase.id)).filter((e) => e.action === "case.approval_kept");

    // Sumsub's first answer after the approval is mild: approved, but the face match is
    // flagged. It holds the account like any late verdict that does not clear the trader.
    sumsub.review = {
      reviewStatus: "completed",
      reviewDate: "2026-12-02 03:00:00+0000",
      reviewResult: { reviewAnswer: "GREEN" },
    };
    sumsub.steps = {
      IDENTITY: { reviewResult: { reviewAnswer: "GREEN" } },
      SELFIE: { reviewResult: { reviewAnswer: "RED" } },
    };
    const mild = {
      type: "applicantReviewed",
      applicantId: sumsub.applicants[0]?.id ?? "stale-applicant-1",
      externalUserId: kycCase.id,
      reviewStatus: "completed",
      reviewResult: { reviewAnswer: "GREEN" },
    };
    expect(await deliverTwice("sumsub", sumsubWebhook(mild))).toEqual(STORED_ONCE);
    await w.worker();
    expect(accountRights().at(-1)).toBe("CLOSE_ONLY");

    // The approver reads it (a face match to look at, no forgery) and writes why it is harmless.
    const read = await approver.casePage(kycCase.id);
    expect(read).toContain('data-testid="vendor-verdict-task"');
    expect(read).toContain('data-signal="faceMatch"');
    expect(read).not.toContain('data-label="FORGERY"');
    const keepForm = hiddenFieldsOf(read, "keep-approval");
    const note = "Face match flagged on her glasses: a known false alarm, the selfie is hers.";

    // Before they confirm, Sumsub reviews again: a forged document. The open task's evidence is
    // the new verdict now, and the CRM and cTrader hear of the alert again.
    expect(
      await deliverTwice("sumsub", sumsubWebhook(sumsubDeclinesForgery(sumsub, kycCase.id))),
    ).toEqual(STORED_ONCE);
    await w.worker();
    const eventsBefore = w.crmEventsFor(kycCase.id).length;

    // The confirmation of the page read before keeps nothing: the console says the case changed.
    expect(await approver.keepApproval(kycCase.id, note, true, keepForm)).toBe("error:changed");
    await w.worker();
    expect(await kept()).toEqual([]);
    expect(w.crmEventsFor(kycCase.id).slice(eventsBefore)).toEqual([]);
    expect(accountRights().at(-1)).toBe("CLOSE_ONLY");
    expect(await approver.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    const shown = await approver.casePage(kycCase.id, { error: "changed" });
    expect(textOf(shown)).toContain("The case changed meanwhile. Reload and try again.");
    expect(shown).not.toContain('data-decision="vendor_verdict"');
    // What the page shows now is the forgery, with its own keep form.
    expect(shown).toContain('data-label="FORGERY"');
    expect(hiddenFieldsOf(shown, "keep-approval")).not.toEqual(keepForm);

    // Read again, the approval is kept on the verdict the approver has now seen, and the hold
    // is lifted.
    const checked = "Forgery flag checked against the original passport at the branch: genuine.";
    expect(await approver.keepApproval(kycCase.id, checked)).toBe("approval_kept");
    await w.worker();
    const [entry] = await kept();
    expect(entry?.data).toMatchObject({ vendor: "sumsub", outcome: "declined" });
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({ type: "case.vendor_alert_cleared" });
    expect(accountRights().at(-1)).toBe("FULL_ACCESS");
  });

  it("holds the approval in force when the late decline arrives during an upgrade, and approves no upgrade on it until an approver decides", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_104, "upgrade-");
    const approver = await signedInStaff(w, "upgrade.approver@broker.example", "approver");
    const second = await signedInStaff(w, "upgrade.second@broker.example", "approver");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const accountRights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    expect(accountRights().at(-1)).toBe("FULL_ACCESS");

    // cTrader asks for enhanced: the upgrade opens, standard stays in force.
    await trader.launch("kyc", { kycType: "enhanced" });
    expect(await trader.status()).toBe("draft");
    await w.worker();
    const eventsBefore = w.crmEventsFor(kycCase.id).length;

    // Sumsub's decline of the capture standard was approved on arrives meanwhile.
    expect(
      await deliverTwice("sumsub", sumsubWebhook(sumsubDeclinesForgery(sumsub, kycCase.id))),
    ).toEqual(STORED_ONCE);
    await w.worker();

    // The approval in force is in doubt: the task opens, the CRM hears the alert with the level
    // in force, and the account is held, while the trader's upgrade stays open.
    const alerts = w.crmEventsFor(kycCase.id).slice(eventsBefore);
    expect(alerts.map((e) => e.type)).toEqual(["case.vendor_alert"]);
    expect(alerts[0]!.payload).toMatchObject({
      case: { id: kycCase.id, status: "draft", level: "enhanced", approvedLevel: "standard" },
      vendor: { name: "sumsub", outcome: "declined", considered: ["documentAuthenticity"] },
    });
    expect(accountRights().at(-1)).toBe("CLOSE_ONLY");
    const audited = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(audited.filter((a) => a === "case.vendor_verdict_after_decision")).toHaveLength(1);
    expect(await approver.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="vendor-verdict-task"');
    expect(await trader.status()).toBe("draft");

    // The trader finishes the upgrade; it cannot be approved while the approval it builds on is
    // held.
    for (const [step, values] of ENHANCED_OWN_STEPS)
      expect([step, await trader.continue(step, values)]).toEqual([
        step,
        { redirect: "/inapp/kyc" },
      ]);
    expect((await trader.upload("additional")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    expect(await trader.status()).toBe("in_review");
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-blocker="approval_on_hold"');
    expect(page).toContain('data-testid="keep-approval-form"');
    // The officer reads the hold for what it is: the account's rights while the upgrade's events
    // went out, and the queue's tag, name the vendor's verdict, not a screening hit.
    expect(page).toContain("the case is now held: vendor verdict after approval");
    expect(page).not.toContain("monitoring hit open");
    const monitoringTab = await approver.queue({ queue: "monitoring" });
    const row = monitoringTab.slice(monitoringTab.indexOf(`data-case="${kycCase.id}"`));
    expect(row.slice(0, row.indexOf("</tr>"))).toContain(
      'data-hold="vendor_verdict">vendor verdict after approval<',
    );
    expect(await approver.approve(kycCase.id)).toBe("error:approval_on_hold");
    expect(accountRights().at(-1)).toBe("CLOSE_ONLY");
    // The refusal does not rest on a read made before the change: the approval transition
    // itself, asked with no earlier look (as the checks or an approver whose page predates the
    // verdict would reach it), refuses on the locked row and moves nothing.
    const transitions = () =>
      sqlRows(w.db.db, sql`select id from case_events where case_id = ${kycCase.id}`);
    const transitionsBefore = await transitions();
    await expect(
      changeCaseStatus({
        kycCase: { id: kycCase.id, status: "in_review" },
        event: "approve",
        actor: CHECKS_ACTOR,
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", reason: "approval_on_hold" });
    expect(await transitions()).toEqual(transitionsBefore);
    expect(await trader.status()).toBe("in_review");

    // The approver keeps the approval in force: the hold is lifted, the upgrade is decided on
    // its own merits.
    const note = "Sumsub's FORGERY label is their known false alarm on this passport series.";
    expect(await approver.keepApproval(kycCase.id, note)).toBe("approval_kept");
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({
      type: "case.vendor_alert_cleared",
      status: "in_review",
    });
    expect(accountRights().at(-1)).toBe("FULL_ACCESS");
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    const outcome = await approver.approve(kycCase.id);
    if (outcome === "awaiting_co_sign") expect(await second.approve(kycCase.id)).toBe("approved");
    else expect(outcome).toBe("approved");
    await w.worker();
    const after = await trader.currentCase();
    expect([after.status, after.level, after.approvedLevel]).toEqual([
      "approved",
      "enhanced",
      "enhanced",
    ]);
  });

  it("closes the hold task when an approver declines the held upgrade and then withdraws the approval it returned to", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_106, "withdraw-");
    const approver = await signedInStaff(w, "withdraw.approver@broker.example", "approver");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const accountRights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);

    // The upgrade opens; Sumsub's decline of the approved capture holds the approval in force.
    await trader.launch("kyc", { kycType: "enhanced" });
    await w.worker();
    expect(
      await deliverTwice("sumsub", sumsubWebhook(sumsubDeclinesForgery(sumsub, kycCase.id))),
    ).toEqual(STORED_ONCE);
    await w.worker();
    const alertAt = w.crmEventsFor(kycCase.id).findIndex((e) => e.type === "case.vendor_alert");
    expect(alertAt).toBeGreaterThan(0);
    for (const [step, values] of ENHANCED_OWN_STEPS)
      expect([step, await trader.continue(step, values)]).toEqual([
        step,
        { redirect: "/inapp/kyc" },
      ]);
    expect((await trader.upload("additional")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    expect(await approver.approve(kycCase.id)).toBe("error:approval_on_hold");

    // Rejecting the upgrade, even with a final reason, declines the upgrade only: the approval it
    // built on is in force again, and still held, its task open (a revoke cannot come first).
    expect(await approver.reject(kycCase.id, "fraud_suspected")).toBe("upgrade_declined");
    await w.worker();
    let current = await trader.currentCase();
    expect([current.status, current.level, current.approvedLevel, current.closedAt]).toEqual([
      "approved",
      "standard",
      "standard",
      null,
    ]);
    expect(await approver.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="vendor-verdict-task"');
    expect(accountRights().at(-1)).toBe("CLOSE_ONLY");
    expect(await trader.status()).toBe("approved");

    // The approver withdraws that approval: the case is rejected for good and the task closes.
    expect(await approver.reject(kycCase.id, "fraud_suspected", "Forged passport")).toBe(
      "rejected_final",
    );
    await w.worker();
    current = await trader.currentCase();
    expect(current.status).toBe("rejected");
    expect(current.closedAt).not.toBeNull();
    expect(await trader.status()).toBe("rejected");
    expect(accountRights().at(-1)).toBe("NO_TRADING");
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    expect(await approver.casePage(kycCase.id)).not.toContain('data-testid="vendor-verdict-task"');
    expect(await approver.keepApproval(kycCase.id, "Nothing is left to keep here.")).toBe(
      "error:no_vendor_task",
    );

    // The CRM heard it all once and in order: the alert, the upgrade's round, its decline with
    // standard in force, then the revoke; no hold lifted in between.
    const heard = w.crmEventsFor(kycCase.id);
    expect(heard.map((e) => e.sequence)).toEqual(heard.map((_, i) => i + 1));
    expect(
      heard.slice(alertAt).map((e) => {
        const c = e.payload.case as { level: string; approvedLevel: string | null };
        return [e.type, e.event ?? null, e.status, c.level, c.approvedLevel];
      }),
    ).toEqual([
      ["case.vendor_alert", null, "draft", "enhanced", "standard"],
      ["case.status_changed", "submit", "submitted", "enhanced", "standard"],
      ["case.status_changed", "start_review", "in_review", "enhanced", "standard"],
      ["case.status_changed", "decline_upgrade", "approved", "standard", "standard"],
      ["case.status_changed", "revoke", "rejected", "standard", null],
    ]);

    // The audit trail: the hold, the decline, the withdrawal; the task closed as revoked; nothing
    // left open or waiting to be delivered.
    const audited = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    const order = [
      "case.vendor_verdict_after_decision",
      "case.upgrade_declined",
      "case.approval_revoked",
    ];
    expect(audited.filter((a) => order.includes(a))).toEqual(order);
    expect(
      await sqlRows(
        w.db.db,
        sql`select kind, resolution, closed_at is not null as closed from review_tasks
          where case_id = ${kycCase.id}`,
      ),
    ).toEqual([{ kind: "vendor_verdict", resolution: "revoked", closed: true }]);
    const [pending] = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from deliveries d join outbox_events e on e.id = d.event_id
        where e.case_id = ${kycCase.id} and d.status <> 'delivered'`,
    );
    expect(pending).toEqual({ n: 0 });
  });

  it("only stores a verdict that arrives after a final rejection: no task, no alert, no hold", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_103, "rejected-");
    const approver = await signedInStaff(w, "late.rejecter@broker.example", "approver");
    expect(await approver.reject(kycCase.id, "fraud_suspected")).toBe("rejected_final");
    await w.worker();
    const eventsBefore = w.crmEventsFor(kycCase.id).length;
    const updatesBefore = w.accountUpdates.length;

    expect(
      await deliverTwice("sumsub", sumsubWebhook(sumsubDeclinesForgery(sumsub, kycCase.id))),
    ).toEqual(STORED_ONCE);
    await w.worker();

    // The verdict is evidence on the closed case; nobody is asked to act on an account that was
    // never approved.
    expect(await approver.casePage(kycCase.id)).not.toContain('data-testid="vendor-verdict-task"');
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    expect(w.crmEventsFor(kycCase.id)).toHaveLength(eventsBefore);
    expect(w.accountUpdates).toHaveLength(updatesBefore);
    const actions = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(actions).toContain("vendor.verdict");
    expect(actions).not.toContain("case.vendor_verdict_after_decision");
    expect(await approver.keepApproval(kycCase.id, "Nothing to keep here at all.")).toBe(
      "error:no_vendor_task",
    );
    expect(await trader.status()).toBe("rejected");
  });

  it("only keeps a verdict that arrives after the approval expired: evidence on the case, nothing sent or held", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_105, "expired-");
    const approver = await signedInStaff(w, "expired.approver@broker.example", "approver");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();

    // The passport runs out (2031-05-01): the worker's sweep expires the approval, and the
    // account gets the expired rights.
    const expiry = new Date("2031-05-01T00:00:00Z");
    await w.worker(expiry);
    expect((await trader.currentCase()).status).toBe("expired");
    const accountRights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    expect(accountRights().at(-1)).toBe("CLOSE_ONLY");
    const eventsBefore = w.crmEventsFor(kycCase.id).length;
    const updatesBefore = w.accountUpdates.length;

    // Sumsub's decline arrives after that.
    expect(
      await deliverTwice("sumsub", sumsubWebhook(sumsubDeclinesForgery(sumsub, kycCase.id))),
    ).toEqual(STORED_ONCE);
    await w.worker(new Date(expiry.getTime() + 60_000));

    // Stored as the case's evidence, audited once; no task on an approval that is no longer in
    // force, so nothing for the CRM or the account, which keeps the expired rights.
    const [stored] = await sqlRows<{ status: string; verdict: { outcome: string } | null }>(
      w.db.db,
      sql`select status, verdict from vendor_verifications where case_id = ${kycCase.id}`,
    );
    expect(stored).toMatchObject({ status: "completed", verdict: { outcome: "declined" } });
    const actions = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(actions.filter((a) => a === "vendor.verdict")).toHaveLength(1);
    expect(actions).not.toContain("case.vendor_verdict_after_decision");
    expect(w.crmEventsFor(kycCase.id)).toHaveLength(eventsBefore);
    expect(w.accountUpdates).toHaveLength(updatesBefore);
    expect((await trader.currentCase()).status).toBe("expired");

    // The console: no task and nothing to keep, not in the monitoring tab.
    await approver.signIn();
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-testid="case-status" data-status="expired"');
    // The checks ran before Sumsub answered and do not run again on a decided case: beside their
    // "no verdict yet", the verdict that came, with its signals, labels and report.
    const shown = page.slice(page.indexOf('data-testid="vendor-verdict-after-checks"'));
    expect(page).toContain('data-testid="vendor-verdict-after-checks"');
    expect(vendorCheckOn(shown)).toMatchObject({
      vendorOutcome: "declined",
      signals: { documentAuthenticity: "consider", faceMatch: "clear" },
      reportLink: true,
    });
    expect(shown).toContain("FORGERY");
    expect(page).not.toContain('data-testid="vendor-verdict-task"');
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    expect(await approver.keepApproval(kycCase.id, "Nothing to keep here at all.")).toBe(
      "error:no_vendor_task",
    );
  });

  it("answers 502 while Sumsub's API fails, so Sumsub delivers again, and stores the verdict once when it is back", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_201, "outage-");
    const reviewed = sumsubDeclinesForgery(sumsub, kycCase.id);

    // Sumsub reviewed, but its API is unwell: the applicant answers, its steps do not.
    ctraderServer.use(
      http.get(
        `${SUMSUB}/resources/applicants/:id/requiredIdDocsStatus`,
        () => HttpResponse.json({ description: "Internal error", code: 503 }, { status: 503 }),
        { once: true },
      ),
    );
    expect(await postWebhook("sumsub", sumsubWebhook(reviewed))).toEqual({
      status: 502,
      body: { error: "Bad Gateway", message: "sumsub answered 503", code: "UPSTREAM_UNAVAILABLE" },
    });
    // Nothing of the half answer was kept: no verdict for the checks, none in the audit trail.
    await w.worker();
    const reviewer = await signedInStaff(w, "vendor.outage@broker.example", "reviewer");
    expect(await verdictSeen(reviewer, kycCase.id)).toMatchObject({
      check: { outcome: "warn" },
      waiting: true,
      verdictsAudited: 0,
    });

    // Sumsub delivers again once its API is back (and once more): the verdict is stored once.
    expect(await deliverTwice("sumsub", sumsubWebhook(reviewed))).toEqual(STORED_ONCE);
    await w.worker();
    expect(await verdictSeen(reviewer, kycCase.id)).toMatchObject({
      check: {
        outcome: "fail",
        vendorOutcome: "declined",
        signals: { documentAuthenticity: "consider", faceMatch: "clear" },
      },
      waiting: false,
      verdictsAudited: 1,
    });
    expect(await trader.status()).toBe("in_review");
  });

  it("acknowledges applicantReviewed for an applicant of ours Sumsub's API then cannot find, and the reviewer sees the verdict could not be fetched", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_202, "gone-");
    const reviewed = sumsubDeclinesForgery(sumsub, kycCase.id);
    // Sumsub reviewed the applicant, then answers 404 for it (deleted at Sumsub, say).
    sumsub.applicants.splice(0);
    expect(await deliverTwice("sumsub", sumsubWebhook(reviewed))).toEqual([
      { status: 200, body: { ok: true, outcome: "verdict_unavailable" } },
      { status: 200, body: { ok: true, outcome: "unchanged" } },
    ]);
    await w.worker();
    const reviewer = await signedInStaff(w, "vendor.gone@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    expect(vendorCheckOn(page).outcome).toBe("warn");
    expect(page).toContain('data-reason="verdict_unavailable"');
    expect(await trader.status()).toBe("in_review");
    const audited = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(audited.filter((a) => a === "vendor.verdict_unavailable")).toHaveLength(1);
  });

  it("takes a stored verdict that does not read as none, says why on the case page, and takes the vendor's next delivery", async () => {
    const w = world();
    const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_203, "unreadable-");
    const reviewed = sumsubDeclinesForgery(sumsub, kycCase.id);
    // Garbles the stored verdict as a version that stored another shape would have left it.
    const garble = () =>
      w.db.db.execute(
        sql`update vendor_verifications set verdict = verdict - 'labels' where case_id = ${kycCase.id}`,
      );
    const reviewer = await signedInStaff(w, "vendor.unreadable@broker.example", "approver");

    // The verdict is stored, then does not read when the checks run: no verdict, said as such.
    expect(await postWebhook("sumsub", sumsubWebhook(reviewed))).toEqual(STORED_ONCE[0]);
    await garble();
    await w.worker();
    let page = await reviewer.casePage(kycCase.id);
    expect(vendorCheckOn(page)).toMatchObject({ outcome: "warn", vendorOutcome: undefined });
    expect(page).toContain('data-testid="vendor-verdict" data-reason="verdict_unreadable"');
    expect(page).toContain("the server log names the case (vendor.verdict_unreadable)");
    expect(page).not.toContain('data-testid="vendor-verdict-missing"');
    expect(page).not.toMatch(/No verdict from \w+ yet\./);
    expect(await trader.status()).toBe("in_review");

    // Sumsub delivers again: the verdict it fetches replaces the unreadable one, the checks read it.
    expect(await postWebhook("sumsub", sumsubWebhook(reviewed))).toEqual(STORED_ONCE[0]);
    await w.worker();
    page = await reviewer.casePage(kycCase.id);
    expect(vendorCheckOn(page)).toMatchObject({ outcome: "fail", vendorOutcome: "declined" });
    expect(page).not.toContain("verdict_unreadable");

    // Once the case is decided its checks do not run again: the page says so above them.
    expect(await reviewer.reject(kycCase.id, "fraud_suspected")).toBe("rejected_final");
    await garble();
    page = await reviewer.casePage(kycCase.id);
    expect(vendorCheckOn(page)).toMatchObject({ outcome: "fail", vendorOutcome: "declined" });
    expect(page).toContain('data-testid="vendor-verdict-missing" data-reason="verdict_unreadable"');
  });

  it("does not approve a held upgrade automatically: it waits for a person, the refusal audited, also once the hold is lifted", async () => {
    const w = world();
    // Screening is what lets the checks approve at all; the broker has auto-approval on.
    await w.importLists([OFAC_EXCERPT]);
    w.configure({ AUTO_APPROVE: "1" });
    try {
      const { sumsub, trader, kycCase } = await sentWithSumsub(w, 430_107, "auto-");
      // Sumsub had not answered: the checks leave the first approval to a person.
      expect(await trader.status()).toBe("in_review");
      const approver = await signedInStaff(w, "auto.approver@broker.example", "approver");
      expect(await approver.approve(kycCase.id)).toBe("approved");
      await w.worker();

      await trader.launch("kyc", { kycType: "enhanced" });
      await w.worker();
      expect(
        await deliverTwice("sumsub", sumsubWebhook(sumsubDeclinesForgery(sumsub, kycCase.id))),
      ).toEqual(STORED_ONCE);
      await w.worker();
      for (const [step, values] of ENHANCED_OWN_STEPS)
        expect([step, await trader.continue(step, values)]).toEqual([
          step,
          { redirect: "/inapp/kyc" },
        ]);
      expect((await trader.upload("additional")).status).toBe(200);
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      await w.worker();

      // The upgrade's checks are clean and would approve it; the hold refuses that, and the case
      // waits in review for a person, who reads why on the case page and in the monitoring tab.
      expect(await trader.status()).toBe("in_review");
      const refused = (await listCaseAuditEvents(kycCase.id)).filter(
        (e) => e.action === "checks.auto_approval_refused",
      );
      expect(refused).toHaveLength(1);
      expect(refused[0]!.data).toMatchObject({ reason: "approval_on_hold", round: 2 });
      const page = await approver.casePage(kycCase.id);
      expect(page).toContain('data-blocker="approval_on_hold"');
      expect(page).toContain('data-testid="auto-approval-refused" data-reason="approval_on_hold"');
      const monitoringTab = await approver.queue({ queue: "monitoring" });
      expect(monitoringTab).toContain(`data-case="${kycCase.id}"`);
      expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({ status: "in_review" });

      // Keeping the approval lifts the hold, but the refused approval is not made later by
      // itself: the checks do not run again, a person decides the upgrade.
      const note = "Sumsub's FORGERY label is their known false alarm on this passport series.";
      expect(await approver.keepApproval(kycCase.id, note)).toBe("approval_kept");
      await w.worker();
      expect(await trader.status()).toBe("in_review");
      expect(await approver.casePage(kycCase.id)).not.toContain("data-blocker");
      expect(await approver.approve(kycCase.id)).toBe("approved");
      await w.worker();
      const after = await trader.currentCase();
      expect([after.status, after.level, after.approvedLevel]).toEqual([
        "approved",
        "enhanced",
        "enhanced",
      ]);
      expect(
        (await listCaseAuditEvents(kycCase.id)).filter(
          (e) => e.action === "checks.auto_approval_refused",
        ),
      ).toHaveLength(1);
    } finally {
      w.configure({});
    }
  });
});

describe("scenario: the trader's vendor capture and Sumsub's verdict arrive while an erasure request erases the case", () => {
  // A second connection holds the case, so the erasure's purge waits for its lock first and the
  // trader's capture (another tab starting it again, this one finishing it) and Sumsub's webhook
  // queue behind it: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "writes none of them on the erased case, tells the trader the details were erased, and Sumsub that the case was",
    async () => {
      const w = world();
      const sumsub = stubSumsub(ctraderServer, { idPrefix: "erased-" });
      const trader = new Trader(w, 430_301);
      await trader.launch("kyc", { kycType: "standard" });
      await trader.fillStandardForms({ surnames: "Erasedcapture" });
      expect((await trader.startVendorStep()).status).toBe(201);
      const kycCase = await trader.currentCase();
      const reviewed = sumsubDeclinesForgery(sumsub, kycCase.id);
      const admin = await signedInStaff(w, "vendor.erasure.admin@broker.example", "admin");

      let restarted: ReturnType<Trader["startVendorStep"]> | undefined;
      let finished: ReturnType<Trader["finishVendorStep"]> | undefined;
      let webhook: ReturnType<typeof postWebhook> | undefined;
      const answer = await whileCaseHeld(w, kycCase.id, 1, () => admin.erasureRequest(kycCase.id), {
        meanwhile: async (untilWaiting) => {
          restarted = trader.startVendorStep();
          finished = trader.finishVendorStep();
          webhook = postWebhook("sumsub", sumsubWebhook(reviewed));
          await untilWaiting(4, Promise.all([restarted, finished, webhook]));
        },
      });
      expect(answer).toBe("erasure_executed");
      for (const capture of [await restarted, await finished]) {
        expect(capture).toEqual({
          status: 410,
          body: expect.objectContaining({
            code: "GONE",
            reason: "case_erased",
            message: "this verification's data was erased",
          }),
        });
        // The capture screen tells it apart from a failure worth retrying: its own words.
        expect(captureRefusal(capture!.status, capture!.body)).toBe("erased");
      }
      expect(await webhook).toEqual({ status: 200, body: { ok: true, outcome: "case_erased" } });
      const [left] = await sqlRows<{ vendor: number; history: number; audited: number }>(
        w.db.db,
        sql`select
          (select count(*)::int from vendor_verifications where case_id = ${kycCase.id}) as vendor,
          (select count(*)::int from vendor_verification_history where case_id = ${kycCase.id})
            as history,
          (select count(*)::int from audit_events where case_id = ${kycCase.id}
            and action like 'vendor.%'
            and seq > (select max(seq) from audit_events where case_id = ${kycCase.id}
              and action = 'retention.purged')) as audited`,
      );
      expect(left).toEqual({ vendor: 0, history: 0, audited: 0 });
    },
    400_000,
  );
});

describe("scenario: the vendor capture refused for the session", () => {
  /** The capture screen's words for a refused call, as the upload page hands them (English). */
  const labels = vendorStepLabels(
    (key) => en.VendorStep[key],
    (key) => en.Errors[key],
  );
  const shown = (capture: { status: number; body: unknown }) =>
    labels[captureRefusal(capture.status, capture.body)];

  it("tells an earlier sign-in's window to reload and an ended session to start again, not that the check failed", async () => {
    const w = world();
    stubSumsub(ctraderServer, { idPrefix: "session-words-" });
    const a = new Trader(w, 430_401);
    await a.launch("kyc", { kycType: "standard" });
    await a.fillStandardForms();
    await a.windowRef();
    // B opens the verification in the same browser: A's window now sends B's cookie.
    const b = new Trader(w, 430_402);
    await b.launch("kyc", { kycType: "standard" });
    for (const [name, value] of b.cookies) a.cookies.set(name, value);

    for (const capture of [await a.startVendorStep(), await a.finishVendorStep()]) {
      expect(capture).toMatchObject({ status: 409, body: { reason: "other_sign_in" } });
      expect(shown(capture)).toBe(en.Errors.otherSignIn);
    }

    // B's session ends (its close control): B's window is told to start again from the app.
    expect(await b.close()).toBe(204);
    for (const capture of [await b.startVendorStep(), await b.finishVendorStep()]) {
      expect(capture).toMatchObject({ status: 401, body: { reason: "session_expired" } });
      expect(shown(capture)).toBe(en.Errors.sessionExpired);
    }
    expect(en.VendorStep.failed).not.toBe(en.Errors.otherSignIn);
  });
});
