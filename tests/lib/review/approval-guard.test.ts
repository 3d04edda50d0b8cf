/**
 * The database's own guard on approvals (migrations 0012, 0022, 0037, 0044, 0047, 0048, 0054,
 * 0058), tried with the application's checks bypassed: a status change to `approved` written
 * straight through the transition query is refused without a check run of the current round,
 * with a confirmed screening hit, with a likely hit cleared by fewer than two people (one
 * person's clearings as a reviewer and, promoted, as an approver are one person's), by no
 * approver, or only on weaker evidence than the round's, with a likely hit of an earlier round
 * nobody cleared, on screening against lists replaced since, with a signature given before the
 * case was taken back into review from the trader, co-signed by someone who is not an active
 * approver, or on a signature of an account disabled since. Each case is its trader's
 * submission, checked by the worker and judged in the console; only the approval (and, where the
 * console would refuse it, a signature or a clearing) is forged.
 */
import "../../scenarios/support/request-scope";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { applyCaseTransition } from "@/lib/db/queries/cases";
import {
  insertDecision,
  insertScreeningJudgment,
  listScreeningJudgments,
} from "@/lib/db/queries/review";
import { screeningVerdictData } from "@/lib/review/screening-verdict";
import { getStaffByEmail } from "@/lib/db/queries/staff";
import type { CaseStatus } from "@/lib/db/schema";
import { cutRescreeningAfter, restoreRescreening } from "../../scenarios/support/faults";
import { signedInStaff, type Staff } from "../../scenarios/support/people";
import { OFAC_EXCERPT } from "../../scenarios/support/world";
import { checksWorld, LISTED_PERSON, PERSONAL, submittedCase } from "../checks/helpers";

const world = checksWorld({ FOUR_EYES_MIN_RISK: "high" });
let reviewer: Staff;
let approver: Staff;
beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
  reviewer = await signedInStaff(world(), "guard1@broker.example", "reviewer");
  approver = await signedInStaff(world(), "guard2@broker.example", "approver");
});

async function idOf(staff: Staff): Promise<string> {
  const account = await getStaffByEmail(staff.email);
  if (!account) throw new Error(`no account for ${staff.email}`);
  return account.id;
}

/**
 * An approval written by the transition query alone, as a bug or a forged path would: the status
 * change with its signer's decision, as the app's approval writes them.
 */
async function forceApproval(caseId: string, staff: Staff, from: CaseStatus = "in_review") {
  const actorId = await idOf(staff);
  return applyCaseTransition({
    caseId,
    event: "approve",
    from,
    to: "approved",
    actorType: "staff",
    actorId,
    now: new Date(),
    decision: { staffId: actorId, decision: "approve" },
    outbox: () => ({ type: "test", payload: {}, destinations: [] }),
  });
}

/** The first of four eyes, signed where the console would refuse to: as a bug would. */
async function forceSignature(caseId: string, staff: Staff): Promise<void> {
  const staffId = await idOf(staff);
  const now = new Date();
  await insertDecision({
    caseId,
    staffId,
    decision: "approve",
    internalNote: null,
    now,
    audit: {
      actorType: "staff",
      actorId: staffId,
      action: "case.approve",
      caseId,
      occurredAt: now,
    },
  });
}

/** A trader's submission, in review after the worker's checks. */
async function checkedCase(options: Parameters<typeof submittedCase>[0] = {}) {
  const submitted = await submittedCase(options);
  await world().worker();
  const kycCase = await submitted.person.currentCase();
  expect(kycCase.status).toBe("in_review");
  return { ...submitted, kycCase };
}

const LISTED_HIT = "ofac-sdn-excerpt:6707";

/** A listed person's case in review, its likely hit cleared by the reviewer alone. */
async function clearedOnceByReviewer() {
  const { kycCase } = await checkedCase({ personal: LISTED_PERSON });
  expect(
    await reviewer.judgeHit(
      kycCase.id,
      LISTED_HIT,
      "false_positive",
      "Different person, other DOB",
    ),
  ).toBe("hit_awaiting_second");
  return kycCase;
}

describe("the database refuses an approval", () => {
  it("without a check run of the current round", async () => {
    const { kycCase, person } = await checkedCase();
    // The reviewer asks for another photo; the trader sends one: a new round, not checked yet.
    expect(
      await reviewer.requestInformation(kycCase.id, ["document:identity"], "A sharper photo."),
    ).toBe("action_requested");
    expect((await person.upload("identity", "page")).status).toBe(200);
    expect(await person.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const resent = await person.currentCase();
    expect(resent.round).toBe(kycCase.round + 1);
    await expect(forceApproval(kycCase.id, reviewer, resent.status)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("checks of this submission have not run") },
    });
  });

  it("with a confirmed screening hit, whoever signs", async () => {
    const { kycCase } = await checkedCase({ personal: LISTED_PERSON });
    expect(await reviewer.judgeHit(kycCase.id, LISTED_HIT, "confirmed")).toBe("hit_confirmed");
    await expect(forceApproval(kycCase.id, reviewer)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/confirmed as a match|four-eyes/) },
    });
  });

  it("with a likely hit cleared by one person only, and accepts it once two did", async () => {
    const kycCase = await clearedOnceByReviewer();
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("is not cleared by two people") },
    });
    expect(
      await approver.judgeHit(
        kycCase.id,
        LISTED_HIT,
        "false_positive",
        "Checked the passport myself",
      ),
    ).toBe("hit_cleared");
    // The escalated case also needs four eyes: the reviewer signs in the console, the forged
    // approval carries the second signature.
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    await expect(forceApproval(kycCase.id, approver)).resolves.toMatchObject({
      moved: expect.objectContaining({ status: "approved" }),
    });
  });

  it("with a signature given before the case was taken back from the trader, and accepts one given after", async () => {
    const { kycCase, person } = await checkedCase({ personal: LISTED_PERSON });
    expect(
      await reviewer.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Different person, DOB"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Agreed, other person"),
    ).toBe("hit_cleared");
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(
      await reviewer.requestInformation(kycCase.id, ["document:identity"], "A sharper photo."),
    ).toBe("action_requested");
    expect((await person.upload("identity", "page")).status).toBe(200);
    expect(await reviewer.resumeReview(kycCase.id)).toBe("review_resumed");
    // The reviewer's signature was given on the photo since replaced.
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("four-eyes") },
    });
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    await expect(forceApproval(kycCase.id, approver)).resolves.toMatchObject({
      moved: expect.objectContaining({ status: "approved" }),
    });
  });

  it("co-signed by someone who is not an active approver, or on a signature of an account disabled since", async () => {
    const { kycCase } = await checkedCase({ personal: LISTED_PERSON });
    const leaver = await signedInStaff(world(), "guard.leaver@broker.example", "reviewer");
    const colleague = await signedInStaff(world(), "guard.colleague@broker.example", "reviewer");
    const admin = await signedInStaff(world(), "guard.disabler@broker.example", "admin");
    expect(
      await leaver.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Different person, DOB"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Agreed, other person"),
    ).toBe("hit_cleared");
    expect(await leaver.approve(kycCase.id)).toBe("awaiting_co_sign");
    // Two people, but the second is a reviewer.
    await expect(forceApproval(kycCase.id, colleague)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("needs an active approver") },
    });
    // An approver, but the first signer's account was disabled since.
    expect(await admin.disableAccountOf(leaver.email)).toBe("disabled");
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("two different staff members") },
    });
  });

  it("with a likely hit cleared by one person twice, as a reviewer and then as an approver", async () => {
    const { kycCase } = await checkedCase({ personal: LISTED_PERSON });
    const promoted = await signedInStaff(world(), "guard.promoted@broker.example", "reviewer");
    const admin = await signedInStaff(world(), "guard.admin@broker.example", "admin");
    expect(
      await promoted.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Different person, DOB"),
    ).toBe("hit_awaiting_second");
    expect(await admin.changeRoleOf(promoted.email, "approver")).toBe("role_changed");
    await promoted.signIn();
    expect(
      await promoted.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Checked it as approver"),
    ).toBe("hit_awaiting_second");
    // An approver's clearing now stands, but one person is not two.
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("is not cleared by two people") },
    });
    expect(
      await reviewer.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Agreed, other person"),
    ).toBe("hit_cleared");
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    await expect(forceApproval(kycCase.id, approver)).resolves.toMatchObject({
      moved: expect.objectContaining({ status: "approved" }),
    });
  });

  it("on screening against lists replaced since its checks, and accepts it once re-screened", async () => {
    const w = world();
    const { kycCase } = await checkedCase();
    const extra = path.join(w.dataDir, "guard-extra.csv");
    writeFileSync(extra, "name,aliases,dob,country\nNadia Testerova,,1970-01-01,Malta\n");
    // The import replaces the list and stops before re-screening anyone.
    await cutRescreeningAfter(w, 0);
    try {
      await expect(w.importLists([extra])).rejects.toThrow();
    } finally {
      await restoreRescreening(w);
    }
    await expect(forceApproval(kycCase.id, reviewer)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("not screened against the lists in force") },
    });
    // The next import finishes the re-screening.
    expect((await w.importLists([extra])).rescreen?.screened).toBeGreaterThanOrEqual(1);
    await expect(forceApproval(kycCase.id, reviewer)).resolves.toMatchObject({
      moved: expect.objectContaining({ status: "approved" }),
    });
  });

  it("with a likely hit cleared by two people of whom none was an approver", async () => {
    const kycCase = await clearedOnceByReviewer();
    // The console refuses a reviewer's second clearing; a bug writes it anyway, on the same
    // sighting as the first.
    const [first] = await listScreeningJudgments(kycCase.id);
    expect(first?.data).toMatchObject({ hitKey: LISTED_HIT, role: "reviewer" });
    const second = await signedInStaff(world(), "guard3@broker.example", "reviewer");
    const staffId = await idOf(second);
    const now = new Date();
    await insertScreeningJudgment(kycCase.id, staffId, () => ({
      caseId: kycCase.id,
      staffId,
      decision: "screening_false_positive",
      internalNote: "Agreed",
      data: screeningVerdictData.parse(first?.data),
      now,
      audit: {
        actorType: "staff",
        actorId: staffId,
        action: "screening.false_positive",
        caseId: kycCase.id,
        occurredAt: now,
      },
    }));
    await forceSignature(kycCase.id, reviewer);
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("one an approver") },
    });
  });

  it("with a likely hit cleared on a weaker sighting than its round's", async () => {
    // Typed another day of the listed year: a weaker match, still a likely one. Two people,
    // one an approver, clear it.
    const { kycCase, person } = await checkedCase({
      personal: { ...LISTED_PERSON, dateOfBirth: "1952-06-01" },
    });
    expect(
      await reviewer.judgeHit(
        kycCase.id,
        LISTED_HIT,
        "false_positive",
        "Born in June, not December",
      ),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Agreed, other birth date"),
    ).toBe("hit_cleared");
    // The trader corrects the date to the listed one: the new round sees the hit more strongly,
    // and the console shows it open again.
    expect(
      await reviewer.requestInformation(kycCase.id, ["step:personal"], "Check your birth date."),
    ).toBe("action_requested");
    await person.launch("kyc", { kycType: "basic" });
    expect(await person.continue("personal", { ...LISTED_PERSON })).toHaveProperty("redirect");
    expect(await person.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await world().worker();
    expect(await approver.approve(kycCase.id)).toBe("error:likely_hit_open");
    // Both signatures forged: only the clearings stand in the way.
    await forceSignature(kycCase.id, reviewer);
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("is not cleared by two people") },
    });
  });

  it("with a likely hit of an earlier round nobody cleared, once the trader's answers no longer match it, and accepts it once two did", async () => {
    const { kycCase, person } = await checkedCase({ personal: LISTED_PERSON });
    // Nobody judges the hit; asked again, the trader sends another name: round two finds none.
    expect(
      await reviewer.requestInformation(kycCase.id, ["step:personal"], "Check your name."),
    ).toBe("action_requested");
    await person.launch("kyc", { kycType: "basic" });
    expect(await person.continue("personal", { ...PERSONAL })).toHaveProperty("redirect");
    expect(await person.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await world().worker();
    expect(await approver.approve(kycCase.id)).toBe("error:likely_hit_open");
    // Both signatures forged: only round one's hit stands in the way.
    await forceSignature(kycCase.id, reviewer);
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: {
        message: expect.stringContaining(`${LISTED_HIT} of an earlier round is not cleared`),
      },
    });
    expect(
      await reviewer.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Passport: other name"),
    ).toBe("hit_awaiting_second");
    await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
      cause: { message: expect.stringContaining("of an earlier round is not cleared") },
    });
    expect(
      await approver.judgeHit(kycCase.id, LISTED_HIT, "false_positive", "Agreed, other person"),
    ).toBe("hit_cleared");
    await expect(forceApproval(kycCase.id, approver)).resolves.toMatchObject({
      moved: expect.objectContaining({ status: "approved" }),
    });
  });

  it("with a likely hit cleared on a weaker sighting than its round's strongest, which a raised threshold put at review level", async () => {
    const w = world();
    const list = path.join(w.dataDir, "levels-pep.csv");
    const loose = path.join(w.dataDir, "risk-loose.json");
    const strict = path.join(w.dataDir, "risk-strict.json");
    writeFileSync(loose, '{"screening": {"likely": 0.92}}');
    writeFileSync(strict, '{"screening": {"likely": 0.96}}');
    w.configure({ RISK_CONFIG_PATH: loose });
    try {
      // Listed with her year of birth: her submission sees a likely match, two people clear it.
      writeFileSync(list, "name,aliases,dob,country\nTeodora Vasilache,,1981,\n");
      await w.importLists([OFAC_EXCERPT, list]);
      const person = { givenNames: "Tudora", surnames: "Vasilache", dateOfBirth: "1981-02-17" };
      const { kycCase } = await checkedCase({ personal: person });
      const hit = /data-hit="(levels-pep:[^"]+)"/.exec(await reviewer.casePage(kycCase.id))?.[1];
      expect(hit).toBeDefined();
      expect(await reviewer.judgeHit(kycCase.id, hit!, "false_positive", "Other DOB on ID")).toBe(
        "hit_awaiting_second",
      );
      expect(await approver.judgeHit(kycCase.id, hit!, "false_positive", "Passport seen")).toBe(
        "hit_cleared",
      );
      // The list then gives her whole date of birth, which is hers, while the broker has raised
      // the likely threshold above it: a stronger sighting of the round, at review level.
      w.configure({ RISK_CONFIG_PATH: strict });
      writeFileSync(list, "name,aliases,dob,country\nTeodora Vasilache,,1981-02-17,\n");
      await w.importLists([OFAC_EXCERPT, list]);
      // The console shows the hit open again: the clearings were given on less.
      expect(await approver.approve(kycCase.id)).toBe("error:likely_hit_open");
      await forceSignature(kycCase.id, reviewer);
      await expect(forceApproval(kycCase.id, approver)).rejects.toMatchObject({
        cause: { message: expect.stringContaining("is not cleared by two people") },
      });
    } finally {
      w.configure({});
    }
  });
});
