/**
 * The automated checks, each a pure function of a case snapshot. Every check returns its outcome
 * with the evidence a reviewer needs to agree or disagree with it, and its risk points from the
 * configured weights. A check whose data the level does not collect is not run at all (it
 * returns nothing), so "every check passed" never counts a check that did not look.
 */
import type { ScreeningIndex } from "@/lib/screening/index";
import { screen, type Hit } from "@/lib/screening/match";
import { checkedEvidence, type StoredHit } from "./evidence";
import { checkMrz } from "./mrz";
import { selfieComplete } from "@/lib/documents/upload-contract";
import { pointsFor, type RiskConfig } from "./risk";
import type { CaseSnapshot, CheckName, CheckResult, Outcome } from "./types";

export type CheckContext = {
  now: Date;
  minAge: number;
  config: RiskConfig;
  /** The loaded lists; null when none is imported (screening then warns: nothing was checked). */
  screening: { index: ScreeningIndex; versions: Record<string, string> } | null;
};

const DAY_MS = 86_400_000;

function result(
  ctx: CheckContext,
  check: CheckName,
  outcome: Outcome,
  evidence: Record<string, unknown>,
  times = 1,
): CheckResult {
  return {
    check,
    outcome,
    evidence: checkedEvidence(check, evidence) as Record<string, unknown>,
    riskPoints: pointsFor(ctx.config, check, outcome, times),
  };
}

function utcDay(iso: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === iso ? d : null;
}

function startOfDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Completed years between a date of birth and today (UTC calendar). */
export function ageOn(birth: Date, today: Date): number {
  let age = today.getUTCFullYear() - birth.getUTCFullYear();
  if (
    today.getUTCMonth() < birth.getUTCMonth() ||
    (today.getUTCMonth() === birth.getUTCMonth() && today.getUTCDate() < birth.getUTCDate())
  )
    age -= 1;
  return age;
}

export function checkAge(s: CaseSnapshot, ctx: CheckContext): CheckResult {
  const birth = s.personal ? utcDay(s.personal.dateOfBirth) : null;
  if (!birth) return result(ctx, "age", "fail", { reason: "no_date_of_birth" });
  const age = ageOn(birth, ctx.now);
  return result(ctx, "age", age >= ctx.minAge ? "pass" : "fail", { age, minAge: ctx.minAge });
}

export function checkDocumentExpiry(s: CaseSnapshot, ctx: CheckContext): CheckResult {
  const expiry = s.identityDocument ? utcDay(s.identityDocument.expiryDate) : null;
  if (!expiry) return result(ctx, "document_expiry", "fail", { reason: "no_expiry_date" });
  const daysLeft = Math.round((expiry.getTime() - startOfDay(ctx.now).getTime()) / DAY_MS);
  const evidence = {
    expiryDate: s.identityDocument!.expiryDate,
    daysLeft,
    warnWithinDays: ctx.config.expiryWarnDays,
  };
  const outcome = daysLeft < 0 ? "fail" : daysLeft < ctx.config.expiryWarnDays ? "warn" : "pass";
  return result(ctx, "document_expiry", outcome, evidence);
}

/** The identity document's issuing country should be one of the declared nationalities. */
export function checkDocumentCountry(s: CaseSnapshot, ctx: CheckContext): CheckResult | null {
  if (!s.identityDocument || !s.personal) return null;
  const issuingCountry = s.identityDocument.issuingCountry;
  const nationalities = s.personal.nationalities;
  // A driving licence is issued where one lives, not by one's nationality.
  const compareWith =
    s.identityDocument.documentKind === "driving_licence"
      ? [...nationalities, s.personal.country]
      : nationalities;
  return result(ctx, "document_country", compareWith.includes(issuingCountry) ? "pass" : "warn", {
    issuingCountry,
    documentKind: s.identityDocument.documentKind,
    nationalities,
  });
}

/** Tax residences should include the country of residence. */
export function checkTaxResidence(s: CaseSnapshot, ctx: CheckContext): CheckResult | null {
  if (!s.tax || !s.personal) return null;
  const taxCountries = s.tax.taxResidences.map((r) => r.country);
  return result(ctx, "tax_residence", taxCountries.includes(s.personal.country) ? "pass" : "warn", {
    taxCountries,
    residenceCountry: s.personal.country,
  });
}

/** Each quality issue found at upload (blur, glare, low resolution…) warns and counts. */
export function checkUploadQuality(s: CaseSnapshot, ctx: CheckContext): CheckResult {
  const flagged = s.documents
    .map((d) => ({
      documentId: d.id,
      documentType: d.documentType,
      side: d.side,
      // A selfie frame is a face at the camera's resolution, not a page to read: size is no issue.
      issues: d.documentType === "selfie" ? d.issues.filter((i) => i !== "too_small") : d.issues,
    }))
    .filter((d) => d.issues.length > 0);
  const count = flagged.reduce((n, d) => n + d.issues.length, 0);
  return result(
    ctx,
    "upload_quality",
    count > 0 ? "warn" : "pass",
    { documents: s.documents.length, issues: count, flagged },
    count,
  );
}

export function checkDuplicateDocumentNumber(
  s: CaseSnapshot,
  ctx: CheckContext,
): CheckResult | null {
  if (!s.identityDocument) return null;
  const others = s.sameDocumentElsewhere;
  return result(ctx, "duplicate_document_number", others.length > 0 ? "fail" : "pass", {
    issuingCountry: s.identityDocument.issuingCountry,
    documentKind: s.identityDocument.documentKind,
    otherTraders: [...new Set(others.map((o) => o.traderId))],
    otherCases: others.map((o) => o.caseId),
  });
}

export function checkDuplicateImage(s: CaseSnapshot, ctx: CheckContext): CheckResult {
  const reused = s.documents
    .filter((d) => d.usedByOtherTraders.length > 0)
    .map((d) => ({
      documentId: d.id,
      documentType: d.documentType,
      side: d.side,
      usedBy: d.usedByOtherTraders,
    }));
  return result(ctx, "duplicate_image", reused.length > 0 ? "fail" : "pass", { reused });
}

export function checkPepDeclaration(s: CaseSnapshot, ctx: CheckContext): CheckResult | null {
  if (!s.pep) return null;
  return result(ctx, "pep_declaration", s.pep.isPep ? "warn" : "pass", {
    isPep: s.pep.isPep,
    relation: s.pep.pepRelation,
    country: s.pep.pepCountry,
  });
}

export function checkAppropriateness(s: CaseSnapshot, ctx: CheckContext): CheckResult | null {
  if (!s.appropriateness) return null;
  const { result: verdict, score, maxScore } = s.appropriateness;
  return result(ctx, "appropriateness", verdict === "not_appropriate" ? "warn" : "pass", {
    result: verdict,
    score,
    maxScore,
  });
}

function storedHit(hit: Hit): StoredHit {
  return {
    source: hit.entry.source,
    entryId: hit.entry.id,
    listedName: hit.entry.name,
    type: hit.entry.type,
    programs: hit.entry.programs,
    score: Math.round(hit.score * 1000) / 1000,
    level: hit.level,
    explanation: hit.explanation,
  };
}

/**
 * Screens the trader's full name (all given names and surnames) with date of birth and
 * nationalities against the loaded lists. A likely match fails (escalation); a review-level hit
 * warns. No list loaded warns without points: nothing was screened, so nothing is auto-approved.
 */
export function checkScreening(s: CaseSnapshot, ctx: CheckContext): CheckResult {
  if (!s.personal) return result(ctx, "screening", "fail", { reason: "no_personal_data" });
  if (!ctx.screening || ctx.screening.index.entries.length === 0)
    return {
      check: "screening",
      outcome: "warn",
      evidence: checkedEvidence("screening", { reason: "no_list" }),
      riskPoints: 0,
    };
  const thresholds = ctx.config.screening;
  const hits = screen(
    ctx.screening.index,
    {
      name: `${s.personal.givenNames} ${s.personal.surnames}`,
      dateOfBirth: s.personal.dateOfBirth,
      nationalities: s.personal.nationalities,
      types: ["individual"],
    },
    { thresholds, minScore: thresholds.review, limit: 10 },
  ).map(storedHit);
  const outcome: Outcome = hits.some((h) => h.level === "likely")
    ? "fail"
    : hits.length > 0
      ? "warn"
      : "pass";
  return result(ctx, "screening", outcome, {
    lists: ctx.screening.versions,
    thresholds,
    hits,
  });
}

/**
 * The vendor's verdict as a check. Only an approval with nothing the vendor asks to consider
 * passes; a decline fails; no verdict yet, a verdict the vendor's API could not find, a stored
 * verdict that does not read, the vendor's own review or a signal to consider warns. None of
 * them decides the case: anything but a pass keeps it from auto-approval (a person looks).
 */
export function checkVendor(s: CaseSnapshot, ctx: CheckContext): CheckResult | null {
  if (!s.vendor) return null;
  const { verdict } = s.vendor;
  if (!verdict)
    return result(ctx, "vendor", "warn", {
      reason: s.vendor.missing ?? "no_verdict",
      vendor: s.vendor.vendor,
    });
  const considered = Object.values(verdict.signals).some((signal) => signal === "consider");
  const outcome: Outcome =
    verdict.outcome === "declined"
      ? "fail"
      : verdict.outcome === "approved" && !considered
        ? "pass"
        : "warn";
  return result(ctx, "vendor", outcome, verdict);
}

/**
 * The selfie's frames (docs/documents.md#selfie). The server already refused repeated frames and
 * frames outside their attempt; what no code here can tell is whether the face turned and blinked
 * as asked and is the face on the document. So a complete selfie warns (a person compares it
 * with the identity document; no risk points by default) and never auto-approves; frames missing
 * or from different attempts fail. Not run when the case has no selfie.
 */
export function checkSelfie(s: CaseSnapshot, ctx: CheckContext): CheckResult | null {
  const frames = s.documents
    .filter((d) => d.documentType === "selfie")
    .sort((a, b) => a.side.localeCompare(b.side));
  if (frames.length === 0) return null;
  // The rule the trader's screen and the submit read too.
  const complete = selfieComplete(frames);
  return result(ctx, "selfie", complete ? "warn" : "fail", {
    complete,
    frames: frames.map((f) => ({ documentId: f.id, side: f.side, prompt: f.prompt ?? null })),
  });
}

/** Every check of a submission run, in a fixed order. */
export function runChecks(s: CaseSnapshot, ctx: CheckContext): CheckResult[] {
  return [
    checkAge(s, ctx),
    checkDocumentExpiry(s, ctx),
    checkDocumentCountry(s, ctx),
    checkTaxResidence(s, ctx),
    checkUploadQuality(s, ctx),
    checkDuplicateDocumentNumber(s, ctx),
    checkDuplicateImage(s, ctx),
    checkPepDeclaration(s, ctx),
    checkAppropriateness(s, ctx),
    checkScreening(s, ctx),
    checkVendor(s, ctx),
    checkMrz(s, ctx.config),
    checkSelfie(s, ctx),
  ].filter((r): r is CheckResult => r !== null);
}
