/**
 * Scenario: the officer reads the automated checks' evidence in their own language. Every key a
 * check stored is labelled (none shows as its code name), codes read as words, and the
 * questionnaire's time of assessment is a time, not an ISO string: on the case page, in German as
 * in English, and in the printable evidence. The JSON export keeps the stored keys.
 */
import "./support/request-scope";
import en from "@/messages/en.json";
import de from "@/messages/de.json";
import { labelsIn } from "@/lib/review/labels";
import { LISTED_PERSON as LISTED } from "../fixtures/kyc-values";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld();

jest.setTimeout(300_000);

beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
});

const PEP = { isPep: "yes", pepRelation: "family_member", pepPosition: "Mayor", pepCountry: "SE" };
const QUESTIONNAIRE = {
  experienceYears: "under_1y",
  tradesLastYear: "1_10",
  qualification: "none",
  leverageMargin: "margin_1000",
  marginCall: "positions_closed",
  riskOfLoss: "lose_quickly",
  acknowledgeWarning: "yes",
};
const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

type Evidence = { check: string; evidence: unknown };

/**
 * Every key the checks stored, at any depth: not the screened lists' names (data, not keys) nor
 * the hits, which have their own section.
 */
function storedKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => storedKeys(v, into));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      if (k !== "lists" && k !== "hits") storedKeys(v, into);
    }
  return into;
}

const between = (html: string, from: string, to: string) => {
  const start = html.indexOf(from);
  return html.slice(start, html.indexOf(to, start + from.length));
};

/** The labels of the checks' evidence on the case page, by the key each stands for. */
const pageLabels = (page: string) =>
  [
    ...between(page, 'data-testid="checks"', "</section>").matchAll(
      /<dt data-key="([^"]*)">([^<]*)<\/dt>/g,
    ),
  ].map(([, key, label]) => ({ key: key!, label: label! }));

describe("scenario: check evidence in the officer's words", () => {
  it("labels every stored key, says codes in words and times as times, on the page and printable", async () => {
    const w = world();
    const trader = new Trader(w, 590_001);
    await trader.completeEnhancedLevel({ pep: PEP, appropriateness: QUESTIONNAIRE }, LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();

    const approver = await signedInStaff(w, "evidence.words@broker.example", "approver");
    const json = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      checkRuns: { results: Evidence[] }[];
      rounds: { answers: Record<string, { data: Record<string, unknown> }> }[];
    };
    const results = json.checkRuns[0]!.results;
    // The JSON export stays the stored evidence, code names and all.
    expect(results.find((r) => r.check === "pep_declaration")?.evidence).toEqual({
      isPep: true,
      relation: "family_member",
      country: "SE",
    });
    const keys = storedKeys(results.map((r) => r.evidence));
    for (const key of [
      "isPep",
      "relation",
      "maxScore",
      "taxCountries",
      "residenceCountry",
      "lists",
    ])
      expect(keys).toContain(key);
    const assessedAt = json.rounds[0]!.answers.appropriateness!.data.assessedAt as string;
    expect(assessedAt).toMatch(ISO_INSTANT);

    for (const locale of ["en", "de"] as const) {
      approver.locale = locale;
      const label = await labelsIn(locale);
      const page = await approver.casePage(kycCase.id);
      const shown = pageLabels(page);
      expect(shown.length).toBeGreaterThan(10);
      for (const { key, label: text } of shown) {
        expect([key, text]).toEqual([key, label.evidenceKey(key)]);
        expect([key, keys.has(text)]).toEqual([key, false]);
      }
      const checks = textOf(between(page, 'data-testid="checks"', "</section>"));
      const words = locale === "en" ? en : de;
      expect(checks).toContain(
        `${label.evidenceKey("isPep")} ${label.yesNo("yes")} ${label.evidenceKey("relation")} ${words.Forms.pep.pepRelationOptions.family_member} ${label.evidenceKey("country")} ${label.country("SE")}`,
      );
      expect(checks).toContain(
        `${label.evidenceKey("result")} ${words.ConsoleAnswers.appropriateness.resultOptions.not_appropriate}`,
      );
      expect(checks).toContain(`${label.evidenceKey("taxCountries")} ${label.country("SE")}`);
      expect(checks).not.toMatch(/\bfamily_member\b|\bnot_appropriate\b|\btrue\b/);

      // The questionnaire's time of assessment in the officer's time zone, not as stored.
      const data = between(page, 'data-testid="trader-data"', "</section>");
      expect(data).toContain(
        `<dt>${words.ConsoleAnswers.appropriateness.assessedAt}</dt><dd><time dateTime="${assessedAt}"`,
      );
      expect(textOf(data)).not.toMatch(ISO_INSTANT);

      // The printable evidence reads the same.
      const printable = await (await approver.exportEvidence(kycCase.id, "html")).text();
      const printed = between(printable, "<h2>", "</body>");
      // The list's name for the hit is isolated like any text the app did not write.
      expect(printable).toMatch(/<td><p><bdi>[^<]*QUINTERO[^<]*<\/bdi> · /i);
      const checksPrinted = between(
        printed,
        `<h2>${words.EvidenceExport.section.match(/checks \{([^}]*)\}/)![1]}</h2>`,
        "<h2>",
      );
      const printedLabels = [...checksPrinted.matchAll(/<dt>([^<]*)<\/dt>/g)].map(([, l]) => l!);
      expect(printedLabels).toEqual(expect.arrayContaining(shown.map((s) => s.label)));
      expect(printedLabels).toContain(label.evidenceKey("lists"));
      for (const text of printedLabels) expect([text, keys.has(text)]).toEqual([text, false]);
      expect(textOf(checksPrinted)).toContain(
        `${label.evidenceKey("isPep")} ${label.yesNo("yes")}`,
      );
      expect(textOf(checksPrinted)).not.toMatch(/\bfamily_member\b|\bnot_appropriate\b|\btrue\b/);
      expect(printable).toContain(
        `<dt>${words.ConsoleAnswers.appropriateness.assessedAt}</dt><dd><time datetime="${assessedAt}">`,
      );
    }
  });
});
