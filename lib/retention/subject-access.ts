/**
 * Data-subject access (GDPR Art. 15): everything held about one trader, for an admin to hand
 * over — one ZIP with `data.json` (this module's schema, described in docs/lifecycle.md) and every
 * stored document file under `documents/<case id>/<document id>`. Audited before it is returned.
 *
 * `data.json` mirrors the stored record: each table that holds data about the trader appears
 * with its columns under the schema's own (camelCase) names, encrypted values decrypted, nested
 * under the trader or the case they belong to. What is deliberately left out is listed in the
 * export itself (`withheld`, with the legal reason), so the person can see what exists and why
 * it is not in the copy. The scenario test walks the database schema and fails on any column of
 * the trader's rows that is neither exported nor listed here.
 *
 * Only this trader's rows are read (lib/db/queries/subject-access.ts scopes every query by the
 * trader or one of their cases).
 *
 * While a hold task (a re-screening's likely match, a vendor's late alert: HOLD_TASK_KINDS) is
 * open on a case, what that review has found and recorded since it began is left out of the copy
 * (`restrictionOf`): telling the trader is tipping-off. The copy says so only in the general terms
 * every copy carries (WITHHELD, `review_in_progress`); what was left out, and why, is recorded for
 * staff in the export's audit entry. Once the task is settled, the ordinary rules apply again.
 */
import "server-only";
import { z } from "zod";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { HOLD_TASK_KINDS } from "@/lib/db/queries/hold-tasks";
import { loadSubjectRecords, type SubjectRecords } from "@/lib/db/queries/subject-access";
import { monitoringTaskData } from "@/lib/checks/monitoring-task";
import { CASE_MONITORING_HIT, CASE_VENDOR_ALERT } from "@/lib/delivery/payload";
import { readDocumentFile } from "@/lib/documents/stored-file";
import { uploadedZoneSchema } from "@/lib/documents/zone-prefill";
import { draftPayloadSchema, submittedAnswersSchema } from "@/lib/kyc/answers";
import { AppError, isAppError } from "@/lib/errors";
import { caseCipher, type CaseCipher } from "@/lib/security/case-keys";
import type { StaffPrincipal } from "@/lib/staff/auth";
import { log } from "@/lib/log";
import {
  exportedAuditData,
  exportedDecisionData,
  exportedEventData,
  exportedEvidence,
  exportedQuality,
  exportedTaskData,
} from "./exported-data";
import { ERASURE_REQUESTED, erasureRequestedData } from "./erasure-data";
import { readTombstone } from "./tombstone";
import { zipStored, type ZipEntry } from "./zip";

const at = z.iso.datetime({ offset: true });
const atOrNull = at.nullable();
const json = z.unknown();

/**
 * Why something held is not in the copy, one category each: the export states the category with
 * the reason so the person sees what kind of data exists and on which ground it is withheld.
 * - `security`: credentials, keys and the audit chain's hashes (GDPR Art. 32), not about the person;
 * - `other_people`: who among the staff acted, another person's data (Art. 15(4));
 * - `suspicion`: officers' own words, which may record a suspicion or an investigation. Telling the
 *   trader is tipping-off (Directive (EU) 2015/849 Art. 39), and national law restricts the right
 *   of access for it (GDPR Art. 23(1)(d)); what was decided, verdicts, reason codes and every
 *   message meant for the trader are exported, and an officer who has checked a note may release it.
 */
export const WITHHELD_CATEGORIES = [
  "security",
  "other_people",
  "suspicion",
  "operational",
] as const;

const TIPPING_OFF =
  "disclosing it could tip you off about a suspicion or an investigation, which the law forbids (Directive (EU) 2015/849 Art. 39; national law restricts the right of access for it, GDPR Art. 23(1)(d)). A compliance officer may release it after review.";

/**
 * Columns (or whole tables, `column: "*"`) held about the trader that the export leaves out, with
 * the category and the reason (see WITHHELD_CATEGORIES).
 */
export const WITHHELD = [
  ...(
    [
      ["traders", "inapp_token_hash"],
      ["sessions", "id_hash"],
      ["sessions", "resume_hash"],
      ["sso_one_time_tokens", "token_hash"],
      ["phone_handoffs", "token_hash"],
    ] as const
  ).map(([table, column]) => ({
    category: "security" as const,
    table,
    column,
    reason:
      "A hash of a sign-in credential: information about a token, not about the person, and disclosing it weakens the security of processing (GDPR Art. 32).",
  })),
  {
    category: "security" as const,
    table: "case_keys",
    column: "wrapped_key",
    reason:
      "The encryption key of the case's data (wrapped): a security secret, not personal data (GDPR Art. 32); the data it protects is in this export in clear.",
  },
  ...(
    [
      ["kyc_cases", "assigned_to"],
      ["case_decisions", "staff_id"],
      ["review_tasks", "closed_by"],
      ["case_retention", "legal_hold_by"],
      ["erasure_requests", "requested_by"],
      ["case_events", "actor_id"],
      ["audit_events", "actor_id"],
    ] as const
  ).map(([table, column]) => ({
    category: "other_people" as const,
    table,
    column,
    reason:
      "The identity of the staff member who acted (for events and audit entries: only where the actor is staff; other actors are exported): the personal data of another person, whose rights the copy must not adversely affect (GDPR Art. 15(4)).",
  })),
  {
    category: "suspicion" as const,
    table: "case_decisions",
    column: "internal_note",
    reason: `An officer's internal note on a decision, including the reason given for a screening-hit verdict: it may record a suspicion, and ${TIPPING_OFF} The decisions and verdicts themselves, their reason codes and the messages to you are exported.`,
  },
  {
    category: "suspicion" as const,
    table: "case_retention",
    column: "legal_hold_reason",
    reason: `Why a case is kept beyond its retention period (a legal hold may serve an authority's order or an investigation): ${TIPPING_OFF} That a hold is set, and since when, is exported (it changes how long the case is kept).`,
  },
  ...(["case_events", "audit_events", "case_decisions", "review_tasks"] as const).map((table) => ({
    category: "suspicion" as const,
    table,
    column: "data",
    reason: `Of each event, audit entry, decision and review task, what is known to be a fact of your record (codes, dates, outcomes, screening hits and the verdicts on them, ids of your documents, what was asked of you) is exported; anything else is withheld and marked "(withheld)": above all the text a staff member wrote (the reason for a verdict, a reopening or a hold), which may record a suspicion, and ${TIPPING_OFF} Other staff members named in an entry are withheld too (GDPR Art. 15(4)).`,
  })),
  {
    // In every copy, whether or not a review is under way: its presence tells the person nothing.
    category: "suspicion" as const,
    table: "*",
    column: "review_in_progress",
    reason: `While a review of your record is under way (for example of a possible match against a sanctions or other list, or of an alert from an identity verification provider), what it has found and what was recorded and sent about it since it began are not in the copy: ${TIPPING_OFF} They are in a copy made once the review is settled.`,
  },
  ...(
    [
      ["case_checks", "evidence"],
      ["documents", "quality"],
    ] as const
  ).map(([table, column]) => ({
    category: "other_people" as const,
    table,
    column,
    reason:
      'Where a check found your document number or a picture of yours on record with another trader, that other trader\'s ids (trader, case, document) are withheld and marked "(withheld)": the personal data of another person (GDPR Art. 15(4)). That it was found, and how often, is exported, with the rest of the evidence and analysis.',
  })),
  ...(["case_search_terms", "identity_fingerprints"] as const).map((table) => ({
    category: "security" as const,
    table,
    column: "*",
    reason:
      "Keyed hashes (HMAC) of your name and identity document number, kept for search and duplicate detection: the values they are derived from are in this export; the hashes cannot be read back, and disclosing them would let the key be attacked (GDPR Art. 32).",
  })),
  {
    category: "operational" as const,
    table: "check_claims",
    column: "*",
    reason:
      "While the automated checks of your case run, the process running them marks the case as taken (a random token and the time the mark lapses), so that no other process checks it at the same time: a working state of the service, kept for seconds, not information about you. The checks and what they found are exported.",
  },
  {
    category: "operational" as const,
    table: "case_drafts",
    column: "save_id",
    reason:
      "A random id of the last automatic save of each step's answers, made by your browser so that your \"Save and continue\" can tell its own save from another window's: a working state of the form, not information about you. The answers themselves are exported.",
  },
  ...(["seq", "prev_hash", "hash"] as const).map((column) => ({
    category: "security" as const,
    table: "audit_events",
    column,
    reason:
      "The audit chain's sequence number and hashes: tamper evidence over every entry of every person, not information about you (GDPR Art. 32); the entries themselves are exported.",
  })),
] satisfies {
  category: (typeof WITHHELD_CATEGORIES)[number];
  table: string;
  column: string;
  reason: string;
}[];

const eventSchema = z.object({
  id: z.number(),
  occurredAt: at,
  event: z.string(),
  fromStatus: z.string(),
  toStatus: z.string(),
  actorType: z.string(),
  /** Null when a staff member acted (withheld). */
  actorId: z.string().nullable(),
  messageForTrader: z.string().nullable(),
  data: json,
});

const documentSchema = z.object({
  id: z.uuid(),
  documentType: z.string(),
  side: z.string(),
  status: z.string(),
  storageKey: z.string(),
  declaredType: z.string(),
  contentType: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  phash: z.string().nullable(),
  quality: json.nullable(),
  reason: z.string().nullable(),
  /** The file name the browser sent (decrypted; null once the case was erased). */
  originalName: z.string().nullable(),
  /** What the machine-readable zone read (decrypted; null once erased or when nothing was read). */
  zoneRead: json.nullable(),
  zoneReadAt: atOrNull,
  challengeId: z.uuid().nullable(),
  prompt: z.string().nullable(),
  uploadExpiresAt: at,
  createdAt: at,
  confirmedAt: atOrNull,
  replacedAt: atOrNull,
  /** The kind of identity document it was uploaded for (null: none chosen, or not identity). */
  identityKind: z.string().nullable(),
  /** Arrived after what it was uploaded for had changed: kept, never the case's document. */
  superseded: z.boolean(),
  /** Still pending when the round it was started for ended (sent or declined): never confirmed. */
  voidedAt: atOrNull,
  /**
   * The file's entry in this archive; null while pending, once erased, or once its stored object
   * is gone while the row stays (an erasure the storage stopped part-way had deleted it: its
   * `retention.erasure_requested` entry says how many objects it deleted).
   */
  file: z.string().nullable(),
});

const caseSchema = z.object({
  id: z.uuid(),
  level: z.string(),
  approvedLevel: z.string().nullable(),
  status: z.string(),
  trigger: z.string(),
  account: z.string().nullable(),
  /** Every trading login the case's access rights were sent to, in the order first set. */
  accountLogins: z.array(z.object({ login: z.number(), firstSetAt: at })),
  round: z.number(),
  riskLevel: z.string().nullable(),
  /** The least risk a periodic review set on the case: later checks do not lower it. */
  riskFloor: z.string().nullable(),
  fourEyesRequired: z.boolean(),
  openedAt: at,
  updatedAt: at,
  closedAt: atOrNull,
  queuedAt: at,
  assignedAt: atOrNull,
  searchRound: z.number(),
  eventSeq: z.number(),
  documentExpiresOn: z.string().nullable(),
  renewalDueAt: atOrNull,
  /** The case's current risk from the automated checks (score, level, route, escalation). */
  risk: z
    .object({
      runId: z.uuid(),
      score: z.number(),
      level: z.string(),
      route: z.string(),
      escalated: z.boolean(),
      rescreenHitAt: atOrNull,
      computedAt: at,
    })
    .nullable(),
  /** The answers as typed, per step (decrypted; none once erased). */
  drafts: z.array(
    z.object({
      step: z.string(),
      payload: json,
      version: z.number(),
      completedAt: atOrNull,
      updatedAt: at,
    }),
  ),
  /** The answers as submitted in each round (decrypted; null once erased). */
  submissions: z.array(
    z.object({
      round: z.number(),
      event: z.string(),
      payload: json.nullable(),
      documentIds: z.array(z.string()),
      submittedAt: at,
    }),
  ),
  documents: z.array(documentSchema),
  selfieChallenges: z.array(
    z.object({
      id: z.uuid(),
      prompts: z.array(z.string()),
      createdAt: at,
      expiresAt: at,
      completedAt: atOrNull,
    }),
  ),
  /** The status history. */
  events: z.array(eventSchema),
  /** Reviewers' decisions: approvals, rejections, requests, screening-hit verdicts, reviews. */
  decisions: z.array(
    z.object({
      id: z.number(),
      decision: z.string(),
      reasonCode: z.string().nullable(),
      messageForTrader: z.string().nullable(),
      /** What was decided; a key not known to be a fact of the record shows as withheld. */
      data: json,
      createdAt: at,
    }),
  ),
  /** Each run of the automated checks with its results and evidence (screening hits, MRZ). */
  checkRuns: z.array(
    z.object({
      id: z.uuid(),
      traderId: z.uuid(),
      reason: z.string(),
      score: z.number(),
      level: z.string(),
      route: z.string(),
      listVersions: json,
      screeningHits: z.number().nullable(),
      round: z.number().nullable(),
      createdAt: at,
      checks: z.array(
        z.object({
          id: z.number(),
          check: z.string(),
          outcome: z.string(),
          /** As the check stored it (lib/checks/evidence.ts): written by the checks alone. */
          evidence: json,
          riskPoints: z.number(),
          createdAt: at,
        }),
      ),
    }),
  ),
  checkFailure: z
    .object({
      round: z.number(),
      attempts: z.number(),
      lastError: z.string(),
      failedAt: at,
      nextAttemptAt: at,
    })
    .nullable(),
  /** Monitoring and periodic review tasks. */
  reviewTasks: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      /** The task's evidence; a key not known to be a fact of the record shows as withheld. */
      data: json,
      openedAt: at,
      closedAt: atOrNull,
      resolution: z.string().nullable(),
    }),
  ),
  /** The verification at an identity vendor and its verdict. */
  vendorVerification: z
    .object({
      vendor: z.string(),
      sessionReference: z.string(),
      verdictReference: z.string().nullable(),
      status: z.string(),
      verdict: json.nullable(),
      startedAt: at,
      capturedAt: atOrNull,
      verdictAt: atOrNull,
      round: z.number().int(),
    })
    .nullable(),
  /**
   * Earlier captures at the vendor that a later one replaced (an upgrade's or renewal's new
   * capture, or the declined one after the approved round's came back), oldest first.
   */
  vendorVerificationHistory: z.array(
    z.object({
      id: z.number().int(),
      vendor: z.string(),
      round: z.number().int(),
      sessionReference: z.string(),
      verdictReference: z.string().nullable(),
      status: z.string(),
      verdict: json.nullable(),
      startedAt: at,
      capturedAt: atOrNull,
      verdictAt: atOrNull,
      replacedAt: at,
    }),
  ),
  /** What was sent about the case (webhooks, account updates, e-mails) and every attempt. */
  notifications: z.array(
    z.object({
      id: z.uuid(),
      type: z.string(),
      payload: json,
      createdAt: at,
      deliveries: z.array(
        z.object({
          id: z.number(),
          destination: z.string(),
          status: z.string(),
          attempts: z.number(),
          totalAttempts: z.number(),
          nextAttemptAt: at,
          lockedUntil: atOrNull,
          scheduleStartedAt: at,
          lastError: z.string().nullable(),
          deliveredAt: atOrNull,
          createdAt: at,
          attemptLog: z.array(
            z.object({
              id: z.number(),
              eventId: z.uuid(),
              attempt: z.number(),
              at,
              durationMs: z.number(),
              ok: z.boolean(),
              httpStatus: z.number().nullable(),
              errorKind: z.string().nullable(),
              error: z.string().nullable(),
              note: z.string().nullable(),
            }),
          ),
        }),
      ),
    }),
  ),
  /** Legal hold and erasure (the tombstone is what stays of an erased case). */
  retention: z
    .object({
      legalHoldAt: atOrNull,
      purgedAt: atOrNull,
      purgeRule: z.string().nullable(),
      /** As stored (lib/retention/tombstone.ts); one in an older format too, never left out. */
      tombstone: json.nullable(),
      /** False when the stored tombstone does not read with today's schema (an older format). */
      tombstoneRecognised: z.boolean(),
    })
    .nullable(),
  /** The case's encryption key's life (the key itself is withheld). */
  key: z
    .object({
      keyId: z.string().nullable(),
      createdAt: at,
      rewrappedAt: atOrNull,
      destroyedAt: atOrNull,
    })
    .nullable(),
});

/** data.json of the export (the test reads it with this schema too). */
export const subjectAccessSchema = z.object({
  format: z.literal("inapp-kyc.subject-access.v2"),
  exportedAt: at,
  trader: z.object({
    id: z.uuid(),
    ctraderUserId: z.number(),
    email: z.string().nullable(),
    tradingLogin: z.number().nullable(),
    preferredLocale: z.string(),
    createdAt: at,
    updatedAt: at,
  }),
  /** The end of the business relationship (starts the retention clock). */
  relationship: z.object({ endedAt: at, source: z.string(), recordedAt: at }).nullable(),
  erasureRequests: z.array(
    z.object({
      id: z.uuid(),
      requestedAt: at,
      outcome: z.string(),
      reason: z.string().nullable(),
      runsAt: atOrNull,
    }),
  ),
  /** Sessions of the KYC screens (the session id is withheld). */
  sessions: z.array(
    z.object({
      caseId: z.uuid().nullable(),
      identityMode: z.string(),
      locale: z.string(),
      theme: z.string().nullable(),
      source: z.string().nullable(),
      account: z.string().nullable(),
      documentScope: z.string().nullable(),
      createdAt: at,
      lastSeenAt: at,
      expiresAt: at,
      revokedAt: atOrNull,
      resumeExpiresAt: atOrNull,
    }),
  ),
  /** One-time sign-in tokens issued for cTrader (SSO mode; the token is withheld). */
  oneTimeTokens: z.array(
    z.object({ createdAt: at, expiresAt: at, authorizedAt: atOrNull, redeemedAt: atOrNull }),
  ),
  /** "Continue on your phone" links (the token is withheld). */
  phoneHandoffs: z.array(
    z.object({
      caseId: z.uuid(),
      documentType: z.string(),
      locale: z.string(),
      theme: z.string().nullable(),
      createdAt: at,
      expiresAt: at,
      usedAt: atOrNull,
    }),
  ),
  cases: z.array(caseSchema),
  /** Every audit entry about the trader or one of their cases. */
  auditTrail: z.array(
    z.object({
      id: z.number(),
      occurredAt: at,
      actorType: z.string(),
      /** Null when a staff member acted (withheld). */
      actorId: z.string().nullable(),
      action: z.string(),
      caseId: z.uuid().nullable(),
      traderId: z.uuid().nullable(),
      data: json,
    }),
  ),
  /** What is held but not in this copy, and why. */
  withheld: z.array(
    z.object({
      category: z.enum(WITHHELD_CATEGORIES),
      table: z.string(),
      column: z.string(),
      reason: z.string(),
    }),
  ),
});
export type SubjectAccess = z.infer<typeof subjectAccessSchema>;
type ExportedCase = SubjectAccess["cases"][number];

/**
 * The `retention.subject_access_exported` audit entry: what the copy holds, and for staff what
 * it left out of each case with a review under way (`restricted`, on the tipping-off ground), so
 * whoever hands the copy over, and a later audit, can see it was restricted and until what. The
 * key is there in every entry, empty or not, and the trader's copy shows it as withheld
 * (lib/retention/exported-data.ts): the entry tells the trader nothing either way.
 */
export const subjectAccessExportedData = z.strictObject({
  cases: z.number().int(),
  files: z.number().int(),
  restricted: z.array(
    z.strictObject({
      caseId: z.uuid(),
      ground: z.literal("tipping_off"),
      /** When the earliest open task began: what was recorded since about the review is left out. */
      since: at,
      tasks: z.array(z.strictObject({ id: z.uuid(), kind: z.string() })),
      /** How many items of each kind were left out. */
      withheld: z.strictObject({
        reviewTasks: z.number().int(),
        checkRuns: z.number().int(),
        decisions: z.number().int(),
        notifications: z.number().int(),
        auditEntries: z.number().int(),
        vendorVerifications: z.number().int(),
        risk: z.boolean(),
      }),
    }),
  ),
});
export type SubjectAccessExportedData = z.infer<typeof subjectAccessExportedData>;
type Restricted = SubjectAccessExportedData["restricted"][number];

/**
 * A case with a hold task open: the trader's account is held while a person decides whether a
 * likely list match or a vendor's late alert stands, and that decision may lead to a suspicion
 * report. From the earliest open task's start, the copy leaves out what the review produced:
 * - the open hold tasks themselves (their runs, hits, the vendor's alert);
 * - re-screening runs since then, and those the open monitoring task names (the hits' evidence);
 * - screening-hit verdicts given since then (a first officer's verdict awaiting the second);
 * - the notices that announced the hold (`case.monitoring_hit`, `case.vendor_alert`) with their
 *   deliveries;
 * - the case's audit entries by staff or the system since then (the hit, verdicts, views);
 * - the case's risk once a re-screening hit raised it since then (level, escalation);
 * - a vendor verdict that arrived since then, and the captures it replaced meanwhile.
 * Kept: what the trader did and was told (status changes and their messages, their answers,
 * documents and sessions), which they know already. Fails closed: a task whose data does not read
 * still restricts by its start, and a new kind of hold (hold-tasks.ts) restricts without a change
 * here. Once every hold task of the case is closed, nothing is restricted on this ground: a hit
 * cleared by two people, with the verdicts on it, is a fact of the record like any other (the
 * trader's account was held meanwhile, and the copy says why); a confirmed one came with a
 * decision the trader was told of.
 */
type Restriction = {
  since: Date;
  tasks: { id: string; kind: string }[];
  runIds: ReadonlySet<string>;
  withheld: Restricted["withheld"];
};

const HOLD_NOTICES: readonly string[] = [CASE_MONITORING_HIT, CASE_VENDOR_ALERT];
const HIT_VERDICTS: readonly string[] = ["screening_false_positive", "screening_confirmed"];
/** Audit actors whose entries on a case under review are left out (not the trader's own). */
const RECORDED_FOR_US: readonly string[] = ["staff", "system"];

function restrictionOf(r: SubjectRecords, caseId: string): Restriction | null {
  const open = r.tasks.filter(
    (t) =>
      t.caseId === caseId &&
      t.closedAt === null &&
      (HOLD_TASK_KINDS as readonly string[]).includes(t.kind),
  );
  if (open.length === 0) return null;
  return {
    since: new Date(Math.min(...open.map((t) => t.openedAt.getTime()))),
    tasks: open.map((t) => ({ id: t.id, kind: t.kind })),
    runIds: new Set(
      open.flatMap((t) => {
        const read = monitoringTaskData.safeParse(t.data);
        return read.success ? read.data.runIds : [];
      }),
    ),
    withheld: {
      reviewTasks: 0,
      checkRuns: 0,
      decisions: 0,
      notifications: 0,
      auditEntries: 0,
      vendorVerifications: 0,
      risk: false,
    },
  };
}

/** `rows` without those `leftOut` names, counted under `key` of the restriction's tally. */
function keep<T>(
  rows: T[],
  restriction: Restriction | null,
  key: Exclude<keyof Restriction["withheld"], "risk">,
  leftOut: (row: T, restriction: Restriction) => boolean,
): T[] {
  if (!restriction) return rows;
  const kept = rows.filter((row) => !leftOut(row, restriction));
  restriction.withheld[key] += rows.length - kept.length;
  return kept;
}

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
const notStaff = (actorType: string, actorId: string) => (actorType === "staff" ? null : actorId);

/** Whether a stored tombstone reads with today's schema; one that does not is logged, not fatal. */
function tombstoneRecognised(caseId: string, stored: unknown): boolean {
  if (stored == null) return true;
  const ok = readTombstone(stored).ok;
  if (!ok) log.error("retention.tombstone_unreadable", { caseId, in: "subject_access" });
  return ok;
}

function byCase<T extends { caseId: string }>(rows: T[]): (caseId: string) => T[] {
  const map = new Map<string, T[]>();
  for (const row of rows) map.set(row.caseId, [...(map.get(row.caseId) ?? []), row]);
  return (caseId) => map.get(caseId) ?? [];
}

/**
 * A sealed value read with its writer's schema; one that does not parse is exported as the text
 * it decrypts to: the trader is owed what is held about them, whatever its shape.
 */
function asStored(cipher: CaseCipher, value: string, schema: z.ZodType): unknown {
  const parsed = cipher.decryptJson(value, schema);
  return parsed.success ? parsed.data : cipher.decrypt(value);
}

/**
 * Whether an erasure request of the trader's failed after deleting stored objects, after a
 * document created at `createdAt` was (so it may have taken that document's file). The request's
 * entry does not name the case it stopped on, so any case of the trader's counts.
 */
function erasedPartly(r: SubjectRecords, createdAt: Date): boolean {
  return r.audit.some((a) => {
    if (a.action !== ERASURE_REQUESTED || a.occurredAt < createdAt) return false;
    const data = erasureRequestedData.safeParse(a.data);
    return data.success && data.data.outcome === "failed" && data.data.objectsDeleted > 0;
  });
}

async function exportCase(
  r: SubjectRecords,
  kycCase: SubjectRecords["cases"][number],
  files: ZipEntry[],
  restriction: Restriction | null,
): Promise<ExportedCase> {
  const retention = r.retention.find((x) => x.caseId === kycCase.id) ?? null;
  const key = r.keys.find((x) => x.caseId === kycCase.id) ?? null;
  // An erased case's key is destroyed: its encrypted values no longer open, by design.
  const cipher: CaseCipher | null =
    retention?.purgedAt || !key || key.destroyedAt ? null : await caseCipher(kycCase.id);
  const of = <T extends { caseId: string }>(rows: T[]) => byCase(rows)(kycCase.id);
  const documents: ExportedCase["documents"] = [];
  for (const d of of(r.documents)) {
    let file: string | null = null;
    if (d.status !== "pending" && cipher) {
      const bytes = await readDocumentFile(d).catch((error: unknown) => {
        if (!isAppError(error) || error.code !== "NOT_FOUND") throw error;
        // Deleted by an erasure that then failed (its rows rolled back): the copy says so with a
        // null file rather than failing whole, and the request's entry counts what went.
        if (erasedPartly(r, d.createdAt)) {
          log.warn("retention.subject_access_file_gone", { caseId: kycCase.id, documentId: d.id });
          return null;
        }
        // Nothing explains it (a wrong bucket, lost objects): a copy without the file would look
        // complete, so there is none.
        log.error("retention.subject_access_file_missing", {
          caseId: kycCase.id,
          documentId: d.id,
        });
        throw new AppError(
          "INTERNAL",
          "a stored document file is missing and no failed erasure explains it: no copy was made",
          { cause: error },
        );
      });
      if (bytes) {
        file = `documents/${kycCase.id}/${d.id}`;
        files.push({ name: file, bytes });
      }
    }
    documents.push({
      id: d.id,
      documentType: d.documentType,
      side: d.side,
      status: d.status,
      storageKey: d.storageKey,
      declaredType: d.declaredType,
      contentType: d.contentType,
      sizeBytes: d.sizeBytes,
      sha256: d.sha256,
      phash: d.phash,
      quality: exportedQuality(d.quality),
      reason: d.reason,
      originalName: d.originalName && cipher ? cipher.decrypt(d.originalName) : null,
      zoneRead: d.zoneRead && cipher ? asStored(cipher, d.zoneRead, uploadedZoneSchema) : null,
      zoneReadAt: isoOrNull(d.zoneReadAt),
      challengeId: d.challengeId,
      prompt: d.prompt,
      uploadExpiresAt: iso(d.uploadExpiresAt),
      createdAt: iso(d.createdAt),
      confirmedAt: isoOrNull(d.confirmedAt),
      replacedAt: isoOrNull(d.replacedAt),
      superseded: d.superseded,
      voidedAt: isoOrNull(d.voidedAt),
      identityKind: d.identityKind,
      file,
    });
  }
  const failure = r.failures.find((x) => x.caseId === kycCase.id);
  const checks = of(r.checks);
  const deliveries = r.deliveries;
  const risk = r.risks.find((x) => x.caseId === kycCase.id);
  const riskRaisedInReview = Boolean(
    restriction && risk?.rescreenHitAt && risk.rescreenHitAt >= restriction.since,
  );
  if (restriction && riskRaisedInReview) restriction.withheld.risk = true;
  const [vendor] = keep(
    r.vendors.filter((x) => x.caseId === kycCase.id),
    restriction,
    "vendorVerifications",
    (v, { since }) => v.verdictAt !== null && v.verdictAt >= since,
  );
  const vendorHistory = keep(
    of(r.vendorHistory),
    restriction,
    "vendorVerifications",
    (v, { since }) => v.replacedAt >= since || (v.verdictAt !== null && v.verdictAt >= since),
  );
  const runs = keep(
    of(r.runs),
    restriction,
    "checkRuns",
    (run, { since, runIds }) =>
      run.reason === "rescreen" && (run.createdAt >= since || runIds.has(run.id)),
  );
  const decisions = keep(
    of(r.decisions),
    restriction,
    "decisions",
    (d, { since }) => HIT_VERDICTS.includes(d.decision) && d.createdAt >= since,
  );
  const tasks = keep(of(r.tasks), restriction, "reviewTasks", (t, open) =>
    open.tasks.some((task) => task.id === t.id),
  );
  const outbox = keep(
    of(r.outbox),
    restriction,
    "notifications",
    (e, { since }) => HOLD_NOTICES.includes(e.type) && e.createdAt >= since,
  );
  return {
    id: kycCase.id,
    level: kycCase.level,
    approvedLevel: kycCase.approvedLevel,
    status: kycCase.status,
    trigger: kycCase.trigger,
    account: kycCase.account,
    accountLogins: of(r.accountLogins).map((l) => ({
      login: l.login,
      firstSetAt: iso(l.firstSetAt),
    })),
    round: kycCase.round,
    riskLevel: riskRaisedInReview ? null : kycCase.riskLevel,
    riskFloor: kycCase.riskFloor,
    fourEyesRequired: kycCase.fourEyesRequired,
    openedAt: iso(kycCase.openedAt),
    updatedAt: iso(kycCase.updatedAt),
    closedAt: isoOrNull(kycCase.closedAt),
    queuedAt: iso(kycCase.queuedAt),
    assignedAt: isoOrNull(kycCase.assignedAt),
    searchRound: kycCase.searchRound,
    eventSeq: kycCase.eventSeq,
    documentExpiresOn: kycCase.documentExpiresOn,
    renewalDueAt: isoOrNull(kycCase.renewalDueAt),
    risk:
      risk && !riskRaisedInReview
        ? {
            runId: risk.runId,
            score: risk.score,
            level: risk.level,
            route: risk.route,
            escalated: risk.escalated,
            rescreenHitAt: isoOrNull(risk.rescreenHitAt),
            computedAt: iso(risk.computedAt),
          }
        : null,
    drafts: cipher
      ? of(r.drafts).map((d) => ({
          step: d.step,
          payload: asStored(cipher, d.payload, draftPayloadSchema),
          version: d.version,
          completedAt: isoOrNull(d.completedAt),
          updatedAt: iso(d.updatedAt),
        }))
      : [],
    submissions: of(r.submissions).map((s) => ({
      round: s.round,
      event: s.event,
      payload: cipher ? asStored(cipher, s.payload, submittedAnswersSchema) : null,
      documentIds: s.documentIds,
      submittedAt: iso(s.submittedAt),
    })),
    documents,
    selfieChallenges: of(r.challenges).map((c) => ({
      id: c.id,
      prompts: c.prompts,
      createdAt: iso(c.createdAt),
      expiresAt: iso(c.expiresAt),
      completedAt: isoOrNull(c.completedAt),
    })),
    events: of(r.events).map((e) => ({
      id: e.id,
      occurredAt: iso(e.occurredAt),
      event: e.event,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      actorType: e.actorType,
      actorId: notStaff(e.actorType, e.actorId),
      messageForTrader: e.messageForTrader,
      data: exportedEventData(e.event, e.data),
    })),
    decisions: decisions.map((d) => ({
      id: d.id,
      decision: d.decision,
      reasonCode: d.reasonCode,
      messageForTrader: d.messageForTrader,
      data: exportedDecisionData(d.decision, d.data),
      createdAt: iso(d.createdAt),
    })),
    checkRuns: runs.map((run) => ({
      id: run.id,
      traderId: run.traderId,
      reason: run.reason,
      score: run.score,
      level: run.level,
      route: run.route,
      listVersions: run.listVersions,
      screeningHits: run.screeningHits,
      round: run.round,
      createdAt: iso(run.createdAt),
      checks: checks
        .filter((c) => c.runId === run.id)
        .map((c) => ({
          id: c.id,
          check: c.check,
          outcome: c.outcome,
          evidence: exportedEvidence(c.check, c.evidence),
          riskPoints: c.riskPoints,
          createdAt: iso(c.createdAt),
        })),
    })),
    checkFailure: failure
      ? {
          round: failure.round,
          attempts: failure.attempts,
          lastError: failure.lastError,
          failedAt: iso(failure.failedAt),
          nextAttemptAt: iso(failure.nextAttemptAt),
        }
      : null,
    reviewTasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      data: exportedTaskData(t.kind, t.data),
      openedAt: iso(t.openedAt),
      closedAt: isoOrNull(t.closedAt),
      resolution: t.resolution,
    })),
    vendorVerification: vendor
      ? {
          vendor: vendor.vendor,
          sessionReference: vendor.sessionReference,
          verdictReference: vendor.verdictReference,
          status: vendor.status,
          verdict: vendor.verdict,
          startedAt: iso(vendor.startedAt),
          capturedAt: isoOrNull(vendor.capturedAt),
          verdictAt: isoOrNull(vendor.verdictAt),
          round: vendor.round,
        }
      : null,
    vendorVerificationHistory: vendorHistory.map((v) => ({
      id: v.id,
      vendor: v.vendor,
      round: v.round,
      sessionReference: v.sessionReference,
      verdictReference: v.verdictReference,
      status: v.status,
      verdict: v.verdict,
      startedAt: iso(v.startedAt),
      capturedAt: isoOrNull(v.capturedAt),
      verdictAt: isoOrNull(v.verdictAt),
      replacedAt: iso(v.replacedAt),
    })),
    notifications: outbox.map((e) => ({
      id: e.id,
      type: e.type,
      payload: e.payload,
      createdAt: iso(e.createdAt),
      deliveries: deliveries
        .filter((d) => d.eventId === e.id)
        .map((d) => ({
          id: d.id,
          destination: d.destination,
          status: d.status,
          attempts: d.attempts,
          totalAttempts: d.totalAttempts,
          nextAttemptAt: iso(d.nextAttemptAt),
          lockedUntil: isoOrNull(d.lockedUntil),
          scheduleStartedAt: iso(d.scheduleStartedAt),
          lastError: d.lastError,
          deliveredAt: isoOrNull(d.deliveredAt),
          createdAt: iso(d.createdAt),
          attemptLog: r.attempts
            .filter((a) => a.deliveryId === d.id)
            .map((a) => ({
              id: a.id,
              eventId: a.eventId,
              attempt: a.attempt,
              at: iso(a.at),
              durationMs: a.durationMs,
              ok: a.ok,
              httpStatus: a.httpStatus,
              errorKind: a.errorKind,
              error: a.error,
              note: a.note,
            })),
        })),
    })),
    retention: retention
      ? {
          legalHoldAt: isoOrNull(retention.legalHoldAt),
          purgedAt: isoOrNull(retention.purgedAt),
          purgeRule: retention.purgeRule,
          tombstone: retention.tombstone ?? null,
          tombstoneRecognised: tombstoneRecognised(kycCase.id, retention.tombstone),
        }
      : null,
    key: key
      ? {
          keyId: key.keyId,
          createdAt: iso(key.createdAt),
          rewrappedAt: isoOrNull(key.rewrappedAt),
          destroyedAt: isoOrNull(key.destroyedAt),
        }
      : null,
  };
}

export async function exportSubjectData(
  staff: Pick<StaffPrincipal, "id" | "role">,
  traderId: string,
  now = new Date(),
): Promise<{ zip: Buffer; data: SubjectAccess }> {
  if (staff.role !== "admin")
    throw new AppError("FORBIDDEN", "a data-subject export needs the admin role");
  const r = await loadSubjectRecords(traderId);
  if (!r) throw new AppError("NOT_FOUND", "no such trader");
  const files: ZipEntry[] = [];
  const cases: ExportedCase[] = [];
  const restrictions = new Map<string, Restriction>();
  for (const kycCase of r.cases) {
    const restriction = restrictionOf(r, kycCase.id);
    if (restriction) restrictions.set(kycCase.id, restriction);
    cases.push(await exportCase(r, kycCase, files, restriction));
  }
  const audit = r.audit.filter((a) => {
    const restriction = a.caseId ? restrictions.get(a.caseId) : undefined;
    const leftOut =
      restriction !== undefined &&
      a.occurredAt >= restriction.since &&
      RECORDED_FOR_US.includes(a.actorType);
    if (leftOut) restriction.withheld.auditEntries += 1;
    return !leftOut;
  });
  const { trader, relationship } = r;
  const data = subjectAccessSchema.parse({
    format: "inapp-kyc.subject-access.v2",
    exportedAt: iso(now),
    trader: {
      id: trader.id,
      ctraderUserId: trader.ctraderUserId,
      email: trader.email,
      tradingLogin: trader.tradingLogin,
      preferredLocale: trader.preferredLocale,
      createdAt: iso(trader.createdAt),
      updatedAt: iso(trader.updatedAt),
    },
    relationship: relationship
      ? {
          endedAt: iso(relationship.endedAt),
          source: relationship.source,
          recordedAt: iso(relationship.recordedAt),
        }
      : null,
    erasureRequests: r.erasures.map((e) => ({
      id: e.id,
      requestedAt: iso(e.requestedAt),
      outcome: e.outcome,
      reason: e.reason,
      runsAt: isoOrNull(e.runsAt),
    })),
    sessions: r.sessions.map((s) => ({
      caseId: s.caseId,
      identityMode: s.identityMode,
      locale: s.locale,
      theme: s.theme,
      source: s.source,
      account: s.account,
      documentScope: s.documentScope,
      createdAt: iso(s.createdAt),
      lastSeenAt: iso(s.lastSeenAt),
      expiresAt: iso(s.expiresAt),
      revokedAt: isoOrNull(s.revokedAt),
      resumeExpiresAt: isoOrNull(s.resumeExpiresAt),
    })),
    oneTimeTokens: r.oneTimeTokens.map((t) => ({
      createdAt: iso(t.createdAt),
      expiresAt: iso(t.expiresAt),
      authorizedAt: isoOrNull(t.authorizedAt),
      redeemedAt: isoOrNull(t.redeemedAt),
    })),
    phoneHandoffs: r.handoffs.map((h) => ({
      caseId: h.caseId,
      documentType: h.documentType,
      locale: h.locale,
      theme: h.theme,
      createdAt: iso(h.createdAt),
      expiresAt: iso(h.expiresAt),
      usedAt: isoOrNull(h.usedAt),
    })),
    cases,
    auditTrail: audit.map((a) => ({
      id: a.id,
      occurredAt: iso(a.occurredAt),
      actorType: a.actorType,
      actorId: notStaff(a.actorType, a.actorId),
      action: a.action,
      caseId: a.caseId,
      traderId: a.traderId,
      data: exportedAuditData(a.action, a.data),
    })),
    withheld: WITHHELD,
  } satisfies SubjectAccess);
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "retention.subject_access_exported",
    traderId,
    data: subjectAccessExportedData.parse({
      cases: cases.length,
      files: files.length,
      restricted: [...restrictions].map(([caseId, x]) => ({
        caseId,
        ground: "tipping_off",
        since: iso(x.since),
        tasks: x.tasks,
        withheld: x.withheld,
      })),
    } satisfies SubjectAccessExportedData),
    occurredAt: now,
  });
  const text = Buffer.from(JSON.stringify(data, null, 2), "utf8");
  return { zip: zipStored([{ name: "data.json", bytes: text }, ...files], now), data };
}
