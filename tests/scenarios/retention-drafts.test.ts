/**
 * Scenarios: the draft and replaced-document periods per trigger and decision
 * (RETENTION_DRAFT_DAYS_BY, RETENTION_SUPERSEDED_DAYS_BY), applied by the worker with an injected
 * clock on cases made through the real flows, each to the day; and an upgrade left as a draft is
 * never erased as an abandoned draft (the approval in force stays whole), the purge saying so once
 * in the audit trail.
 */
import "./support/request-scope";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { POST as upgradeApi } from "@/app/api/crm/traders/[id]/upgrade/route";
import { BUILT_IN_LEVELS } from "@/lib/kyc/levels";
import { sqlRows } from "../helpers/sql-rows";
import { signedInStaff, Trader } from "./support/people";
import { BROKER, scenarioWorld, type World } from "./support/world";

const CRM_KEY = "crm-api-key-for-the-draft-retention-scenarios";
const world = scenarioWorld({ CRM_API_KEY: CRM_KEY });
const DAY = 86_400_000;

const caseRow = async (w: World, caseId: string) =>
  (
    await sqlRows<{ status: string; level: string; approved_level: string | null; drafts: number }>(
      w.db.db,
      sql`select status, level, approved_level,
        (select count(*)::int from case_drafts d where d.case_id = c.id) as drafts
        from kyc_cases c where id = ${caseId}`,
    )
  )[0];

const purgedRule = async (w: World, caseId: string) =>
  (
    await sqlRows<{ purge_rule: string | null }>(
      w.db.db,
      sql`select purge_rule from case_retention where case_id = ${caseId} and purged_at is not null`,
    )
  )[0]?.purge_rule ?? null;

describe("scenario: a draft's period follows its trigger (RETENTION_DRAFT_DAYS_BY)", () => {
  it("erases a compliance notice's draft after its 30 days, not a day earlier, and keeps another trigger's for the default 90", async () => {
    const w = world();
    // The broker's levels open the `standard` kycType on a compliance notice (the case's trigger).
    const levels = path.join(w.dataDir, "levels-notice.json");
    writeFileSync(
      levels,
      JSON.stringify({
        ...BUILT_IN_LEVELS,
        kycTypes: {
          ...BUILT_IN_LEVELS.kycTypes,
          standard: { level: "standard", trigger: "compliance_notice" },
        },
      }),
    );
    const periods = { CRM_API_KEY: CRM_KEY, RETENTION_DRAFT_DAYS_BY: "compliance_notice=30" };
    try {
      w.configure(periods);
      const other = new Trader(w, 471_001);
      await other.launch("kyc", { kycType: "basic" });
      await other.fillStandardForms({ surnames: "Ordinarsson" });
      const otherCase = await other.currentCase();
      w.configure({ ...periods, KYC_LEVELS_PATH: levels });
      const noticed = new Trader(w, 471_002);
      await noticed.launch("kyc", { kycType: "standard" });
      await noticed.fillStandardForms({ surnames: "Noticeberg" });
      expect((await noticed.upload("identity")).status).toBe(200);
      const touched = new Date();
      const notice = await noticed.currentCase();
      expect(notice.trigger).toBe("compliance_notice");
      expect(otherCase.trigger).not.toBe("compliance_notice");

      await w.worker(new Date(touched.getTime() + 29 * DAY));
      expect(await purgedRule(w, notice.id)).toBeNull();
      expect((await caseRow(w, notice.id))?.drafts).toBeGreaterThan(0);

      await w.worker(new Date(touched.getTime() + 30 * DAY + 60_000));
      expect(await purgedRule(w, notice.id)).toBe("abandoned_draft");
      expect((await caseRow(w, notice.id))?.drafts).toBe(0);
      // The default 90 days still hold for the other trigger.
      expect(await purgedRule(w, otherCase.id)).toBeNull();
      expect((await caseRow(w, otherCase.id))?.drafts).toBeGreaterThan(0);
      await w.worker(new Date(touched.getTime() + 90 * DAY + 60_000));
      expect(await purgedRule(w, otherCase.id)).toBe("abandoned_draft");
    } finally {
      // Unset, not left out: configure() keeps a variable an earlier call set.
      w.configure({ KYC_LEVELS_PATH: undefined, RETENTION_DRAFT_DAYS_BY: undefined });
    }
  }, 400_000);
});

describe("scenario: an upgrade left as a draft is not an abandoned draft", () => {
  it("keeps the approved case whole past the draft period, and says so once in the audit trail", async () => {
    const w = world();
    const trader = new Trader(w, 471_011);
    await trader.completeStandardLevel({ surnames: "Uppgradsson" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "drafts.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const opened = await upgradeApi(
      new Request(`${BROKER}/api/crm/traders/${trader.userId}/upgrade`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${CRM_KEY}` },
        body: JSON.stringify({ kycType: "enhanced" }),
      }),
      { params: Promise.resolve({ id: String(trader.userId) }) },
    );
    expect(opened.status).toBe(201);
    const before = await caseRow(w, kycCase.id);
    expect(before).toMatchObject({
      status: "draft",
      level: "enhanced",
      approved_level: "standard",
    });

    const kept = () =>
      sqlRows<{ data: Record<string, unknown> }>(
        w.db.db,
        sql`select data from audit_events where action = 'retention.purge_deferred'
          and case_id = ${kycCase.id}`,
      );
    await w.worker(new Date(Date.now() + 89 * DAY));
    expect(await kept()).toEqual([]);

    await w.worker(new Date(Date.now() + 91 * DAY));
    await w.worker(new Date(Date.now() + 92 * DAY));
    expect(await purgedRule(w, kycCase.id)).toBeNull();
    expect(await caseRow(w, kycCase.id)).toEqual(before);
    // The purge looked at the draft and kept it: said once in the audit trail, not on every run.
    const skips = await kept();
    expect(skips).toEqual([
      { data: { reason: "later_round_draft", round: 1, touchedAt: expect.any(String) } },
    ]);
    const touchedAt = new Date(String(skips[0]?.data.touchedAt)).getTime();
    expect(touchedAt).toBeGreaterThan(Date.now() - DAY);
    expect(touchedAt).toBeLessThanOrEqual(Date.now());
    const documents = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from documents where case_id = ${kycCase.id}`,
    );
    expect(documents[0]?.n).toBeGreaterThan(0);
  }, 400_000);
});

describe("scenario: a replaced upload's period follows the decision (RETENTION_SUPERSEDED_DAYS_BY)", () => {
  it("keeps an approval's replaced upload for its 10 days, not a day less", async () => {
    const w = world();
    w.configure({ CRM_API_KEY: CRM_KEY, RETENTION_SUPERSEDED_DAYS_BY: "approved=10" });
    try {
      const trader = new Trader(w, 471_021);
      await trader.launch("kyc", { kycType: "standard" });
      await trader.fillStandardForms();
      const first = await trader.upload("identity");
      expect(first.status).toBe(200);
      await trader.uploadStandardDocuments();
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "replaced.reviewer@broker.example", "reviewer");
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      const approvedAt = new Date();
      const kept = async () =>
        (
          await sqlRows<{ n: number }>(
            w.db.db,
            sql`select count(*)::int as n from documents where id = ${first.documentId}`,
          )
        )[0]?.n === 1;
      // The default (0 days) would take it at once.
      await w.worker();
      expect(await kept()).toBe(true);
      await w.worker(new Date(approvedAt.getTime() + 9 * DAY));
      expect(await kept()).toBe(true);
      await w.worker(new Date(approvedAt.getTime() + 10 * DAY + 60_000));
      expect(await kept()).toBe(false);
    } finally {
      w.configure({ RETENTION_SUPERSEDED_DAYS_BY: undefined });
    }
  }, 400_000);
});
