/**
 * The evidence export as a printable page: the same document as the JSON (caseEvidenceSchema),
 * laid out for a supervisor to read or print to PDF, in the exporting officer's language
 * (`EvidenceExport` and `ConsoleLabels` catalogs, the trader's answers under their forms' labels).
 * Codes become words; what people wrote (names, reasons, messages) stays as written; check
 * evidence reads under its labels as the case page shows it (lib/review/check-evidence.ts), and a
 * screening hit's explanation in the page's own sentences (lib/review/hit-explanation.ts).
 * Every instant reads in UTC, said so: the console shows the officer's zone, which only their
 * browser knows, and a paper copy must read the same whoever printed it and wherever it is read.
 * Structures with no schema to read them by (audit data) read as `key: value` lines. Every value
 * is escaped; the page has no script and loads nothing.
 */
import { isDeepStrictEqual } from "node:util";
import type { Messages } from "next-intl";
import { directionOf } from "@/lib/i18n/config";
import { messagesFor } from "@/lib/i18n/catalogs";
import { translatorFor } from "@/lib/i18n/translations";
import { isCountryField } from "@/lib/kyc/steps";
import { askedOfTrader } from "@/lib/kyc/case-event-data";
import { MONITORING_TASK } from "@/lib/db/queries/hold-tasks";
import { readAnswer } from "./answers";
import { itemLabel } from "./case-summary";
import { evidenceFacts, type EvidenceFact, type EvidenceNode } from "./check-evidence";
import type { CaseEvidence } from "./evidence";
import { factsOf, isInstant, isStoredTime } from "./facts";
import { explanationLines } from "./hit-explanation";
import { fieldLabelsIn, labelsIn, type ConsoleLabels, type FieldLabels } from "./labels";
import { riskMarks } from "./risk";

type Translate = (key: string, values?: Record<string, string | number>) => string;
/** A translator of messages with tags, each tag's part given as a string (next-intl's `markup`). */
type Markup = {
  markup(
    key: string,
    values: Record<string, string | number | ((chunks: string) => string)>,
  ): string;
} & Translate;

/**
 * The words the page is written in: one locale's export texts, console labels, and the labels of
 * the trader's forms for their answers.
 */
export type EvidenceWords = {
  locale: string;
  t: Translate;
  /** The case page's own words (`ConsoleCase`), for what the printable says as the page does. */
  page: Markup;
  /** The words of the case page's summary (`CaseSummary`). */
  summary: Translate;
  label: ConsoleLabels;
  fields: FieldLabels;
};

export async function evidenceWordsIn(locale: string): Promise<EvidenceWords> {
  const messages = (await messagesFor(locale)) as unknown as Messages;
  const t = translatorFor({ locale, messages, timeZone: "UTC" }, "EvidenceExport");
  const page = translatorFor({ locale, messages, timeZone: "UTC" }, "ConsoleCase");
  const summary = translatorFor({ locale, messages, timeZone: "UTC" }, "CaseSummary");
  const [label, fields] = await Promise.all([labelsIn(locale), fieldLabelsIn(locale)]);
  return {
    locale,
    t: t as unknown as Translate,
    page: page as unknown as Markup,
    summary: summary as unknown as Translate,
    label,
    fields,
  };
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const escapeHtml = (value: unknown): string =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Markup this module built itself, which a table cell takes as it is. */
class Html {
  constructor(readonly html: string) {}
}

/** Text a person wrote, isolated so that a right-to-left value cannot reorder its line. */
const typed = (value: unknown): string =>
  value === null || value === undefined || value === "" || value === "—"
    ? "—"
    : `<bdi>${escapeHtml(value)}</bdi>`;

/** JSON with no schema to read it by as `key: value` lines (lib/review/facts.ts). */
const facts = (value: unknown): string =>
  `<ul class="facts">${factsOf(value)
    .map(({ key, value: v }) => `<li>${key ? `${escapeHtml(key)}: ` : ""}${typed(v)}</li>`)
    .join("")}</ul>`;

const text = (value: unknown): string =>
  value instanceof Html
    ? value.html
    : value === null || value === undefined || value === ""
      ? "—"
      : typeof value === "object"
        ? facts(value)
        : escapeHtml(value);

/** An instant as text in the page's language, in UTC and saying so (see the top of the file). */
function when(iso: string, locale: string): string {
  const shown = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(new Date(iso));
  return `${shown} UTC`;
}

/** An instant as markup: `when`, the exact value in `datetime`. */
function instant(iso: string, locale: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(when(iso, locale))}</time>`;
}

/**
 * A sentence with an instant in it (`{at}`), the instant as `instant` marks it up: the sentence
 * escaped, the time put in after, as `withPart` does.
 */
function sentenceAt(
  t: Translate,
  key: string,
  values: Record<string, string | number>,
  iso: string,
  locale: string,
): string {
  const mark = "\uE001";
  return escapeHtml(t(key, { ...values, at: mark })).replace(mark, () => instant(iso, locale));
}

/** Several entries of one cell (verdicts, deliveries), each on its own line; none is a dash. */
const lines = (items: string[]): Html | null =>
  items.length
    ? new Html(`<ul class="lines">${items.map((i) => `<li>${i}</li>`).join("")}</ul>`)
    : null;

/**
 * Stored data a person or a job wrote for a decision or a review task, read like audit data
 * (`facts`), but its instants (`at`, `lastReviewAt`) read as every other time on the page.
 */
const dataFacts = (value: unknown, locale: string): Html =>
  new Html(
    `<ul class="facts">${factsOf(value)
      .map(
        ({ key, value: v }) =>
          `<li>${key ? `${escapeHtml(key)}: ` : ""}${isInstant(v) ? instant(v, locale) : typed(v)}</li>`,
      )
      .join("")}</ul>`,
  );

/**
 * A message with a tag whose part is markup built here: the message and its values escaped, the
 * tag's part put in after (a private-use mark stands for it meanwhile).
 */
function withPart(
  page: Markup,
  key: string,
  values: Record<string, string | number>,
  tag: string,
  part: string,
): string {
  const mark = "\uE000";
  // A function, so a `$&` or `$'` in the part is not read as a replacement pattern.
  return escapeHtml(page.markup(key, { ...values, [tag]: () => mark })).replace(mark, () => part);
}

const countryNames = (codes: string[], { label }: EvidenceWords): string =>
  codes
    .filter((c) => c !== "")
    .map((c) => `<abbr title="${escapeHtml(c)}">${escapeHtml(label.country(c))}</abbr>`)
    .join(", ") || "—";

/** Why a screening hit matched, in the sentences of the case page (lib/review/hit-explanation.ts). */
function explanationHtml(
  explanation: CaseEvidence["screeningHits"][number]["explanation"],
  words: EvidenceWords,
): string {
  const { page } = words;
  const listed = (key: string, values: Record<string, string>, shown: string | null) =>
    withPart(
      page,
      key,
      values,
      "listed",
      shown === null ? "" : withPart(page, "hits.listed", {}, "values", shown),
    );
  return `<ul class="explanation">${explanationLines(explanation, page("hits.noWords"))
    .map(
      (line) =>
        `<li>${
          line.key === "dateOfBirth"
            ? listed(
                `hits.${line.key}`,
                line.values,
                line.listed ? escapeHtml(line.listed.text) : null,
              )
            : line.key === "nationality"
              ? listed(
                  `hits.${line.key}`,
                  line.values,
                  line.listed ? countryNames(line.listed.codes, words) : null,
                )
              : escapeHtml(page(`hits.${line.key}`, line.values))
        }</li>`,
    )
    .join("")}</ul>`;
}

function evidenceNodeHtml(value: EvidenceNode, words: EvidenceWords): string {
  switch (value.kind) {
    case "none":
      return "—";
    case "text":
      return typed(value.text);
    case "word":
      return escapeHtml(value.word);
    case "countries":
      return countryNames(value.codes, words);
    case "time":
      return instant(value.iso, words.locale);
    case "facts":
      return evidenceFactsHtml(value.facts, words);
    case "list":
      return !value.lines && value.items.every((i) => i.kind === "text" || i.kind === "word")
        ? value.items.map((i) => evidenceNodeHtml(i, words)).join(", ")
        : `<ul>${value.items.map((i) => `<li>${evidenceNodeHtml(i, words)}</li>`).join("")}</ul>`;
  }
}

function evidenceFactsHtml(facts: EvidenceFact[], words: EvidenceWords): string {
  return `<dl>${facts
    .map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${evidenceNodeHtml(f.value, words)}</dd>`)
    .join("")}</dl>`;
}

/**
 * A step's answers under the labels of the trader's form: countries by name (the code on hover),
 * choices by their labels, the tax residences as rows and the questionnaire as question → answer.
 */
function answersHtml(step: string, data: unknown, words: EvidenceWords): Html {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return new Html(text(data));
  const { fields } = words;
  const countries = (codes: unknown) =>
    countryNames(
      (Array.isArray(codes) ? codes : [codes]).filter((c): c is string => typeof c === "string"),
      words,
    );
  const answer = (field: string, value: unknown): string => {
    if (isCountryField(step, field)) return countries(value);
    if (isStoredTime(field, value)) return instant(value, words.locale);
    const read = readAnswer(step, field, value);
    if (read.kind === "residences")
      return `<table><thead><tr>${["taxCountry", "tin", "noTinReason"]
        .map((f) => `<th>${escapeHtml(fields.field("tax", f))}</th>`)
        .join("")}</tr></thead><tbody>${read.rows
        .map(
          (r) =>
            `<tr><td>${countries(r.country)}</td><td>${typed(r.tin)}</td><td>${text(fields.option("tax", "noTinReason", r.noTinReason))}</td></tr>`,
        )
        .join("")}</tbody></table>`;
    if (read.kind === "questions")
      return `<dl>${read.answers
        .map(
          (a) =>
            `<dt>${escapeHtml(fields.field(step, a.question))}</dt><dd>${text(fields.option(step, a.question, a.answer))}</dd>`,
        )
        .join("")}</dl>`;
    const shown = fields.option(step, field, value);
    return Array.isArray(shown) && !shown.some((v) => typeof v === "object")
      ? typed(shown.join(", "))
      : typeof shown === "object"
        ? text(shown)
        : typed(shown);
  };
  return new Html(
    `<dl>${Object.entries(data)
      .map(([k, v]) => `<dt>${escapeHtml(fields.field(step, k))}</dt><dd>${answer(k, v)}</dd>`)
      .join("")}</dl>`,
  );
}

/**
 * What the trader saved and has not sent: the steps whose saved answers differ from the last
 * round's (all of them before a first round). No check or decision rested on them, so they come
 * after the rounds, said so; the JSON carries every step (`currentAnswers`).
 */
function draftsHtml(e: CaseEvidence, words: EvidenceWords): string {
  const { t, page, label, locale } = words;
  const last = e.rounds.at(-1)?.answers ?? {};
  const read = (a: { data: unknown; values: unknown } | undefined) => a && (a.data ?? a.values);
  const unsent = Object.entries(e.currentAnswers).filter(
    ([step, draft]) => !isDeepStrictEqual(read(draft), read(last[step])),
  );
  const heading = `<h2>${escapeHtml(t("section", { key: "drafts" }))}</h2>`;
  if (unsent.length === 0) return `${heading}<p>${escapeHtml(t("none"))}</p>`;
  return `${heading}<p>${escapeHtml(t("draftsNote"))}</p><table><thead><tr>${[
    "step",
    "checkedData",
    "when",
  ]
    .map((h) => `<th>${escapeHtml(t("column", { key: h }))}</th>`)
    .join("")}</tr></thead><tbody>${unsent
    .map(
      ([step, draft]) =>
        `<tr><td>${escapeHtml(label.step(step))}${draft.completed ? "" : ` ${escapeHtml(page("traderData.incomplete"))}`}</td><td>${
          answersHtml(step, draft.data ?? draft.values, words).html
        }</td><td>${instant(draft.updatedAt, locale)}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

/**
 * The printable page; `nonce` is its response's CSP nonce, which its one <style> carries (the
 * console's CSP refuses a <style> element without it).
 */
export function renderEvidenceHtml(e: CaseEvidence, words: EvidenceWords, nonce: string): string {
  const { t, page, summary, label, locale } = words;
  const at = (iso: string | null) => (iso === null ? null : new Html(instant(iso, locale)));
  const table = (head: string[], rows: unknown[][]): string =>
    rows.length === 0
      ? `<p>${escapeHtml(t("none"))}</p>`
      : `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(t("column", { key: h }))}</th>`).join("")}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c) => `<td>${text(c)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`;
  const section = (key: string) => `<h2>${escapeHtml(t("section", { key }))}</h2>`;
  const person = (p: { id: string; name: string | null; role: string | null }) =>
    `${p.name ?? p.id}${p.role ? ` (${t("role", { role: p.role })})` : ""}`;
  const actor = (type: string, id: string) => `${t("actorType", { type })} ${id}`;
  // Who changed the case, as the page's timeline says it: a person by name, else the trader or
  // the system.
  const changedBy = (x: CaseEvidence["timeline"][number]) =>
    x.by
      ? person(x.by)
      : x.actorType === "trader"
        ? page("timeline.theTrader")
        : page("timeline.system", { id: x.actorId });
  // What a change asked of the trader, as the page's summary says it: the reason, the items.
  const asked = (x: CaseEvidence["timeline"][number]) => {
    const data = askedOfTrader(x);
    if (!data) return "";
    const items = [
      ...new Set([
        ...(data.reasonCode ? [label.reason(data.reasonCode)] : []),
        ...data.items.map((i) => label.item(itemLabel(i))),
      ]),
    ];
    return items.length
      ? `<p>${escapeHtml(`${summary("askedFor")}: ${items.join(", ")}`)}</p>`
      : "";
  };
  const list = (items: string[]) =>
    new Intl.ListFormat(locale, { type: "conjunction" }).format(items);
  const maybe = <T>(value: T | null, word: (v: T) => string) =>
    value === null ? null : word(value);

  const sections = [
    `<h1>${escapeHtml(t("title", { id: e.case.id }))}</h1>
     <p>${sentenceAt(t, "exported", { by: person(e.exportedBy), format: e.format }, e.exportedAt, locale)}</p>`,
    `${section("case")}${table(
      ["level", "status", "trigger", "rounds", "risk", "fourEyes", "opened", "closed"],
      [
        [
          label.level(e.case.level),
          label.status(e.case.status),
          label.trigger(e.case.trigger),
          e.case.round,
          // As the page says it (lib/review/risk.ts riskMarks).
          [
            label.risk(e.case.riskLevel),
            ...riskMarks({
              fromEarlierRound: e.case.riskFromEarlierRound,
              floor: e.case.riskFloor,
              escalated: e.case.escalated,
              hits: e.screeningHits,
              openHitTask: e.reviewTasks.some(
                (task) => task.kind === MONITORING_TASK && task.closedAt === null,
              ),
            }).map((m) =>
              m.mark === "earlier_round"
                ? page("summary.riskEarlierRound")
                : m.mark === "floor"
                  ? page("summary.riskFloor", { risk: label.risk(m.floor) })
                  : page("summary.escalated"),
            ),
          ].join(" · "),
          t("yesNo", { value: e.case.fourEyesRequired ? "yes" : "no" }),
          at(e.case.openedAt),
          at(e.case.closedAt),
        ],
      ],
    )}`,
    `${section("trader")}${table(
      ["id", "ctraderUser", "tradingLogin", "email"],
      [[e.trader.id, e.trader.ctraderUserId, e.trader.tradingLogin, e.trader.email]],
    )}`,
    `${section("rounds")}${
      e.rounds.length === 0
        ? `<p>${escapeHtml(t("none"))}</p>`
        : e.rounds
            .map(
              (r) =>
                `<h3>${sentenceAt(t, "round", { round: r.round, event: label.event(r.event) }, r.submittedAt, locale)}</h3>${table(
                  ["step", "checkedData"],
                  Object.entries(r.answers).map(([step, a]) => [
                    label.step(step),
                    answersHtml(step, a.data ?? a.values, words),
                  ]),
                )}<p>${escapeHtml(t("roundDocuments", { list: r.documentIds.join(", ") || "—" }))}</p>`,
            )
            .join("")
    }`,
    draftsHtml(e, words),
    `${section("checks")}${e.checkRuns
      .map(
        (run) =>
          `<h3>${sentenceAt(
            t,
            "run",
            {
              reason: run.reason,
              id: run.id,
              round: run.round ?? "—",
              risk: label.risk(run.riskLevel),
              score: run.score,
              route: label.route(run.route),
            },
            run.at,
            locale,
          )}${run.id === e.case.riskRunId ? ` · ${escapeHtml(t("riskRun"))}` : ""}</h3>${table(
            ["check", "outcome", "points", "evidence"],
            run.results.map((r) => [
              label.check(r.check),
              label.outcome(r.outcome),
              r.riskPoints,
              new Html(evidenceFactsHtml(evidenceFacts(r.evidence, words), words)),
            ]),
          )}`,
      )
      .join("")}`,
    `${section("hits")}${table(
      ["listedName", "listEntry", "score", "hitLevel", "state", "verdicts"],
      e.screeningHits.map((h) => [
        new Html(
          `<p>${typed(h.listedName)} · ${escapeHtml(label.hitType(h.type))}${
            h.programs.length ? ` · ${escapeHtml(h.programs.join(", "))}` : ""
          }${
            h.round !== e.case.round
              ? ` · ${escapeHtml(page("hits.earlierRound", { round: h.round === null ? "unknown" : String(h.round), origin: h.origin }))}`
              : h.origin === "rescreen"
                ? ` · ${escapeHtml(page("hits.rescreen"))}`
                : ""
          }</p>${explanationHtml(h.explanation, words)}`,
        ),
        `${h.source} · ${h.entryId}`,
        h.score.toFixed(2),
        label.hitLevel(h.level),
        label.hitState(h.state),
        // The reason is what a person wrote, in any script: isolated, as the hit's names are.
        lines(
          h.judgments.map(
            (j) =>
              `${sentenceAt(t, "judgment", { verdict: j.verdict, by: person({ ...j.by, role: j.role ?? j.by.role }) }, j.at, locale)}${j.reason ? `: ${typed(j.reason)}` : ""}`,
          ),
        ),
      ]),
    )}`,
    `${section("decisions")}${table(
      ["when", "decision", "by", "reason", "messageForTrader", "internalNote", "data"],
      e.decisions.map((d) => [
        at(d.at),
        label.decision(d.decision),
        person(d.by),
        maybe(d.reasonCode, label.reason),
        new Html(typed(d.messageForTrader)),
        new Html(typed(d.internalNote)),
        // What the decision recorded besides its reason (a periodic review's outcome, the kind of
        // a rejection): part of what it rested on.
        dataFacts(d.data, locale),
      ]),
    )}${
      e.approval
        ? `<p>${
            e.approval.automatic
              ? sentenceAt(t, "approvedAutomatically", {}, e.approval.at, locale)
              : sentenceAt(
                  t,
                  "approved",
                  { signers: list(e.approval.signers.map(person)) },
                  e.approval.at,
                  locale,
                )
          } ${escapeHtml(t("approvalRound", { round: e.approval.round }))}</p>`
        : ""
    }`,
    `${section("tasks")}${table(
      ["task", "opened", "closed", "resolution", "data"],
      e.reviewTasks.map((task) => [
        t("taskKind", { kind: task.kind }),
        at(task.openedAt),
        at(task.closedAt),
        t("taskResolution", { resolution: task.closedAt ? (task.resolution ?? "") : "open" }),
        // What the task holds (a monitoring task's runs and hits): an open one is why the case
        // is held, a closed one what its resolution judged.
        dataFacts(task.data, locale),
      ]),
    )}`,
    `${section("documents")}${table(
      ["document", "side", "status", "fileType", "bytes", "sha256", "confirmed", "replaced"],
      e.documents.map((d) => [
        label.documentType(d.documentType),
        label.side(d.side),
        label.documentStatus(d.status),
        d.contentType,
        maybe(d.sizeBytes, (size) => page("documents.bytes", { size })),
        d.sha256,
        at(d.confirmedAt),
        at(d.replacedAt),
      ]),
    )}`,
    `${section("timeline")}${table(
      ["when", "event", "fromTo", "by", "message"],
      e.timeline.map((x) => [
        at(x.at),
        label.event(x.event),
        `${label.status(x.from)} → ${label.status(x.to)}`,
        changedBy(x),
        new Html(
          [asked(x), x.messageForTrader ? `<p>${typed(x.messageForTrader)}</p>` : ""].join("") ||
            "—",
        ),
      ]),
    )}`,
    `${section("notifications")}${table(
      ["when", "event", "deliveries"],
      e.notifications.map((n) => [
        at(n.at),
        label.outboxEvent(n.type),
        lines(
          n.deliveries.map((d) =>
            escapeHtml(
              `${label.destination(d.destination)}: ${label.deliveryStatus(d.status)} (${d.attempts})`,
            ),
          ),
        ),
      ]),
    )}`,
    `${section("audit")}<p>${escapeHtml(
      e.audit.chainHead
        ? t("chainHead", { head: `#${e.audit.chainHead.seq} ${e.audit.chainHead.hash}` })
        : t("chainNone"),
    )}</p>${table(
      ["seq", "when", "actor", "action", "data", "hash"],
      e.audit.rows.map((a) => [
        a.seq,
        at(a.at),
        actor(a.actorType, a.actorId),
        a.action,
        a.data,
        a.hash,
      ]),
    )}`,
  ];
  return `<!doctype html>
<html lang="${escapeHtml(locale)}" dir="${directionOf(locale)}"><head><meta charset="utf-8"><title>${escapeHtml(t("title", { id: e.case.id }))}</title>
<style nonce="${escapeHtml(nonce)}">
body{font:13px/1.4 system-ui,sans-serif;margin:2rem;color:#111}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:start;vertical-align:top}
th{background:#eee}.explanation{margin:.25rem 0 0;padding-inline-start:1.2rem}.facts,.lines{list-style:none;margin:0;padding:0;overflow-wrap:anywhere}
dl{margin:0}dt{font-weight:600}dd{margin:0 0 .25rem}
h2{margin-top:1.5rem;border-bottom:2px solid #333}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body data-testid="evidence">${sections.join("\n")}</body></html>`;
}
