/**
 * The catalog of reasons a reviewer gives when rejecting a case. Each reason is either `retry`
 * (the trader may fix the named items and send again) or `final` (the case is closed). The
 * trader reads the reason in their language (catalog namespace `RejectReasons`); the internal
 * description is for staff only.
 */
import type { Level } from "@/lib/kyc/levels";
import { LEVEL_DOCUMENT_TYPES, type RequestedItem } from "@/lib/kyc/requirements";

export type RejectReason = {
  code: string;
  kind: "retry" | "final";
  /** For staff, in the console. */
  internal: string;
  /** What a retry reopens for the trader. */
  items: RequestedItem[];
};

export const REJECT_REASONS: readonly RejectReason[] = [
  {
    code: "document_expired",
    kind: "retry",
    internal: "Identity document expired or expires before the review could finish.",
    items: [
      { kind: "step", step: "identity_document" },
      { kind: "document", documentType: "identity" },
    ],
  },
  {
    code: "document_unreadable",
    kind: "retry",
    internal: "Identity document photo unreadable (blur, glare, cropped).",
    items: [{ kind: "document", documentType: "identity" }],
  },
  {
    code: "data_mismatch",
    kind: "retry",
    internal: "Personal data does not match the identity document.",
    items: [
      { kind: "step", step: "personal" },
      { kind: "step", step: "identity_document" },
    ],
  },
  {
    code: "address_proof_invalid",
    kind: "retry",
    internal: "Proof of address too old, not in the trader's name, or not an accepted type.",
    items: [
      { kind: "step", step: "proof_of_address" },
      { kind: "document", documentType: "address" },
    ],
  },
  {
    code: "source_of_funds_unclear",
    kind: "retry",
    internal: "Source of funds not supported by the document.",
    items: [
      { kind: "step", step: "source_of_funds" },
      { kind: "document", documentType: "additional" },
    ],
  },
  {
    code: "underage",
    kind: "final",
    internal: "Trader below the minimum age.",
    items: [],
  },
  {
    code: "sanctions_match",
    kind: "final",
    internal: "Confirmed match on a sanctions or watch list.",
    items: [],
  },
  {
    code: "fraud_suspected",
    kind: "final",
    internal: "Forged or manipulated documents, or identity fraud suspected.",
    items: [],
  },
  {
    code: "duplicate_account",
    kind: "final",
    internal: "The person already holds a verified account.",
    items: [],
  },
  {
    code: "jurisdiction_not_served",
    kind: "final",
    internal: "Residence in a country the broker does not serve.",
    items: [],
  },
] as const;

export function findReason(code: string): RejectReason | undefined {
  return REJECT_REASONS.find((r) => r.code === code);
}

/**
 * Whether a reason makes sense for a case of this level: a retry reason reopens its items, so
 * each must be a step the level has or a document it requires (a standard case has no source of
 * funds to fix). Final reasons name nothing to redo and fit every level.
 */
export function reasonFitsLevel(reason: RejectReason, level: Level): boolean {
  const documents = new Set(level.documents.map((d) => LEVEL_DOCUMENT_TYPES[d]));
  return reason.items.every((item) =>
    item.kind === "step" ? level.steps.includes(item.step) : documents.has(item.documentType),
  );
}

/** The reasons a reviewer is offered for a case of this level, in catalog order. */
export function reasonsForLevel(level: Level): RejectReason[] {
  return REJECT_REASONS.filter((r) => reasonFitsLevel(r, level));
}
