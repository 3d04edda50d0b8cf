/**
 * The case at a glance: the top of the console's case page. Computed from what the case file
 * already loaded (lib/review/case-file.ts), so the summary and the sections below it can never
 * disagree; codes stay codes here and the page turns them into words (lib/review/labels.ts).
 */
import type { CaseStatus, CaseTrigger } from "@/lib/db/schema";
import { readDocumentQuality, type DocumentQuality } from "@/lib/documents/stored-quality";
import type { StepId } from "@/lib/kyc/levels";
import { askedOfTrader } from "@/lib/kyc/case-event-data";
import { isMove } from "@/lib/kyc/case-state";
import type { StepAnswers, SubmittedAnswers } from "@/lib/kyc/answers";
import type { CaseFileBase } from "./case-file";
import { RISK_LEVELS, type RiskLevel } from "./risk";

export type SummaryChange = { step: StepId; field: string; before: unknown; after: unknown };

export type CaseSummary = {
  who: {
    name: string | null;
    dateOfBirth: string | null;
    nationalities: string[];
    country: string | null;
    ctraderUserId: number | null;
    tradingLogin: number | null;
  };
  level: string;
  trigger: CaseTrigger;
  risk: {
    level: RiskLevel | null;
    score: number | null;
    /** The checks that added points, most points first: why the score is what it is. */
    reasons: { check: string; outcome: string; points: number }[];
    /**
     * A likely hit nobody has cleared that the round's own checks did not find holds the case at
     * high, whatever the score says (lib/db/queries/checks.ts recordSubmissionRun): a
     * re-screening hit whose monitoring task is open, or one found in an earlier round.
     */
    heldByOpenHit: boolean;
  };
  /**
   * The outcomes of the run the risk rests on, as `risk` reads it. `riskRunRound`: that run is
   * not the one the checks section shows (after a declined upgrade or renewal, the approved
   * round's), and its round (null: the same run, or one stored before runs recorded their round).
   */
  checks: { pass: number; warn: number; fail: number; riskRunRound: number | null } | null;
  hits: { key: string; listedName: string; level: string; state: string; score: number }[];
  documents: {
    id: string;
    documentType: string;
    side: string;
    status: string;
    quality: Pick<DocumentQuality, "brightness" | "blur" | "glare" | "issues">;
  }[];
  previousCases: {
    id: string;
    level: string;
    status: CaseStatus;
    openedAt: Date;
    closedAt: Date | null;
  }[];
  /** Between the last two submissions; null before the trader sent the case a second time. */
  changes: {
    round: number;
    /** What staff asked for in between (a request for more information or a retry rejection). */
    request: {
      at: Date;
      message: string | null;
      items: string[];
      reasonCode: string | null;
    } | null;
    answers: SummaryChange[];
    /** Documents sent with the latest round that the previous one did not have. */
    documents: { id: string; documentType: string; side: string }[];
  } | null;
};

/** A submitted round as the case file reads it: its answers (decrypted, parsed) and documents. */
export type SubmittedRound = {
  round: number;
  submittedAt: Date;
  answers: SubmittedAnswers;
  documentIds: string[];
};

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function stepData(answer: StepAnswers | undefined): Record<string, unknown> {
  return answer?.data ?? answer?.values ?? {};
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Field by field, the answers that differ between two rounds (new, changed or removed). */
export function changedAnswers(before: SubmittedAnswers, after: SubmittedAnswers): SummaryChange[] {
  const steps = [...new Set([...Object.keys(before), ...Object.keys(after)])] as StepId[];
  return steps.flatMap((step) => {
    const a = stepData(before[step]);
    const b = stepData(after[step]);
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((field) => !same(a[field], b[field]))
      .map((field) => ({ step, field, before: a[field] ?? null, after: b[field] ?? null }));
  });
}

/** A requested item as `label.item` names it (`step:<id>`, `document:<type>`). */
export function itemLabel(item: { kind: string; step?: string; documentType?: string }): string {
  return item.kind === "step" ? `step:${item.step}` : `document:${item.documentType}`;
}

function changesSinceLastRound(
  file: CaseFileBase,
  rounds: SubmittedRound[],
): CaseSummary["changes"] {
  const latest = rounds.at(-1);
  const previous = rounds.at(-2);
  if (!latest || !previous) return null;
  const asked = file.events.findLast(
    (e) =>
      (e.event === "request_action" || (isMove(e.event) && e.toStatus === "rejected")) &&
      e.occurredAt >= previous.submittedAt &&
      e.occurredAt <= latest.submittedAt,
  );
  // Unreadable data still shows that something was asked, naming no items and no reason.
  const data = asked ? askedOfTrader(asked) : null;
  const known = new Set(previous.documentIds);
  return {
    round: latest.round,
    request: asked
      ? {
          at: asked.occurredAt,
          message: asked.messageForTrader ?? null,
          items: (data?.items ?? []).map(itemLabel),
          reasonCode: data?.reasonCode ?? null,
        }
      : null,
    answers: changedAnswers(previous.answers, latest.answers),
    documents: latest.documentIds
      .filter((id) => !known.has(id))
      .flatMap((id) => {
        const d = file.documents.find((doc) => doc.id === id);
        return d ? [{ id, documentType: d.documentType, side: d.side }] : [];
      }),
  };
}

export function caseSummary(file: CaseFileBase, rounds: SubmittedRound[]): CaseSummary {
  const { kycCase, trader, checks } = file;
  const personal = file.progress.drafts.personal;
  const person = stepData(personal);
  const names = [text(person.givenNames), text(person.surnames)].filter(Boolean);
  const lines = checks?.lines ?? [];
  const counted = file.riskRun?.lines ?? lines;
  const count = (outcome: string) => counted.filter((l) => l.outcome === outcome).length;
  return {
    who: {
      name: names.length > 0 ? names.join(" ") : null,
      dateOfBirth: text(person.dateOfBirth),
      nationalities: Array.isArray(person.nationalities)
        ? person.nationalities.filter((n): n is string => typeof n === "string")
        : [],
      country: text(person.country),
      ctraderUserId: trader?.ctraderUserId ?? null,
      tradingLogin: trader?.tradingLogin ?? null,
    },
    level: kycCase.level,
    trigger: kycCase.trigger,
    risk: {
      level: RISK_LEVELS.find((r) => r === kycCase.riskLevel) ?? null,
      score: (file.riskRun ?? checks)?.run.score ?? null,
      reasons: counted
        .filter((l) => l.riskPoints > 0)
        .sort((a, b) => b.riskPoints - a.riskPoints)
        .map((l) => ({ check: l.check, outcome: l.outcome, points: l.riskPoints })),
      heldByOpenHit:
        file.monitoringTask !== null ||
        file.hits.some(
          (h) => h.round !== kycCase.round && h.level === "likely" && h.state !== "cleared",
        ),
    },
    checks: checks
      ? {
          pass: count("pass"),
          warn: count("warn"),
          fail: count("fail"),
          riskRunRound: file.riskRun?.run.round ?? null,
        }
      : null,
    hits: file.hits.map((h) => ({
      key: h.key,
      listedName: h.listedName,
      level: h.level,
      state: h.state,
      score: h.score,
    })),
    documents: file.documents.map((d) => {
      const { brightness, blur, glare, issues } = readDocumentQuality(d.quality);
      return {
        id: d.id,
        documentType: d.documentType,
        side: d.side,
        status: d.status,
        quality: { brightness, blur, glare, issues },
      };
    }),
    previousCases: file.history.map((c) => ({
      id: c.id,
      level: c.level,
      status: c.status,
      openedAt: c.openedAt,
      closedAt: c.closedAt,
    })),
    changes: changesSinceLastRound(file, rounds),
  };
}
