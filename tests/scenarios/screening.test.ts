/**
 * Scenarios: a trader whose name and date of birth match an OFAC SDN entry completes the standard
 * level. A likely hit confirmed ends in a final rejection that every later launch shows; a likely
 * hit cleared as a false positive by two people lets the case be approved, with four eyes.
 */
import "./support/request-scope";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { textOf } from "../helpers/render-page";
import { whileCaseHeld } from "./support/faults";
import { adminUrl } from "../helpers/db-target";
import { PERSONAL } from "../fixtures/kyc-values";
import { signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** RAFAEL CARO QUINTERO, OFAC SDN entry 6707 (in the excerpt the tests ship). */
const LISTED = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
};
const HIT = "ofac-sdn-excerpt:6707";

beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
});

describe("scenario: a likely sanctions hit confirmed", () => {
  it("is escalated, cannot be approved, ends in a final rejection the trader sees at every launch", async () => {
    const w = world();
    const trader = new Trader(w, 420_001, "es");
    await trader.completeStandardLevel(LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();

    const reviewer = await signedInStaff(w, "hit.reviewer@broker.example", "reviewer");
    // The queue marks it escalated; the case page renders the hit with its explanation.
    const queue = await reviewer.queue({ escalated: "1" });
    expect(queue).toContain(`data-case="${kycCase.id}"`);
    expect(queue).toContain('data-testid="escalated"');
    const page = await reviewer.casePage(kycCase.id);
    const text = textOf(page);
    expect(page).toContain(`data-hit="${HIT}"`);
    expect(page).toContain('data-level="likely"');
    expect(text).toContain("CARO QUINTERO");
    expect(text).toContain("6707");
    // The list's and the trader's words isolated, so right-to-left text cannot reorder them.
    expect(text).toMatch(/Words that matched: “\u2068rafael\u2069” ↔ “\u2068rafael\u2069”/i);
    expect(text).toContain("Date of birth: the same date of birth");
    expect(text).toContain("Nationality: no nationality to compare");
    expect(page).toContain('data-blocker="likely_hit_open"');
    expect(await reviewer.approve(kycCase.id)).toBe("error:likely_hit_open");

    // A match is final for the case: without the dialog's confirmation nothing changes.
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "confirmed", "Same person, same DOB", false),
    ).toBe("error:confirmation_required");
    expect(await reviewer.casePage(kycCase.id)).toContain('data-state="open"');
    // Confirmed: the approval is refused for good, with the reason in words.
    expect(await reviewer.judgeHit(kycCase.id, HIT, "confirmed", "Same person, same DOB")).toBe(
      "hit_confirmed",
    );
    expect(await reviewer.approve(kycCase.id)).toBe("error:confirmed_match");
    expect(textOf(await reviewer.casePage(kycCase.id, { error: "confirmed_match" }))).toContain(
      "cannot be approved",
    );
    expect(await reviewer.reject(kycCase.id, "sanctions_match", "OFAC SDN 6707")).toBe(
      "rejected_final",
    );
    await w.worker();
    // A closed case's hits are its record: no later verdict, from the page or a forged form.
    expect(await reviewer.casePage(kycCase.id)).not.toContain('name="hitKey"');
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Cleared after the fact"),
    ).toBe("error:not_open");

    // The trader reads a final decision in Spanish, with the broker's support contact.
    const seen = await trader.sees("kyc");
    expect(seen).toContain("compliance@broker.example");
    const { default: es } = await import("@/messages/es.json");
    expect(seen).toContain(es.Kyc.finalRejection);
    // A new launch from cTrader shows the same decision and opens no new case.
    await trader.launch("kyc", { kycType: "standard" });
    expect((await trader.currentCase()).id).toBe(kycCase.id);
    expect(await trader.html("kyc")).toContain('data-testid="final-rejection"');
    expect(await trader.status()).toBe("rejected");

    // The CRM and cTrader: in order, and no trading.
    expect(w.crmEventsFor(kycCase.id).map((e) => [e.sequence, e.status])).toEqual([
      [1, "submitted"],
      [2, "in_review"],
      [3, "rejected"],
    ]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "NO_TRADING" },
    ]);
  });
});

describe("scenario: a likely hit cleared as a false positive by two people", () => {
  it("needs a reason and a second person, then four eyes approve it", async () => {
    const w = world();
    const trader = new Trader(w, 420_002);
    await trader.completeStandardLevel(LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "fp.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "fp.approver@broker.example", "approver");
    const secondReviewer = await signedInStaff(w, "fp.reviewer2@broker.example", "reviewer");

    // No reason, no clearing.
    expect(await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "")).toBe(
      "error:reason_required",
    );
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Trader born in Sweden, ID shows"),
    ).toBe("hit_awaiting_second");
    // The same person again is not a second pair of eyes; another reviewer is not an approver.
    expect(await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Still not him, sure")).toBe(
      "error:already_judged",
    );
    expect(
      await secondReviewer.judgeHit(kycCase.id, HIT, "false_positive", "Agree, other person"),
    ).toBe("error:second_needs_approver");
    expect(await reviewer.approve(kycCase.id)).toBe("error:likely_hit_open");
    expect(
      await approver.judgeHit(kycCase.id, HIT, "false_positive", "Checked passport: not listed"),
    ).toBe("hit_cleared");
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-state="cleared"');
    expect(textOf(page)).toContain("Checked passport: not listed");

    // An escalated case needs four eyes: the reviewer signs, the approver co-signs.
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await reviewer.approve(kycCase.id)).toBe("error:already_signed");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect(await trader.status()).toBe("approved");
    // Approved and not under monitoring: the hits are settled, not open to a new verdict.
    expect(await approver.judgeHit(kycCase.id, HIT, "confirmed", "Changed my mind later")).toBe(
      "error:not_open",
    );
    expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toEqual([
      "submitted",
      "in_review",
      "approved",
    ]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
    ]);

    // The evidence export holds both verdicts with their reasons, and both signers.
    expect((await reviewer.exportEvidence(kycCase.id)).status).toBe(403);
    const exported = await approver.exportEvidence(kycCase.id);
    expect(exported.status).toBe(200);
    const evidence = (await exported.json()) as {
      screeningHits: { key: string; state: string; judgments: { reason: string }[] }[];
      approval: { signers: { name: string }[] };
    };
    expect(evidence.screeningHits).toEqual([
      expect.objectContaining({
        key: HIT,
        state: "cleared",
        judgments: [
          expect.objectContaining({ reason: "Trader born in Sweden, ID shows" }),
          expect.objectContaining({ reason: "Checked passport: not listed" }),
        ],
      }),
    ]);
    expect(evidence.approval.signers.map((s) => s.name)).toEqual(["fp.reviewer", "fp.approver"]);
    // The hit is the one its run stored, every field of it (one schema, lib/checks/evidence.ts).
    const stored = (
      (await (await approver.exportEvidence(kycCase.id)).json()) as {
        checkRuns: {
          results: { check: string; evidence: { hits?: { source: string; entryId: string }[] } }[];
        }[];
      }
    ).checkRuns
      .flatMap((r) => r.results)
      .filter((r) => r.check === "screening")
      .flatMap((r) => r.evidence.hits ?? [])
      .filter((h) => `${h.source}:${h.entryId}` === HIT);
    expect(stored.length).toBeGreaterThan(0);
    expect(evidence.screeningHits[0]).toMatchObject(stored.at(-1)!);
    // The printable view: the same facts, every value escaped, nothing loaded or run.
    const printable = await approver.exportEvidence(kycCase.id, "html");
    expect(printable.headers.get("content-type")).toContain("text/html");
    const html = await printable.text();
    expect(html).not.toMatch(/<script|<link|src=/i);
    // Its one <style> carries the response's CSP nonce: the console's CSP (style-src-elem with
    // a nonce) would refuse it otherwise, and the route's own CSP allows nothing else.
    const csp = printable.headers.get("content-security-policy") ?? "";
    const nonce = /<style nonce="([^"]+)">/.exec(html)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(csp).toContain(`style-src-elem 'nonce-${nonce}'`);
    expect(csp).toContain("default-src 'none'");
    // Behind the proxy, the nonce is the one of the proxy's own CSP for this response.
    const proxyNonce = "AAECAwQFBgcICQoLDA0ODw==";
    const behindProxy = await approver.exportEvidence(kycCase.id, "html", {
      "x-nonce": proxyNonce,
    });
    expect(await behindProxy.text()).toContain(`<style nonce="${proxyNonce}">`);
    expect(behindProxy.headers.get("content-security-policy")).toContain(
      `style-src-elem 'nonce-${proxyNonce}'`,
    );
    const text = textOf(html);
    expect(text).toContain("CARO QUINTERO");
    expect(text).toContain("Checked passport: not listed");
    expect(text).toContain("signed by fp.reviewer (reviewer) and fp.approver (approver)");
    expect(text).toMatch(/Chain head at export: #\d+ [0-9a-f]{64}/);

    // The approver works in German: the printable page is in German too, codes as words.
    await approver.chooseLanguage("de");
    // The harness's browser carries its language itself (console-language.test.ts covers the choice).
    approver.locale = "de";
    const german = await (await approver.exportEvidence(kycCase.id, "html")).text();
    expect(german).toContain('<html lang="de" dir="ltr">');
    const words = textOf(german);
    expect(words).toContain("Fallnachweis");
    expect(words).toContain("Automatische Prüfungen");
    expect(words).toContain("Falsch positiv von fp.reviewer (Prüfer)");
    expect(words).toContain("unterzeichnet von fp.reviewer (Prüfer) und fp.approver (Freigeber)");
    expect(words).toMatch(/Kettenkopf beim Export: #\d+ [0-9a-f]{64}/);
  });
});

describe("scenario: the approver clears a likely hit first", () => {
  it("lets a reviewer give the second clearing: two people, one an approver", async () => {
    const w = world();
    const trader = new Trader(w, 420_006);
    await trader.completeStandardLevel(LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();
    const approver = await signedInStaff(w, "first.approver@broker.example", "approver");
    const reviewer = await signedInStaff(w, "then.reviewer@broker.example", "reviewer");
    expect(
      await approver.judgeHit(kycCase.id, HIT, "false_positive", "Checked passport: not listed"),
    ).toBe("hit_awaiting_second");
    // The case page offers the reviewer the clearing, and the clearing settles the hit.
    expect(await reviewer.casePage(kycCase.id)).not.toContain('data-why="second_needs_approver"');
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Agree, other date of birth"),
    ).toBe("hit_cleared");
    expect(await reviewer.casePage(kycCase.id)).toContain('data-state="cleared"');
  });
});

describe("scenario: a reviewer who cleared a likely hit is made an approver", () => {
  it("gives the approver's clearing the hit waits for, and a reviewer completes it", async () => {
    const w = world();
    const trader = new Trader(w, 420_008);
    await trader.completeStandardLevel(LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();
    const promoted = await signedInStaff(w, "promoted.reviewer@broker.example", "reviewer");
    const colleague = await signedInStaff(w, "small.team@broker.example", "reviewer");
    const admin = await signedInStaff(w, "small.admin@broker.example", "admin");
    expect(
      await promoted.judgeHit(kycCase.id, HIT, "false_positive", "Trader born in Sweden, ID shows"),
    ).toBe("hit_awaiting_second");
    expect(await colleague.judgeHit(kycCase.id, HIT, "false_positive", "Agree, other person")).toBe(
      "error:second_needs_approver",
    );
    expect(await promoted.casePage(kycCase.id)).toContain('data-why="already_judged"');

    // Made an approver, the same person may now give the approver's clearing: it does not count
    // as a second person, so the hit still waits, now for anyone's second clearing.
    expect(await admin.changeRoleOf(promoted.email, "approver")).toBe("role_changed");
    await promoted.signIn();
    expect(await promoted.casePage(kycCase.id)).not.toContain('data-why="already_judged"');
    expect(
      await promoted.judgeHit(kycCase.id, HIT, "false_positive", "Checked again as approver"),
    ).toBe("hit_awaiting_second");
    expect(await promoted.judgeHit(kycCase.id, HIT, "false_positive", "And once more, sure")).toBe(
      "error:already_judged",
    );
    // The page says in which role each clearing was given.
    const verdicts = textOf(await promoted.casePage(kycCase.id));
    expect(verdicts).toContain("False positive by promoted.reviewer (reviewer)");
    expect(verdicts).toContain("False positive by promoted.reviewer (approver)");
    expect(await colleague.approve(kycCase.id)).toBe("error:likely_hit_open");
    expect(await colleague.judgeHit(kycCase.id, HIT, "false_positive", "Agree, other person")).toBe(
      "hit_cleared",
    );
    // The database's approval guard counts the same two people and the approver's clearing.
    expect(await colleague.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await promoted.approve(kycCase.id)).toBe("approved");

    // The evidence export keeps the role of each verdict apart from the person's role now.
    const exported = await promoted.exportEvidence(kycCase.id);
    const evidence = (await exported.json()) as {
      screeningHits: { judgments: { by: { name: string; role: string }; role: string }[] }[];
    };
    expect(evidence.screeningHits[0]!.judgments.map((j) => [j.by.name, j.by.role, j.role])).toEqual(
      [
        ["promoted.reviewer", "approver", "reviewer"],
        ["promoted.reviewer", "approver", "approver"],
        ["small.team", "reviewer", "reviewer"],
      ],
    );
    const printable = textOf(await (await promoted.exportEvidence(kycCase.id, "html")).text());
    expect(printable).toContain("False positive by promoted.reviewer (reviewer)");
    expect(printable).toContain("False positive by promoted.reviewer (approver)");
  });
});

describe("scenario: two reviewers clear the same likely hit at the same moment", () => {
  // A second connection holds the case while both requests read it: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "judges them one after the other: the second clearing still needs an approver",
    async () => {
      const w = world();
      const trader = new Trader(w, 420_003);
      await trader.completeStandardLevel(LISTED);
      const kycCase = await trader.currentCase();
      await w.worker();
      const first = await signedInStaff(w, "race.reviewer1@broker.example", "reviewer");
      const second = await signedInStaff(w, "race.reviewer2@broker.example", "reviewer");
      // Another decision on the case is in flight: both reviewers read the hit as open
      // meanwhile, and both wait for the case's lock to record their clearing.
      const results = await whileCaseHeld(w, kycCase.id, 2, () =>
        Promise.all([
          first.judgeHit(kycCase.id, HIT, "false_positive", "Born in Sweden, not him"),
          second.judgeHit(kycCase.id, HIT, "false_positive", "Agree: another person"),
        ]),
      );
      expect([...results].sort()).toEqual(["error:second_needs_approver", "hit_awaiting_second"]);
      const page = await first.casePage(kycCase.id);
      expect(page).toContain('data-state="awaiting_second"');
      expect(await first.approve(kycCase.id)).toBe("error:likely_hit_open");
    },
  );
});

describe("scenario: an approver lowered to reviewer while their clearing waits for the case", () => {
  // A second connection holds the case while the clearing waits: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "records no approver's clearing: the verdict is judged with the role the account has now",
    async () => {
      const w = world();
      const trader = new Trader(w, 420_031);
      await trader.completeStandardLevel(LISTED);
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "demoted.reviewer@broker.example", "reviewer");
      const approver = await signedInStaff(w, "demoted.approver@broker.example", "approver");
      const admin = await signedInStaff(w, "demoted.admin@broker.example", "admin");
      expect(
        await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Born in Sweden, not him"),
      ).toBe("hit_awaiting_second");
      const read = await approver.hitForm(kycCase.id, HIT);
      // The approver's clearing waits for the case (another decision in flight); meanwhile an
      // admin lowers the approver to reviewer.
      const result = await whileCaseHeld(
        w,
        kycCase.id,
        1,
        () =>
          approver.judgeHit(
            kycCase.id,
            HIT,
            "false_positive",
            "Checked passport: not him",
            false,
            read,
          ),
        {
          meanwhile: async () => {
            expect(await admin.changeRoleOf(approver.email, "reviewer")).toBe("role_changed");
          },
        },
      );
      expect(result).toBe("error:second_needs_approver");
      expect(await admin.casePage(kycCase.id)).toContain('data-state="awaiting_second"');
      const verdicts = (await listCaseAuditEvents(kycCase.id)).filter(
        (e) => e.action === "screening.false_positive",
      );
      expect(verdicts).toHaveLength(1);
    },
  );

  it("records nothing from an account disabled while its clearing waited", async () => {
    const w = world();
    if (!adminUrl()) return;
    const trader = new Trader(w, 420_032);
    await trader.completeStandardLevel(LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "disabled.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "disabled.approver@broker.example", "approver");
    const admin = await signedInStaff(w, "disabled.admin@broker.example", "admin");
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Born in Sweden, not him"),
    ).toBe("hit_awaiting_second");
    const result = await whileCaseHeld(
      w,
      kycCase.id,
      1,
      () => approver.judgeHit(kycCase.id, HIT, "false_positive", "Checked passport: not him"),
      {
        meanwhile: async () => {
          expect(await admin.disableAccountOf(approver.email)).toBe("disabled");
        },
      },
    );
    expect(result).toBe("error:forbidden");
    expect(await admin.casePage(kycCase.id)).toContain('data-state="awaiting_second"');
  });
});

/**
 * Round two of a case screened on a date of birth close to the listed person's: an officer asks
 * about it, the trader corrects it to the listed one, sends the case again, the worker screens.
 */
async function correctToListedBirthDate(
  w: ReturnType<typeof world>,
  trader: Trader,
  officer: Awaited<ReturnType<typeof signedInStaff>>,
  caseId: string,
): Promise<void> {
  expect(
    await officer.requestInformation(caseId, ["step:personal"], "Check your date of birth."),
  ).toBe("action_requested");
  await trader.launch("kyc");
  await trader.continue("personal", { ...PERSONAL, ...LISTED });
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();
}

describe("scenario: a hit cleared, then the trader's corrected answers match the listed person better", () => {
  it("judges the stronger sighting anew: the earlier clearing does not stand", async () => {
    const w = world();
    const trader = new Trader(w, 420_004);
    // Typed another day of the same year: a weaker match, still a likely one.
    await trader.completeStandardLevel({ ...LISTED, dateOfBirth: "1952-06-01" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "redo.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "redo.approver@broker.example", "approver");
    const hitOn = (page: string) =>
      new RegExp(`data-hit="${HIT}"[^>]*`).exec(page)?.[0] ?? "no hit";
    const before = hitOn(await reviewer.casePage(kycCase.id));
    expect(before).toContain('data-level="likely"');
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Born in June, not December"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(kycCase.id, HIT, "false_positive", "Agreed, other date of birth"),
    ).toBe("hit_cleared");

    // The document shows another date of birth: the reviewer asks, the trader corrects it to
    // the listed person's, and sends the case again.
    await correctToListedBirthDate(w, trader, reviewer, kycCase.id);

    const after = hitOn(await reviewer.casePage(kycCase.id));
    expect(after).toContain('data-state="open"');
    expect(await approver.approve(kycCase.id)).toBe("error:likely_hit_open");
    // Judged anew, by two people again (the first of them may clear it again).
    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Same date now: still not him"),
    ).toBe("hit_awaiting_second");
  });
});

describe("scenario: an officer clears a hit the trader's next round then sees more strongly", () => {
  it("records nothing on the sighting the page showed before: the console says the case changed, and the page read again is judged", async () => {
    const w = world();
    const trader = new Trader(w, 420_009);
    await trader.completeStandardLevel({ ...LISTED, dateOfBirth: "1952-06-01" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "seen.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "seen.approver@broker.example", "approver");
    const verdicts = async () =>
      (await listCaseAuditEvents(kycCase.id)).filter((e) =>
        ["screening.false_positive", "screening.confirmed"].includes(e.action),
      );

    // The approver reads the hit in round one: another day of the year, a weaker match.
    const read = await approver.hitForm(kycCase.id, HIT);
    expect(read).toMatchObject({ hitKey: HIT, runId: expect.any(String) });

    // Meanwhile a colleague asks about the date of birth and the trader corrects it to the
    // listed person's: the next round sees the hit more strongly.
    await correctToListedBirthDate(w, trader, reviewer, kycCase.id);
    const now = await approver.hitForm(kycCase.id, HIT);
    expect(Number(now.strength)).toBeGreaterThan(Number(read.strength));

    // The clearing written on the page of round one is not taken for the stronger sighting.
    expect(
      await approver.judgeHit(kycCase.id, HIT, "false_positive", "Born in June", false, read),
    ).toBe("error:changed");
    expect(await verdicts()).toEqual([]);
    const page = await approver.casePage(kycCase.id, { error: "changed" });
    expect(textOf(page)).toContain("The case changed meanwhile. Reload and try again.");
    expect(new RegExp(`data-hit="${HIT}"[^>]*`).exec(page)?.[0]).toContain('data-state="open"');

    // Read again, the verdict is given on the sighting there is now, and recorded on it.
    expect(
      await approver.judgeHit(kycCase.id, HIT, "false_positive", "Same date now: still not him"),
    ).toBe("hit_awaiting_second");
    const [cleared] = await verdicts();
    expect(cleared?.data).toMatchObject({ runId: now.runId, strength: Number(now.strength) });
  });
});

describe("scenario: a confirmed match seen more strongly in a later round", () => {
  it("stays confirmed: a stronger sighting never reopens a confirmation", async () => {
    const w = world();
    const trader = new Trader(w, 420_005);
    await trader.completeStandardLevel({ ...LISTED, dateOfBirth: "1952-06-01" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const approver = await signedInStaff(w, "stays.approver@broker.example", "approver");
    const reviewer = await signedInStaff(w, "stays.reviewer@broker.example", "reviewer");
    expect(await approver.judgeHit(kycCase.id, HIT, "confirmed", "The listed person")).toBe(
      "hit_confirmed",
    );
    await correctToListedBirthDate(w, trader, approver, kycCase.id);

    const page = await reviewer.casePage(kycCase.id);
    expect(new RegExp(`data-hit="${HIT}"[^>]*`).exec(page)?.[0]).toContain(
      'data-state="confirmed"',
    );
    expect(await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Not him after all")).toBe(
      "error:hit_already_confirmed",
    );
    expect(await approver.approve(kycCase.id)).toBe("error:confirmed_match");
  });
});
