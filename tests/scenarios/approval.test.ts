/**
 * Scenarios: a clean case approved by a reviewer; the same case approved by the checks when the
 * broker turned auto-approval on, or left to two people when its risk needs four eyes. Each
 * asserts what the trader sees, what the reviewer sees, what the CRM receives (in order) and what
 * cTrader was told.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { listApprovalSigners } from "@/lib/db/queries/review";
import { textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { adminUrl } from "../helpers/db-target";
import { whileCaseHeld } from "./support/faults";
import { signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: a clean case, approved by one reviewer", () => {
  it("goes from launch to approval, and the CRM and cTrader hear each step in order", async () => {
    const w = world();
    const trader = new Trader(w, 410_001, "de");
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    expect(await trader.status()).toBe("submitted");

    // The reviewer sees the case while its checks run: approval is not possible yet.
    const reviewer = await signedInStaff(w, "clean.reviewer@broker.example", "reviewer");
    let page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-blocker="checks_running"');
    expect(textOf(page)).toContain("Checks running");
    expect(await reviewer.approve(kycCase.id)).toBe("error:checks_running");

    // The worker runs the checks: low risk, into the queue.
    await w.worker();
    const queue = await reviewer.queue();
    expect(queue).toContain(`data-case="${kycCase.id}"`);
    page = await reviewer.casePage(kycCase.id);
    expect(page).not.toContain("data-blocker");
    expect(page).toContain('data-check="age" data-outcome="pass"');
    expect(page).toContain('data-check="duplicate_image" data-outcome="pass"');
    expect(page).toContain('data-testid="case-risk" data-risk="low">Low');

    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();

    // The trader reads it in German.
    expect(await trader.status()).toBe("approved");
    expect(await trader.sees("status")).toContain("Genehmigt");

    // The CRM: submitted → in review → approved, numbered in order, every signature verified.
    expect(w.crmEventsFor(kycCase.id).map((e) => [e.sequence, e.status])).toEqual([
      [1, "submitted"],
      [2, "in_review"],
      [3, "approved"],
    ]);
    // cTrader: full access, once, on the trader's login.
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
    ]);
  });
});

describe("scenario: auto-approval when the broker enabled it", () => {
  it("approves a clean case without a person, and tells the CRM and cTrader", async () => {
    const w = world();
    w.configure({ AUTO_APPROVE: "1" });
    // Nothing is auto-approved unless the trader was screened: the broker imported its lists.
    await w.importLists([OFAC_EXCERPT]);
    const trader = new Trader(w, 410_002);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    expect(await trader.status()).toBe("approved");
    expect(await trader.sees("status")).toContain("Approved");
    expect(w.crmEventsFor(kycCase.id).map((e) => [e.status, e.event])).toEqual([
      ["submitted", "submit"],
      ["in_review", "start_review"],
      ["approved", "approve"],
    ]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
    ]);
    // The reviewer finds it decided, with the checks that approved it.
    const reviewer = await signedInStaff(w, "auto.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="case-status" data-status="approved">Approved<');
    expect(textOf(page)).toContain("route automatic approval");
    expect(page).not.toContain('data-testid="auto-approval-refused"');
    // The evidence says nobody signed it: the checks approved it, as its record says.
    const approver = await signedInStaff(w, "auto.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      approval: { automatic: boolean; signers: unknown[] } | null;
      checkRuns: { id: string; route: string }[];
      audit: { rows: { action: string; actorId: string; data: unknown }[] };
    };
    expect(evidence.approval).toMatchObject({ automatic: true, signers: [] });
    const run = evidence.checkRuns.find((r) => r.route === "auto_approve");
    expect(evidence.audit.rows.filter((r) => r.action === "case.approved")).toEqual([
      expect.objectContaining({ actorId: "checks", data: { automatic: true, runId: run?.id } }),
    ]);
    const printable = textOf(await (await approver.exportEvidence(kycCase.id, "html")).text());
    expect(printable).toContain("automatically by the checks (AUTO_APPROVE); nobody signed.");
  });

  it("leaves a case whose risk needs four eyes to two people, and the case page says why", async () => {
    const w = world();
    w.configure({ AUTO_APPROVE: "1", FOUR_EYES_MIN_RISK: "low" });
    try {
      await w.importLists([OFAC_EXCERPT]);
      const trader = new Trader(w, 410_003);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      expect(await trader.status()).toBe("in_review");

      const reviewer = await signedInStaff(w, "auto4.reviewer@broker.example", "reviewer");
      const approver = await signedInStaff(w, "auto4.approver@broker.example", "approver");
      const page = await reviewer.casePage(kycCase.id);
      expect(textOf(page)).toContain("route automatic approval");
      expect(page).toContain('data-testid="auto-approval-refused" data-reason="four_eyes"');
      expect(textOf(page)).toContain("the risk needs a second approver");
      expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await approver.approve(kycCase.id)).toBe("approved");
      await w.worker();
      expect(await trader.status()).toBe("approved");
    } finally {
      w.configure({ AUTO_APPROVE: "1" });
    }
  });
});

describe("scenario: four eyes after an admin reopens a withdrawn approval", () => {
  it("counts no signature from before the reopening: one approver alone cannot approve it again", async () => {
    const w = world();
    w.configure({ FOUR_EYES_MIN_RISK: "low" });
    try {
      const trader = new Trader(w, 410_010);
      await trader.completeStandardLevel();
      await w.worker();
      const kycCase = await trader.currentCase();
      const reviewer = await signedInStaff(w, "reopen.reviewer@broker.example", "reviewer");
      const approver = await signedInStaff(w, "reopen.approver@broker.example", "approver");
      const later = await signedInStaff(w, "reopen.approver2@broker.example", "approver");
      const admin = await signedInStaff(w, "reopen.admin@broker.example", "admin");
      expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await approver.approve(kycCase.id)).toBe("approved");

      // Fraud found later: the approval is withdrawn; an admin reopens the case for a second look.
      expect(await approver.reject(kycCase.id, "fraud_suspected", "Chargebacks on the card")).toBe(
        "rejected_final",
      );
      expect(await admin.reopen(kycCase.id, "Second look at the file")).toBe("reopened");

      // The two signatures of before were given on the approval since withdrawn: a new approver
      // signs first, and the case waits for a second.
      expect(await later.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await trader.status()).toBe("in_review");
      expect(await approver.approve(kycCase.id)).toBe("approved");
      const evidence = (await (await admin.exportEvidence(kycCase.id)).json()) as {
        approval: { signers: { name: string }[] } | null;
      };
      const names = async (...people: string[]) =>
        (
          await sqlRows<{ display_name: string }>(
            w.db.db,
            sql`select display_name from staff_users where email in ${people} order by display_name`,
          )
        ).map((r) => r.display_name);
      expect(evidence.approval?.signers.map((s) => s.name).sort()).toEqual(
        await names("reopen.approver@broker.example", "reopen.approver2@broker.example"),
      );
    } finally {
      w.configure({});
    }
  });
});

describe("scenario: four eyes after the trader answered a request for more information", () => {
  it("counts no signature from before the review resumed: the first signer signs again on what the trader sent", async () => {
    const w = world();
    w.configure({ FOUR_EYES_MIN_RISK: "low" });
    try {
      const trader = new Trader(w, 410_011);
      await trader.completeStandardLevel();
      await w.worker();
      const kycCase = await trader.currentCase();
      const first = await signedInStaff(w, "resume.approver1@broker.example", "approver");
      const second = await signedInStaff(w, "resume.approver2@broker.example", "approver");
      const reviewer = await signedInStaff(w, "resume.reviewer@broker.example", "reviewer");
      expect(await first.approve(kycCase.id)).toBe("awaiting_co_sign");

      // A colleague wants a sharper identity document; the trader sends one, and the case is
      // taken back into review on it.
      expect(
        await reviewer.requestInformation(
          kycCase.id,
          ["document:identity"],
          "The photo page is cut off: please send it again.",
        ),
      ).toBe("action_requested");
      expect((await trader.upload("identity")).status).toBe(200);
      expect(await reviewer.resumeReview(kycCase.id)).toBe("review_resumed");

      // The first signature was given on the document since replaced: the second approver's is
      // the first of the resumed review, and the case waits for another.
      expect(textOf(await second.casePage(kycCase.id))).toContain("no signature yet");
      expect(await second.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await trader.status()).toBe("in_review");
      expect(textOf(await first.casePage(kycCase.id))).toContain("Co-sign approval");
      expect(await first.approve(kycCase.id)).toBe("approved");
      await w.worker();
      expect(await trader.status()).toBe("approved");

      const admin = await signedInStaff(w, "resume.admin@broker.example", "admin");
      const evidence = (await (await admin.exportEvidence(kycCase.id)).json()) as {
        approval: { signers: { id: string }[] } | null;
      };
      const ids = await sqlRows<{ id: string }>(
        w.db.db,
        sql`select id from staff_users where email in ${[first.email, second.email]}`,
      );
      // One signature each, both given on the resumed review.
      expect(evidence.approval?.signers.map((s) => s.id).sort()).toEqual(
        ids.map((r) => r.id).sort(),
      );
    } finally {
      w.configure({});
    }
  });
});

describe("scenario: four eyes when a signer's account changes before the approval", () => {
  it("counts no signature of an account disabled since: the co-signer's is the first, and a third person completes", async () => {
    const w = world();
    w.configure({ FOUR_EYES_MIN_RISK: "low" });
    try {
      const trader = new Trader(w, 410_012);
      await trader.completeStandardLevel();
      await w.worker();
      const kycCase = await trader.currentCase();
      const leaver = await signedInStaff(w, "leaver.reviewer@broker.example", "reviewer");
      const approver = await signedInStaff(w, "leaver.approver1@broker.example", "approver");
      const third = await signedInStaff(w, "leaver.approver2@broker.example", "approver");
      const admin = await signedInStaff(w, "leaver.admin@broker.example", "admin");
      expect(await leaver.approve(kycCase.id)).toBe("awaiting_co_sign");
      // The reviewer leaves the firm: the admin disables the account.
      expect(await admin.disableAccountOf(leaver.email)).toBe("disabled");

      expect(textOf(await approver.casePage(kycCase.id))).toContain("no signature yet");
      expect(await approver.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await trader.status()).toBe("in_review");
      expect(await third.approve(kycCase.id)).toBe("approved");

      // The evidence names the two who made the approval, not the disabled account.
      const evidence = (await (await admin.exportEvidence(kycCase.id)).json()) as {
        approval: { signers: { id: string }[] } | null;
      };
      const ids = await sqlRows<{ id: string }>(
        w.db.db,
        sql`select id from staff_users where email in ${[approver.email, third.email]}`,
      );
      expect(evidence.approval?.signers.map((s) => s.id).sort()).toEqual(
        ids.map((r) => r.id).sort(),
      );
    } finally {
      w.configure({});
    }
  });

  it("the evidence names the signers the approval counted, also after the disabled signer's account is enabled again", async () => {
    const w = world();
    w.configure({ FOUR_EYES_MIN_RISK: "low" });
    try {
      const trader = new Trader(w, 410_014);
      await trader.completeStandardLevel();
      await w.worker();
      const kycCase = await trader.currentCase();
      const leaver = await signedInStaff(w, "back.reviewer@broker.example", "reviewer");
      const approver = await signedInStaff(w, "back.approver1@broker.example", "approver");
      const third = await signedInStaff(w, "back.approver2@broker.example", "approver");
      const admin = await signedInStaff(w, "back.admin@broker.example", "admin");
      expect(await leaver.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await admin.disableAccountOf(leaver.email)).toBe("disabled");
      expect(await approver.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await third.approve(kycCase.id)).toBe("approved");
      // The reviewer comes back to the firm after the approval: the account is enabled again.
      expect(await admin.enableAccountOf(leaver.email)).toBe("enabled");

      const evidence = (await (await admin.exportEvidence(kycCase.id)).json()) as {
        approval: { signers: { id: string }[] } | null;
        audit: { rows: { action: string; data: { signers?: string[] } }[] };
      };
      const ids = await sqlRows<{ id: string }>(
        w.db.db,
        sql`select id from staff_users where email in ${[approver.email, third.email]}`,
      );
      const counted = ids.map((r) => r.id).sort();
      // The two whose signatures made the approval, as it recorded them when it committed.
      expect(evidence.approval?.signers.map((s) => s.id).sort()).toEqual(counted);
      const recorded = evidence.audit.rows.filter((r) => r.action === "case.approved");
      expect(recorded.map((r) => r.data.signers?.slice().sort())).toEqual([counted]);
    } finally {
      w.configure({});
    }
  });

  // A second connection holds the case while the co-signature waits for it: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "refuses a co-signature whose signer's approver role was lowered while it waited for the case",
    async () => {
      const w = world();
      w.configure({ FOUR_EYES_MIN_RISK: "low" });
      try {
        const trader = new Trader(w, 410_013);
        await trader.completeStandardLevel();
        await w.worker();
        const kycCase = await trader.currentCase();
        const reviewer = await signedInStaff(w, "demoted.reviewer@broker.example", "reviewer");
        const approver = await signedInStaff(w, "demoted.approver@broker.example", "approver");
        const admin = await signedInStaff(w, "demoted.admin@broker.example", "admin");
        expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");

        // The approver's co-signature has passed its role check and waits for the case while the
        // admin lowers the approver to reviewer.
        const coSigned = await whileCaseHeld(w, kycCase.id, 1, () => approver.approve(kycCase.id), {
          meanwhile: async () => {
            expect(await admin.changeRoleOf(approver.email, "reviewer")).toBe("role_changed");
          },
        });
        expect(coSigned).toBe("error:co_sign_needs_approver");
        expect(await trader.status()).toBe("in_review");
        expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).not.toContain("approved");
      } finally {
        w.configure({});
      }
    },
  );
});

describe("scenario: four eyes when a re-screening finds the trader while the approval waits for its co-signature", () => {
  it("counts no signature from before the hit, and the evidence names the two who signed after it", async () => {
    const w = world();
    w.configure({ FOUR_EYES_MIN_RISK: "low" });
    try {
      const list = path.join(w.dataDir, "cosign-pep.csv");
      copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
      await w.runListsImportCommand([list]);
      const trader = new Trader(w, 410_015);
      await trader.completeStandardLevel({
        givenNames: "Joana",
        surnames: "Meireles Costa",
        dateOfBirth: "1983-11-09",
        nationalities: ["PT"],
      });
      await w.worker();
      const kycCase = await trader.currentCase();
      const early = await signedInStaff(w, "hit.reviewer@broker.example", "reviewer");
      const second = await signedInStaff(w, "hit.approver1@broker.example", "approver");
      const third = await signedInStaff(w, "hit.approver2@broker.example", "approver");
      const admin = await signedInStaff(w, "hit.admin@broker.example", "admin");
      expect(await early.approve(kycCase.id)).toBe("awaiting_co_sign");

      // The broker's list gains her before the co-signature; the import re-screens the case.
      writeFileSync(
        list,
        `${readFileSync(list, "utf8")}Joana Meireles Costa,,1983-11-09,Portugal\n`,
      );
      expect(await w.runListsImportCommand([list])).toMatch(/1 with a new likely match/);
      const hitKey = /data-hit="(cosign-pep:[^"]+)"/.exec(await second.casePage(kycCase.id))?.[1];
      expect(hitKey).toBeDefined();
      expect(await second.judgeHit(kycCase.id, hitKey!, "false_positive", "Other person")).toBe(
        "hit_awaiting_second",
      );
      expect(await third.judgeHit(kycCase.id, hitKey!, "false_positive", "Passport differs")).toBe(
        "hit_cleared",
      );

      // The signature given before the hit was not given on the case as it stands.
      expect(await second.approve(kycCase.id)).toBe("awaiting_co_sign");
      expect(await third.approve(kycCase.id)).toBe("approved");

      const evidence = (await (await admin.exportEvidence(kycCase.id)).json()) as {
        approval: { at: string; signers: { id: string }[] } | null;
        audit: { rows: { action: string; at: string }[] };
      };
      const ids = await sqlRows<{ id: string }>(
        w.db.db,
        sql`select id from staff_users where email in ${[second.email, third.email]}`,
      );
      const counted = ids.map((r) => r.id).sort();
      expect(evidence.approval?.signers.map((s) => s.id).sort()).toEqual(counted);
      // An approval without a record is derived by the same rule as of its time: the same two.
      const derived = await listApprovalSigners(kycCase.id, new Date(evidence.approval!.at));
      expect(derived.map((d) => d.staffId).sort()).toEqual(counted);
      // The hit's audit entry, which that derivation reads once a later hit has moved case_risk
      // on, is at the hit's own moment (when it was recorded, four eyes counting from it), not at
      // the start of the import that found it.
      const [risk] = await sqlRows<{ ms: number }>(
        w.db.db,
        sql`select (extract(epoch from rescreen_hit_at) * 1000)::float8 as ms
          from case_risk where case_id = ${kycCase.id}`,
      );
      expect(
        evidence.audit.rows
          .filter((r) => r.action === "screening.rescreen_hit")
          .map((r) => Date.parse(r.at)),
      ).toEqual([risk!.ms]);
    } finally {
      w.configure({});
    }
  });
});
