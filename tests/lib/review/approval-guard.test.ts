/**
 * The database's own guard on approvals (migrations 0012, 0022, 0037), tried with the application's
 * checks bypassed: a status change to `approved` written straight through the transition query is
 * refused without a check run of the current round, with a confirmed screening hit, with a likely
 * hit cleared by fewer than two people, and on screening against lists replaced since.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyCaseTransition } from "@/lib/db/queries/cases";
import { insertStaffUser } from "@/lib/db/queries/staff";
import { rescreenTraders } from "@/lib/checks/rescreen";
import { runCaseChecks } from "@/lib/checks/run";
import { judgeScreeningHit, type Reviewer } from "@/lib/review/decisions";
import { importListFiles } from "@/lib/screening/import";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";
import { LISTED_PERSON, submittedCase } from "../checks/helpers";

let t: TestDb;
let reviewer: Reviewer;
let approver: Reviewer;
beforeAll(async () => {
  setTestEnv({ FOUR_EYES_MIN_RISK: "high" });
  t = await createTestDb();
  await importListFiles([path.join(__dirname, "../../fixtures/sanctions/ofac-sdn-excerpt.csv")]);
  const make = async (role: Reviewer["role"], n: number) => {
    const s = await insertStaffUser({
      email: `guard${n}@broker.example`,
      displayName: `G${n}`,
      role,
      passwordHash: "scrypt$15$8$1$AA==$AA==",
    });
    return { id: s.id, role: s.role };
  };
  reviewer = await make("reviewer", 1);
  approver = await make("approver", 2);
});
afterAll(() => t.close());

/** An approval written by the transition query alone, as a bug or a forged path would. */
function forceApproval(caseId: string, actorId: string) {
  return applyCaseTransition({
    caseId,
    event: "approve",
    from: "in_review",
    to: "approved",
    actorType: "staff",
    actorId,
    now: new Date(),
    outbox: () => ({ type: "test", payload: {}, destinations: [] }),
  });
}

let number = 1;
const passport = () => ({ documentNumber: `GD${number++}X` });

describe("the database refuses an approval", () => {
  it("without a check run of the current round", async () => {
    const { kycCase } = await submittedCase(t, { identity: passport() });
    await applyCaseTransition({
      caseId: kycCase.id,
      event: "start_review",
      from: "submitted",
      to: "in_review",
      actorType: "staff",
      actorId: reviewer.id,
      now: new Date(),
      outbox: () => ({ type: "test", payload: {}, destinations: [] }),
    });
    await expect(forceApproval(kycCase.id, reviewer.id)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("checks of this submission have not run") },
    });
  });

  it("with a confirmed screening hit, whoever signs", async () => {
    const { kycCase } = await submittedCase(t, { personal: LISTED_PERSON, identity: passport() });
    await runCaseChecks(kycCase.id);
    await judgeScreeningHit(reviewer, kycCase.id, {
      hitKey: "ofac-sdn-excerpt:6707",
      verdict: "confirmed",
    });
    await expect(forceApproval(kycCase.id, reviewer.id)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/confirmed as a match|four-eyes/) },
    });
  });

  it("with a likely hit cleared by one person only, and accepts it once two did", async () => {
    setTestEnv({ FOUR_EYES_MIN_RISK: "high" });
    const { kycCase } = await submittedCase(t, { personal: LISTED_PERSON, identity: passport() });
    await runCaseChecks(kycCase.id);
    const hitKey = "ofac-sdn-excerpt:6707";
    await judgeScreeningHit(reviewer, kycCase.id, {
      hitKey,
      verdict: "false_positive",
      reason: "Different person, other DOB",
    });
    // The escalated case also needs four eyes: two signatures are in place.
    const { insertSignature } = await import("@/lib/db/queries/review");
    for (const staff of [reviewer, approver])
      await insertSignature({
        caseId: kycCase.id,
        staffId: staff.id,
        now: new Date(),
        audit: { actorType: "staff", actorId: staff.id, action: "test.signed", caseId: kycCase.id },
      });
    await expect(forceApproval(kycCase.id, approver.id)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("is not cleared by two people") },
    });
    await judgeScreeningHit(approver, kycCase.id, {
      hitKey,
      verdict: "false_positive",
      reason: "Checked the passport myself",
    });
    await expect(forceApproval(kycCase.id, approver.id)).resolves.toMatchObject({
      moved: expect.objectContaining({ status: "approved" }),
    });
  });

  it("on screening against lists replaced since its checks, and accepts it once re-screened", async () => {
    const { kycCase } = await submittedCase(t, { identity: passport() });
    await runCaseChecks(kycCase.id);
    const dir = mkdtempSync(path.join(tmpdir(), "guard-lists-"));
    try {
      const extra = path.join(dir, "guard-extra.csv");
      writeFileSync(extra, "name,aliases,dob,country\nNadia Testerova,,1970-01-01,Malta\n");
      await importListFiles([extra]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(forceApproval(kycCase.id, reviewer.id)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("not screened against the lists in force") },
    });
    expect((await rescreenTraders()).screened).toBeGreaterThanOrEqual(1);
    await expect(forceApproval(kycCase.id, reviewer.id)).resolves.toMatchObject({
      moved: expect.objectContaining({ status: "approved" }),
    });
  });
});
