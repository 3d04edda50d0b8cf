/**
 * Scenarios: a likely sanctions hit nobody has judged does not vanish when the trader starts a new
 * round. The checks (or a re-screening) find a likely match on round one's answers; before anyone
 * judges it an officer asks for the personal step again, and the trader answers with another name
 * or another date of birth, which round two's screening no longer matches as likely. The hit is on
 * answers this trader gave: it keeps counting (case page, queue, risk, approval) until two people,
 * one an approver, clear it. A review-level hit of an earlier round does not carry.
 */
import "./support/request-scope";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { textOf } from "../helpers/render-page";
import { LISTED_HIT as HIT, LISTED_PERSON as LISTED, PERSONAL } from "../fixtures/kyc-values";
import { importBrokerList, LISTED_LATER } from "./support/broker-list";
import { signedInStaff, Trader, type Staff } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld();

beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
});

/** The hit's element on the case page (its opening tag and text up to the next hit), or null. */
function hitOn(page: string, key: string): { tag: string; text: string } | null {
  const at = page.indexOf(`data-hit="${key}"`);
  if (at < 0) return null;
  const next = page.indexOf('data-hit="', at + 1);
  const end = page.indexOf("</section>", at);
  const part = page.slice(at, next < 0 || next > end ? end : next);
  return { tag: part.slice(0, part.indexOf(">")), text: textOf(`<p ${part}`) };
}

/** The officer asks for the personal step again; the trader sends `personal`; the worker checks. */
async function answeredAgain(
  trader: Trader,
  officer: Staff,
  caseId: string,
  personal: Record<string, string | string[]>,
): Promise<void> {
  expect(
    await officer.requestInformation(caseId, ["step:personal"], "Please check your details."),
  ).toBe("action_requested");
  await trader.launch("kyc");
  expect(await trader.continue("personal", { ...PERSONAL, ...personal })).toEqual({
    redirect: "/inapp/kyc",
  });
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await world().worker();
}

/** The words of one of the case page's two risk lines (header `case-risk`, summary `summary-risk`). */
function riskLine(page: string, testId: string): string {
  const line = page.slice(page.lastIndexOf("<", page.indexOf(`data-testid="${testId}"`)));
  return textOf(line.slice(0, line.search(/<\/(dd|p)>/)));
}

/** The latest `checks.completed` audit entry's data. */
async function lastChecksCompleted(caseId: string) {
  const runs = (await listCaseAuditEvents(caseId)).filter((e) => e.action === "checks.completed");
  return runs.at(-1)?.data;
}

describe("scenario: a likely hit of round one nobody judged, then the trader sends another name", () => {
  it("keeps the hit on the case page, in the queue and in the risk, and two people must clear it before four eyes approve", async () => {
    const w = world();
    const trader = new Trader(w, 596_401);
    await trader.completeStandardLevel(LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "carry.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "carry.approver@broker.example", "approver");
    expect(hitOn(await reviewer.casePage(kycCase.id), HIT)?.tag).toContain('data-level="likely"');

    // Nobody judges the hit; the officer asks about the name, the trader sends another one.
    await answeredAgain(trader, reviewer, kycCase.id, {});
    expect(await trader.currentCase()).toMatchObject({
      round: 2,
      riskLevel: "high",
      fourEyesRequired: true,
    });
    // The round's own checks found nothing: the run is low, the case held at high, and why.
    expect(await lastChecksCompleted(kycCase.id)).toMatchObject({
      round: 2,
      level: "low",
      heldByEarlierHit: true,
      caseLevel: "high",
    });

    // The case page shows the hit as round one's, open, and it blocks the approval.
    const page = await approver.casePage(kycCase.id);
    const hit = hitOn(page, HIT);
    expect(hit?.tag).toContain('data-level="likely"');
    expect(hit?.tag).toContain('data-state="open"');
    expect(hit?.tag).toContain('data-round="1"');
    expect(hit?.text).toContain("found in round 1 by the submission's checks");
    expect(page).toContain('data-blocker="likely_hit_open"');
    expect(page).toContain('data-testid="summary-risk" data-risk="high" data-risk-open-hit="true"');
    expect(await reviewer.queue({ escalated: "1" })).toContain(`data-case="${kycCase.id}"`);
    expect(await approver.approve(kycCase.id)).toBe("error:likely_hit_open");

    // One person's clearing is not enough; the approver's completes it.
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Passport: Jonas Lindqvist, 1979"),
    ).toBe("hit_awaiting_second");
    expect(await approver.approve(kycCase.id)).toBe("error:likely_hit_open");
    expect(
      await approver.judgeHit(kycCase.id, HIT, "false_positive", "Checked passport: not listed"),
    ).toBe("hit_cleared");
    // The case stays high until a later run, and both risk lines still say why, as the export
    // does; four eyes.
    const cleared = await approver.casePage(kycCase.id);
    expect(hitOn(cleared, HIT)).toBeNull();
    for (const testId of ["case-risk", "summary-risk"])
      expect(riskLine(cleared, testId)).toMatch(
        /^High.* · escalated \(likely match on a screening list\)/,
      );
    const exported = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      case: { riskLevel: string; escalated: boolean };
    };
    expect(exported.case).toMatchObject({ riskLevel: "high", escalated: true });
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await approver.approve(kycCase.id)).toBe("approved");
  }, 300_000);
});

describe("scenario: a review-level hit of round one, then the trader sends another name", () => {
  it("does not carry: round two shows no hit, and one officer approves", async () => {
    const w = world();
    const trader = new Trader(w, 596_402);
    // The listed name, another date of birth: a review-level hit, not a likely one.
    await trader.completeStandardLevel({ ...LISTED, dateOfBirth: "1960-01-01" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "carry.single@broker.example", "reviewer");
    expect(hitOn(await reviewer.casePage(kycCase.id), HIT)?.tag).toContain('data-level="review"');

    await answeredAgain(trader, reviewer, kycCase.id, {});
    const page = await reviewer.casePage(kycCase.id);
    expect(hitOn(page, HIT)).toBeNull();
    expect(await lastChecksCompleted(kycCase.id)).not.toHaveProperty("heldByEarlierHit");
    expect(await trader.currentCase()).toMatchObject({ riskLevel: "low", fourEyesRequired: false });
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
  }, 300_000);
});

describe("scenario: a re-screening finds a likely hit on round one, then the trader corrects the date of birth", () => {
  it("keeps the hit at its likely sighting although round two sees it only at review level: one clearing is not enough", async () => {
    const w = world();
    const list = await importBrokerList(w, "carried-hit-pep.csv");
    const trader = new Trader(w, 596_403);
    await trader.completeStandardLevel(LISTED_LATER);
    const kycCase = await trader.currentCase();
    await w.worker();
    expect(await trader.currentCase()).toMatchObject({ riskLevel: "low" });
    const reviewer = await signedInStaff(w, "carry.rescreen@broker.example", "reviewer");
    const approver = await signedInStaff(w, "carry.rescreen.approver@broker.example", "approver");

    // The broker's list gains him while the case waits: the hit joins round one's.
    await list.listLater();
    const listed = /data-hit="(carried-hit-pep:[^"]+)"/.exec(await reviewer.casePage(kycCase.id));
    expect(listed).not.toBeNull();
    const key = listed![1]!;

    // Asked about it, the trader sends another date of birth: round two sees the name only.
    await answeredAgain(trader, reviewer, kycCase.id, {
      ...LISTED_LATER,
      dateOfBirth: "1975-02-17",
    });
    expect(await lastChecksCompleted(kycCase.id)).toMatchObject({
      round: 2,
      // The name alone, against another date of birth: a review-level hit, which warns.
      outcomes: expect.objectContaining({ screening: "warn" }),
      heldByEarlierHit: true,
      caseLevel: "high",
    });
    const hit = hitOn(await reviewer.casePage(kycCase.id), key);
    expect(hit?.tag).toContain('data-level="likely"');
    expect(hit?.tag).toContain('data-round="1"');
    expect(hit?.text).toContain("found in round 1 by a re-screening");
    expect(
      await reviewer.judgeHit(kycCase.id, key, "false_positive", "Passport: born in 1975"),
    ).toBe("hit_awaiting_second");
    expect(await reviewer.approve(kycCase.id)).toBe("error:likely_hit_open");
    expect(
      await approver.judgeHit(kycCase.id, key, "false_positive", "Agreed: other birth date"),
    ).toBe("hit_cleared");
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await approver.approve(kycCase.id)).toBe("approved");
  }, 300_000);
});

describe("scenario: a carried hit seen more strongly in round two, at review level under a raised threshold", () => {
  it("stays likely and is judged at round two's sighting: the earlier, weaker clearing does not count towards the two", async () => {
    const w = world();
    const list = path.join(w.dataDir, "carried-stronger-pep.csv");
    const loose = path.join(w.dataDir, "carried-risk-loose.json");
    const strict = path.join(w.dataDir, "carried-risk-strict.json");
    writeFileSync(loose, '{"screening": {"likely": 0.92}}');
    writeFileSync(strict, '{"screening": {"likely": 0.96}}');
    w.configure({ RISK_CONFIG_PATH: loose });
    try {
      // Listed with her year of birth only: round one sees a likely match; one person clears it.
      writeFileSync(list, "name,aliases,dob,country\nTeodora Vasilache,,1981,\n");
      await w.importLists([OFAC_EXCERPT, list]);
      const person = { givenNames: "Tudora", surnames: "Vasilache", dateOfBirth: "1981-02-17" };
      const trader = new Trader(w, 596_404);
      await trader.completeStandardLevel(person);
      await w.worker();
      const kycCase = await trader.currentCase();
      const reviewer = await signedInStaff(w, "carry.stronger@broker.example", "reviewer");
      const approver = await signedInStaff(w, "carry.stronger.approver@broker.example", "approver");
      const key = /data-hit="(carried-stronger-pep:[^"]+)"/.exec(
        await reviewer.casePage(kycCase.id),
      )?.[1];
      expect(key).toBeDefined();
      expect(hitOn(await reviewer.casePage(kycCase.id), key!)?.tag).toContain(
        'data-level="likely"',
      );
      expect(await reviewer.judgeHit(kycCase.id, key!, "false_positive", "Other DOB on ID")).toBe(
        "hit_awaiting_second",
      );

      // Asked for her details again; meanwhile the list gives her whole date of birth, which is
      // hers, and the broker raises the likely threshold above it (nothing re-screens a case the
      // trader is changing). She sends the same answers: round two sees her more strongly, at
      // review level.
      expect(
        await reviewer.requestInformation(kycCase.id, ["step:personal"], "Your birth date?"),
      ).toBe("action_requested");
      w.configure({ RISK_CONFIG_PATH: strict });
      writeFileSync(list, "name,aliases,dob,country\nTeodora Vasilache,,1981-02-17,\n");
      await w.importLists([OFAC_EXCERPT, list]);
      await trader.launch("kyc");
      expect(await trader.continue("personal", { ...PERSONAL, ...person })).toEqual({
        redirect: "/inapp/kyc",
      });
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      await w.worker();
      expect(await lastChecksCompleted(kycCase.id)).toMatchObject({
        round: 2,
        outcomes: expect.objectContaining({ screening: "warn" }),
        heldByEarlierHit: true,
      });

      // One clearing on round two's sighting, by the approver: the reviewer's was given on less,
      // so the hit still waits for a second person, on the page and in the approval.
      expect(await approver.judgeHit(kycCase.id, key!, "false_positive", "Passport seen")).toBe(
        "hit_awaiting_second",
      );
      const hit = hitOn(await reviewer.casePage(kycCase.id), key!);
      expect(hit?.tag).toContain('data-level="likely"');
      expect(hit?.tag).toContain('data-state="awaiting_second"');
      expect(await reviewer.approve(kycCase.id)).toBe("error:likely_hit_open");
      expect(
        await reviewer.judgeHit(kycCase.id, key!, "false_positive", "Full DOB checked, other"),
      ).toBe("hit_cleared");
      expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await approver.approve(kycCase.id)).toBe("approved");
    } finally {
      w.configure({ RISK_CONFIG_PATH: undefined });
    }
  }, 300_000);
});
