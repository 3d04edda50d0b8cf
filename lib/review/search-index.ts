/**
 * The worker's part of the search index: cases whose latest round is not in the blind index
 * (submitted before it existed, or a sweep that lost a race with a new submit) get their terms
 * from the round's sealed answers. A submit indexes its own round in its transaction.
 */
import { indexCaseSearchTerms, listCasesToIndex } from "@/lib/db/queries/queue";
import { caseCipher } from "@/lib/security/case-keys";
import { searchTermsOfAnswers, unlessErased } from "./search";

export async function indexPendingCases(limit = 200): Promise<number> {
  const pending = await listCasesToIndex(limit);
  for (const c of pending) {
    // An erased case (its key destroyed) has nothing to find: it is marked indexed with no terms.
    const answers = await caseCipher(c.caseId)
      .then((cipher) => cipher.decryptJson<Parameters<typeof searchTermsOfAnswers>[0]>(c.payload))
      .catch(unlessErased({}));
    await indexCaseSearchTerms(c.caseId, c.round, searchTermsOfAnswers(answers));
  }
  return pending.length;
}
