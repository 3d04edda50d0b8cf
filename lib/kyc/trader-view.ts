/**
 * Where the trader stands and what they can do there, shared by every trader screen: the phase
 * (the case status as the trader reads it), whether a document type can be uploaded now and why
 * not, and the reviewer's words for each item they asked about. A screen opened by a deep link
 * in the wrong state still says where the trader stands instead of showing an empty card.
 */
import type { KycCase } from "@/lib/db/schema";
import type { DocumentType } from "@/lib/documents/upload-contract";
import { isFinalRejection } from "./case-state";
import type { StepId } from "./levels";
import { askedAgain, STEP_DOCUMENTS, type ActionRequest } from "./requirements";
import { loadCaseProgress, loadRejection, type CaseProgress, type Rejection } from "./submission";

export const TRADER_PHASES = [
  "not_started",
  "in_progress",
  /** Back to a draft after a retry rejection: the named items are open again. */
  "returned",
  "action_required",
  /** Submitted, resubmitted or in review: nothing for the trader to do. */
  "waiting",
  "approved",
  "rejected_retry",
  "rejected_final",
  "expired",
] as const;
export type TraderPhase = (typeof TRADER_PHASES)[number];

/** Phases in which the trader can change answers and documents. */
export const WORKING_PHASES: ReadonlySet<TraderPhase> = new Set([
  "not_started",
  "in_progress",
  "returned",
  "action_required",
]);

export function traderPhase(
  kycCase: Pick<KycCase, "status" | "round" | "closedAt">,
  progress: Pick<CaseProgress, "request" | "requirements" | "drafts">,
  rejection: Pick<Rejection, "kind"> | null,
): TraderPhase {
  switch (kycCase.status) {
    case "draft": {
      if (progress.request || kycCase.round > 0) return "returned";
      const { requirements, drafts } = progress;
      const documents = [
        ...requirements.steps.flatMap((s) => s.documents),
        ...requirements.otherDocuments,
      ];
      const started =
        Object.keys(drafts).length > 0 || documents.some((d) => d.state !== "missing");
      return started ? "in_progress" : "not_started";
    }
    case "action_required":
      return "action_required";
    case "submitted":
    case "resubmitted":
    case "in_review":
      return "waiting";
    case "approved":
      return "approved";
    case "rejected":
      return isFinalRejection(kycCase) || rejection?.kind !== "retry"
        ? "rejected_final"
        : "rejected_retry";
    case "expired":
      return "expired";
  }
}

/**
 * What the one-line "next step" says: the phase, except that a working phase with everything in
 * says so (send it), for the first time or again.
 */
export type NextStepKey = TraderPhase | "ready" | "ready_again";

export function nextStepKey(
  phase: TraderPhase,
  progress: { requirements: Pick<CaseProgress["requirements"], "complete"> },
): NextStepKey {
  if (!WORKING_PHASES.has(phase) || !progress.requirements.complete) return phase;
  return phase === "returned" || phase === "action_required" ? "ready_again" : "ready";
}

/** Whether the reviewer's request reopens this document type, named or through its step. */
export function requestCovers(request: Pick<ActionRequest, "items">, type: DocumentType): boolean {
  return request.items.some(
    (i) =>
      (i.kind === "document" && i.documentType === type) ||
      (i.kind === "step" && STEP_DOCUMENTS[i.step] === type),
  );
}

export type UploadAccess =
  /** `needed`: the level or the reviewer asks for it (else the trader adds it of their own accord). */
  | { open: true; needed: boolean }
  /** `phase`: nothing can be uploaded in this phase; `kept`: the request left this type as sent. */
  | { open: false; why: "phase" | "kept" };

/** The rule the upload API applies (lib/documents/service.ts), as the upload screen tells it. */
export function uploadAccess(
  phase: TraderPhase,
  progress: Pick<CaseProgress, "request" | "requirements">,
  type: DocumentType,
): UploadAccess {
  if (!WORKING_PHASES.has(phase)) return { open: false, why: "phase" };
  const { request, requirements } = progress;
  if (phase === "action_required" || request) {
    const reopened =
      (request !== null && requestCovers(request, type)) || askedAgain(requirements, type);
    if (!reopened) return { open: false, why: "kept" };
  }
  const needed = [
    ...requirements.steps.flatMap((s) => s.documents),
    ...requirements.otherDocuments,
  ].some((d) => d.documentType === type);
  // A selfie is never added unasked (the upload API refuses it where the level has none).
  if (type === "selfie" && !needed) return { open: false, why: "phase" };
  return { open: true, needed };
}

/**
 * The reviewer's words for one item: its own reason when the request gave one, else the
 * request's message (`general`) when the item is part of the request, else nothing.
 */
export function requestNote(
  request: Pick<ActionRequest, "items"> | null,
  item: { step: StepId } | { documentType: DocumentType },
  general: string | null,
): string | null {
  if (!request) return null;
  const documentNote = (type: DocumentType) => {
    const named = request.items.find((i) => i.kind === "document" && i.documentType === type);
    if (named?.kind === "document" && named.reason) return named.reason;
    return requestCovers(request, type) ? general : null;
  };
  if ("documentType" in item) return documentNote(item.documentType);
  if (request.items.some((i) => i.kind === "step" && i.step === item.step)) return general;
  const type = STEP_DOCUMENTS[item.step];
  return type ? documentNote(type) : null;
}

export type TraderView = {
  progress: CaseProgress;
  rejection: Rejection | null;
  phase: TraderPhase;
  next: NextStepKey;
};

/** What every trader screen starts from: the case's progress, its rejection, its phase. */
export async function loadTraderView(kycCase: KycCase): Promise<TraderView> {
  const [progress, rejection] = await Promise.all([
    loadCaseProgress(kycCase),
    loadRejection(kycCase),
  ]);
  const phase = traderPhase(kycCase, progress, rejection);
  return { progress, rejection, phase, next: nextStepKey(phase, progress) };
}
