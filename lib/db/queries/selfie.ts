import { and, count, eq, gt, isNull, ne } from "drizzle-orm";
import { getDb } from "../client";
import { documents, selfieChallenges, type DocumentRow, type SelfieChallenge } from "../schema";
import { lockCaseForWrite } from "./cases";

/**
 * Records a selfie attempt, under the case's row lock as every write of the trader's (see
 * lockCaseForWrite): `erased` when the retention purge erased the case, also while this waited
 * for its lock; nothing is written then.
 */
export async function createSelfieChallenge(input: {
  caseId: string;
  prompts: string[];
  expiresAt: Date;
  now: Date;
}): Promise<SelfieChallenge | "erased"> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if ((await lockCaseForWrite(tx, input.caseId)) === "erased") return "erased";
    const [row] = await tx
      .insert(selfieChallenges)
      .values({
        caseId: input.caseId,
        prompts: input.prompts,
        createdAt: input.now,
        expiresAt: input.expiresAt,
      })
      .returning();
    if (!row) throw new Error("selfie challenge not recorded");
    return row;
  });
}

/** The case's attempt while frames may still be started for it: unexpired and not spent. */
export async function getOpenSelfieChallenge(
  caseId: string,
  challengeId: string,
  now: Date,
): Promise<SelfieChallenge | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(selfieChallenges)
    .where(
      and(
        eq(selfieChallenges.id, challengeId),
        eq(selfieChallenges.caseId, caseId),
        gt(selfieChallenges.expiresAt, now),
        isNull(selfieChallenges.completedAt),
      ),
    );
  return row;
}

/** The attempt's frames already accepted (current versions), other than `exceptId`. */
export async function listChallengeFrames(
  caseId: string,
  challengeId: string,
  exceptId: string,
): Promise<DocumentRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(documents)
    .where(
      and(
        eq(documents.caseId, caseId),
        eq(documents.challengeId, challengeId),
        eq(documents.status, "accepted"),
        isNull(documents.replacedAt),
        ne(documents.id, exceptId),
      ),
    );
}

/**
 * Spends the attempt once all its frames are accepted: starting another frame with it is then
 * refused, so its upload requests cannot be replayed into the case.
 */
export async function completeSelfieChallengeWhenDone(
  caseId: string,
  challengeId: string,
  frames: number,
  now: Date,
): Promise<boolean> {
  const db = await getDb();
  const [accepted] = await db
    .select({ n: count() })
    .from(documents)
    .where(
      and(
        eq(documents.caseId, caseId),
        eq(documents.challengeId, challengeId),
        eq(documents.status, "accepted"),
        isNull(documents.replacedAt),
      ),
    );
  if (Number(accepted?.n ?? 0) < frames) return false;
  const done = await db
    .update(selfieChallenges)
    .set({ completedAt: now })
    .where(and(eq(selfieChallenges.id, challengeId), isNull(selfieChallenges.completedAt)))
    .returning({ id: selfieChallenges.id });
  return done.length > 0;
}
