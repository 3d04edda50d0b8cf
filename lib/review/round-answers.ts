/**
 * A round's frozen answers as the console's lists read them (the queue's names, the search
 * index), with the two ways they can fail to read told apart: an erased case (its key destroyed,
 * nothing to show by design) and answers that do not decrypt or parse (no current flow writes
 * them; a reader shows the case without them and says so rather than fail the whole list).
 */
import { isAppError } from "@/lib/errors";
import { submittedAnswersSchema, type SubmittedAnswers } from "@/lib/kyc/answers";
import { log } from "@/lib/log";
import { caseCipher } from "@/lib/security/case-keys";

export type RoundAnswers = SubmittedAnswers | "erased" | "unreadable";

export async function readRoundAnswers(
  s: { caseId: string; round: number; payload: string },
  reader: string,
): Promise<RoundAnswers> {
  try {
    const parsed = (await caseCipher(s.caseId)).decryptJson(s.payload, submittedAnswersSchema);
    if (parsed.success) return parsed.data;
  } catch (error) {
    if (isAppError(error) && error.code === "GONE") return "erased";
    // Anything but a value that does not decrypt (the database, the keyring) is a real failure.
    if (!isAppError(error) || error.code !== "INTERNAL") throw error;
  }
  log.warn("case_submission.unreadable", { caseId: s.caseId, round: s.round, reader });
  return "unreadable";
}
