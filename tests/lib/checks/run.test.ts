/**
 * runCaseChecks on a real database: results stored with their evidence, the route applied
 * through the case state machine, escalation of a listed person, duplicates across traders,
 * documents analysed from their stored files, and atomic storage.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import { runCaseChecks, runPendingCaseChecks } from "@/lib/checks/run";
import {
  getCaseById,
  getCaseRisk,
  getCheckFailure,
  getLatestCheckRun,
} from "@/lib/db/queries/checks";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import {
  auditEvents,
  caseChecks,
  caseEvents,
  checkRuns,
  documents,
  identityFingerprints,
} from "@/lib/db/schema";
import { importListFiles } from "@/lib/screening/import";
import { resetScreeningIndex } from "@/lib/screening/store";
import * as fx from "../../fixtures/documents/make-fixtures";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";
import { LISTED_PERSON, submittedCase } from "./helpers";

const EXCERPT = path.join(__dirname, "../../fixtures/sanctions/ofac-sdn-excerpt.csv");

let t: TestDb;
const dataDir = mkdtempSync(path.join(tmpdir(), "kyc-checks-"));
beforeAll(async () => {
  setTestEnv({ DATA_DIR: dataDir });
  t = await createTestDb();
  resetScreeningIndex();
  await importListFiles([EXCERPT]);
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => setTestEnv({ AUTO_APPROVE: undefined, MIN_AGE: undefined }));

describe("a clean case", () => {
  it("lands in the review queue with every result stored when auto-approval is off", async () => {
    const { kycCase } = await submittedCase(t);
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome).toMatchObject({ level: "low", route: "review", status: "in_review" });
    expect(outcome.results.every((r) => r.outcome === "pass")).toBe(true);

    const stored = await getLatestCheckRun(kycCase.id);
    expect(stored?.run).toMatchObject({
      reason: "submission",
      route: "review",
      listVersions: { "ofac-sdn-excerpt": expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(stored?.results.map((r) => r.check)).toEqual([
      "age",
      "document_expiry",
      "document_country",
      "upload_quality",
      "duplicate_document_number",
      "duplicate_image",
      "screening",
    ]);
    expect(await getCaseRisk(kycCase.id)).toMatchObject({
      runId: outcome.runId,
      level: "low",
      route: "review",
      escalated: false,
    });
    const events = await t.db.select().from(caseEvents).where(eq(caseEvents.caseId, kycCase.id));
    expect(events.at(-1)).toMatchObject({
      event: "start_review",
      actorType: "system",
      actorId: "checks",
      toStatus: "in_review",
    });
  });

  it("is approved automatically when the broker enabled auto-approval", async () => {
    setTestEnv({ AUTO_APPROVE: "1" });
    const { kycCase } = await submittedCase(t, { identity: { documentNumber: "AUTO00001" } });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome).toMatchObject({ route: "auto_approve", status: "approved" });
    expect((await getCaseById(kycCase.id))?.status).toBe("approved");
    const events = await t.db.select().from(caseEvents).where(eq(caseEvents.caseId, kycCase.id));
    expect(events.map((e) => e.event)).toEqual(["submit", "start_review", "approve"]);
  });

  it("is not auto-approved with a quality warning", async () => {
    setTestEnv({ AUTO_APPROVE: "1" });
    const { kycCase } = await submittedCase(t, {
      identity: { documentNumber: "AUTO00002" },
      quality: { issues: ["blurry"], usedByOtherTraders: [] },
    });
    expect(await runCaseChecks(kycCase.id)).toMatchObject({ route: "review", status: "in_review" });
  });
});

describe("a listed person", () => {
  it("is escalated, never auto-approved, with the hit's explanation stored", async () => {
    setTestEnv({ AUTO_APPROVE: "1" });
    const { kycCase } = await submittedCase(t, {
      personal: LISTED_PERSON,
      identity: { documentNumber: "MX0000001", issuingCountry: "MX" },
    });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome).toMatchObject({
      level: "high",
      route: "escalate",
      escalated: true,
      status: "in_review",
    });
    const stored = await getLatestCheckRun(kycCase.id);
    const screening = stored?.results.find((r) => r.check === "screening");
    expect(screening).toMatchObject({
      outcome: "fail",
      evidence: {
        hits: [
          expect.objectContaining({
            entryId: "6707",
            listedName: "Rafael CARO QUINTERO",
            level: "likely",
            programs: ["SDNTK"],
            explanation: expect.objectContaining({
              matchedName: "Rafael CARO QUINTERO",
              pairs: expect.arrayContaining([
                expect.objectContaining({ query: "quintero", listed: "quintero", score: 1 }),
              ]),
              dateOfBirth: expect.objectContaining({ result: "exact" }),
            }),
          }),
        ],
      },
    });
    expect(await getCaseRisk(kycCase.id)).toMatchObject({ escalated: true, level: "high" });
  });
});

describe("duplicates across traders", () => {
  it("fails the second trader who submits the same document number, typed differently", async () => {
    const first = await submittedCase(t, { identity: { documentNumber: "DUP-4455-66" } });
    const second = await submittedCase(t, { identity: { documentNumber: "dup445566" } });
    const a = await runCaseChecks(first.kycCase.id);
    const b = await runCaseChecks(second.kycCase.id);
    const duplicate = (o: typeof a) =>
      o.results.find((r) => r.check === "duplicate_document_number");
    expect(duplicate(a)?.outcome).toBe("pass");
    expect(duplicate(b)).toMatchObject({
      outcome: "fail",
      evidence: { otherTraders: [first.trader.id], otherCases: [first.kycCase.id] },
    });
    expect(b.route).toBe("review");
    expect(b.level).toBe("high");
    // Only keyed hashes are stored, never the number.
    const rows = await t.db
      .select()
      .from(identityFingerprints)
      .where(eq(identityFingerprints.caseId, second.kycCase.id));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/445566/i);
  });

  it("catches the duplicate even when both traders are checked at the same moment", async () => {
    const cases = await Promise.all([
      submittedCase(t, { identity: { documentNumber: "RACE77881" } }),
      submittedCase(t, { identity: { documentNumber: "RACE77881" } }),
    ]);
    const outcomes = await Promise.all(cases.map((c) => runCaseChecks(c.kycCase.id)));
    const verdicts = outcomes
      .map((o) => o.results.find((r) => r.check === "duplicate_document_number")?.outcome)
      .sort();
    expect(verdicts).toEqual(["fail", "pass"]);
  });

  it("does not count the same trader's earlier case as a duplicate", async () => {
    const { kycCase } = await submittedCase(t, { identity: { documentNumber: "SELF12345" } });
    await runCaseChecks(kycCase.id);
    const again = await runCaseChecks(kycCase.id);
    expect(again.results.find((r) => r.check === "duplicate_document_number")?.outcome).toBe(
      "pass",
    );
  });

  it("fails a case whose uploaded image another trader already used", async () => {
    const { kycCase } = await submittedCase(t, {
      identity: { documentNumber: "IMG123456" },
      quality: {
        issues: [],
        usedByOtherTraders: [
          { documentId: crypto.randomUUID(), caseId: crypto.randomUUID(), exact: true },
        ],
      },
    });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome.results.find((r) => r.check === "duplicate_image")?.outcome).toBe("fail");
  });
});

describe("documents uploaded without scores", () => {
  it("are scored from the stored file: a blurry photo warns, and the reviewer's row carries the scores", async () => {
    const { kycCase } = await submittedCase(t, {
      identity: { documentNumber: "BLUR12345" },
      photo: await fx.blurredDocument(41),
    });
    const outcome = await runCaseChecks(kycCase.id);
    const [row] = await t.db.select().from(documents).where(eq(documents.caseId, kycCase.id));
    expect(outcome.results.find((r) => r.check === "upload_quality")).toMatchObject({
      outcome: "warn",
      evidence: {
        documents: 1,
        issues: 1,
        flagged: [
          { documentId: row!.id, documentType: "identity", side: "page", issues: ["blurry"] },
        ],
      },
    });
    expect(row!.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(row!.quality).toMatchObject({
      width: 2000,
      height: 1400,
      blur: expect.any(Number),
      brightness: expect.any(Number),
      glare: expect.any(Number),
      issues: ["blurry"],
    });
  });

  it("fail duplicate_image for the trader whose photo is another trader's, re-encoded", async () => {
    const photo = await fx.sharpDocument({ seed: 42 });
    const first = await submittedCase(t, { identity: { documentNumber: "PIC000001" }, photo });
    const second = await submittedCase(t, {
      identity: { documentNumber: "PIC000002" },
      photo: await sharp(photo).jpeg({ quality: 70 }).toBuffer(),
    });
    const a = await runCaseChecks(first.kycCase.id);
    const b = await runCaseChecks(second.kycCase.id);
    const [original] = await t.db
      .select()
      .from(documents)
      .where(eq(documents.caseId, first.kycCase.id));
    expect(a.results.find((r) => r.check === "duplicate_image")?.outcome).toBe("pass");
    expect(b.results.find((r) => r.check === "duplicate_image")).toMatchObject({
      outcome: "fail",
      evidence: {
        reused: [
          {
            documentType: "identity",
            side: "page",
            usedBy: [{ documentId: original!.id, caseId: first.kycCase.id, exact: false }],
          },
        ],
      },
    });
  });
});

describe("storage", () => {
  it("stores nothing when the run fails mid-way, and leaves the case submitted", async () => {
    const { kycCase } = await submittedCase(t, { identity: { documentNumber: "ATOM12345" } });
    // The last write of the transaction (case_risk) fails after fingerprints, run and results.
    await t.db.execute(sql`
      create function refuse_risk() returns trigger language plpgsql as
      $$ begin raise exception 'refused for the test'; end $$`);
    await t.db.execute(sql`
      create trigger refuse_risk before insert on case_risk
      for each row execute function refuse_risk()`);
    try {
      await expect(runCaseChecks(kycCase.id)).rejects.toThrow();
    } finally {
      await t.db.execute(sql`drop trigger refuse_risk on case_risk`);
      await t.db.execute(sql`drop function refuse_risk()`);
    }
    const count = async (
      table: typeof checkRuns | typeof caseChecks | typeof identityFingerprints,
    ) => (await t.db.select().from(table).where(eq(table.caseId, kycCase.id))).length;
    expect(await count(checkRuns)).toBe(0);
    expect(await count(caseChecks)).toBe(0);
    expect(await count(identityFingerprints)).toBe(0);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.caseId, kycCase.id));
    expect(audit.map((a) => a.action)).not.toContain("checks.completed");
    // The failure is recorded for the console and the sweep's back-off.
    expect(audit.map((a) => a.action)).toContain("checks.failed");
    expect(await getCheckFailure(kycCase.id)).toMatchObject({ round: 1, attempts: 1 });
    expect((await getCaseById(kycCase.id))?.status).toBe("submitted");

    // The worker's sweep leaves it alone while it backs off, then picks it up again.
    expect(await runPendingCaseChecks(50, new Date())).toBe(0);
    expect((await getCaseById(kycCase.id))?.status).toBe("submitted");
    await runPendingCaseChecks(50, new Date(Date.now() + 31_000));
    expect((await getCaseById(kycCase.id))?.status).toBe("in_review");
    expect(await count(checkRuns)).toBe(1);
    expect(await getCheckFailure(kycCase.id)).toBeUndefined();
  });

  it("refuses to check a case that was never submitted, or does not exist", async () => {
    const trader = await upsertTrader({ ctraderUserId: 990_001, email: null }, "en");
    const draft = await ensureOpenCase(trader.id, "basic", "manual");
    await expect(runCaseChecks(draft.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(runCaseChecks(crypto.randomUUID())).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await t.db.select().from(checkRuns).where(eq(checkRuns.caseId, draft.id))).length).toBe(
      0,
    );
  });

  it("uses the configured minimum age", async () => {
    setTestEnv({ MIN_AGE: "50" });
    const { kycCase } = await submittedCase(t, { identity: { documentNumber: "AGE123456" } });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome.results.find((r) => r.check === "age")).toMatchObject({
      outcome: "fail",
      evidence: { minAge: 50 },
    });
    expect(outcome.level).toBe("high");
  });
});
