/**
 * Level upgrades. A trader approved at one level is asked for a higher one — by a launch whose
 * `kycType` maps to it, or by the broker's CRM (`POST /api/crm/traders/{id}/upgrade`). The
 * approved case goes back to draft at the higher level (event `upgrade`): every answer and
 * document already approved is kept and counts as done, so the trader is asked only for the
 * steps and documents the new level adds. The approved level stays in force meanwhile (payloads
 * and access rights read `approved_level`); the upgrade ends with a decision on it: approved
 * (the new level is in force) or declined (`decline_upgrade`, lib/review/decisions.ts: the case
 * is approved again at the level it had). Only the approval makes the upgrade's changes the
 * case's facts: a decline puts back the answers and documents the approval in force decided
 * (approvedInputs), and the declined rounds stay as history (case_submissions, replaced files).
 * An upgrade the trader leaves as a draft past the draft period lapses: the retention purge
 * declines it as the system, and discards what was never sent (lib/retention/purge.ts).
 *
 * Asking for the same or a lower level changes nothing: a level is never lowered from outside.
 */
import { z } from "zod";
import { AppError, isAppError } from "@/lib/errors";
import { getCaseById, type Tx } from "@/lib/db/queries/cases";
import { listCaseSubmissions, restoreApprovedInputs } from "@/lib/db/queries/drafts";
import { getTraderWithOpenCase } from "@/lib/db/queries/traders";
import { caseStatus, type CaseEventRow, type KycCase } from "@/lib/db/schema";
import { caseCipher } from "@/lib/security/case-keys";
import { upgradeData } from "./case-event-data";
import { changeCaseStatus } from "./cases";
import { approvedRoundOf } from "./case-state";
import { getLevel, isHigherLevel, lookUpKycType } from "./levels";
import { documentExpiryOf, latestRenewalNotice } from "./renewal";
import { LEVEL_DOCUMENT_TYPES, type RequestedItem } from "./requirements";
import { submittedAnswersSchema, type DraftPayload, type SubmittedAnswers } from "./answers";
import { requestedItemsSchema } from "./submission";

export type UpgradeOutcome =
  /** The approved case went back to draft at the higher level. */
  | "upgrade_opened"
  /** An upgrade to this level is already open. */
  | "upgrade_open"
  /** The trader already has (or is being verified for) this level or a higher one. */
  | "level_kept";

export type UpgradeResult = { outcome: UpgradeOutcome; kycCase: KycCase; eventId?: string };

/** The body of `POST /api/crm/traders/{id}/upgrade`. */
export const crmUpgradeRequest = z.strictObject({
  kycType: z.string().regex(/^[a-z0-9_-]{1,40}$/),
});

/** Its answer (201 when an upgrade was opened, else 200). */
export const crmUpgradeAnswer = z.strictObject({
  outcome: z.enum(["upgrade_opened", "upgrade_open", "level_kept"]),
  caseId: z.uuid(),
  status: z.enum(caseStatus.enumValues),
  level: z.string(),
  approvedLevel: z.string().nullable(),
});

export function upgradeAnswer(result: UpgradeResult): z.infer<typeof crmUpgradeAnswer> {
  return crmUpgradeAnswer.parse({
    outcome: result.outcome,
    caseId: result.kycCase.id,
    status: result.kycCase.status,
    level: result.kycCase.level,
    approvedLevel: result.kycCase.approvedLevel,
  });
}

type Actor = { type: "trader" | "system"; id: string };

/** The reason a lapsed upgrade's decline records: no reviewer's reason, the draft period's end. */
export const UPGRADE_LAPSED = "upgrade_lapsed";

/**
 * What `to` asks beyond `from`: its steps and documents the approved level did not have. Stored
 * with the `upgrade` event and read back as the case's request (lib/kyc/submission.ts
 * loadActionRequest), so only these are open while everything approved stays as it was sent.
 */
export function upgradeItems(from: string, to: string): RequestedItem[] {
  const before = getLevel(from);
  const after = getLevel(to);
  const keptTypes = new Set(before.documents.map((d) => LEVEL_DOCUMENT_TYPES[d]));
  return requestedItemsSchema.parse([
    ...after.steps
      .filter((step) => !before.steps.includes(step))
      .map((step) => ({ kind: "step", step })),
    ...after.documents
      .map((d) => LEVEL_DOCUMENT_TYPES[d])
      .filter((type) => !keptTypes.has(type))
      .map((documentType) => ({ kind: "document", documentType })),
  ]);
}

/**
 * Opens an upgrade of `kycCase` to `level` when it is approved at a lower one; otherwise says
 * why nothing changed. A concurrent change of the case (two launches at once) is not an error:
 * the case as it is now is answered.
 */
export async function upgradeCase(
  kycCase: KycCase,
  level: string,
  actor: Actor,
  via: "launch" | "crm",
  now = new Date(),
): Promise<UpgradeResult> {
  if (!isHigherLevel(level, kycCase.level)) {
    const open = kycCase.approvedLevel !== null && kycCase.approvedLevel !== kycCase.level;
    return { outcome: open && level === kycCase.level ? "upgrade_open" : "level_kept", kycCase };
  }
  if (kycCase.status !== "approved") return { outcome: "level_kept", kycCase };
  try {
    const { eventId, moved } = await changeCaseStatus({
      kycCase,
      event: "upgrade",
      actor,
      level,
      data: upgradeData.parse({
        fromLevel: kycCase.level,
        toLevel: level,
        via,
        items: upgradeItems(kycCase.level, level),
      }),
      now,
    });
    return { outcome: "upgrade_opened", kycCase: moved, eventId };
  } catch (error) {
    if (!isAppError(error) || error.code !== "CONFLICT") throw error;
    const current = await getCaseById(kycCase.id);
    if (!current) throw error;
    return { outcome: current.level === level ? "upgrade_open" : "level_kept", kycCase: current };
  }
}

/**
 * The broker CRM's upgrade request for one cTrader user. Unlike a launch, an unknown `kycType`
 * is an error the caller is told about, and so is a trader with no approved level to upgrade.
 */
export async function requestUpgrade(
  input: { ctraderUserId: number; kycType: string },
  now = new Date(),
): Promise<UpgradeResult> {
  const asked = lookUpKycType(input.kycType);
  if (!asked)
    throw new AppError("BAD_REQUEST", `kycType: "${input.kycType}" names no KYC level`, {
      contractCode: "INVALID_PARAMETER",
    });
  const found = await getTraderWithOpenCase(input.ctraderUserId);
  if (!found) throw new AppError("NOT_FOUND", "no trader with this cTrader user id");
  const kycCase = found.openCase;
  if (!kycCase || (kycCase.status !== "approved" && kycCase.approvedLevel === null))
    throw new AppError("CONFLICT", "the trader has no approved level to upgrade");
  return upgradeCase(kycCase, asked.level, { type: "system", id: "crm" }, "crm", now);
}

/** What the approval in force decided: its round's answers (encrypted again) and documents. */
export type ApprovedInputs = {
  caseId: string;
  round: number;
  drafts: { step: string; payload: string; completedAt: Date | null }[];
  documentIds: string[];
  /** That round's answers as submitted: the console's search index is built from them again. */
  answers: SubmittedAnswers;
  documentExpiresOn: string | null;
  /** The renewal notice already sent about that document, which stays sent. */
  renewalDueAt: Date | null;
};

/**
 * The inputs of the round the case's latest approval decided: the number of submits before that
 * `approve`, in commit order (a decline is not an approval, so after one the earlier approval
 * still decides). `timeline` is the case's `listCaseEvents`, read once by the caller. Null when the
 * case has no approval or that round was not frozen.
 */
export async function approvedInputs(
  caseId: string,
  timeline: readonly CaseEventRow[],
): Promise<ApprovedInputs | null> {
  const round = approvedRoundOf([...timeline].sort((a, b) => a.id - b.id));
  if (round === null) return null;
  const submission = (await listCaseSubmissions(caseId)).find((s) => s.round === round);
  if (!submission) return null;
  const cipher = await caseCipher(caseId);
  const answers = cipher.decryptJson(submission.payload, submittedAnswersSchema);
  if (!answers.success) return null;
  const documentExpiresOn = documentExpiryOf({
    identity_document: { data: answers.data.identity_document?.data ?? null },
  });
  const notice = latestRenewalNotice(timeline);
  return {
    caseId,
    round,
    drafts: Object.entries(answers.data).map(([step, answer]) => ({
      step,
      payload: cipher.encryptJson({
        values: answer.values,
        data: answer.data,
      } satisfies DraftPayload),
      completedAt: answer.data != null ? submission.submittedAt : null,
    })),
    documentIds: submission.documentIds,
    answers: answers.data,
    documentExpiresOn,
    renewalDueAt:
      notice && notice.documentExpiresOn === documentExpiresOn ? notice.noticedAt : null,
  };
}

/** In the decline's transaction: the approved inputs are the case's again. */
export function putBackApprovedInputs(
  tx: Tx,
  inputs: ApprovedInputs,
  now: Date,
): Promise<string[]> {
  return restoreApprovedInputs(tx, { ...inputs, now });
}
