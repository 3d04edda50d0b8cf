/**
 * Scenarios of the officer's day in the console: a case someone else claimed is taken over in
 * the open before anyone else decides on it; reasons are those that fit the case; the trader's
 * language is shown beside the message box, with the reason catalog in it.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { adminUrl } from "../helpers/db-target";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { textOf } from "../helpers/render-page";
import { PERSONAL } from "../fixtures/kyc-values";
import { whileCaseHeld } from "./support/faults";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";
import sl from "@/messages/sl.json";

const world = scenarioWorld();

describe("scenario: a case claimed by one reviewer", () => {
  it("is decided by someone else only after an explicit take-over, and everyone sees who holds it by name", async () => {
    const w = world();
    const trader = new Trader(w, 540_001);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const first = await signedInStaff(w, "first.reviewer@broker.example", "reviewer");
    const second = await signedInStaff(w, "second.approver@broker.example", "approver");

    expect(await first.claim(kycCase.id)).toBe("claimed");
    let page = await second.casePage(kycCase.id);
    expect(textOf(page)).toContain("Claimed by first.reviewer");
    expect(textOf(await second.queue())).toContain("claimed by first.reviewer");

    // Acting without taking over is refused with words, never a 500; nothing changes.
    expect(await second.approve(kycCase.id)).toBe("error:not_assignee");
    expect(await second.reject(kycCase.id, "underage")).toBe("error:not_assignee");
    expect(
      await second.requestInformation(kycCase.id, ["step:personal"], "Please check your name."),
    ).toBe("error:not_assignee");
    page = await second.casePage(kycCase.id, { error: "not_assignee" });
    expect(textOf(page)).toContain("Take it over (audited) before you decide");
    expect(page).toContain('data-testid="case-status" data-status="in_review">');

    expect(await second.takeOver(kycCase.id)).toBe("taken_over");
    // The first reviewer now sees the case held by the approver, and must take it back to act.
    page = await first.casePage(kycCase.id);
    expect(textOf(page)).toContain("Claimed by second.approver");
    expect(page).toContain('data-testid="take-over"');
    expect(await first.approve(kycCase.id)).toBe("error:not_assignee");
    expect(await second.approve(kycCase.id)).toBe("approved");
  });
});

describe("scenario: claiming and assigning", () => {
  it("refuses to claim or assign a decided case; claiming one's own case again changes nothing", async () => {
    const w = world();
    const trader = new Trader(w, 540_031);
    await trader.completeStandardLevel();
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "claims.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "claims.approver@broker.example", "approver");
    expect(await reviewer.claim(kycCase.id)).toBe("claimed");
    expect(await reviewer.claim(kycCase.id)).toBe("claimed");
    expect(await approver.claim(kycCase.id)).toBe("error:claimed_by_other");
    const claims = (await listCaseAuditEvents(kycCase.id)).filter(
      (e) => e.action === "case.claimed",
    );
    expect(claims).toHaveLength(1);

    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    const other = await signedInStaff(w, "claims.other@broker.example", "reviewer");
    expect(await other.claim(kycCase.id)).toBe("error:not_open");
    // "Assign to: nobody" sent for the decided case (its page no longer offers it).
    expect(await approver.assign(kycCase.id, "")).toBe("error:not_open");
    expect(textOf(await other.casePage(kycCase.id, { error: "not_open" }))).toContain(
      "The case is closed",
    );
    const moves = (await listCaseAuditEvents(kycCase.id)).filter((e) =>
      ["case.claimed", "case.assigned"].includes(e.action),
    );
    expect(moves).toHaveLength(1);
  });
});

describe("scenario: a Slovenian trader's standard case", () => {
  it("shows the trader's language and the catalog's text in it; offers and accepts only reasons of the level", async () => {
    const w = world();
    const trader = new Trader(w, 540_002, "sl");
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "lang.reviewer@broker.example", "reviewer");

    let page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="trader-language" data-lang="sl"');
    expect(textOf(page)).toContain("The trader reads Slovenian (sl)");
    // What the trader would read for each reason, in Slovenian.
    expect(textOf(page)).toContain(sl.RejectReasons.document_unreadable);
    // A standard case has no source of funds: that reason is neither offered nor accepted.
    expect(page).not.toContain('value="source_of_funds_unclear"');
    expect(page).toContain('value="address_proof_invalid"');
    expect(await reviewer.reject(kycCase.id, "source_of_funds_unclear")).toBe(
      "error:reason_not_for_level",
    );

    // A reason's Slovenian text as the start of the message to the trader.
    page = await reviewer.casePage(kycCase.id, { prefill: "document_unreadable" });
    const message = /<textarea[^>]*data-testid="message"[^>]*>([^<]*)<\/textarea>/.exec(page);
    expect(textOf(message?.[1] ?? "")).toBe(sl.RejectReasons.document_unreadable);
    expect(message?.[0]).toContain('lang="sl"');

    // What the reviewer writes is sent as written.
    const written = "Prosimo, naložite ostrejšo fotografijo. (Thank you!)";
    expect(await reviewer.requestInformation(kycCase.id, ["document:identity"], written)).toBe(
      "action_requested",
    );
    await trader.launch("status");
    expect(await trader.sees("status")).toContain(written);
  });
});

/**
 * A decision applies to the case the officer's page showed: its round and status travel with
 * every decision form. A case that moved on in between (the trader answered, a colleague asked,
 * the trader began an upgrade) refuses it as `changed`; the page shows the case as it is now.
 */
describe("scenario: a decision sent from a page the case has moved past", () => {
  it("a rejection written before the trader answered does not close the new round", async () => {
    const w = world();
    const trader = new Trader(w, 540_011);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "stale.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(kycCase.id, ["document:identity"], "Sharper, please."),
    ).toBe("action_requested");
    // The page after the request: the case waits on the trader.
    const waiting = await reviewer.shownOn(kycCase.id);
    expect(waiting.shownSeq).toMatch(/^\d+$/);

    await trader.launch("kyc");
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    // "Reject: fraud suspected" from the page that still showed round 1.
    expect(await reviewer.reject(kycCase.id, "fraud_suspected", "", true, waiting)).toBe(
      "error:changed",
    );
    expect(await trader.currentCase()).toMatchObject({ status: "in_review", round: 2 });
    expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).not.toContain("rejected");
    expect(textOf(await reviewer.casePage(kycCase.id, { error: "changed" }))).toContain(
      "The case changed meanwhile. Reload and try again.",
    );
    // Read again, round 2 is decided on what it is.
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
  });

  it("an approval read before a colleague's request and the trader's answer is refused", async () => {
    const w = world();
    const trader = new Trader(w, 540_012);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const first = await signedInStaff(w, "first.stale@broker.example", "reviewer");
    const second = await signedInStaff(w, "second.stale@broker.example", "reviewer");
    const read = await first.shownOn(kycCase.id);
    expect(await second.requestInformation(kycCase.id, ["step:personal"], "Your name?")).toBe(
      "action_requested",
    );
    await trader.launch("kyc");
    expect(await trader.continue("personal", PERSONAL)).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    expect(await first.approve(kycCase.id, true, read)).toBe("error:changed");
    expect(await trader.currentCase()).toMatchObject({ status: "in_review", round: 2 });
    expect(await first.approve(kycCase.id)).toBe("approved");
  });

  it("a withdrawal meant for the approval does not become the no to an upgrade begun since", async () => {
    const w = world();
    const trader = new Trader(w, 540_013);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const approver = await signedInStaff(w, "withdraw.approver@broker.example", "approver");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    const approved = await approver.shownOn(kycCase.id);
    expect(approved.shownSeq).toMatch(/^\d+$/);

    await trader.sendEnhancedUpgrade();
    await w.worker();
    const upgrading = await trader.currentCase();
    expect(upgrading).toMatchObject({ status: "in_review", approvedLevel: "standard" });

    expect(await approver.reject(kycCase.id, "fraud_suspected", "", true, approved)).toBe(
      "error:changed",
    );
    // Nothing was declined or withdrawn: the upgrade waits, the approval stays in force.
    expect(await trader.currentCase()).toMatchObject({
      status: "in_review",
      round: upgrading.round,
      approvedLevel: "standard",
    });
    expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).not.toContain("rejected");
  });

  // A second connection holds the case while a list import's re-screening and then the
  // withdrawal wait for it, in that order: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "a withdrawal that passed its page's check before a monitoring hit landed is refused under the case's lock",
    async () => {
      const w = world();
      const list = path.join(w.dataDir, "race-pep.csv");
      copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
      await w.importLists([list]);
      const trader = new Trader(w, 540_015);
      const approver = await signedInStaff(w, "race.withdraw@broker.example", "approver");
      const kycCase = await approvedAtStandard(w, trader, approver, {
        givenNames: "Ilse",
        surnames: "Vandermeer",
        dateOfBirth: "1969-07-21",
        nationalities: ["NL"],
      });
      // The approver's page, read before the broker's list gained the trader.
      const read = await approver.shownOn(kycCase.id);
      writeFileSync(list, `${readFileSync(list, "utf8")}Ilse Vandermeer,,1969-07-21,Netherlands\n`);
      // The re-screening waits for the case first, then the withdrawal, which has compared the
      // page with the case as it was: the hit commits between that comparison and its lock.
      let withdrawal: Promise<string> | undefined;
      await whileCaseHeld(w, kycCase.id, 1, () => w.importLists([list]), {
        meanwhile: async (untilWaiting) => {
          withdrawal = approver.reject(kycCase.id, "fraud_suspected", "", true, read);
          await untilWaiting(2, withdrawal);
        },
      });
      expect(await withdrawal).toBe("error:changed");
      // The approval stands, held by the monitoring task the page never showed.
      expect(await trader.currentCase()).toMatchObject({ status: "approved" });
      expect(await approver.casePage(kycCase.id)).toContain('data-testid="monitoring-task"');
      expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).not.toContain("rejected");
    },
  );

  it("a take-back into review read before a colleague took the case back and asked again is refused", async () => {
    const w = world();
    const trader = new Trader(w, 540_016);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const first = await signedInStaff(w, "takeback.first@broker.example", "reviewer");
    const second = await signedInStaff(w, "takeback.second@broker.example", "reviewer");
    expect(await first.requestInformation(kycCase.id, ["document:identity"], "Sharper.")).toBe(
      "action_requested",
    );
    const read = await first.shownOn(kycCase.id);
    // Meanwhile a colleague takes the case back and asks the trader for something else.
    expect(await second.resumeReview(kycCase.id)).toBe("review_resumed");
    expect(await second.requestInformation(kycCase.id, ["step:personal"], "Your name?")).toBe(
      "action_requested",
    );

    // "Take back into review" from the page that showed only the first request.
    expect(await first.resumeReview(kycCase.id, read)).toBe("error:changed");
    expect((await trader.currentCase()).status).toBe("action_required");
    // A form without the page's sequence (forged, or from before it was sent) does nothing either.
    expect(await first.resumeReview(kycCase.id, {})).toBe("error:changed");
    // Read again, the colleague's request is there to see, and the case is taken back.
    expect(await first.resumeReview(kycCase.id)).toBe("review_resumed");
    expect((await trader.currentCase()).status).toBe("in_review");
  });

  // A second connection holds the case while the take-back waits for it: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "a take-back into review that waited for the case while a colleague took it over is refused",
    async () => {
      const w = world();
      const trader = new Trader(w, 540_032);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const first = await signedInStaff(w, "takeback.race1@broker.example", "reviewer");
      const second = await signedInStaff(w, "takeback.race2@broker.example", "reviewer");
      expect(await first.requestInformation(kycCase.id, ["document:identity"], "Sharper.")).toBe(
        "action_requested",
      );
      // The colleague's take-over waits for the case first; the take-back, read before it, has
      // passed its first checks and waits behind it: it sees the take-over once it has the case.
      let resumed: Promise<string> | undefined;
      const takenOver = await whileCaseHeld(w, kycCase.id, 1, () => second.takeOver(kycCase.id), {
        meanwhile: async (untilWaiting) => {
          resumed = first.resumeReview(kycCase.id);
          await untilWaiting(2, resumed);
        },
      });
      expect(takenOver).toBe("taken_over");
      expect(await resumed).toBe("error:not_assignee");
      expect((await trader.currentCase()).status).toBe("action_required");
      expect(w.crmEventsFor(kycCase.id).map((e) => e.event)).not.toContain("resume_review");
    },
  );

  it("an approval read before a re-screening found a hit on the case is refused", async () => {
    const w = world();
    const list = path.join(w.dataDir, "stale-hit-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const trader = new Trader(w, 540_017);
    await trader.completeStandardLevel({
      givenNames: "Marta",
      surnames: "Quintela Reis",
      dateOfBirth: "1979-03-02",
      nationalities: ["PT"],
    });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "stalehit.reviewer@broker.example", "reviewer");
    const read = await reviewer.shownOn(kycCase.id);
    expect(await reviewer.casePage(kycCase.id)).not.toContain("data-blocker=");

    // The broker's list gains her while her case waits for its decision.
    writeFileSync(list, `${readFileSync(list, "utf8")}Marta Quintela Reis,,1979-03-02,Portugal\n`);
    expect(await w.runListsImportCommand([list])).toMatch(
      /re-screened \d+ traders, 1 with a new likely match/,
    );

    // The decisions from the page without the hit are refused as stale, not judged on it.
    expect(await reviewer.approve(kycCase.id, true, read)).toBe("error:changed");
    expect(await reviewer.reject(kycCase.id, "fraud_suspected", "", true, read)).toBe(
      "error:changed",
    );
    expect((await trader.currentCase()).status).toBe(kycCase.status);
    // Read again, the page shows the hit, which the approval waits for.
    expect(await reviewer.casePage(kycCase.id)).toContain('data-blocker="likely_hit_open"');
    expect(await reviewer.approve(kycCase.id)).toBe("error:likely_hit_open");
  });

  it("a co-signature read before a request for more and the case taken back is refused", async () => {
    const w = world();
    w.configure({ FOUR_EYES_MIN_RISK: "low" });
    try {
      const trader = new Trader(w, 540_014);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "loop.reviewer@broker.example", "reviewer");
      const approver = await signedInStaff(w, "loop.approver@broker.example", "approver");
      expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
      const read = await approver.shownOn(kycCase.id);
      // Before the co-signature: more asked of the trader, who replaces the photo, and the case
      // taken back into review. Same round, same status as the approver's page said.
      expect(await reviewer.requestInformation(kycCase.id, ["document:identity"], "Sharper.")).toBe(
        "action_requested",
      );
      await trader.launch("kyc");
      expect((await trader.upload("identity")).status).toBe(200);
      expect(await reviewer.resumeReview(kycCase.id)).toBe("review_resumed");
      expect(await trader.currentCase()).toMatchObject({ status: "in_review", round: 1 });

      expect(await approver.approve(kycCase.id, true, read)).toBe("error:changed");
      expect((await trader.currentCase()).status).toBe("in_review");
    } finally {
      w.configure({});
    }
  });

  it("a reopen written for a rejection that was reopened and rejected again since is refused", async () => {
    const w = world();
    const trader = new Trader(w, 540_021);
    await trader.completeStandardLevel();
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "reopen.reviewer@broker.example", "reviewer");
    const adminA = await signedInStaff(w, "reopen.admin.a@broker.example", "admin");
    const adminB = await signedInStaff(w, "reopen.admin.b@broker.example", "admin");
    expect(await reviewer.reject(kycCase.id, "document_expired")).toMatch(/^rejected/);
    // Admin A opens the case page on this first rejection...
    const readByA = await adminA.shownOn(kycCase.id);
    // ...meanwhile admin B reopens it and the reviewer rejects it again, now as a sanctions match.
    expect(await adminB.reopen(kycCase.id, "the document was valid after all")).toBe("reopened");
    expect(await reviewer.reject(kycCase.id, "sanctions_match")).toBe("rejected_final");
    await w.worker();
    const events = w.crmEventsFor(kycCase.id).length;

    expect(await adminA.reopen(kycCase.id, "the document was valid after all", true, readByA)).toBe(
      "error:changed",
    );
    await w.worker();
    expect((await trader.currentCase()).status).toBe("rejected");
    expect(w.crmEventsFor(kycCase.id)).toHaveLength(events);
    // A form without the page's sequence reopens nothing either.
    expect(await adminA.reopen(kycCase.id, "the document was valid after all", true, {})).toBe(
      "error:changed",
    );
  });
});
