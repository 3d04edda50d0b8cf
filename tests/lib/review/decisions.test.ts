import "../../scenarios/support/request-scope";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { applyCaseTransition, getCaseForTrader } from "@/lib/db/queries/cases";
import { getCaseById } from "@/lib/db/queries/review";
import { auditEvents, caseEvents } from "@/lib/db/schema";
import { loadActionRequest, loadRejection, retryCase } from "@/lib/kyc/submission";
import {
  approveCase,
  assignCaseTo,
  claimCase,
  judgeScreeningHit,
  rejectCase,
  requestMoreInformation,
  takeOverCase,
  type Reviewer,
} from "@/lib/review/decisions";
import { hitSightingShown, loadCaseHits, sightingShown } from "@/lib/review/screening-hits";
import { OFAC_EXCERPT } from "../../scenarios/support/world";
import {
  checksWorld,
  LISTED_PERSON,
  staffAccount,
  submittedCase as submitted,
  type CaseOptions,
} from "../checks/helpers";

const world = checksWorld();
/** Reads for the assertions only. */
const db = () => world().db.db;
let reviewer: Reviewer;
let reviewer2: Reviewer;
let approver: Reviewer;
let approver2: Reviewer;

beforeAll(async () => {
  reviewer = await staffAccount("s1@broker.example", "reviewer");
  reviewer2 = await staffAccount("s2@broker.example", "reviewer");
  approver = await staffAccount("s3@broker.example", "approver");
  approver2 = await staffAccount("s4@broker.example", "approver");
});

/**
 * A case its trader submitted, in review after the worker ran its checks. `fourEyes`: the broker
 * requires two signatures from low risk on (FOUR_EYES_MIN_RISK=low), so this clean case needs
 * them.
 */
async function submittedCase(options: { fourEyes?: boolean } & CaseOptions = {}) {
  world().configure({ FOUR_EYES_MIN_RISK: options.fourEyes ? "low" : "high" });
  const { trader, kycCase, person } = await submitted(options);
  await world().worker();
  return { trader, caseId: kycCase.id, person };
}
const status = async (caseId: string, traderId: string) =>
  (await getCaseForTrader(caseId, traderId))?.status;

/** The case as the officer's page shows it now: what its decision forms send. */
const shownNow = async (caseId: string) => {
  const kycCase = await getCaseById(caseId);
  return kycCase && { eventSeq: kycCase.eventSeq };
};
const approve = async (staff: Reviewer, caseId: string) =>
  approveCase(staff, caseId, await shownNow(caseId));
const reject = async (
  staff: Reviewer,
  caseId: string,
  input: Omit<Parameters<typeof rejectCase>[2], "shown">,
) => rejectCase(staff, caseId, { ...input, shown: await shownNow(caseId) });
const request = async (
  staff: Reviewer,
  caseId: string,
  input: Omit<Parameters<typeof requestMoreInformation>[2], "shown">,
) => requestMoreInformation(staff, caseId, { ...input, shown: await shownNow(caseId) });

describe("review decisions", () => {
  it("a low-risk case is approved by one reviewer, and the decision is audited", async () => {
    const { trader, caseId } = await submittedCase();
    expect(await approve(reviewer, caseId)).toEqual({ status: "approved" });
    expect(await status(caseId, trader.id)).toBe("approved");
    const audit = (await db().select().from(auditEvents)).filter((a) => a.caseId === caseId);
    expect(audit.map((a) => a.action)).toContain("case.approved");
  });

  it("a high-risk case needs a second, different approver to co-sign", async () => {
    const { trader, caseId } = await submittedCase({ fourEyes: true });
    expect(await approve(reviewer, caseId)).toEqual({ status: "awaiting_co_sign" });
    expect(await status(caseId, trader.id)).toBe("in_review");
    await expect(approve(reviewer, caseId)).rejects.toMatchObject({ code: "CONFLICT" });
    // A second reviewer without the approver role cannot co-sign.
    await expect(approve(reviewer2, caseId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await approve(approver, caseId)).toEqual({ status: "approved" });
    expect(await status(caseId, trader.id)).toBe("approved");
  });

  it("the database refuses a high-risk approval that skips the second signature", async () => {
    const { trader, caseId } = await submittedCase({ fourEyes: true });
    await approve(reviewer, caseId);
    const outbox = () => ({ type: "test", payload: {}, destinations: [] });
    const attempt = applyCaseTransition({
      caseId,
      event: "approve",
      from: "in_review",
      to: "approved",
      actorType: "staff",
      actorId: reviewer.id,
      now: new Date(),
      outbox,
    });
    await expect(attempt).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/four-eyes/) },
    });
    const system = applyCaseTransition({
      caseId,
      event: "approve",
      from: "in_review",
      to: "approved",
      actorType: "system",
      actorId: "checks",
      now: new Date(),
      outbox,
    });
    await expect(system).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/four-eyes/) },
    });
    expect(await status(caseId, trader.id)).toBe("in_review");
  });

  it("rejects with a retry reason: the trader restarts with only the named items open", async () => {
    const { trader, caseId, person } = await submittedCase();
    expect(
      await reject(reviewer, caseId, {
        reasonCode: "document_expired",
        internalNote: "expired 2024",
      }),
    ).toEqual({
      kind: "retry",
      retryLimitReached: false,
    });
    const rejected = (await getCaseForTrader(caseId, trader.id))!;
    expect(rejected.closedAt).toBeNull();
    expect(await loadRejection(rejected)).toMatchObject({
      reasonCode: "document_expired",
      kind: "retry",
    });
    // The trader's "Try again".
    expect(await person.retry()).toEqual({ redirect: "/inapp/kyc" });
    const draft = (await getCaseForTrader(caseId, trader.id))!;
    expect(draft.status).toBe("draft");
    expect((await loadActionRequest(draft))?.items).toEqual([
      { kind: "step", step: "identity_document" },
      { kind: "document", documentType: "identity" },
    ]);
  });

  it("rejects with a final reason: the case is closed and cannot be retried", async () => {
    const { trader, caseId } = await submittedCase();
    await reject(reviewer, caseId, { reasonCode: "sanctions_match" });
    const closed = (await getCaseForTrader(caseId, trader.id))!;
    expect(closed.closedAt).not.toBeNull();
    await expect(retryCase(closed, trader.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("refuses unknown reasons, empty requests and decisions on cases not in review", async () => {
    const { caseId } = await submittedCase();
    await expect(reject(reviewer, caseId, { reasonCode: "because" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(request(reviewer, caseId, { items: [], message: "x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      request(reviewer, caseId, {
        items: [{ kind: "step", step: "personal" }],
        message: "  ",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await approve(reviewer, caseId);
    // An approval is taken back only by an approver, and only with a final reason.
    await expect(reject(reviewer, caseId, { reasonCode: "underage" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      reject(approver, caseId, { reasonCode: "document_expired" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", reason: "revoke_needs_final" });
    await expect(approve(reviewer, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("asks for more information with named items and a message the trader sees", async () => {
    const { trader, caseId } = await submittedCase();
    await request(reviewer, caseId, {
      items: [{ kind: "document", documentType: "address" }],
      message: "The bill is from 2019.",
    });
    const c = (await getCaseForTrader(caseId, trader.id))!;
    expect(c.status).toBe("action_required");
    expect((await loadActionRequest(c))?.items).toEqual([
      { kind: "document", documentType: "address" },
    ]);
  });

  it("an approver assigns a case to a reviewer; a reviewer may not assign", async () => {
    const { trader, caseId } = await submittedCase();
    await expect(assignCaseTo(reviewer, caseId, reviewer2.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await assignCaseTo(approver, caseId, reviewer2.id);
    expect((await getCaseForTrader(caseId, trader.id))?.assignedTo).toBe(reviewer2.id);
    await assignCaseTo(approver, caseId, null);
    expect((await getCaseForTrader(caseId, trader.id))?.assignedTo).toBeNull();
  });

  it("only one of two reviewers claiming at once gets the case", async () => {
    const { caseId } = await submittedCase();
    const results = await Promise.allSettled([
      claimCase(reviewer, caseId),
      claimCase(reviewer2, caseId),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("only the holder of a claimed case decides; anyone else takes it over first, audited", async () => {
    const { trader, caseId } = await submittedCase();
    await claimCase(reviewer, caseId);
    const before = await status(caseId, trader.id);
    for (const attempt of [
      () => approve(reviewer2, caseId),
      () => reject(approver, caseId, { reasonCode: "underage" }),
      () =>
        request(reviewer2, caseId, {
          items: [{ kind: "step", step: "personal" }],
          message: "Please check your name.",
        }),
    ])
      await expect(attempt()).rejects.toMatchObject({ code: "CONFLICT", reason: "not_assignee" });
    expect(await status(caseId, trader.id)).toBe(before);

    await takeOverCase(reviewer2, caseId);
    expect((await getCaseForTrader(caseId, trader.id))?.assignedTo).toBe(reviewer2.id);
    const audit = (await db().select().from(auditEvents)).filter(
      (a) => a.caseId === caseId && a.action === "case.taken_over",
    );
    expect(audit).toEqual([
      expect.objectContaining({ actorId: reviewer2.id, data: { from: reviewer.id } }),
    ]);
    // Now the first reviewer is the one who must take it back.
    await expect(approve(reviewer, caseId)).rejects.toMatchObject({ reason: "not_assignee" });
    expect(await approve(reviewer2, caseId)).toEqual({ status: "approved" });
  });

  it("a co-signature needs no take-over: four eyes is a second person by design", async () => {
    const { trader, caseId } = await submittedCase({ fourEyes: true });
    await claimCase(reviewer, caseId);
    expect(await approve(reviewer, caseId)).toEqual({ status: "awaiting_co_sign" });
    await expect(approve(reviewer2, caseId)).rejects.toMatchObject({
      reason: "co_sign_needs_approver",
    });
    expect(await approve(approver, caseId)).toEqual({ status: "approved" });
    expect(await status(caseId, trader.id)).toBe("approved");
  });

  it("refuses a reason about a step or document the case's level never asked for", async () => {
    // A basic case: personal details and an identity document, no proof of address.
    const { trader, caseId } = await submittedCase();
    const before = await status(caseId, trader.id);
    await expect(
      reject(reviewer, caseId, { reasonCode: "address_proof_invalid" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", reason: "reason_not_for_level" });
    expect(await status(caseId, trader.id)).toBe(before);
    expect(await reject(reviewer, caseId, { reasonCode: "document_unreadable" })).toEqual({
      kind: "retry",
      retryLimitReached: false,
    });
  });
});

describe("screening hits", () => {
  beforeAll(async () => {
    await world().importLists([OFAC_EXCERPT]);
  });

  it("records each verdict on a real hit, audited, and refuses a hit the case does not have", async () => {
    const { caseId } = await submittedCase({ personal: LISTED_PERSON });
    const [hit] = await loadCaseHits({ id: caseId, round: 1, status: "in_review" });
    expect(hit).toMatchObject({ level: "likely", state: "open", entryId: "6707" });
    // The sighting as the case page shows it, sent back with each verdict.
    const shown = hitSightingShown.parse(sightingShown(hit!));
    await expect(
      judgeScreeningHit(reviewer, caseId, { hitKey: "ofac:2674", shown, verdict: "confirmed" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", reason: "unknown_hit" });
    // A verdict on a sighting the case does not show (a page read before a stronger one came,
    // or a form that does not say) records nothing.
    for (const stale of [{ ...shown, strength: shown.strength - 0.05 }, undefined])
      await expect(
        judgeScreeningHit(reviewer, caseId, {
          hitKey: hit!.key,
          shown: stale,
          verdict: "false_positive",
          reason: "Born in another decade",
        }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      judgeScreeningHit(reviewer, caseId, { hitKey: hit!.key, shown, verdict: "false_positive" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", reason: "reason_required" });
    expect(
      await judgeScreeningHit(reviewer, caseId, {
        hitKey: hit!.key,
        shown,
        verdict: "false_positive",
        reason: "Born in another decade",
      }),
    ).toEqual({ state: "awaiting_second", monitoringCleared: false });
    // The same person twice is not four eyes; a second reviewer without the approver role neither.
    await expect(
      judgeScreeningHit(reviewer, caseId, {
        hitKey: hit!.key,
        shown,
        verdict: "false_positive",
        reason: "Born in another decade",
      }),
    ).rejects.toMatchObject({ reason: "already_judged" });
    await expect(
      judgeScreeningHit(reviewer2, caseId, {
        hitKey: hit!.key,
        shown,
        verdict: "false_positive",
        reason: "Different person entirely",
      }),
    ).rejects.toMatchObject({ reason: "second_needs_approver" });
    const audit = (await db().select().from(auditEvents)).filter((a) => a.caseId === caseId);
    expect(audit.map((a) => a.action)).toContain("screening.false_positive");
  });
});

describe("four-eyes invariant (property)", () => {
  const staffPool = () => [reviewer, reviewer2, approver, approver2];
  it("over random sequences of approvals, a high-risk case is approved only with two distinct signers, an approver last", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 6 }),
        async (who) => {
          const { trader, caseId } = await submittedCase({ fourEyes: true });
          for (const i of who) {
            await approve(staffPool()[i]!, caseId).catch(() => undefined);
          }
          if ((await status(caseId, trader.id)) !== "approved") return;
          const rows = (await db().execute(
            sql`select staff_id from case_decisions where case_id = ${caseId} and decision = 'approve' order by created_at, id`,
          )) as unknown;
          const signers = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as {
            staff_id: string;
          }[];
          expect(new Set(signers.map((s) => s.staff_id)).size).toBeGreaterThanOrEqual(2);
          const approvedBy = (await db().select().from(caseEvents)).find(
            (e) => e.caseId === caseId && e.toStatus === "approved",
          )?.actorId;
          expect([approver.id, approver2.id]).toContain(approvedBy);
          expect(signers[0]?.staff_id).not.toBe(approvedBy);
        },
      ),
      { numRuns: 25 },
    );
    // 25 traders' submissions and checks: ~90 s alone, more beside other suites (a ceiling).
  }, 300_000);
});
