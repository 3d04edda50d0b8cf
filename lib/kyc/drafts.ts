/**
 * Step drafts: every step saves what the trader typed as they go (encrypted under the case key,
 * lib/security/case-keys.ts), so they can leave and resume on any device or in a later session. A draft holds the
 * form's values as typed (what the screen shows again) and, once the step passed full
 * validation on an explicit "continue", the checked data (what compliance reviews). Only
 * editable cases accept changes.
 *
 * A draft that does not read (no current writer produces one) is a clear error naming the case
 * and step, never an empty step: the trader's next save would overwrite what is stored, and the
 * checks and the evidence export, which read the drafts after a submit too, would go on without
 * the step's answers. Only the console's case page reads around it (`unreadable: "list"`): it
 * shows the rest of the case and names the step, so an officer can still act on the case.
 */
import { AppError } from "@/lib/errors";
import { listDrafts, upsertDraft } from "@/lib/db/queries/drafts";
import type { KycCase } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { caseCipher } from "@/lib/security/case-keys";
import { draftPayloadSchema, type DraftPayload } from "./answers";
import { EDITABLE_STATUSES } from "./case-state";
import type { StepId } from "./levels";
import { sidesFor } from "@/lib/documents/upload-contract";

export type StepDraft = {
  values: Record<string, unknown>;
  /** The validated data; present once the step is complete. */
  data: Record<string, unknown> | null;
  completed: boolean;
  updatedAt: Date;
  /** Increases with every save: an autosave carries the version it was typed on. */
  version: number;
  /** The identity document's confirmed kind (draftPayloadSchema); undefined: the saved one. */
  confirmedKind?: string | null;
};

/**
 * The identity document's kind as the step is saved: the confirmed one to keep in the draft and,
 * when "Save and continue" confirms one (`change`), the photos of every other kind stop counting
 * (lib/kyc/step-submit.ts).
 */
export type IdentityKindSave = {
  confirmed: string | null;
  change?: { from: string | null; to: string };
};

/**
 * `saveId`: the autosave writing (kept with the version it makes). `abandonedSave`: an autosave
 * the submitting form stopped waiting for; the version it made counts as the expected one.
 */
export type DraftSaveIds = { saveId?: string; abandonedSave?: string };

/**
 * Saves a step. The case's status is checked again under the row lock a submit takes, so a save
 * racing a submit never lands after it. `expectedVersion` (an autosave): only if the draft is
 * still that version; otherwise nothing is written and `stale` says so.
 */
export async function saveStepDraft(
  kycCase: Pick<KycCase, "id" | "status" | "traderId">,
  step: StepId,
  values: Record<string, unknown>,
  data: Record<string, unknown> | null,
  now = new Date(),
  expectedVersion?: number,
  identityKind?: IdentityKindSave,
  saves: DraftSaveIds = {},
): Promise<{ saved: true; version: number } | { saved: false; why: "stale" }> {
  if (!EDITABLE_STATUSES.has(kycCase.status)) {
    throw new AppError("CONFLICT", "this verification can no longer be changed", {
      reason: "not_editable",
    });
  }
  const payload: DraftPayload = {
    values,
    data: data ?? null,
    ...(identityKind && { confirmedKind: identityKind.confirmed }),
  };
  const kindChanged = identityKind?.change;
  const result = await upsertDraft({
    caseId: kycCase.id,
    step,
    payload: (await caseCipher(kycCase.id)).encryptJson(payload),
    completedAt: data != null ? now : null,
    now,
    editable: EDITABLE_STATUSES,
    expectedVersion,
    ...saves,
    retire: kindChanged && {
      documentType: "identity",
      keepKind: { kind: kindChanged.to, sides: sidesFor("identity", kindChanged.to) },
      audit: {
        actorId: kycCase.traderId,
        traderId: kycCase.traderId,
        data: {
          reason:
            kindChanged.from === null
              ? "document_kind_chosen"
              : kindChanged.from === kindChanged.to
                ? "document_kind_kept"
                : "document_kind_changed",
          from: kindChanged.from ?? "",
          to: kindChanged.to,
        },
      },
    },
  });
  if (result.written) return { saved: true, version: result.version };
  // The purge erased the case while this save waited for its lock: the key is gone, and the
  // trader must start again (a new case) rather than believe the answers were kept.
  if (result.why === "erased")
    throw new AppError("GONE", "this verification's data was erased", { reason: "case_erased" });
  if (result.why === "not_editable")
    throw new AppError("CONFLICT", "this verification can no longer be changed", {
      reason: "not_editable",
    });
  return { saved: false, why: "stale" };
}

export async function loadStepDrafts(caseId: string): Promise<Partial<Record<StepId, StepDraft>>> {
  return (await readStepDrafts(caseId, "throw")).drafts;
}

/** The drafts that read, and the steps whose saved answers do not (with `unreadable: "list"`). */
export async function readStepDrafts(
  caseId: string,
  unreadable: "throw" | "list",
): Promise<{ drafts: Partial<Record<StepId, StepDraft>>; unreadable: StepId[] }> {
  const drafts: Partial<Record<StepId, StepDraft>> = {};
  const unread: StepId[] = [];
  const rows = await listDrafts(caseId);
  if (rows.length === 0) return { drafts, unreadable: unread };
  const cipher = await caseCipher(caseId);
  for (const row of rows) {
    const payload = cipher.decryptJson(row.payload, draftPayloadSchema);
    if (!payload.success) {
      log.error("case_draft.unreadable", { caseId, step: row.step });
      if (unreadable === "list") {
        unread.push(row.step as StepId);
        continue;
      }
      throw new AppError(
        "INTERNAL",
        `case ${caseId}: the saved answers of step ${row.step} do not read`,
      );
    }
    drafts[row.step as StepId] = {
      values: payload.data.values,
      data: payload.data.data,
      completed: row.completedAt !== null,
      updatedAt: row.updatedAt,
      version: row.version,
      ...(payload.data.confirmedKind !== undefined && {
        confirmedKind: payload.data.confirmedKind,
      }),
    };
  }
  return { drafts, unreadable: unread };
}
