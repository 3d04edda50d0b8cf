/**
 * The case as a whole: what it still needs (requirements from drafts, documents and, when
 * action is required, the reviewer's request) and the final submit. Submitting checks
 * completeness against the level on the server, whatever the screen showed; a second submit of
 * the same case finds it already submitted and changes nothing.
 */
import { vendorForLevel } from "@/lib/vendors/registry";
import { loadVendorState } from "@/lib/vendors/verification";
import {
  getCaseInputsFingerprint,
  listCaseEvents,
  readCaseInputsFingerprint,
} from "@/lib/db/queries/cases";
import { insertCaseSubmission, listCaseSubmissions } from "@/lib/db/queries/drafts";
import { setCaseDocumentExpiry } from "@/lib/db/queries/renewal";
import { replaceCaseSearchTerms } from "@/lib/db/queries/queue";
import { searchTermsOfAnswers } from "@/lib/review/search";
import { listCurrentDocuments } from "@/lib/db/queries/documents";
import { caseCipher } from "@/lib/security/case-keys";
import type { CaseEventRow, KycCase } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { submittedAnswersSchema, type SubmittedAnswers } from "./answers";
import { askedOfTrader, rejectionData, retryData, submitData } from "./case-event-data";
import { changeCaseStatus } from "./cases";
import { isMove } from "./case-state";
import { readStepDrafts, type StepDraft } from "./drafts";
import { getLevel, type StepId } from "./levels";
import { documentExpiryOf } from "./renewal";
import { requestedItemsSchema } from "./requested-items";
import { sidesFor, type DocumentType } from "@/lib/documents/upload-contract";
import {
  caseRequirements,
  identityKindOf,
  ofSavedIdentityKind,
  shownIdentityKind,
  type ActionRequest,
  type DocumentRequirement,
  type Requirements,
  type RequestedItem,
  type Address,
} from "./requirements";

export { requestedItemsSchema };

/**
 * What the trader must redo, if anything: the reviewer's latest request when the case needs
 * action, the items of a retry rejection once the trader started again (draft after retry), or
 * what a level upgrade adds (draft after upgrade: everything approved before is kept as sent).
 */
export async function loadActionRequest(
  kycCase: Pick<KycCase, "id" | "status">,
  /** The case's timeline when the caller has it already (the status screen reads it anyway). */
  timeline?: Promise<CaseEventRow[]>,
): Promise<ActionRequest | null> {
  if (kycCase.status !== "action_required" && kycCase.status !== "draft") return null;
  // In commit order (the id), not by timestamp: a sweep on another host's clock (a worker, the
  // cron route) may have stamped a later time than the trader's own action that followed it.
  // Notices (a task's closing, a renewal notice) are no step of the case: the request is the
  // last move before them.
  const events = [...(await (timeline ?? listCaseEvents(kycCase.id)))]
    .filter((e) => isMove(e.event))
    .sort((a, b) => a.id - b.id);
  const latest =
    kycCase.status === "action_required"
      ? events.findLast((e) => e.event === "request_action")
      : ["retry", "renew", "upgrade"].includes(events.at(-1)?.event ?? "")
        ? events.at(-1)
        : undefined;
  if (!latest) return null;
  // Unreadable data asks for nothing in particular: a draft is then the level's plain draft (no
  // request), a case waiting on the trader still shows the reviewer's message (its own column).
  const data = askedOfTrader(latest);
  if (!data) unreadable(kycCase.id, latest);
  if (kycCase.status === "draft" && (!data || data.items.length === 0)) return null;
  return {
    at: latest.occurredAt,
    items: data?.items ?? [],
    message: latest.messageForTrader ?? null,
    reasonCode: data?.reasonCode ?? null,
  };
}

function unreadable(caseId: string, event: Pick<CaseEventRow, "id" | "event">): void {
  log.warn("case_event.data_unreadable", { caseId, eventId: event.id, event: event.event });
}

export type Rejection = {
  /** Empty when the rejection's data could not be read: no reason is named to the trader. */
  reasonCode: string;
  kind: "retry" | "final";
  /** What a retry reopens (empty for a final rejection). */
  items: RequestedItem[];
  /** Final because the trader had already sent the case again MAX_RETRY_ROUNDS times. */
  retryLimitReached: boolean;
};

/**
 * Why the case was rejected, and whether the trader may fix it and send again. A rejection whose
 * data cannot be read is final: a retry offered on a guess could send the case again past the
 * retry limit or reopen the wrong items; an admin can still reopen the case.
 */
export async function loadRejection(
  kycCase: Pick<KycCase, "id" | "status">,
): Promise<Rejection | null> {
  if (kycCase.status !== "rejected") return null;
  const events = await listCaseEvents(kycCase.id);
  // The rejection itself, not a notice recorded on the rejected case since (a periodic review
  // closed when the relationship ended).
  const latest = events.findLast((e) => isMove(e.event) && e.toStatus === "rejected");
  const data = rejectionData.safeParse(latest?.data);
  if (!data.success) {
    if (latest) unreadable(kycCase.id, latest);
    return { reasonCode: "", kind: "final", items: [], retryLimitReached: false };
  }
  return {
    reasonCode: data.data.reasonCode,
    kind: data.data.kind,
    items: data.data.items,
    retryLimitReached: "retryLimitReached" in data.data && data.data.retryLimitReached === true,
  };
}

/** After a retry rejection: back to a draft in which only the named items are open. */
export async function retryCase(
  kycCase: Pick<KycCase, "id" | "status">,
  traderId: string,
  now = new Date(),
): Promise<void> {
  const rejection = await loadRejection(kycCase);
  if (!rejection || rejection.kind !== "retry")
    throw new AppError("CONFLICT", "this verification cannot be sent again");
  await changeCaseStatus({
    kycCase,
    event: "retry",
    actor: { type: "trader", id: traderId },
    data: retryData.parse({ items: rejection.items, reasonCode: rejection.reasonCode }),
    now,
  });
}

/** Whether the level takes an identity photo of ours: not where only the vendor's capture counts. */
export function takesOwnIdentityUpload(levelId: string): boolean {
  return vendorForLevel(levelId)?.local !== false;
}

/**
 * The request as far as our own uploads go. A level the vendor verifies without our local checks
 * takes no identity upload of ours: a request for the identity document again asks for the
 * vendor's capture again instead (lib/vendors/verification.ts holds the earlier capture as of a
 * past round). The requirements and the upload API (`acceptsDocuments`) both read this one.
 */
export function uploadsAsked(levelId: string, request: ActionRequest | null): ActionRequest | null {
  if (!request || takesOwnIdentityUpload(levelId)) return request;
  return {
    ...request,
    items: request.items.filter((i) => !(i.kind === "document" && i.documentType === "identity")),
  };
}

export type CaseProgress = {
  requirements: Requirements;
  drafts: Partial<Record<StepId, StepDraft>>;
  request: ActionRequest | null;
  /** Steps whose saved answers do not read (only the console's case page reads around them). */
  unreadableSteps: StepId[];
};

export async function loadCaseProgress(
  kycCase: Pick<KycCase, "id" | "status" | "level">,
  {
    now = new Date(),
    timeline,
    unreadableDrafts = "throw",
  }: {
    now?: Date;
    timeline?: Promise<CaseEventRow[]>;
    /** "list": steps whose answers do not read come back apart (the console's case page). */
    unreadableDrafts?: "throw" | "list";
  } = {},
): Promise<CaseProgress> {
  const [{ drafts, unreadable }, documents, request, vendor] = await Promise.all([
    readStepDrafts(kycCase.id, unreadableDrafts),
    listCurrentDocuments(kycCase.id),
    loadActionRequest(kycCase, timeline),
    loadVendorState(kycCase),
  ]);
  const level = getLevel(kycCase.level);
  const billAddress = await loadBillAddress(kycCase.id, documents);
  const vendorOnly = vendorForLevel(level.id)?.local === false;
  const requirements = caseRequirements({
    level: vendorOnly
      ? { ...level, documents: level.documents.filter((d) => d !== "identity") }
      : level,
    drafts,
    documents,
    request: uploadsAsked(level.id, request),
    billAddress,
    vendor: vendor && {
      vendor: vendor.vendor,
      done: vendor.status !== "not_started" && vendor.status !== "started",
    },
    now,
  });
  return { requirements, drafts, request, unreadableSteps: unreadable };
}

/**
 * The personal step's address in the latest round that sent the accepted bill: what the bill was
 * checked against. Null when no round sent it yet (it is checked with the next submit).
 */
async function loadBillAddress(
  caseId: string,
  documents: Awaited<ReturnType<typeof listCurrentDocuments>>,
): Promise<Address | null> {
  const bill = documents.find((d) => d.documentType === "address" && d.status === "accepted");
  if (!bill) return null;
  const round = (await listCaseSubmissions(caseId))
    .filter((s) => s.documentIds.includes(bill.id))
    .sort((a, b) => b.round - a.round)[0];
  if (!round) return null;
  const answers = (await caseCipher(caseId)).decryptJson(round.payload, submittedAnswersSchema);
  if (!answers.success)
    throw new AppError(
      "INTERNAL",
      `case ${caseId}: the answers of round ${round.round} do not read`,
    );
  return (answers.data.personal?.values ?? {}) as Address;
}

export type SubmitResult = { status: "submitted" | "resubmitted" | "already_submitted" };

/** How often a submit re-reads the answers when they changed under it (autosaves in flight). */
const SUBMIT_ATTEMPTS = 3;

/**
 * The final submit. Completeness is checked on what the database holds, and the submit applies
 * only if nothing changed between that check and the status change (compared under the case row
 * lock every answer and document write also takes): an autosave or upload that lands meanwhile
 * makes the submit read again. What was sent is frozen for the round (case_submissions).
 */
export async function submitCase(
  kycCase: Pick<KycCase, "id" | "status" | "level">,
  traderId: string,
  now = new Date(),
): Promise<SubmitResult> {
  if (kycCase.status !== "draft" && kycCase.status !== "action_required")
    return { status: "already_submitted" };
  const event = kycCase.status === "draft" ? "submit" : "resubmit";
  for (let attempt = 1; ; attempt++) {
    const before = await getCaseInputsFingerprint(kycCase.id);
    const { requirements, drafts } = await loadCaseProgress(kycCase, { now });
    const cipher = await caseCipher(kycCase.id);
    if (!requirements.complete) {
      throw new AppError("CONFLICT", "some steps or documents are still missing", {
        reason: "incomplete",
      });
    }
    const documentIds = ofSavedIdentityKind(drafts, await listCurrentDocuments(kycCase.id))
      .filter((d) => d.status !== "pending")
      .map((d) => d.id);
    try {
      await changeCaseStatus({
        kycCase,
        event,
        actor: { type: "trader", id: traderId },
        data: submitData.parse({ steps: requirements.steps.map((s) => s.step) }),
        now,
        guard: async (tx) => {
          if ((await readCaseInputsFingerprint(tx, kycCase.id)) !== before)
            throw new AppError("CONFLICT", "the answers changed during the submit", {
              reason: "inputs_changed",
            });
        },
        alsoInTransaction: async (tx, moved) => {
          const answers = submittedAnswers(drafts);
          await insertCaseSubmission(tx, {
            caseId: kycCase.id,
            round: moved.round,
            event,
            payload: cipher.encryptJson(answers),
            documentIds,
            submittedAt: now,
          });
          await setCaseDocumentExpiry(tx, kycCase.id, documentExpiryOf(drafts));
          await replaceCaseSearchTerms(tx, kycCase.id, moved.round, searchTermsOfAnswers(answers));
        },
      });
    } catch (error) {
      if (error instanceof AppError && error.reason === "inputs_changed") {
        if (attempt < SUBMIT_ATTEMPTS) continue;
        throw error;
      }
      // A concurrent submit of the same case won: this one changes nothing.
      if (error instanceof AppError && error.code === "CONFLICT")
        return { status: "already_submitted" };
      throw error;
    }
    return { status: event === "submit" ? "submitted" : "resubmitted" };
  }
}

/** What a round froze of each step: the checked data (what compliance reviews) and the values. */
function submittedAnswers(drafts: Partial<Record<StepId, StepDraft>>): SubmittedAnswers {
  const out: SubmittedAnswers = {};
  for (const [step, draft] of Object.entries(drafts) as [StepId, StepDraft][])
    out[step] = { data: draft.data, values: draft.values };
  return out;
}

/**
 * What an upload screen shows: each side's state and, for the identity document, the kind of
 * document the sides are of (the screen names it when it starts an upload, startUploadRequest).
 */
export async function documentScreen(
  kycCase: Pick<KycCase, "id" | "status" | "level">,
  documentType: DocumentType,
  /** The case's progress when the caller loaded it already. */
  progress?: CaseProgress,
): Promise<{
  sides: Pick<DocumentRequirement, "side" | "state" | "reason">[];
  identityKind: string | null;
}> {
  const loaded = progress ?? (await loadCaseProgress(kycCase));
  return {
    sides: await documentSides(kycCase, documentType, loaded),
    identityKind: documentType === "identity" ? shownIdentityKind(loaded.drafts) : null,
  };
}

/** Each side of one document type with its state, as the upload screen shows it. */
export async function documentSides(
  kycCase: Pick<KycCase, "id" | "status" | "level">,
  documentType: DocumentType,
  /** The case's progress when the caller loaded it already. */
  progress?: CaseProgress,
): Promise<Pick<DocumentRequirement, "side" | "state" | "reason">[]> {
  const { requirements, drafts } = progress ?? (await loadCaseProgress(kycCase));
  const listed = [
    ...requirements.steps.flatMap((s) => s.documents),
    ...requirements.otherDocuments,
  ].filter((d) => d.documentType === documentType);
  if (listed.length > 0) return listed.map(({ side, state, reason }) => ({ side, state, reason }));
  // Not required by the level: still uploadable (a document the trader wants to add).
  const documents = ofSavedIdentityKind(drafts, await listCurrentDocuments(kycCase.id));
  return sidesFor(documentType, identityKindOf(drafts)).map((side) => {
    const row = documents.find(
      (d) => d.documentType === documentType && d.side === side && d.status !== "pending",
    );
    return {
      side,
      state:
        row?.status === "accepted" ? "accepted" : row?.status === "retake" ? "retake" : "missing",
      reason: row?.reason ?? null,
    };
  });
}
