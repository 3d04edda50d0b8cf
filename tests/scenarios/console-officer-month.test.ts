/**
 * Scenarios of a German-speaking officer's month in the console: a re-screening hit on an
 * approved trader and an upgrade's answers read in the officer's language on the case page,
 * never as the codes the lists and the trader's forms store.
 */
import "./support/console-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ENHANCED_OWN_STEPS } from "../fixtures/kyc-values";
import { textOf } from "../helpers/render-page";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { scenarioWorld, setClock } from "./support/world";

const world = scenarioWorld();

/** The dashboard's approval and rejection figures. */
function figures(page: string) {
  const figure = (id: string) =>
    Number(new RegExp(`data-testid="${id}"[^>]*>(\\d+)<`).exec(page)?.[1] ?? Number.NaN);
  return { approvals: figure("approvals"), rejections: figure("rejections") };
}

/** The first line of one screening hit on the case page: who, which list, score, level. */
function hitLine(page: string, hitKey: string): string {
  const at = page.indexOf(`data-hit="${hitKey}"`);
  return at < 0 ? "" : page.slice(at, page.indexOf("</p>", at));
}

describe("scenario: a German officer reads a monitoring hit on an approved trader", () => {
  it("names the hit's level and the listed entry's kind in German on the case page", async () => {
    const w = world();
    const list = path.join(w.dataDir, "month-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const trader = new Trader(w, 585_001);
    const reviewer = await signedInStaff(w, "month.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "month.approver@broker.example", "approver");
    expect(await approver.chooseLanguage("de")).toBe("/admin/account?outcome=language_saved");
    const kycCase = await approvedAtStandard(w, trader, reviewer, {
      givenNames: "Marta",
      surnames: "Kowalczyk",
      dateOfBirth: "1984-03-09",
      nationalities: ["PL"],
    });

    writeFileSync(list, `${readFileSync(list, "utf8")}Marta Kowalczyk,,1984-03-09,Poland\n`);
    expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
    await w.worker();

    const page = await approver.casePage(kycCase.id);
    const hitKey = /data-hit="(month-pep:[^"]+)"/.exec(page)?.[1];
    expect(hitKey).toBeDefined();
    const hit = hitLine(page, hitKey!);
    expect(hit).toContain('data-level="likely"');
    expect(textOf(hit)).toContain("Wahrscheinlicher Treffer");
    expect(hit).not.toContain(">likely<");
    // The listed entry's kind too: a person, not the list's code for one.
    expect(textOf(hit)).toContain("· Person ·");
    expect(hit).not.toContain("individual");
  });
});

describe("scenario: a German officer declines an approved trader's upgrade", () => {
  it("reads the upgrade's multiple-choice and yes/no answers by their labels, then declines it", async () => {
    const w = world();
    const trader = new Trader(w, 585_101);
    const reviewer = await signedInStaff(w, "month.upgrade.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "month.upgrade.approver@broker.example", "approver");
    expect(await approver.chooseLanguage("de")).toBe("/admin/account?outcome=language_saved");
    const kycCase = await approvedAtStandard(w, trader, reviewer);
    await trader.sendEnhancedUpgrade();
    await w.worker();

    // The answers as the trader's German forms name them: in the trader data and in what
    // changed since the approved round.
    const page = await approver.casePage(kycCase.id);
    const data = textOf(page.slice(page.indexOf('data-testid="trader-data"')));
    expect(data).toContain("Herkunft des Geldes Gehalt oder Lohn");
    expect(data).toContain("Zweck des Kontos Langfristige Geldanlage");
    expect(data).toMatch(/in den letzten 12 Monaten ausgeübt\? Nein/);
    const changes = textOf(page.slice(0, page.indexOf('data-testid="trader-data"')));
    expect(changes).toContain("Herkunft des Geldes — Gehalt oder Lohn");
    expect(changes).toContain("Zweck des Kontos — Langfristige Geldanlage");
    expect(changes).toMatch(/in den letzten 12 Monaten ausgeübt\? — Nein/);

    const before = figures(await approver.dashboardPage());
    expect(await approver.reject(kycCase.id, "source_of_funds_unclear", "No payslip")).toBe(
      "upgrade_declined",
    );
    // The head of compliance counts the "no" as a rejection with its reason, not as one more
    // approval: the figures and the rows of their CSV.
    const after = figures(await approver.dashboardPage());
    expect(after).toEqual({ ...before, rejections: before.rejections + 1 });
    const csv = await (await approver.exportDashboard("outcomes")).text();
    expect(
      csv
        .split("\n")
        .filter((line) => line.startsWith(kycCase.id))
        .map((line) => line.split(",").slice(2, 6)),
    ).toEqual([
      ["approved", "staff", "false", ""],
      ["rejected", "staff", "false", "source_of_funds_unclear"],
    ]);
    expect(textOf(await approver.casePage(kycCase.id, { outcome: "upgrade_declined" }))).toContain(
      "Das Upgrade ist abgelehnt; der Händler behält die zuvor genehmigte Stufe.",
    );
  });
});

describe("scenario: a German officer opens a case whose identity document ran out", () => {
  it("says the approval's document expired, not that the trader did not finish in time", async () => {
    const w = world();
    const trader = new Trader(w, 585_201);
    const reviewer = await signedInStaff(w, "month.expiry.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "month.expiry.approver@broker.example", "approver");
    expect(await approver.chooseLanguage("de")).toBe("/admin/account?outcome=language_saved");
    // The scenario's passport expires on 2031-05-01; the sweep on that day expires the approval.
    const kycCase = await approvedAtStandard(w, trader, reviewer);
    await w.worker(new Date("2031-05-01T00:00:00Z"));
    expect((await trader.currentCase()).status).toBe("expired");

    await approver.signIn(); // the sweep at that date ended the sessions of today
    const state = /data-testid="decide-state">([^<]*)</.exec(await approver.casePage(kycCase.id));
    expect(state?.[1]).toBe(
      "Abgelaufen: Das Ausweisdokument, auf dem die Genehmigung beruhte, ist abgelaufen. Es gibt nichts zu entscheiden, bis der Händler es erneuert.",
    );
  });
});

describe("scenario: a request for more information the trader answers days later", () => {
  it("marks only a case waiting for a person as past the review time, before and after the answer", async () => {
    const w = world();
    const asked = new Trader(w, 585_301);
    const waiting = new Trader(w, 585_302);
    const approved = new Trader(w, 585_303);
    const approver = await signedInStaff(w, "month.rfi.approver@broker.example", "approver");
    for (const trader of [asked, waiting]) await trader.completeStandardLevel();
    await w.worker();
    const askedCase = await asked.currentCase();
    const waitingCase = await waiting.currentCase();
    const approvedCase = await approvedAtStandard(w, approved, approver);
    expect(
      await approver.requestInformation(askedCase.id, ["document:identity"], "Sharper, please."),
    ).toBe("action_requested");

    // Three days on (REVIEW_TIME_HOURS is 24): only the clock moves.
    const later = new Date(Date.now() + 72 * 3_600_000);
    setClock(later);
    try {
      await w.worker(later);
      await approver.signIn();
      const cell = (page: string, id: string) =>
        new RegExp(`<tr[^>]*data-case="${id}"[\\s\\S]*?</tr>`).exec(page)?.[0] ?? "";
      // The request was answered by the officer within minutes: the trader's turn is no breach
      // of the review time, nor is an approval; the case nobody looked at is.
      const waitingTab = await approver.queue({ queue: "waiting" });
      expect(cell(waitingTab, askedCase.id)).not.toBe("");
      expect(cell(waitingTab, askedCase.id)).not.toContain('data-overdue="true"');
      // Nor does "over the review time" apply there: not offered, and ignored in a kept link.
      expect(waitingTab).not.toContain('name="overdue"');
      const waitingOverdue = await approver.queue({ queue: "waiting", overdue: "1" });
      expect(cell(waitingOverdue, askedCase.id)).not.toBe("");
      expect(waitingOverdue).not.toContain('data-overdue="true"');
      const decidedTab = await approver.queue({ queue: "decided" });
      expect(cell(decidedTab, approvedCase.id)).not.toBe("");
      expect(cell(decidedTab, approvedCase.id)).not.toContain('data-overdue="true"');
      const reviewTab = await approver.queue();
      expect(reviewTab).toContain('name="overdue"');
      expect(cell(reviewTab, waitingCase.id)).toContain('data-overdue="true"');
      expect(cell(await approver.queue({ overdue: "1" }), waitingCase.id)).toContain(
        'data-overdue="true"',
      );
      expect(textOf(cell(reviewTab, waitingCase.id))).toMatch(/\b72 h \/ 24 h · overdue\b/);

      // The late answer puts the case back in the review tab, its review time starting anew.
      await asked.launch("kyc");
      expect((await asked.upload("identity")).status).toBe(200);
      expect(await asked.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      await w.worker(later);
      const answered = await approver.queue();
      expect(cell(answered, askedCase.id)).not.toContain('data-overdue="true"');
      expect(textOf(cell(answered, askedCase.id))).toMatch(/\b0 h \/ 24 h\b/);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("scenario: an upgrade the trader leaves unfinished past the draft period", () => {
  it("is rolled back by the purge without counting on the dashboard as an approval or a rejection", async () => {
    const w = world();
    const trader = new Trader(w, 585_401);
    const approver = await signedInStaff(w, "month.lapse.approver@broker.example", "approver");
    const kycCase = await approvedAtStandard(w, trader, approver);
    await trader.launch("kyc", { kycType: "enhanced" });
    const [step, values] = ENHANCED_OWN_STEPS[0]!;
    expect(await trader.continue(step, values)).toEqual({ redirect: "/inapp/kyc" });
    await w.worker();
    const lapsedAt = new Date(Date.now() + 91 * 86_400_000);
    const period = {
      from: new Date().toISOString().slice(0, 10),
      to: lapsedAt.toISOString().slice(0, 10),
    };
    const before = figures(await approver.dashboardPage(period));

    await w.worker(lapsedAt);
    expect(await trader.currentCase()).toMatchObject({ status: "approved", level: "standard" });
    await approver.signIn(); // the sweep at that date ended the sessions of today
    const after = await approver.dashboardPage(period);
    expect(figures(after)).toEqual(before);
    const csv = await (await approver.exportDashboard("outcomes", period)).text();
    expect(csv.split("\n").filter((line) => line.startsWith(kycCase.id))).toHaveLength(1);
  });
});
