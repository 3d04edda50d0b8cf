/**
 * Scenario: the vendor's evidence stays with the approval it was given on. A trader approved at
 * standard on Sumsub's clean verdict is asked for enhanced (also verified by Sumsub); the new
 * capture replaces the approved one, whose verdict is kept as an earlier capture; Sumsub declines
 * the new one; the reviewer declines the upgrade; the approved round's verdict is the case's
 * again (the console, the checks' input); the trader's export holds both; Sumsub's later review of
 * its one applicant replaces the verdict in force but not the evidence (kept as an earlier
 * capture); the purge deletes them all.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { POST as relationshipEnd } from "@/app/api/crm/traders/[id]/relationship-end/route";
import { subjectAccessSchema } from "@/lib/retention/subject-access";
import { loadVendorState } from "@/lib/vendors/verification";
import { ENHANCED_OWN_STEPS } from "../fixtures/kyc-values";
import { ctraderServer } from "../helpers/ctrader-stub";
import { sqlRows } from "../helpers/sql-rows";
import { stubSumsub, SUMSUB_SETTINGS, sumsubWebhook } from "../helpers/sumsub-stub";
import { readStoredZip } from "../helpers/zip";
import { signedInStaff, Trader, type Staff } from "./support/people";
import { postVendorWebhook, vendorCheckOn } from "./support/vendors";
import { BROKER, scenarioWorld } from "./support/world";

const CRM_KEY = "crm-api-key-for-the-vendor-rounds-scenario-01";
const world = scenarioWorld({
  VENDOR_LEVELS: JSON.stringify({ standard: { vendor: "sumsub" }, enhanced: { vendor: "sumsub" } }),
  SUMSUB_LEVELS: JSON.stringify({ standard: "basic-kyc-level", enhanced: "enhanced-kyc-level" }),
  ...SUMSUB_SETTINGS,
  CRM_API_KEY: CRM_KEY,
});

type Sumsub = ReturnType<typeof stubSumsub>;

/** Sumsub reviews the applicant (GREEN, or RED for a forgery) and posts its signed webhook. */
async function sumsubReviews(
  sumsub: Sumsub,
  caseId: string,
  answer: "GREEN" | "RED",
  rejectLabels = ["FORGERY"],
) {
  const labels = answer === "RED" ? { rejectLabels } : {};
  sumsub.review = {
    reviewStatus: "completed",
    reviewDate: "2026-12-03 03:00:00+0000",
    reviewResult: { reviewAnswer: answer, ...labels },
  };
  sumsub.steps = {
    IDENTITY: { reviewResult: { reviewAnswer: answer, ...labels } },
    SELFIE: { reviewResult: { reviewAnswer: "GREEN" } },
  };
  return postVendorWebhook(
    "sumsub",
    sumsubWebhook({
      type: "applicantReviewed",
      applicantId: sumsub.applicants[0]!.id,
      externalUserId: caseId,
      reviewStatus: "completed",
      reviewResult: { reviewAnswer: answer },
    }),
  );
}

async function approve(first: Staff, second: Staff, caseId: string): Promise<void> {
  const outcome = await first.approve(caseId);
  if (outcome === "awaiting_co_sign") expect(await second.approve(caseId)).toBe("approved");
  else expect(outcome).toBe("approved");
}

/** The replaced captures the case page lists: round and the vendor's outcome. */
const replacedOn = (page: string) =>
  [
    ...page.matchAll(
      /data-testid="replaced-capture" data-round="(\d+)"[\s\S]*?data-vendor-outcome="(\w+)"/g,
    ),
  ].map((m) => [Number(m[1]), m[2]]);

describe("scenario: a declined upgrade gives the approval back the vendor's verdict it rests on", () => {
  it("keeps the approved capture through the upgrade's new one, restores it on the decline, exports both and purges both", async () => {
    const w = world();
    const sumsub = stubSumsub(ctraderServer, { idPrefix: "rounds-" });
    const trader = new Trader(w, 432_001);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    expect((await trader.startVendorStep()).status).toBe(201);
    expect((await trader.finishVendorStep()).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    expect((await sumsubReviews(sumsub, kycCase.id, "GREEN")).body).toMatchObject({
      outcome: "recorded",
    });
    await w.worker();
    const approver = await signedInStaff(w, "rounds.approver@broker.example", "approver");
    const second = await signedInStaff(w, "rounds.second@broker.example", "approver");
    expect(vendorCheckOn(await approver.casePage(kycCase.id)).vendorOutcome).toBe("approved");
    await approve(approver, second, kycCase.id);
    await w.worker();

    // cTrader asks for enhanced: the trader captures again (Sumsub reuses its applicant), and
    // Sumsub declines the new capture.
    await trader.launch("kyc", { kycType: "enhanced" });
    expect(await trader.status()).toBe("draft");
    for (const [step, values] of ENHANCED_OWN_STEPS)
      expect(await trader.continue(step, values)).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("additional")).status).toBe(200);
    expect((await trader.startVendorStep()).status).toBe(201);
    expect(sumsub.applicants).toHaveLength(1);
    expect((await trader.finishVendorStep()).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    expect((await sumsubReviews(sumsub, kycCase.id, "RED")).body).toMatchObject({
      outcome: "recorded",
    });
    await w.worker();

    // The reviewer sees the upgrade's declined verdict in its checks, and the approved round's
    // clean one kept as the earlier capture.
    const during = await approver.casePage(kycCase.id);
    expect(vendorCheckOn(during).vendorOutcome).toBe("declined");
    expect(replacedOn(during)).toEqual([[1, "approved"]]);

    // The upgrade is declined on the console: standard is in force again, on its own verdict.
    expect(await approver.reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    await w.worker();
    const declined = await trader.currentCase();
    expect([declined.status, declined.level, declined.approvedLevel]).toEqual([
      "approved",
      "standard",
      "standard",
    ]);
    const page = await approver.casePage(kycCase.id);
    const ofApproval =
      /data-testid="vendor-verdict-of-approval"[\s\S]*?data-vendor-outcome="(\w+)"/;
    expect(ofApproval.exec(page)?.[1]).toBe("approved");
    expect(page).not.toContain('data-testid="vendor-verdict-after-checks"');
    expect(replacedOn(page)).toEqual([[2, "declined"]]);
    // What the checks of the approved level read: the verdict the approval rests on.
    const state = await loadVendorState(declined);
    expect([state?.status, state?.verdict?.outcome]).toEqual(["completed", "approved"]);
    expect(
      (
        await sqlRows<{ action: string; data: { restoredVendorReference?: string } }>(
          w.db.db,
          sql`select action, data from audit_events where case_id = ${kycCase.id} and action = 'case.upgrade_declined'`,
        )
      ).map((a) => a.data.restoredVendorReference),
    ).toEqual([sumsub.applicants[0]!.id]);

    // The trader's export holds both captures: the one in force and the declined one.
    const admin = await signedInStaff(w, "rounds.admin@broker.example", "admin");
    const copy = async () => {
      const response = await admin.exportSubjectData(kycCase.traderId);
      expect(response.status).toBe(200);
      const text = readStoredZip(Buffer.from(await response.arrayBuffer()))
        .get("data.json")!
        .toString("utf8");
      return { text, only: subjectAccessSchema.parse(JSON.parse(text)).cases[0]! };
    };
    const { only: exported } = await copy();
    expect(exported!.vendorVerification).toMatchObject({
      round: 1,
      status: "completed",
      verdict: { outcome: "approved" },
    });
    expect(exported!.vendorVerificationHistory).toMatchObject([
      { round: 2, status: "completed", verdict: { outcome: "declined" } },
    ]);

    // Sumsub keeps one applicant per case, now reviewed RED for the upgrade's capture: its
    // redelivered review is read as a verdict on the capture in force (a late verdict holding the
    // approval), and the clean verdict the approval was given on is kept among earlier captures.
    expect(
      (await sumsubReviews(sumsub, kycCase.id, "RED", ["FORGERY", "SELFIE_MISMATCH"])).body,
    ).toMatchObject({ outcome: "recorded" });
    await w.worker();
    const reviewed = await approver.casePage(kycCase.id);
    expect(reviewed).toContain('data-testid="vendor-verdict-task"');
    // Shown as a verdict that came after the decision, no longer as the approval's.
    expect(reviewed).not.toContain('data-testid="vendor-verdict-of-approval"');
    expect(reviewed).toContain('data-testid="vendor-verdict-after-checks"');
    expect(replacedOn(reviewed)).toEqual([
      [2, "declined"],
      [1, "approved"],
    ]);
    expect((await loadVendorState(declined))?.verdict?.outcome).toBe("declined");
    // While the hold is open, the trader's copy leaves out the late verdict, its task and the
    // alert; the captures from before it are there.
    const held = await copy();
    // (FORGERY alone was the declined upgrade's verdict, before the hold: that one is hers.)
    expect(held.text).not.toContain("SELFIE_MISMATCH");
    expect(held.only.reviewTasks.map((t) => t.kind)).not.toContain("vendor_verdict");
    expect(held.only.notifications.map((n) => n.type)).not.toContain("case.vendor_alert");
    expect(held.only.vendorVerification).toBeNull();
    expect(held.only.vendorVerificationHistory).toMatchObject([
      { round: 2, status: "completed", verdict: { outcome: "declined" } },
    ]);
    // The approver looks and keeps the approval: the hold lifts, nothing is left to decide.
    expect(
      await approver.keepApproval(
        kycCase.id,
        "Forgery flag is about the declined upgrade's capture.",
      ),
    ).toBe("approval_kept");
    await w.worker();
    // Settled: the verdict, the task and the alert are in her copy like any other record.
    const settled = await copy();
    expect(settled.text).toContain("SELFIE_MISMATCH");
    expect(settled.only.reviewTasks).toContainEqual(
      expect.objectContaining({ kind: "vendor_verdict", resolution: "kept" }),
    );
    expect(settled.only.notifications.map((n) => n.type)).toContain("case.vendor_alert");
    expect(settled.only.vendorVerification).not.toBeNull();

    // The relationship ends and the retention runs out: the purge deletes every capture.
    const ended = await relationshipEnd(
      new Request(`${BROKER}/api/crm/traders/${trader.userId}/relationship-end`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${CRM_KEY}` },
        body: JSON.stringify({ endedAt: new Date(Date.now() - 3_600_000).toISOString() }),
      }),
      { params: Promise.resolve({ id: String(trader.userId) }) },
    );
    expect(ended.status).toBe(200);
    const { erasableFrom } = (await ended.json()) as { erasableFrom: string };
    const captures = async () =>
      sqlRows<{ n: number }>(
        w.db.db,
        sql`select (select count(*)::int from vendor_verifications where case_id = ${kycCase.id})
          + (select count(*)::int from vendor_verification_history where case_id = ${kycCase.id}) as n`,
      );
    expect(await captures()).toEqual([{ n: 3 }]);
    await w.worker(new Date(erasableFrom));
    expect(await captures()).toEqual([{ n: 0 }]);
    // A late webhook about the erased case names nothing of ours.
    expect((await sumsubReviews(sumsub, kycCase.id, "RED")).body).toMatchObject({
      outcome: "unknown_reference",
    });
  });
});
