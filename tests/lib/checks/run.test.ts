/**
 * runCaseChecks on a real database: results stored with their evidence, the route applied
 * through the case state machine, escalation of a listed person, duplicates across traders,
 * documents analysed from their stored files, and atomic storage. Each case is a trader's own
 * submission (./helpers.ts); the checks are run here, as the worker would.
 */
import "../../scenarios/support/request-scope";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import { runCaseChecks, runPendingCaseChecks } from "@/lib/checks/run";
import {
  getCaseById,
  getCaseRisk,
  getCheckFailure,
  getLatestCheckRun,
} from "@/lib/db/queries/checks";
import {
  auditEvents,
  caseChecks,
  caseEvents,
  checkRuns,
  documents,
  identityFingerprints,
} from "@/lib/db/schema";
import { resetScreeningIndex } from "@/lib/screening/store";
import * as fx from "../../fixtures/documents/make-fixtures";
import { freshPhoto, Trader } from "../../scenarios/support/people";
import { OFAC_EXCERPT } from "../../scenarios/support/world";
import { checksWorld, LISTED_PERSON, submittedCase } from "./helpers";

const world = checksWorld();
/** Reads for the assertions, and the fault injection below. */
const db = () => world().db.db;
beforeAll(async () => {
  resetScreeningIndex();
  await world().importLists([OFAC_EXCERPT]);
});
afterEach(() => world().configure({ AUTO_APPROVE: undefined, MIN_AGE: undefined }));

describe("a clean case", () => {
  it("lands in the review queue with every result stored when auto-approval is off", async () => {
    const { kycCase } = await submittedCase();
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
    const events = await db().select().from(caseEvents).where(eq(caseEvents.caseId, kycCase.id));
    expect(events.at(-1)).toMatchObject({
      event: "start_review",
      actorType: "system",
      actorId: "checks",
      toStatus: "in_review",
    });
  });

  it("is approved automatically when the broker enabled auto-approval", async () => {
    world().configure({ AUTO_APPROVE: "1" });
    const { kycCase } = await submittedCase({ identity: { documentNumber: "AUTO00001" } });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome).toMatchObject({ route: "auto_approve", status: "approved" });
    expect((await getCaseById(kycCase.id))?.status).toBe("approved");
    const events = await db().select().from(caseEvents).where(eq(caseEvents.caseId, kycCase.id));
    expect(events.map((e) => e.event)).toEqual(["submit", "start_review", "approve"]);
  });

  it("is not auto-approved with a quality warning", async () => {
    world().configure({ AUTO_APPROVE: "1" });
    const { kycCase } = await submittedCase({
      identity: { documentNumber: "AUTO00002" },
      photo: await fx.blurredDocument(43),
    });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome).toMatchObject({ route: "review", status: "in_review" });
    // The blur is the only finding.
    expect(outcome.results.filter((r) => r.outcome !== "pass")).toEqual([
      expect.objectContaining({ check: "upload_quality", outcome: "warn" }),
    ]);
  });
});

describe("a listed person", () => {
  it("is escalated, never auto-approved, with the hit's explanation stored", async () => {
    world().configure({ AUTO_APPROVE: "1" });
    const { kycCase } = await submittedCase({
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
    const first = await submittedCase({ identity: { documentNumber: "DUP-4455-66" } });
    const second = await submittedCase({ identity: { documentNumber: "dup445566" } });
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
    const rows = await db()
      .select()
      .from(identityFingerprints)
      .where(eq(identityFingerprints.caseId, second.kycCase.id));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/445566/i);
  });

  it("catches the duplicate even when both traders are checked at the same moment", async () => {
    const cases = [
      await submittedCase({ identity: { documentNumber: "RACE77881" } }),
      await submittedCase({ identity: { documentNumber: "RACE77881" } }),
    ];
    const outcomes = await Promise.all(cases.map((c) => runCaseChecks(c.kycCase.id)));
    const verdicts = outcomes
      .map((o) => o.results.find((r) => r.check === "duplicate_document_number")?.outcome)
      .sort();
    expect(verdicts).toEqual(["fail", "pass"]);
  });

  it("does not count the case's own fingerprint as a duplicate, and checks a round once", async () => {
    const { kycCase } = await submittedCase({ identity: { documentNumber: "SELF12345" } });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome.results.find((r) => r.check === "duplicate_document_number")?.outcome).toBe(
      "pass",
    );
    await expect(runCaseChecks(kycCase.id)).rejects.toMatchObject({
      code: "CONFLICT",
      reason: "checks_done",
    });
    expect(
      await db().select().from(checkRuns).where(eq(checkRuns.caseId, kycCase.id)),
    ).toHaveLength(1);
  });

  it("fails a case whose uploaded image another trader already used", async () => {
    const photo = await freshPhoto();
    const other = await submittedCase({ identity: { documentNumber: "IMG123455" }, photo });
    await runCaseChecks(other.kycCase.id);
    const { kycCase } = await submittedCase({ identity: { documentNumber: "IMG123456" }, photo });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome.results.find((r) => r.check === "duplicate_image")).toMatchObject({
      outcome: "fail",
      evidence: { reused: [{ usedBy: [{ caseId: other.kycCase.id, exact: true }] }] },
    });
  });
});

describe("documents uploaded without scores", () => {
  it("are scored from the stored file: a blurry photo warns, and the reviewer's row carries the scores", async () => {
    const { kycCase } = await submittedCase({
      identity: { documentNumber: "BLUR12345" },
      photo: await fx.blurredDocument(41),
    });
    const outcome = await runCaseChecks(kycCase.id);
    const [row] = await db().select().from(documents).where(eq(documents.caseId, kycCase.id));
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
    const first = await submittedCase({ identity: { documentNumber: "PIC000001" }, photo });
    const second = await submittedCase({
      identity: { documentNumber: "PIC000002" },
      photo: await sharp(photo).jpeg({ quality: 70 }).toBuffer(),
    });
    const a = await runCaseChecks(first.kycCase.id);
    const b = await runCaseChecks(second.kycCase.id);
    const [original] = await db()
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
    const { kycCase } = await submittedCase({ identity: { documentNumber: "ATOM12345" } });
    // The last write of the transaction (case_risk) fails after fingerprints, run and results.
    await db().execute(sql`
      create function refuse_risk() returns trigger language plpgsql as
      $$ begin raise exception 'refused for the test'; end $$`);
    await db().execute(sql`
      create trigger refuse_risk before insert on case_risk
      for each row execute function refuse_risk()`);
    try {
      await expect(runCaseChecks(kycCase.id)).rejects.toThrow();
    } finally {
      await db().execute(sql`drop trigger refuse_risk on case_risk`);
      await db().execute(sql`drop function refuse_risk()`);
    }
    const count = async (
      table: typeof checkRuns | typeof caseChecks | typeof identityFingerprints,
    ) => (await db().select().from(table).where(eq(table.caseId, kycCase.id))).length;
    expect(await count(checkRuns)).toBe(0);
    expect(await count(caseChecks)).toBe(0);
    expect(await count(identityFingerprints)).toBe(0);
    const audit = await db().select().from(auditEvents).where(eq(auditEvents.caseId, kycCase.id));
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
    // The draft cTrader's launch opened, never submitted.
    const trader = new Trader(world(), 990_001);
    await trader.launch("kyc", { kycType: "basic" });
    const draft = await trader.currentCase();
    await expect(runCaseChecks(draft.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(runCaseChecks(crypto.randomUUID())).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await db().select().from(checkRuns).where(eq(checkRuns.caseId, draft.id))).length).toBe(
      0,
    );
  });

  it("uses the configured minimum age", async () => {
    world().configure({ MIN_AGE: "50" });
    const { kycCase } = await submittedCase({ identity: { documentNumber: "AGE123456" } });
    const outcome = await runCaseChecks(kycCase.id);
    expect(outcome.results.find((r) => r.check === "age")).toMatchObject({
      outcome: "fail",
      evidence: { minAge: 50 },
    });
    expect(outcome.level).toBe("high");
  });
});
