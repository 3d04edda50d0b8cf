/**
 * Builds submitted cases for the checks tests the way the app does: a trader, their open case,
 * step drafts with data that passed the steps' own validation, accepted documents, and the real
 * submit with its completeness check. The identity document is either a row with its analysis
 * already recorded (`quality`), or a photo uploaded through the upload service (`photo`: needs
 * DATA_DIR for the local storage driver), which the checks then analyse.
 */
import { confirmUpload, startUpload } from "@/lib/documents/service";
import { documents, type KycCase } from "@/lib/db/schema";
import { getCaseById } from "@/lib/db/queries/checks";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { saveStepDraft } from "@/lib/kyc/drafts";
import { parseIdentityDocument } from "@/lib/kyc/steps/identity-document";
import { parsePersonal, type PersonalValues } from "@/lib/kyc/steps/personal";
import { submitCase } from "@/lib/kyc/submission";
import { documentKey, storage } from "@/lib/storage";
import { IDENTITY, PERSONAL } from "../../fixtures/kyc-values";
import type { TestDb } from "../../helpers/test-db";

export { IDENTITY, PERSONAL };

/** A person on the OFAC excerpt (ent_num 6707), living in Sweden. */
export const LISTED_PERSON: PersonalValues = {
  ...PERSONAL,
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
};

let nextUser = 880_000 + Math.floor(Math.random() * 100_000);

export type CaseOptions = {
  personal?: Partial<PersonalValues>;
  identity?: Partial<typeof IDENTITY>;
  quality?: Record<string, unknown>;
  photo?: Buffer;
};

/** A basic-level case (personal + identity document, passport page), submitted. */
export async function submittedCase(t: TestDb, options: CaseOptions = {}) {
  const trader = await upsertTrader({ ctraderUserId: nextUser++, email: null }, "en");
  const draft = await ensureOpenCase(trader.id, "basic", "manual");
  const now = new Date();
  const personalValues = { ...PERSONAL, ...options.personal };
  const personal = parsePersonal(personalValues, now);
  if (!personal.ok) throw new Error(`personal: ${JSON.stringify(personal.errors)}`);
  await saveStepDraft(draft, "personal", personalValues, personal.data);
  const identityValues = { ...IDENTITY, ...options.identity };
  const identity = parseIdentityDocument(identityValues, now);
  if (!identity.ok) throw new Error(`identity: ${JSON.stringify(identity.errors)}`);
  await saveStepDraft(draft, "identity_document", identityValues, identity.data);
  if (options.photo) await uploadPhoto(draft, trader.id, options.photo);
  else
    await t.db.insert(documents).values({
      caseId: draft.id,
      documentType: "identity",
      side: "page",
      status: "accepted",
      storageKey: `cases/${draft.id}/${crypto.randomUUID()}`,
      declaredType: "image/jpeg",
      contentType: "image/jpeg",
      sizeBytes: 1000,
      sha256: crypto.randomUUID(),
      quality: options.quality ?? { issues: [], usedByOtherTraders: [] },
      uploadExpiresAt: new Date(now.getTime() + 300_000),
      confirmedAt: now,
    });
  const submitted = await submitCase(draft, trader.id);
  if (submitted.status !== "submitted") throw new Error(`not submitted: ${submitted.status}`);
  const kycCase = await getCaseById(draft.id);
  if (!kycCase) throw new Error("case vanished");
  return { trader, kycCase };
}

/** What the upload screen does for one photo: start, the file into storage, confirm. */
async function uploadPhoto(kycCase: KycCase, traderId: string, photo: Buffer): Promise<void> {
  const started = await startUpload(kycCase, {
    documentType: "identity",
    side: "page",
    contentType: "image/jpeg",
    size: photo.length,
  });
  if (!started.ok) throw new Error(`upload: ${started.reason}`);
  const { documentId } = started.value;
  await storage().put(documentKey(kycCase.id, documentId), photo, "image/jpeg");
  const confirmed = await confirmUpload(kycCase, traderId, documentId);
  if (!confirmed.ok) throw new Error(`confirm: ${confirmed.reason}`);
}
