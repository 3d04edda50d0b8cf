/**
 * Scenario: the officer reads a trader's structured answers in words. Tax residences are rows
 * (the country by name, the TIN, the reason for none by its label), the questionnaire is question
 * → answer, the PEP details are labelled; what changed between rounds and the audit trail read
 * the same way, never as JSON.
 */
import "./support/request-scope";
import en from "@/messages/en.json";
import de from "@/messages/de.json";
import { PEP_FAMILY_MEMBER as PEP, TWO_TAX_RESIDENCES as TAX } from "../fixtures/kyc-values";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

jest.setTimeout(300_000);

const QUESTIONNAIRE = {
  experienceYears: "under_1y",
  tradesLastYear: "1_10",
  qualification: "none",
  leverageMargin: "margin_1000",
  marginCall: "positions_closed",
  riskOfLoss: "lose_quickly",
  acknowledgeWarning: "yes",
};

const JSON_OBJECT = /\{(&quot;|")/;

const { tax, pep, appropriateness } = en.Forms;
const section = (page: string, testId: string) =>
  page.slice(page.indexOf(`data-testid="${testId}"`));

describe("scenario: structured answers on the case page", () => {
  it("shows tax residences, the questionnaire and the PEP details in words, not JSON", async () => {
    const w = world();
    const trader = new Trader(w, 586_001);
    await trader.completeEnhancedLevel({ tax: TAX, pep: PEP, appropriateness: QUESTIONNAIRE });
    const kycCase = await trader.currentCase();
    await w.worker();

    const reviewer = await signedInStaff(w, "answers.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    const data = section(page, "trader-data");
    const text = textOf(data);
    // One row a residence: the country by name (its code on hover), the TIN, the reason by label.
    expect(data).toMatch(/<abbr title="DE" data-country="DE">Germany<\/abbr>/);
    expect(text).toMatch(/Germany 86095742719 —/);
    expect(text).toContain(`Sweden — ${tax.noTinReasonOptions.not_required}`);
    expect(text).toContain(`${tax.taxCountry} ${tax.tin} ${tax.noTinReason}`);
    // Each question by its label, each answer by its own.
    expect(text).toContain(
      `${appropriateness.experienceYears} ${appropriateness.experienceYearsOptions.under_1y}`,
    );
    expect(text).toContain(
      `${appropriateness.leverageMargin} ${appropriateness.leverageMarginOptions.margin_1000}`,
    );
    expect(text).toContain(
      `${en.ConsoleAnswers.appropriateness.result} ${en.ConsoleAnswers.appropriateness.resultOptions.not_appropriate}`,
    );
    expect(text).toContain(`${en.ConsoleAnswers.appropriateness.warningAcknowledged} Yes`);
    // The PEP declaration, labelled; the position is the trader's own words, isolated.
    expect(text).toContain(`${pep.pepRelation} ${pep.pepRelationOptions.family_member}`);
    expect(data).toContain("<bdi>Mayor of Uppsala</bdi>");
    expect(text).toContain(`${pep.pepCountry} Sweden`);
    // The checks' evidence of the same answers, in the same words.
    const checks = textOf(section(page, "checks"));
    expect(checks).toContain(
      `Politically exposed person ${pep.isPepOptions.yes} Relation ${pep.pepRelationOptions.family_member}`,
    );
    expect(checks).toContain(en.ConsoleAnswers.appropriateness.resultOptions.not_appropriate);
    expect(checks).not.toMatch(/\bfamily_member\b|\bnot_appropriate\b/);
    expect(page).not.toMatch(JSON_OBJECT);
    expect(text).not.toMatch(/\bnot_required\b|\bmargin_1000\b|\bfamily_member\b/);

    // In the officer's language.
    reviewer.locale = "de";
    const deText = textOf(section(await reviewer.casePage(kycCase.id), "trader-data"));
    expect(deText).toContain(`Schweden — ${de.Forms.tax.noTinReasonOptions.not_required}`);
    expect(deText).toContain(
      `${de.Forms.appropriateness.experienceYears} ${de.Forms.appropriateness.experienceYearsOptions.under_1y}`,
    );
    expect(deText).toContain(de.ConsoleAnswers.appropriateness.resultOptions.not_appropriate);
    reviewer.locale = "en";

    // The printable evidence reads the same answers in words.
    const approver = await signedInStaff(w, "answers.approver@broker.example", "approver");
    const printable = await (await approver.exportEvidence(kycCase.id, "html")).text();
    expect(printable).not.toMatch(JSON_OBJECT);
    expect(textOf(printable)).toContain(`Sweden — ${tax.noTinReasonOptions.not_required}`);
    expect(textOf(printable)).toContain(
      `${appropriateness.riskOfLoss} ${appropriateness.riskOfLossOptions.lose_quickly}`,
    );
    // The JSON export stays the stored shape.
    const json = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      rounds: { answers: Record<string, { data: Record<string, unknown> }> }[];
    };
    expect(json.rounds[0]?.answers.tax?.data).toEqual({
      taxResidences: [
        { country: "DE", tin: "86095742719", noTinReason: null },
        { country: "SE", tin: null, noTinReason: "not_required" },
      ],
    });
  });

  it("shows changed residences in words, and the audit trail's facts as key: value", async () => {
    const w = world();
    const trader = new Trader(w, 586_002);
    await trader.completeEnhancedLevel();
    const kycCase = await trader.currentCase();
    await w.worker();

    const reviewer = await signedInStaff(w, "changes.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["step:tax"],
        "Please add your German tax residence.",
        {},
        "CRS self-certification incomplete",
      ),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect(await trader.continue("tax", TAX)).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    const page = await reviewer.casePage(kycCase.id);
    const summary = section(page, "summary-changed-answers");
    const changes = summary.slice(0, summary.indexOf("</section>"));
    const changed = textOf(changes);
    expect(changed).toContain("Tax residence · Tax residence");
    expect(changed).toContain(`Sweden — ${tax.noTinReasonOptions.not_required}`);
    expect(changed).toContain("Germany 86095742719");
    expect(changes).not.toMatch(JSON_OBJECT);

    const admin = await signedInStaff(w, "answers.admin@broker.example", "admin");
    const audit = await admin.auditPage({ case: kycCase.id });
    expect(audit).toContain('data-action="case.action_requested"');
    expect(audit).not.toMatch(JSON_OBJECT);
    const requested = /<tr [^>]*data-action="case.action_requested">.*?<\/tr>/s.exec(audit)?.[0];
    expect(textOf(requested ?? "")).toContain("items[0].kind: step items[0].step: tax");
  });
});
