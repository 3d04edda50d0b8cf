/**
 * Scenario: the printable evidence reads like the case page. A trader whose name and date of birth
 * match an OFAC SDN entry sends the enhanced level (tax residences, a PEP declaration); an officer
 * asks for a newer bill, the trader sends it, two people clear the hit and two sign the approval.
 * The approver's printable copy then says what the page says, in the same words and language:
 * why the hit matched, who cleared it, what was asked, who signed; and every instant in it reads
 * as a time in UTC, said so, never as a raw ISO string. What decisions recorded, what an open
 * monitoring task holds and what the trader saved without sending are printed too.
 */
import "./support/request-scope";
import en from "@/messages/en.json";
import {
  LISTED_HIT as HIT,
  LISTED_PERSON as LISTED,
  PEP_FAMILY_MEMBER as PEP,
  PERSONAL,
  TWO_TAX_RESIDENCES as TAX,
} from "../fixtures/kyc-values";
import { textOf } from "../helpers/render-page";
import { importBrokerList, LISTED_LATER } from "./support/broker-list";
import { dayAfterReviewDue, daysAfter, dayStart } from "./support/dates";
import { approvedAtStandard, signedInStaff, Trader, type Staff } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld({ PERIODIC_REVIEW_MONTHS_LOW: "60" });

jest.setTimeout(300_000);

const ISO_INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
/** An instant as the printable marks it up. */
const TIME = String.raw`<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">[^<]+ UTC</time>`;

/** The markup of one section of the printable: from its heading to the next one. */
function sectionOf(html: string, heading: string): string {
  const start = html.indexOf(`<h2>${heading}</h2>`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = html.indexOf("<h2>", start + 1);
  return html.slice(start, end < 0 ? undefined : end);
}

/** The words a reader sees in a piece of markup: tags dropped (not spaced), entities read. */
const wordsOf = (html: string) =>
  textOf(html.replace(/<!--[\s\S]*?-->/g, "").replace(/<(?!\/?(?:li|p|td|th|dt|dd)\b)[^>]+>/g, ""));

/** The case page's explanation of a hit, one sentence a line. */
function pageExplanation(page: string): string[] {
  const list = /data-testid="hit-explanation">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? "";
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => wordsOf(m[1]!));
}

/** An instant as the printable shows it: in the page's language, in UTC, said so. */
const inUtc = (at: Date, locale: string) =>
  `${new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(at)} UTC`;

async function printable(staff: Staff, caseId: string): Promise<string> {
  const response = await staff.exportEvidence(caseId, "html");
  expect(response.status).toBe(200);
  return response.text();
}

describe("scenario: the printable evidence of a rich case", () => {
  it("says what the case page says: the hit's explanation, the verdicts, what was asked, the signers, times in UTC", async () => {
    const w = world();
    await w.importLists([OFAC_EXCERPT]);
    const trader = new Trader(w, 587_001);
    await trader.completeEnhancedLevel({ tax: TAX, pep: PEP }, LISTED);
    const kycCase = await trader.currentCase();
    await w.worker();

    const reviewer = await signedInStaff(w, "print.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "print.approver@broker.example", "approver");
    expect(
      await reviewer.requestInformation(kycCase.id, ["document:address"], "A newer bill, please."),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect((await trader.upload("address")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    expect(
      await reviewer.judgeHit(kycCase.id, HIT, "false_positive", "Born in Sweden, passport shows"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(kycCase.id, HIT, "false_positive", "Checked passport: not listed"),
    ).toBe("hit_cleared");
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const decided = await trader.currentCase();

    const page = await approver.casePage(kycCase.id);
    const explained = pageExplanation(page);
    expect(explained.length).toBeGreaterThanOrEqual(4);
    expect(explained).toContain(
      "Date of birth: the same date of birth (listed: \u20681952-12-12, 1955-11-24, 1955-10-24\u2069).",
    );

    const html = await printable(approver, kycCase.id);
    const printed = wordsOf(html);
    // Why the hit matched, sentence for sentence as the page says it.
    for (const sentence of explained) expect(printed).toContain(sentence);
    expect(printed).toContain(
      "Matched the listed name “\u2068Rafael CARO QUINTERO\u2069” (name score 1.00).",
    );
    // Who cleared it, in which role, why; what was asked; who signed.
    expect(printed).toContain("False positive by print.reviewer (reviewer)");
    expect(printed).toContain("Born in Sweden, passport shows");
    expect(printed).toContain("Checked passport: not listed");
    // The two verdicts a line each (HTML folds a newline into a space), each with its time
    // marked up, and the reason a person wrote isolated, as the hit's names are.
    expect(sectionOf(html, "Screening hits and verdicts")).toMatch(
      new RegExp(
        String.raw`<ul class="lines"><li>False positive by print\.reviewer \(reviewer\) at ${TIME}: <bdi>Born in Sweden, passport shows</bdi></li>` +
          String.raw`<li>False positive by print\.approver \(approver\) at ${TIME}: <bdi>Checked passport: not listed</bdi></li></ul>`,
      ),
    );
    // So are the deliveries of one event, and no cell leans on a newline.
    const told = sectionOf(html, "What the broker’s systems were told");
    expect(told).toMatch(/<td><ul class="lines"><li>[^<]+<\/li><li>[^<]+<\/li>/);
    expect(html).not.toMatch(/<td>[^<]*\n/);
    // Times inside sentences are marked up as every other: the rounds, the runs, the approval.
    const headings = html.match(/<h3>[\s\S]*?<\/h3>/g) ?? [];
    expect(headings.length).toBeGreaterThanOrEqual(4);
    for (const h3 of headings) expect(h3).toMatch(new RegExp(TIME));
    expect(html).toMatch(new RegExp(String.raw`<p>Exported ${TIME} by print\.approver`));
    expect(html).toMatch(new RegExp(String.raw`<p>Approved ${TIME}, signed by`));
    // Everything the trader saved went out with the round: nothing unsent.
    expect(sectionOf(html, "Answers not yet submitted")).toContain("<p>None.</p>");
    expect(printed).toContain("A newer bill, please.");
    expect(printed).toContain("signed by print.reviewer (reviewer) and print.approver (approver)");
    // The timeline names who changed the case as the page does, and what was asked of the trader.
    const timeline = wordsOf(
      html.slice(html.indexOf("<h2>Timeline</h2>"), html.indexOf("<h2>What the")),
    );
    expect(timeline).toMatch(
      /More information requested.*print\.reviewer \(reviewer\).*Asked for: Proof of address.*A newer bill, please\./,
    );
    expect(timeline).toMatch(/Sent .* the trader .*Review started .* the system \(checks\)/);
    expect(timeline).toMatch(/Approved .* print\.approver \(approver\)/);
    expect(timeline).not.toMatch(/Staff [0-9a-f-]{36}|Trader [0-9a-f-]{36}/);
    // The risk as the page's summary says it; file sizes as the page counts them.
    expect(printed).toContain(`High · ${en.ConsoleCase.summary.escalated}`);
    expect(printed).toMatch(/\b\d{3},\d{3} bytes\b/);
    // The answers in the words of the trader's forms.
    expect(printed).toContain(`Sweden — ${en.Forms.tax.noTinReasonOptions.not_required}`);
    expect(printed).toContain(
      `${en.Forms.pep.pepRelation} ${en.Forms.pep.pepRelationOptions.family_member}`,
    );
    expect(printed).toContain("Mayor of Uppsala");

    // Every instant a time in UTC, said so (an approved case is still open: no closing time).
    expect(printed).toContain(inUtc(decided.openedAt, "en"));
    // (The audit rows' data has no schema to read it by: it stays as stored.)
    const beforeAudit = html.slice(0, html.indexOf("<h2>Audit trail</h2>"));
    expect(beforeAudit.length).toBeGreaterThan(0);
    expect(textOf(beforeAudit)).not.toMatch(ISO_INSTANT);
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">[^<]+ UTC<\/time>/);

    // In German, both the page and the printable, the same sentences.
    approver.locale = "de";
    await approver.chooseLanguage("de");
    const germanPage = pageExplanation(await approver.casePage(kycCase.id));
    const german = wordsOf(await printable(approver, kycCase.id));
    // The matched name, the words, the date of birth and the nationality, at least.
    expect(germanPage.length).toBeGreaterThanOrEqual(4);
    for (const sentence of germanPage) expect(german).toContain(sentence);
    expect(germanPage.some((s) => s.startsWith("Geburtsdatum"))).toBe(true);
    expect(german).toContain(inUtc(decided.openedAt, "de"));
  });
});

describe("scenario: the printable evidence of a renewal after a periodic review raised the risk", () => {
  it("says the risk a person raised and what the renewal asked for", async () => {
    const w = world();
    await w.importLists([OFAC_EXCERPT]);
    const trader = new Trader(w, 587_002);
    const reviewer = await signedInStaff(w, "print.floor@broker.example", "reviewer");
    // The passport expires months after the periodic review falls due: the review comes first.
    const expiryDate = dayAfterReviewDue(175);
    const kycCase = await approvedAtStandard(w, trader, reviewer, {}, { expiryDate });
    const reviewSweep = dayStart(dayAfterReviewDue(1));
    await w.worker(reviewSweep);
    // (The sweeps at those dates end the sessions of the day: each officer signs in after them.)
    const officer = await signedInStaff(w, "print.periodic@broker.example", "reviewer");
    expect(
      await officer.completePeriodicReview(kycCase.id, "risk_medium", "new trading pattern"),
    ).toBe("periodic_review_completed");
    await w.worker(daysAfter(dayStart(expiryDate), -17));
    await trader.renewIdentity({ documentNumber: "PR5870020", expiryDate: "2040-05-01" });
    await w.worker();
    const second = await signedInStaff(w, "print.renewal@broker.example", "reviewer");
    expect(await second.approve(kycCase.id)).toBe("approved");

    const approver = await signedInStaff(w, "print.floor.approver@broker.example", "approver");
    const page = textOf(await approver.casePage(kycCase.id));
    const floor = en.ConsoleCase.summary.riskFloor.replace("{risk}", "Medium");
    expect(page).toContain(floor);
    const html = await printable(approver, kycCase.id);
    const printed = wordsOf(html);
    expect(printed).toContain(`Medium · ${floor}`);
    expect(printed).toContain("new trading pattern");
    // What the periodic review decided, as its decision recorded it.
    const decisions = wordsOf(sectionOf(html, "Decisions"));
    expect(decisions).toContain("outcome: risk_medium");
    expect(decisions).toContain("riskLevel: medium");
    // The review tasks: the one the officer closed, with its outcome in words.
    const tasks = wordsOf(
      html.slice(html.indexOf("<h2>Review tasks</h2>"), html.indexOf("<h2>Documents</h2>")),
    );
    expect(tasks).toContain(`Periodic review ${inUtc(reviewSweep, "en")} `);
    expect(tasks).toMatch(/Periodic review [^|]*? UTC Reviewed: risk raised to medium/);
    // What the task held when the officer read it: the review it followed, its instants as times.
    expect(tasks).toContain("months: 60");
    expect(sectionOf(html, "Review tasks")).toMatch(new RegExp(String.raw`lastReviewAt: ${TIME}`));
    expect(printed).toMatch(
      /Renewal started Approved → Draft the trader Asked for: [^.]*Identity document/,
    );
    expect(printed).toMatch(/Round 2 \(Sent, [^)]+ UTC\)/);
  });
});

describe("scenario: the printable evidence of a case a re-screening holds", () => {
  it("prints what the open monitoring task holds: the run that found the hit and the entry", async () => {
    const w = world();
    const { listLater } = await importBrokerList(w, "print-pep.csv");
    const trader = new Trader(w, 587_003);
    const reviewer = await signedInStaff(w, "print.monitor@broker.example", "reviewer");
    const kycCase = await approvedAtStandard(w, trader, reviewer, LISTED_LATER);
    await listLater();
    await w.worker();

    const approver = await signedInStaff(w, "print.monitor.approver@broker.example", "approver");
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="monitoring-task"');
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      reviewTasks: { kind: string; closedAt: string | null; data: { runIds: string[] } }[];
    };
    const task = evidence.reviewTasks.find((t) => t.kind === "monitoring_hit");
    expect(task?.closedAt).toBeNull();
    const tasks = wordsOf(sectionOf(await printable(approver, kycCase.id), "Review tasks"));
    expect(tasks).toContain("Monitoring hit");
    expect(tasks).toContain("Open");
    expect(tasks).toContain(`runIds: ${task!.data.runIds[0]}`);
    expect(tasks).toContain("hits[0].source: print-pep");
    expect(tasks).toMatch(/hits\[0\]\.entryId: \S+/);
  });
});

describe("scenario: the printable evidence of a case the trader is changing", () => {
  it("prints what the trader saved and has not sent, apart from the rounds and said so", async () => {
    const w = world();
    const trader = new Trader(w, 587_004);
    await trader.completeStandardLevel();
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "print.drafts@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(kycCase.id, ["step:personal"], "Your address, please."),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect(await trader.continue("personal", { ...PERSONAL, city: "Lund" })).toEqual({
      redirect: "/inapp/kyc",
    });

    const approver = await signedInStaff(w, "print.drafts.approver@broker.example", "approver");
    const html = await printable(approver, kycCase.id);
    // The round as sent; the change apart, under its own heading, with when it was saved.
    expect(wordsOf(sectionOf(html, "Answers per submission round"))).toContain(PERSONAL.city);
    const unsent = sectionOf(html, "Answers not yet submitted");
    expect(wordsOf(unsent)).toContain(en.EvidenceExport.draftsNote);
    expect(wordsOf(unsent)).toContain("Lund");
    expect(wordsOf(unsent)).not.toContain(PERSONAL.city);
    expect(unsent).toMatch(new RegExp(TIME));
    // Only the step that differs from what was sent.
    expect(unsent.match(/<tr>/g)).toHaveLength(2);
  });
});
