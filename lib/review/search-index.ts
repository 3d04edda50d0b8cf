/**
 * The worker's part of the search index: cases whose latest round is not in the blind index
 * (submitted before it existed, or a sweep that lost a race with a new submit) get their terms
 * from the round's sealed answers. A submit indexes its own round in its transaction.
 *
 * An erased case (its key destroyed) has nothing to find, and answers that do not read give no
 * terms either: both are marked indexed with none, so the sweep does not retry them forever,
 * and the case is still found by its id, email, cTrader id or trading login.
 */
import { indexCaseSearchTerms, listCasesToIndex } from "@/lib/db/queries/queue";
import { readRoundAnswers } from "./round-answers";
import { searchTermsOfAnswers } from "./search";

export async function indexPendingCases(limit = 200): Promise<number> {
  const pending = await listCasesToIndex(limit);
  for (const c of pending) {
    const answers = await readRoundAnswers(c, "search_index");
    const terms = typeof answers === "string" ? [] : searchTermsOfAnswers(answers);
    await indexCaseSearchTerms(c.caseId, c.round, terms);
  }
  return pending.length;
}
