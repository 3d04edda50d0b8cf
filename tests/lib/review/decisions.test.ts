import fc from "fast-check";
import { sql } from "drizzle-orm";
import { applyCaseTransition, ensureOpenCase, getCaseForTrader } from "@/lib/db/queries/cases";
import { insertStaffUser } from "@/lib/db/queries/staff";
import { upsertTrader } from "@/lib/db/queries/traders";
import { auditEvents, caseEvents } from "@/lib/db/schema";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { loadActionRequest, loadRejection, retryCase } from "@/lib/kyc/submission";
import {
  applyRiskLevel,
  approveCase,
  assignCaseTo,
  claimCase,
  judgeScreeningHit,
  rejectCase,
  requestMoreInformation,
  type Reviewer,
} from "@/lib/review/decisions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
let reviewer: Reviewer;
let reviewer2: Reviewer;
let approver: Reviewer;
let approver2: Reviewer;

beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
  const make = async (role: Reviewer["role"], n: number) => {
    const s = await insertStaffUser({
      email: `s${n}@broker.example`,
      displayName: `S${n}`,
      role,
      passwordHash: "scrypt$15$8$1$AA==$AA==",
    });
    return { id: s.id, role: s.role };
  };
  reviewer = await make("reviewer", 1);
  reviewer2 = await make("reviewer", 2);
  approver = await make("approver", 3);
  approver2 = await make("approver", 4);
});
afterAll(() => t.close());

let nextUser = 51_000;
/** A case as the trader left it: submitted (completeness is another test's business). */
async function submittedCase(risk?: "low" | "medium" | "high") {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, email: null, tradingLogin: null },
    "en",
  );
  const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
  await changeCaseStatus({ kycCase, event: "submit", actor: { type: "trader", id: trader.id } });
  if (risk) await applyRiskLevel(kycCase.id, risk);
  return { trader, caseId: kycCase.id };
}
const status = async (caseId: string, traderId: string) =>
  (await getCaseForTrader(caseId, traderId))?.status;

describe("review decisions", () => {
  it("a low-risk case is approved by one reviewer, and the decision is audited", async () => {
    const { trader, caseId } = await submittedCase("low");
    expect(await approveCase(reviewer, caseId)).toEqual({ status: "approved" });
    expect(await status(caseId, trader.id)).toBe("approved");
    const audit = (await t.db.select().from(auditEvents)).filter((a) => a.caseId === caseId);
    expect(audit.map((a) => a.action)).toContain("case.approved");
  });

  it("a high-risk case needs a second, different approver to co-sign", async () => {
    const { trader, caseId } = await submittedCase("high");
    expect(await approveCase(reviewer, caseId)).toEqual({ status: "awaiting_co_sign" });
    expect(await status(caseId, trader.id)).toBe("in_review");
    await expect(approveCase(reviewer, caseId)).rejects.toMatchObject({ code: "CONFLICT" });
    // A second reviewer without the approver role cannot co-sign.
    await expect(approveCase(reviewer2, caseId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await approveCase(approver, caseId)).toEqual({ status: "approved" });
    expect(await status(caseId, trader.id)).toBe("approved");
  });

  it("the database refuses a high-risk approval that skips the second signature", async () => {
    const { trader, caseId } = await submittedCase("high");
    await approveCase(reviewer, caseId);
    const attempt = applyCaseTransition({
      caseId,
      event: "approve",
      from: "in_review",
      to: "approved",
      actorType: "staff",
      actorId: reviewer.id,
      now: new Date(),
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
    });
    await expect(system).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/four-eyes/) },
    });
    expect(await status(caseId, trader.id)).toBe("in_review");
  });

  it("rejects with a retry reason: the trader restarts with only the named items open", async () => {
    const { trader, caseId } = await submittedCase();
    expect(
      await rejectCase(reviewer, caseId, {
        reasonCode: "document_expired",
        internalNote: "expired 2024",
      }),
    ).toEqual({
      kind: "retry",
    });
    const rejected = (await getCaseForTrader(caseId, trader.id))!;
    expect(rejected.closedAt).toBeNull();
    expect(await loadRejection(rejected)).toMatchObject({
      reasonCode: "document_expired",
      kind: "retry",
    });
    await retryCase(rejected, trader.id);
    const draft = (await getCaseForTrader(caseId, trader.id))!;
    expect(draft.status).toBe("draft");
    expect((await loadActionRequest(draft))?.items).toEqual([
      { kind: "step", step: "identity_document" },
      { kind: "document", documentType: "identity" },
    ]);
  });

  it("rejects with a final reason: the case is closed and cannot be retried", async () => {
    const { trader, caseId } = await submittedCase();
    await rejectCase(reviewer, caseId, { reasonCode: "sanctions_match" });
    const closed = (await getCaseForTrader(caseId, trader.id))!;
    expect(closed.closedAt).not.toBeNull();
    await expect(retryCase(closed, trader.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("refuses unknown reasons, empty requests and decisions on cases not in review", async () => {
    const { caseId } = await submittedCase();
    await expect(rejectCase(reviewer, caseId, { reasonCode: "because" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      requestMoreInformation(reviewer, caseId, { items: [], message: "x" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      requestMoreInformation(reviewer, caseId, {
        items: [{ kind: "step", step: "personal" }],
        message: "  ",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await approveCase(reviewer, caseId);
    await expect(rejectCase(reviewer, caseId, { reasonCode: "underage" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(
      approveCase(reviewer, "00000000-0000-4000-8000-000000000000"),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("asks for more information with named items and a message the trader sees", async () => {
    const { trader, caseId } = await submittedCase();
    await requestMoreInformation(reviewer, caseId, {
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
});

describe("screening hits", () => {
  it("records a reviewer's verdict on a hit, audited, and refuses forged entry ids", async () => {
    const { caseId } = await submittedCase();
    await judgeScreeningHit(reviewer, caseId, { entryId: "ofac:2674", verdict: "false_positive" });
    const rows = (await t.db.execute(
      sql`select decision, data from case_decisions where case_id = ${caseId}`,
    )) as unknown;
    const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as {
      decision: string;
      data: { entryId: string };
    }[];
    expect(list).toEqual([
      { decision: "screening_false_positive", data: { entryId: "ofac:2674" } },
    ]);
    await expect(
      judgeScreeningHit(reviewer, caseId, { entryId: "<script>", verdict: "confirmed" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const audit = (await t.db.select().from(auditEvents)).filter((a) => a.caseId === caseId);
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
          const { trader, caseId } = await submittedCase("high");
          for (const i of who) {
            await approveCase(staffPool()[i]!, caseId).catch(() => undefined);
          }
          if ((await status(caseId, trader.id)) !== "approved") return;
          const rows = (await t.db.execute(
            sql`select staff_id from case_decisions where case_id = ${caseId} and decision = 'approve' order by created_at, id`,
          )) as unknown;
          const signers = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as {
            staff_id: string;
          }[];
          expect(new Set(signers.map((s) => s.staff_id)).size).toBeGreaterThanOrEqual(2);
          const approvedBy = (await t.db.select().from(caseEvents)).find(
            (e) => e.caseId === caseId && e.toStatus === "approved",
          )?.actorId;
          expect([approver.id, approver2.id]).toContain(approvedBy);
          expect(signers[0]?.staff_id).not.toBe(approvedBy);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
