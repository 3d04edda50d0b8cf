/**
 * Data-subject access: everything held about one trader, for an admin to hand over — one ZIP
 * with `data.json` (the trader's record, the relationship end, every case with its answers as
 * typed and as submitted, documents' details, status history, retention state and erasure
 * requests) and every stored document file under `documents/<case id>/<document id>`. Audited
 * before it is returned. Only this trader's rows are read (every query is scoped by the trader
 * or by one of their cases).
 */
import "server-only";
import { z } from "zod";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { listCaseEvents } from "@/lib/db/queries/cases";
import { listAllCaseDocuments } from "@/lib/db/queries/documents";
import { listCaseSubmissions } from "@/lib/db/queries/drafts";
import {
  getRelationship,
  listErasureRequests,
  listTraderCaseRetention,
} from "@/lib/db/queries/retention";
import { listTraderCases } from "@/lib/db/queries/review";
import { getTraderById } from "@/lib/db/queries/traders";
import { AppError } from "@/lib/errors";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { caseCipher } from "@/lib/security/case-keys";
import type { StaffPrincipal } from "@/lib/staff/auth";
import { readDocumentFile } from "@/lib/documents/stored-file";
import { tombstoneSchema } from "./tombstone";
import { zipStored, type ZipEntry } from "./zip";

const at = z.iso.datetime({ offset: true });

/** data.json of the export (the test reads it with this schema too). */
export const subjectAccessSchema = z.object({
  format: z.literal("inapp-kyc.subject-access.v1"),
  exportedAt: at,
  trader: z.object({
    id: z.uuid(),
    ctraderUserId: z.number(),
    email: z.string().nullable(),
    tradingLogin: z.number().nullable(),
    preferredLocale: z.string(),
    firstSeenAt: at,
  }),
  relationshipEndedAt: at.nullable(),
  cases: z.array(
    z.object({
      id: z.uuid(),
      level: z.string(),
      status: z.string(),
      trigger: z.string(),
      openedAt: at,
      closedAt: at.nullable(),
      erased: tombstoneSchema.nullable(),
      legalHold: z.object({ since: at, reason: z.string() }).nullable(),
      answers: z.record(z.string(), z.object({ values: z.unknown(), data: z.unknown() })),
      submissions: z.array(
        z.object({ round: z.number(), submittedAt: at, answers: z.unknown().nullable() }),
      ),
      documents: z.array(
        z.object({
          id: z.uuid(),
          type: z.string(),
          side: z.string(),
          status: z.string(),
          contentType: z.string().nullable(),
          sizeBytes: z.number().nullable(),
          sha256: z.string().nullable(),
          fileName: z.string().nullable(),
          uploadedAt: at,
          replacedAt: at.nullable(),
          file: z.string().nullable(),
        }),
      ),
      history: z.array(
        z.object({
          at,
          event: z.string(),
          from: z.string(),
          to: z.string(),
          messageForTrader: z.string().nullable(),
        }),
      ),
    }),
  ),
  erasureRequests: z.array(
    z.object({
      requestedAt: at,
      outcome: z.string(),
      reason: z.string().nullable(),
      runsAt: at.nullable(),
    }),
  ),
});
export type SubjectAccess = z.infer<typeof subjectAccessSchema>;

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export async function exportSubjectData(
  staff: Pick<StaffPrincipal, "id" | "role">,
  traderId: string,
  now = new Date(),
): Promise<{ zip: Buffer; data: SubjectAccess }> {
  if (staff.role !== "admin")
    throw new AppError("FORBIDDEN", "a data-subject export needs the admin role");
  const trader = await getTraderById(traderId);
  if (!trader) throw new AppError("NOT_FOUND", "no such trader");
  const [cases, retention, relationship, requests] = await Promise.all([
    listTraderCases(traderId),
    listTraderCaseRetention(traderId),
    getRelationship(traderId),
    listErasureRequests(traderId),
  ]);
  const state = new Map(retention.map((r) => [r.caseId, r]));
  const files: ZipEntry[] = [];
  const exported: SubjectAccess["cases"] = [];
  for (const kycCase of cases) {
    const row = state.get(kycCase.id);
    const purged = Boolean(row?.purgedAt);
    const [events, submissions, docs] = await Promise.all([
      listCaseEvents(kycCase.id),
      listCaseSubmissions(kycCase.id),
      listAllCaseDocuments(kycCase.id),
    ]);
    const cipher = purged ? null : await caseCipher(kycCase.id);
    const drafts = purged ? {} : await loadStepDrafts(kycCase.id);
    const documents: SubjectAccess["cases"][number]["documents"] = [];
    for (const d of docs) {
      let file: string | null = null;
      if (d.status !== "pending" && !purged) {
        file = `documents/${kycCase.id}/${d.id}`;
        files.push({ name: file, bytes: await readDocumentFile(d) });
      }
      documents.push({
        id: d.id,
        type: d.documentType,
        side: d.side,
        status: d.status,
        contentType: d.contentType,
        sizeBytes: d.sizeBytes,
        sha256: d.sha256,
        fileName: d.originalName && cipher ? cipher.decrypt(d.originalName) : null,
        uploadedAt: iso(d.createdAt),
        replacedAt: isoOrNull(d.replacedAt),
        file,
      });
    }
    exported.push({
      id: kycCase.id,
      level: kycCase.level,
      status: kycCase.status,
      trigger: kycCase.trigger,
      openedAt: iso(kycCase.openedAt),
      closedAt: isoOrNull(kycCase.closedAt),
      erased: row?.purgedAt && row.tombstone ? tombstoneSchema.parse(row.tombstone) : null,
      legalHold: row?.legalHoldAt
        ? { since: iso(row.legalHoldAt), reason: row.legalHoldReason ?? "" }
        : null,
      answers: Object.fromEntries(
        Object.entries(drafts).map(([step, d]) => [step, { values: d.values, data: d.data }]),
      ),
      submissions: submissions.map((s) => ({
        round: s.round,
        submittedAt: iso(s.submittedAt),
        answers: cipher ? cipher.decryptJson(s.payload) : null,
      })),
      documents,
      history: events.map((e) => ({
        at: iso(e.occurredAt),
        event: e.event,
        from: e.fromStatus,
        to: e.toStatus,
        messageForTrader: e.messageForTrader,
      })),
    });
  }
  const data = subjectAccessSchema.parse({
    format: "inapp-kyc.subject-access.v1",
    exportedAt: iso(now),
    trader: {
      id: trader.id,
      ctraderUserId: trader.ctraderUserId,
      email: trader.email,
      tradingLogin: trader.tradingLogin,
      preferredLocale: trader.preferredLocale,
      firstSeenAt: iso(trader.createdAt),
    },
    relationshipEndedAt: isoOrNull(relationship?.endedAt ?? null),
    cases: exported,
    erasureRequests: requests.map((r) => ({
      requestedAt: iso(r.requestedAt),
      outcome: r.outcome,
      reason: r.reason,
      runsAt: isoOrNull(r.runsAt),
    })),
  });
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "retention.subject_access_exported",
    traderId,
    data: { cases: exported.length, files: files.length },
    occurredAt: now,
  });
  const json = Buffer.from(JSON.stringify(data, null, 2), "utf8");
  return { zip: zipStored([{ name: "data.json", bytes: json }, ...files], now), data };
}
