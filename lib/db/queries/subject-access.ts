/**
 * Every row held about one trader, for the data-subject export (lib/retention/subject-access.ts):
 * each query is scoped by the trader or by one of their cases (or by an event of one of their
 * cases), never wider. Rows come back as stored; the export decides what each field becomes.
 */
import { asc, eq, inArray, or } from "drizzle-orm";
import { getDb } from "../client";
import {
  auditEvents,
  caseAccountLogins,
  caseChecks,
  caseDecisions,
  caseDrafts,
  caseEvents,
  caseKeys,
  caseRetention,
  caseRisk,
  caseSearchTerms,
  caseSubmissions,
  checkFailures,
  checkRuns,
  deliveries,
  deliveryAttempts,
  documents,
  erasureRequests,
  identityFingerprints,
  kycCases,
  outboxEvents,
  phoneHandoffs,
  reviewTasks,
  selfieChallenges,
  sessions,
  ssoOneTimeTokens,
  traderRelationships,
  traders,
  vendorVerificationHistory,
  vendorVerifications,
} from "../schema";

export type SubjectRecords = NonNullable<Awaited<ReturnType<typeof loadSubjectRecords>>>;

export async function loadSubjectRecords(traderId: string) {
  const db = await getDb();
  const [trader] = await db.select().from(traders).where(eq(traders.id, traderId));
  if (!trader) return null;
  const cases = await db
    .select()
    .from(kycCases)
    .where(eq(kycCases.traderId, traderId))
    .orderBy(asc(kycCases.openedAt), asc(kycCases.id));
  const caseIds = cases.map((c) => c.id);
  // inArray with an empty list is refused by drizzle; a trader without cases has none of these.
  const ofCases = <T>(query: (ids: string[]) => Promise<T[]>) =>
    caseIds.length ? query(caseIds) : Promise.resolve([] as T[]);
  const [
    relationship,
    erasures,
    traderSessions,
    oneTimeTokens,
    handoffs,
    drafts,
    submissions,
    docs,
    challenges,
    events,
    decisions,
    runs,
    checks,
    failures,
    risks,
    tasks,
    vendors,
    vendorHistory,
    outbox,
    retention,
    keys,
    searchTerms,
    fingerprints,
    accountLogins,
    audit,
  ] = await Promise.all([
    db.select().from(traderRelationships).where(eq(traderRelationships.traderId, traderId)),
    db
      .select()
      .from(erasureRequests)
      .where(eq(erasureRequests.traderId, traderId))
      .orderBy(asc(erasureRequests.requestedAt)),
    db
      .select()
      .from(sessions)
      .where(eq(sessions.traderId, traderId))
      .orderBy(asc(sessions.createdAt)),
    db
      .select()
      .from(ssoOneTimeTokens)
      .where(eq(ssoOneTimeTokens.traderId, traderId))
      .orderBy(asc(ssoOneTimeTokens.createdAt)),
    db
      .select()
      .from(phoneHandoffs)
      .where(eq(phoneHandoffs.traderId, traderId))
      .orderBy(asc(phoneHandoffs.createdAt)),
    ofCases((ids) =>
      db.select().from(caseDrafts).where(inArray(caseDrafts.caseId, ids)).orderBy(caseDrafts.step),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(caseSubmissions)
        .where(inArray(caseSubmissions.caseId, ids))
        .orderBy(asc(caseSubmissions.round)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(documents)
        .where(inArray(documents.caseId, ids))
        .orderBy(asc(documents.createdAt), asc(documents.id)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(selfieChallenges)
        .where(inArray(selfieChallenges.caseId, ids))
        .orderBy(asc(selfieChallenges.createdAt)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(caseEvents)
        .where(inArray(caseEvents.caseId, ids))
        .orderBy(asc(caseEvents.id)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(caseDecisions)
        .where(inArray(caseDecisions.caseId, ids))
        .orderBy(asc(caseDecisions.id)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(checkRuns)
        .where(inArray(checkRuns.caseId, ids))
        .orderBy(asc(checkRuns.createdAt), asc(checkRuns.id)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(caseChecks)
        .where(inArray(caseChecks.caseId, ids))
        .orderBy(asc(caseChecks.id)),
    ),
    ofCases((ids) => db.select().from(checkFailures).where(inArray(checkFailures.caseId, ids))),
    ofCases((ids) => db.select().from(caseRisk).where(inArray(caseRisk.caseId, ids))),
    ofCases((ids) =>
      db
        .select()
        .from(reviewTasks)
        .where(inArray(reviewTasks.caseId, ids))
        .orderBy(asc(reviewTasks.openedAt)),
    ),
    ofCases((ids) =>
      db.select().from(vendorVerifications).where(inArray(vendorVerifications.caseId, ids)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(vendorVerificationHistory)
        .where(inArray(vendorVerificationHistory.caseId, ids))
        .orderBy(asc(vendorVerificationHistory.id)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(outboxEvents)
        .where(inArray(outboxEvents.caseId, ids))
        .orderBy(asc(outboxEvents.createdAt), asc(outboxEvents.id)),
    ),
    ofCases((ids) => db.select().from(caseRetention).where(inArray(caseRetention.caseId, ids))),
    ofCases((ids) => db.select().from(caseKeys).where(inArray(caseKeys.caseId, ids))),
    ofCases((ids) => db.select().from(caseSearchTerms).where(inArray(caseSearchTerms.caseId, ids))),
    ofCases((ids) =>
      db.select().from(identityFingerprints).where(inArray(identityFingerprints.caseId, ids)),
    ),
    ofCases((ids) =>
      db
        .select()
        .from(caseAccountLogins)
        .where(inArray(caseAccountLogins.caseId, ids))
        .orderBy(asc(caseAccountLogins.firstSetAt), asc(caseAccountLogins.login)),
    ),
    db
      .select()
      .from(auditEvents)
      .where(
        caseIds.length
          ? or(eq(auditEvents.traderId, traderId), inArray(auditEvents.caseId, caseIds))
          : eq(auditEvents.traderId, traderId),
      )
      .orderBy(asc(auditEvents.id)),
  ]);
  const eventIds = outbox.map((e) => e.id);
  const sent = eventIds.length
    ? await db
        .select()
        .from(deliveries)
        .where(inArray(deliveries.eventId, eventIds))
        .orderBy(asc(deliveries.id))
    : [];
  const deliveryIds = sent.map((d) => d.id);
  const attempts = deliveryIds.length
    ? await db
        .select()
        .from(deliveryAttempts)
        .where(inArray(deliveryAttempts.deliveryId, deliveryIds))
        .orderBy(asc(deliveryAttempts.id))
    : [];
  return {
    trader,
    relationship: relationship[0] ?? null,
    erasures,
    sessions: traderSessions,
    oneTimeTokens,
    handoffs,
    cases,
    drafts,
    submissions,
    documents: docs,
    challenges,
    events,
    decisions,
    runs,
    checks,
    failures,
    risks,
    tasks,
    vendors,
    vendorHistory,
    outbox,
    deliveries: sent,
    attempts,
    retention,
    keys,
    searchTerms,
    fingerprints,
    accountLogins,
    audit,
  };
}
