/**
 * The trader's answers at rest that do not read with their writer's schema (lib/kyc/answers.ts):
 * each reader does what its user expects instead of crashing or going on without them. The queue
 * lists the case without a name, marked; the search sweep skips the round and the case is still
 * found by its id; the evidence export refuses, naming the case and round; a draft step that does
 * not read is a clear error naming the case and step, which the console's case page reads around;
 * the re-screening after a list change reports such a case unscreened, and screens the traders
 * after it.
 *
 * Cases are made by traders through the real flow. No current flow writes such a value (every
 * writer goes through the schema), so each bad value is planted by SQL afterwards: fault
 * injection, standing for an older shape, a manual edit or a bug in a future writer.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { caseCipher } from "@/lib/security/case-keys";
import { textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

const listed = (html: string) =>
  [...html.matchAll(/<tr[^>]*data-case="([0-9a-f-]{36})"/g)].map((m) => m[1]);
const rowOf = (html: string, caseId: string) =>
  new RegExp(`<tr[^>]*data-case="${caseId}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";

/** Fault injection: a sealed value of a shape no writer produces, under the case's own key. */
async function sealed(caseId: string, value: unknown): Promise<string> {
  return (await caseCipher(caseId)).encryptJson(value);
}

describe("scenario: a round's answers that do not read", () => {
  let broken = "";
  let sound = "";
  beforeAll(async () => {
    const w = world();
    const olga = new Trader(w, 570_001);
    await olga.completeStandardLevel({ givenNames: "Olga", surnames: "Brokenova" });
    const petra = new Trader(w, 570_002);
    await petra.completeStandardLevel({ givenNames: "Petra", surnames: "Soundova" });
    await w.worker();
    broken = (await olga.currentCase()).id;
    sound = (await petra.currentCase()).id;
    await w.db.db.execute(
      sql`update case_submissions set payload = ${await sealed(broken, null)} where case_id = ${broken}`,
    );
  });

  it("lists the case in the queue without a name, marked, and the others with theirs", async () => {
    const reviewer = await signedInStaff(world(), "unread.reviewer@broker.example", "reviewer");
    const page = await reviewer.queue();
    expect(listed(page).sort()).toEqual([broken, sound].sort());
    const row = rowOf(page, broken);
    expect(row).toContain('data-testid="name-unreadable"');
    expect(textOf(row)).toContain("name unreadable");
    expect(textOf(row)).not.toContain("Brokenova");
    expect(rowOf(page, sound)).not.toContain("name-unreadable");
    expect(textOf(rowOf(page, sound))).toContain("Petra Soundova");
  });

  it("lists it, marked, when the stored value does not even decrypt", async () => {
    const w = world();
    const [before] = await sqlRows<{ payload: string }>(
      w.db.db,
      sql`select payload from case_submissions where case_id = ${broken}`,
    );
    await w.db.db.execute(
      sql`update case_submissions set payload = ${"v2.not.a.value"} where case_id = ${broken}`,
    );
    try {
      const reviewer = await signedInStaff(w, "garbled.reviewer@broker.example", "reviewer");
      const page = await reviewer.queue();
      expect(rowOf(page, broken)).toContain('data-testid="name-unreadable"');
      expect(textOf(rowOf(page, sound))).toContain("Petra Soundova");
    } finally {
      await w.db.db.execute(
        sql`update case_submissions set payload = ${before!.payload} where case_id = ${broken}`,
      );
    }
  });

  it("the search sweep skips it for good, indexes the rest, and the case is found by its id", async () => {
    const w = world();
    // Both cases as the migration that added the search left them: not indexed yet.
    for (const id of [broken, sound]) {
      await w.db.db.execute(sql`delete from case_search_terms where case_id = ${id}`);
      await w.db.db.execute(sql`update kyc_cases set search_round = 0 where id = ${id}`);
    }
    await w.worker();
    const reviewer = await signedInStaff(w, "sweep.reviewer@broker.example", "reviewer");
    expect(listed(await reviewer.queue({ q: "petra soundova" }))).toEqual([sound]);
    expect(listed(await reviewer.queue({ q: "brokenova" }))).toEqual([]);
    expect(listed(await reviewer.queue({ q: broken }))).toEqual([broken]);
    // Marked indexed with no terms: the next sweeps do not read it again.
    const [row] = await sqlRows<{ search_round: number; round: number }>(
      w.db.db,
      sql`select search_round, round from kyc_cases where id = ${broken}`,
    );
    expect(row?.search_round).toBe(row?.round);
  });

  it("refuses the evidence export with an error naming the case and round", async () => {
    const approver = await signedInStaff(world(), "unread.approver@broker.example", "approver");
    const refused = await approver.exportEvidence(broken);
    expect(refused.status).toBe(500);
    const body = (await refused.json()) as { message: string };
    expect(body.message).toContain(`case ${broken}`);
    expect(body.message).toContain("round 1");
    // The other case exports as before.
    expect((await approver.exportEvidence(sound)).status).toBe(200);
  });

  it("records an evidence export only once it was built: a refused one leaves no audit row", async () => {
    const w = world();
    const approver = await signedInStaff(w, "audit.approver@broker.example", "approver");
    const exports = (caseId: string) =>
      sqlRows<{ data: unknown }>(
        w.db.db,
        sql`select data from audit_events where action = 'case.evidence_exported' and case_id = ${caseId}`,
      );
    const before = (await exports(broken)).length;
    expect((await approver.exportEvidence(broken)).status).toBe(500);
    expect((await approver.exportEvidence(broken, "html")).status).toBe(500);
    expect(await exports(broken)).toHaveLength(before);
    // A built export is recorded, and its own row is in it as the chain's head.
    const sent = (await (await approver.exportEvidence(sound)).json()) as {
      audit: { rows: { action: string; seq: number; hash: string }[]; chainHead: { seq: number } };
    };
    const own = sent.audit.rows.at(-1);
    expect(own?.action).toBe("case.evidence_exported");
    expect(sent.audit.chainHead.seq).toBe(own?.seq);
    expect((await exports(sound)).at(-1)).toEqual({ data: { format: "json" } });
  });
});

describe("scenario: a draft step that does not read", () => {
  it("is a clear error naming the case and step, never an empty step", async () => {
    const w = world();
    const trader = new Trader(w, 570_003);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ givenNames: "Dora", surnames: "Draftova" });
    const caseId = (await trader.currentCase()).id;
    expect((await loadStepDrafts(caseId)).personal?.values.givenNames).toBe("Dora");
    await w.db.db.execute(
      sql`update case_drafts set payload = ${await sealed(caseId, { values: "Dora Draftova" })}
          where case_id = ${caseId} and step = 'personal'`,
    );
    await expect(loadStepDrafts(caseId)).rejects.toThrow(
      `case ${caseId}: the saved answers of step personal do not read`,
    );
    // The stored value is left as it is: nothing overwrote it while it was unreadable.
    const [row] = await sqlRows<{ payload: string }>(
      w.db.db,
      sql`select payload from case_drafts where case_id = ${caseId} and step = 'personal'`,
    );
    expect((await caseCipher(caseId)).decrypt(row!.payload)).toBe('{"values":"Dora Draftova"}');
  });

  it("the console's case page shows the rest of the case and names the step", async () => {
    const w = world();
    const trader = new Trader(w, 570_004);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ givenNames: "Nora", surnames: "Notreadova" });
    const caseId = (await trader.currentCase()).id;
    await w.db.db.execute(
      sql`update case_drafts set payload = ${await sealed(caseId, null)}
          where case_id = ${caseId} and step = 'personal'`,
    );
    const reviewer = await signedInStaff(w, "draft.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(caseId);
    expect(page).toMatch(/data-testid="draft-unreadable" data-step="personal"/);
    expect(textOf(page)).toContain("the saved answers cannot be read");
    expect(page).toContain('data-testid="trader-data"');
    expect(textOf(page)).not.toContain("Notreadova");
  });
});

describe("scenario: a list change while an approved trader's saved answers do not read", () => {
  it("reports that trader unscreened, with the reason, and still finds the listed trader after it", async () => {
    const w = world();
    const list = path.join(w.dataDir, "unread-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.importLists([list]);
    const reviewer = await signedInStaff(w, "rescreen.reviewer@broker.example", "reviewer");
    const people = [
      { userId: 570_005, givenNames: "Vera", surnames: "Veilova" },
      { userId: 570_006, givenNames: "Wanda", surnames: "Wrenova" },
    ];
    const approved = [];
    for (const { userId, ...names } of people) {
      const trader = new Trader(w, userId);
      approved.push({ names, kycCase: await approvedAtStandard(w, trader, reviewer, names) });
    }
    // The re-screening goes through the cases in id order: the one that does not read comes
    // first, so a run that stopped at it would never reach the listed one.
    const [broken, listed] = approved.sort((a, b) => a.kycCase.id.localeCompare(b.kycCase.id));
    w.plantedFault(broken!.kycCase.id);
    await w.db.db.execute(
      sql`update case_drafts set payload = ${await sealed(broken!.kycCase.id, null)}
          where case_id = ${broken!.kycCase.id} and step = 'personal'`,
    );

    const { givenNames, surnames } = listed!.names;
    writeFileSync(
      list,
      `${readFileSync(list, "utf8")}${givenNames} ${surnames},,1979-02-11,Norway\n`,
    );
    const first = await w.importLists([list]);
    expect(first.rescreen?.unscreened).toEqual([
      expect.objectContaining({ caseId: broken!.kycCase.id, reason: "unreadable_answers" }),
    ]);
    expect(first.rescreen?.newHits.map((h) => h.caseId)).toEqual([listed!.kycCase.id]);
    await w.worker();
    expect(await reviewer.casePage(listed!.kycCase.id)).toContain('data-hit="unread-pep:');
    const audit = await sqlRows<{ data: { reason: string } }>(
      w.db.db,
      sql`select data from audit_events
          where case_id = ${broken!.kycCase.id} and action = 'screening.rescreen_unscreened'`,
    );
    expect(audit.map((a) => a.data.reason)).toEqual(["unreadable_answers"]);

    // Not taken as screened: the next import tries it again, and says why it could not.
    const again = await w.runCommand("scripts/lists-import.ts", [], {
      SANCTIONS_LIST_PATH: list,
    });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      `case ${broken!.kycCase.id}: not screened (its saved answers do not read)`,
    );

    // Nor does a case whose data key no longer unwraps: the next list change still screens the
    // trader after it.
    await w.db.db.execute(
      sql`update case_keys set wrapped_key = ${"v1.garbled"} where case_id = ${broken!.kycCase.id}`,
    );
    const rescreenRuns = async () =>
      (
        await sqlRows<{ n: number }>(
          w.db.db,
          sql`select count(*)::int as n from check_runs
              where case_id = ${listed!.kycCase.id} and reason = 'rescreen'`,
        )
      )[0]!.n;
    const runsBefore = await rescreenRuns();
    writeFileSync(list, `${readFileSync(list, "utf8")}Someone Unrelated,,1950,Chile\n`);
    const third = await w.importLists([list]);
    expect(third.rescreen?.unscreened).toEqual([
      expect.objectContaining({ caseId: broken!.kycCase.id, reason: "unreadable_answers" }),
    ]);
    expect(await rescreenRuns()).toBe(runsBefore + 1);
  });
});

describe("scenario: a list change while an upgrade's sent answers do not read", () => {
  it("screens nothing of it, so the upgrade cannot be approved on lists it was not screened against", async () => {
    const w = world();
    const list = path.join(w.dataDir, "upgrade-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.importLists([list]);
    const reviewer = await signedInStaff(w, "upgrade.unread.reviewer@broker.example", "reviewer");
    const trader = new Trader(w, 570_007);
    const kycCase = await approvedAtStandard(w, trader, reviewer, {
      givenNames: "Ulla",
      surnames: "Upgradova",
    });
    await trader.sendEnhancedUpgrade();
    await w.worker();
    expect((await trader.currentCase()).status).toBe("in_review");
    // What the trader sent for the upgrade does not read; the approved round's answers do.
    w.plantedFault(kycCase.id);
    await w.db.db.execute(
      sql`update case_drafts set payload = ${await sealed(kycCase.id, null)}
          where case_id = ${kycCase.id} and step = 'personal'`,
    );
    const runs = async () =>
      (
        await sqlRows<{ n: number }>(
          w.db.db,
          sql`select count(*)::int as n from check_runs
              where case_id = ${kycCase.id} and reason = 'rescreen'`,
        )
      )[0]!.n;

    writeFileSync(list, `${readFileSync(list, "utf8")}Someone Unrelated,,1950,Chile\n`);
    const report = await w.importLists([list]);
    // (The earlier scenario's unreadable trader is still in this world: it is reported too.)
    expect(report.rescreen?.unscreened.filter((u) => u.caseId === kycCase.id)).toEqual([
      expect.objectContaining({ reason: "unreadable_answers" }),
    ]);
    expect(await runs()).toBe(0);
    // The upgrade waits for a screening on today's lists, which cannot happen: a clear refusal.
    expect(await reviewer.casePage(kycCase.id)).toContain('data-blocker="screening_outdated"');
    expect(await reviewer.approve(kycCase.id)).toBe("error:screening_outdated");
    expect(await reviewer.retryChecks(kycCase.id)).toBe("error:checks_failed");
    expect(await runs()).toBe(0);
  });
});
