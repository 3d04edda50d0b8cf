/**
 * What a case still needs, from the level, the saved step drafts, the uploaded documents and,
 * when a reviewer asked for more, their request. Pure: the overview, the status screen and the
 * final submit all read the same answer, so "complete" means one thing everywhere.
 *
 * When the case needs action, only the requested steps and documents are open again; every
 * other answer is kept as it was and counts as done.
 */
import type { DocumentRow } from "@/lib/db/schema";
import {
  ofIdentityKind,
  selfieComplete,
  sidesFor,
  type DocumentSide,
  type DocumentState,
  type DocumentType,
} from "@/lib/documents/upload-contract";
import { ADDRESS_CHANGED } from "./document-reasons";
import type { StepDraft } from "./drafts";
import type { Level, StepId } from "./levels";
import { IDENTITY_DOCUMENT_KINDS } from "./steps/identity-document";

export type DocumentRequirement = {
  documentType: DocumentType;
  side: DocumentSide;
  state: DocumentState;
  /** Why it must be uploaded again (a quality problem or the reviewer's words). */
  reason: string | null;
  requested: boolean;
};

export type StepRequirement = {
  step: StepId;
  formDone: boolean;
  documents: DocumentRequirement[];
  done: boolean;
  /** Open for changes: always in a draft; only when requested in a case needing action. */
  editable: boolean;
  requested: boolean;
};

export type RequestedItem =
  | { kind: "step"; step: StepId }
  | { kind: "document"; documentType: DocumentType; reason?: string };

export type ActionRequest = {
  at: Date;
  items: RequestedItem[];
  /** The reviewer's words to the trader (a request for more information), line breaks kept. */
  message?: string | null;
  /** The catalog reason of the retry rejection the trader is answering (draft after retry). */
  reasonCode?: string | null;
};

/** The document each step is proven by, and the type the upload screen knows it as. */
export const STEP_DOCUMENTS: Partial<Record<StepId, DocumentType>> = {
  identity_document: "identity",
  proof_of_address: "address",
  source_of_funds: "additional",
};
/**
 * Steps whose answers nothing but their document proves: asking for the step again asks for the
 * document again, so a changed address cannot pass on the bill that showed the old one (nor a
 * changed source of funds on the old statement). The identity step is not one of them: its
 * photo is the reference the typed data is corrected against (the `data_mismatch` retry reopens
 * the step alone) and the MRZ check compares the two at every submission.
 */
export const STEPS_PROVEN_BY_DOCUMENT: ReadonlySet<StepId> = new Set([
  "proof_of_address",
  "source_of_funds",
]);
/** The document type the upload screen knows each of a level's required documents as. */
export const LEVEL_DOCUMENT_TYPES: Record<Level["documents"][number], DocumentType> = {
  identity: "identity",
  address: "address",
  source_of_funds: "additional",
  selfie: "selfie",
};

/** The personal step's fields that make the address a bill must show. */
export const ADDRESS_FIELDS = [
  "addressLine1",
  "addressLine2",
  "city",
  "postcode",
  "country",
] as const;
export type Address = Partial<Record<(typeof ADDRESS_FIELDS)[number], unknown>>;

const normalise = (v: unknown) =>
  typeof v === "string" ? v.trim().replace(/\s+/g, " ").toLowerCase() : "";

/**
 * Whether the address in the personal draft is another one than the address of the round in
 * which the accepted bill was checked: that bill then proves nothing about the new address.
 * Spacing and case are not a change (the trader retyping the same address keeps the bill).
 */
export function addressChanged(draft: Address | null | undefined, billRound: Address): boolean {
  return ADDRESS_FIELDS.some((f) => normalise(draft?.[f]) !== normalise(billRound[f]));
}

type Input = {
  level: Level;
  drafts: Partial<Record<StepId, StepDraft>>;
  documents: (Pick<
    DocumentRow,
    "documentType" | "side" | "status" | "reason" | "confirmedAt" | "uploadExpiresAt"
  > &
    Partial<Pick<DocumentRow, "challengeId" | "prompt" | "createdAt">>)[];
  /** Present when the case needs action: what the reviewer asked for and when. */
  request?: ActionRequest | null;
  /** The level's vendor and whether the trader finished its capture; absent without one. */
  vendor?: VendorRequirement | null;
  /**
   * The personal step's address in the round in which the accepted bill was checked (absent
   * when no round checked it yet): a different address in the draft asks for the bill again.
   */
  billAddress?: Address | null;
  now?: Date;
};

export type VendorRequirement = { vendor: string; done: boolean };

export type Requirements = {
  steps: StepRequirement[];
  /** Documents the level requires whose step is not part of it, and extra requested ones. */
  otherDocuments: DocumentRequirement[];
  done: number;
  total: number;
  complete: boolean;
  /** The first step that is not done and can be worked on. */
  next: StepRequirement | undefined;
  /** The vendor's capture the level asks for (null without one); part of `complete`. */
  vendor: VendorRequirement | null;
};

/** The identity document's kind the trader chose (its saved values, else its data). */
export function identityKindOf(drafts: Partial<Record<StepId, StepDraft>>): string | undefined {
  const step = drafts.identity_document;
  const kind =
    step?.values?.documentKind ?? (step?.data as { documentKind?: unknown } | null)?.documentKind;
  return typeof kind === "string" ? kind : undefined;
}

/**
 * The kind of identity document the upload screens show the sides of and an identity photo is
 * recorded for: the picked one, null before one is (or for a value no form offers).
 */
export function shownIdentityKind(drafts: Partial<Record<StepId, StepDraft>>): string | null {
  const kind = identityKindOf(drafts);
  return kind !== undefined && (IDENTITY_DOCUMENT_KINDS as readonly string[]).includes(kind)
    ? kind
    : null;
}

/**
 * The identity document's kind last confirmed with "Save and continue", null before any was. A
 * draft that does not record it (answers put back from a round) confirmed its saved kind.
 */
export function confirmedIdentityKind(draft: StepDraft | undefined): string | null {
  if (draft?.confirmedKind !== undefined) return draft.confirmedKind;
  const saved = draft?.values?.documentKind;
  return typeof saved === "string" && saved !== "" ? saved : null;
}

/**
 * The documents that count for the identity document's kind as saved, the one rule the upload
 * screen, the upload API, the overview and the submit read: identity photos of sides that kind
 * does not have never count (ofIdentityKind), nor do those uploaded while another kind was
 * picked (`identityKind`, set when the upload started): an ID card's front and back must not
 * read as a driving licence's. Those of no kind (uploaded before any was chosen) count for the
 * kind that has their side. Confirming the kind keeps what counts and retires the rest
 * (lib/kyc/step-submit.ts).
 */
export function ofSavedIdentityKind<
  D extends { documentType: string; side: string; identityKind?: string | null },
>(drafts: Partial<Record<StepId, StepDraft>>, documents: readonly D[]): D[] {
  const kind = identityKindOf(drafts);
  const ofKind = ofIdentityKind(documents, kind);
  if (kind === undefined || kind === "") return ofKind;
  return ofKind.filter(
    (d) => d.documentType !== "identity" || d.identityKind == null || d.identityKind === kind,
  );
}

/**
 * Whether the requirements ask for this document type again though no request may name it: a
 * bill for an address changed since it was checked. The upload API (`acceptsDocuments`) and the
 * upload screen (`uploadAccess`) both read it, so the screen never calls "kept" what the overview
 * asks for and the API takes.
 */
export function askedAgain(
  requirements: Pick<Requirements, "steps" | "otherDocuments">,
  type: DocumentType,
): boolean {
  return [...requirements.steps.flatMap((s) => s.documents), ...requirements.otherDocuments].some(
    (d) => d.documentType === type && d.requested && d.state !== "accepted",
  );
}

export function caseRequirements({
  level,
  drafts,
  documents,
  request,
  vendor = null,
  billAddress = null,
  now = new Date(),
}: Input): Requirements {
  const requiredTypes = new Set(level.documents.map((d) => LEVEL_DOCUMENT_TYPES[d]));
  const requestedSteps = new Set(
    (request?.items ?? []).flatMap((i) => (i.kind === "step" ? [i.step] : [])),
  );
  const requestedDocs = new Map<DocumentType, string | null>([
    ...[...requestedSteps].flatMap((step) => {
      const proof = STEPS_PROVEN_BY_DOCUMENT.has(step) ? STEP_DOCUMENTS[step] : undefined;
      // Only a document the level asks for: the request never adds one the level has not.
      return proof && requiredTypes.has(proof) ? [[proof, null] as const] : [];
    }),
    // A document named in the request keeps its own reason.
    ...(request?.items ?? []).flatMap((i) =>
      i.kind === "document" ? [[i.documentType, i.reason ?? null] as const] : [],
    ),
  ]);
  const billStale = billAddress !== null && addressChanged(drafts.personal?.values, billAddress);
  const identityKind = identityKindOf(drafts);
  const counting = ofSavedIdentityKind(drafts, documents);

  function documentRequirements(documentType: DocumentType): DocumentRequirement[] {
    if (documentType === "selfie") return [selfieRequirement()];
    return sideRequirements(documentType, counting);
  }

  function sideRequirements(
    documentType: DocumentType,
    rows: Input["documents"],
  ): DocumentRequirement[] {
    const requested = requestedDocs.has(documentType) || (documentType === "address" && billStale);
    return sidesFor(documentType, identityKind).map((side) => {
      const sideRows = rows.filter((d) => d.documentType === documentType && d.side === side);
      const confirmed = sideRows.find((d) => d.status !== "pending");
      const uploading = sideRows.some((d) => d.status === "pending" && d.uploadExpiresAt > now);
      let state: DocumentState = "missing";
      let reason: string | null = null;
      if (confirmed?.status === "accepted" && documentType === "address" && billStale) {
        state = "retake";
        reason = ADDRESS_CHANGED;
      } else if (confirmed?.status === "accepted") {
        // A requested document counts only once uploaded again after the request.
        const fresh = !requested || !request || (confirmed.confirmedAt ?? new Date(0)) > request.at;
        state = fresh ? "accepted" : "retake";
        if (!fresh) reason = requestedDocs.get(documentType) ?? null;
      } else if (confirmed?.status === "retake") {
        state = "retake";
        reason = confirmed.reason;
      }
      if (state !== "accepted" && uploading) state = "uploading";
      return { documentType, side, state, reason, requested };
    });
  }

  /**
   * The selfie is one line however many frames it has: done when every frame of one attempt is
   * accepted (selfieComplete, the rule the selfie check reads). The sides shown are those of the
   * attempt with confirmed frames; before any frame is confirmed, of the latest attempt started.
   * An upload only started is "uploading" while its form lasts and never hides a complete
   * attempt: the app closed after a new attempt's first form leaves the selfie done.
   */
  function selfieRequirement(): DocumentRequirement {
    const frames = documents.filter((d) => d.documentType === "selfie");
    const latestAttempt = (rows: typeof frames) =>
      rows
        .filter((d) => d.challengeId)
        .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0]
        ?.challengeId;
    const attempt =
      latestAttempt(frames.filter((d) => d.status !== "pending")) ?? latestAttempt(frames);
    const sides = sideRequirements(
      "selfie",
      frames.filter((d) => d.challengeId === attempt),
    );
    // A requested selfie counts only once taken again after the request (sideRequirements).
    const complete = selfieComplete(frames) && sides.every((s) => s.state === "accepted");
    const uploading = frames.some((d) => d.status === "pending" && d.uploadExpiresAt > now);
    const state: DocumentState = complete
      ? "accepted"
      : uploading
        ? "uploading"
        : sides.some((s) => s.state === "retake")
          ? "retake"
          : "missing";
    return {
      documentType: "selfie",
      side: "page",
      state,
      reason: sides.find((s) => s.reason)?.reason ?? null,
      requested: requestedDocs.has("selfie"),
    };
  }

  const inReview = Boolean(request);
  const steps = level.steps.map((step): StepRequirement => {
    const draft = drafts[step];
    const requested = requestedSteps.has(step);
    const docType = STEP_DOCUMENTS[step];
    const docs = docType && requiredTypes.has(docType) ? documentRequirements(docType) : [];
    let formDone = draft?.completed === true;
    // A requested step counts only once completed again after the request.
    if (requested && request && draft && draft.updatedAt <= request.at) formDone = false;
    const docsDone = docs.every((d) => d.state === "accepted");
    const editable = !inReview || requested || docs.some((d) => d.requested);
    return {
      step,
      formDone,
      documents: docs,
      done: formDone && docsDone,
      editable,
      requested: requested || docs.some((d) => d.requested),
    };
  });
  const stepDocTypes = new Set(steps.flatMap((s) => s.documents.map((d) => d.documentType)));
  const otherTypes = new Set<DocumentType>(
    [...requiredTypes, ...requestedDocs.keys()].filter((t) => !stepDocTypes.has(t)),
  );
  const otherDocuments = [...otherTypes].flatMap(documentRequirements);
  const done = steps.filter((s) => s.done).length;
  const complete =
    done === steps.length &&
    otherDocuments.every((d) => d.state === "accepted") &&
    (vendor === null || vendor.done);
  return {
    steps,
    otherDocuments,
    done,
    total: steps.length,
    complete,
    next: steps.find((s) => !s.done && s.editable),
    vendor,
  };
}
