/**
 * A case's verification at a vendor, from the trader's screen to the console: start it (the
 * screen gets an SDK token), note the end of the trader's capture, take the vendor's signed
 * webhook and store its verdict for the checks, and open the vendor's report for staff.
 *
 * The vendor never decides: its verdict is stored as evidence, and the checks (lib/checks
 * `checkVendor`) run again when a verdict arrives after them, so a decline or an inconclusive
 * answer reaches a reviewer. When a person already approved the case, the checks do not run
 * again: a concerning verdict opens a `vendor_verdict` task in the queue's monitoring tab instead,
 * and a `case.vendor_alert` tells the CRM and the trading account (the `monitoring_hit` rights
 * apply until an approver keeps the approval or takes it back). So does a verdict on the approved
 * capture that arrives while an upgrade of the case is open: the approval is still in force.
 */
import {
  findVendorVerification,
  getVendorVerification,
  listVendorVerificationHistory,
  recordVendorCapture,
  recordVendorStart,
  recordVendorVerdict,
  recordVendorVerdictUnavailable,
  type VerdictWrite,
} from "@/lib/db/queries/vendors";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { listCaseEvents, type OutboxBuilder } from "@/lib/db/queries/cases";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildVendorAlert, CASE_VENDOR_ALERT } from "@/lib/delivery/payload";
import type { CaseEventRow, KycCase, Trader, VendorVerificationRow } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { identityReopenedAt } from "@/lib/kyc/requested-items";
import { log } from "@/lib/log";
import { loadVendor, vendorForLevel } from "./registry";
import {
  lateVerdictTaskData,
  SIGNALS,
  VENDORS,
  verdictRaisesConcern,
  vendorSessionSchema,
  vendorVerdictSchema,
  type VendorName,
  type VendorSession,
  type VendorVerdict,
  type VerdictMissing,
} from "./verdict";

/** Cases whose trader can still capture: the same states in which steps can be edited. */
const CAPTURING = new Set<KycCase["status"]>(["draft", "action_required"]);

function levelVendorOrThrow(kycCase: Pick<KycCase, "level">) {
  const choice = vendorForLevel(kycCase.level);
  if (!choice) throw new AppError("NOT_FOUND", "this level is not verified by a vendor");
  return choice;
}

/**
 * The case's verification row, and whether it belongs to an earlier round: a capture started
 * before the case last asked for its identity evidence again (a reviewer's request or a retry
 * naming the identity document, a renewal, an upgrade) proves the document the trader replaces,
 * so its verdict must not carry over to the new round.
 */
async function verificationOf(
  caseId: string,
): Promise<{ row: VendorVerificationRow | undefined; stale: boolean }> {
  const [row, events] = await Promise.all([getVendorVerification(caseId), listCaseEvents(caseId)]);
  if (!row) return { row, stale: false };
  return { row, stale: capturedBeforeReopening(row, events) };
}

/** The capture was started before the case last asked for its identity evidence again. */
function capturedBeforeReopening(
  row: Pick<VendorVerificationRow, "startedAt">,
  events: readonly CaseEventRow[],
): boolean {
  // In commit order (the id): a sweep on another host's clock may stamp a later time.
  const reopened = identityReopenedAt([...events].sort((a, b) => a.id - b.id));
  return reopened !== null && row.startedAt < reopened;
}

/** Starts (or resumes) the vendor's verification of the case; answers what the screen needs. */
export async function startVendorVerification(input: {
  kycCase: Pick<KycCase, "id" | "level" | "status">;
  trader: Pick<Trader, "id" | "email">;
  locale: string;
  now?: Date;
}): Promise<VendorSession> {
  const { kycCase, trader } = input;
  const choice = levelVendorOrThrow(kycCase);
  if (!CAPTURING.has(kycCase.status))
    throw new AppError("CONFLICT", "this verification is not open for changes", {
      reason: "not_editable",
    });
  const vendor = await loadVendor(choice.vendor);
  const personal = (await loadStepDrafts(kycCase.id)).personal?.values ?? {};
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value : undefined);
  const session = vendorSessionSchema.parse(
    await vendor.start({
      caseId: kycCase.id,
      level: kycCase.level,
      locale: input.locale,
      email: trader.email ?? undefined,
      givenNames: text(personal.givenNames),
      surnames: text(personal.surnames),
    }),
  );
  const recorded = await recordVendorStart({
    caseId: kycCase.id,
    traderId: trader.id,
    vendor: session.vendor,
    sessionReference: session.reference,
    // Judged again under the case's lock: a decision may have committed during the vendor's call.
    mayCapture: (status) => CAPTURING.has(status as KycCase["status"]),
    // The vendor may answer with the applicant of the earlier round: start over all the same.
    restartIf: capturedBeforeReopening,
    now: input.now ?? new Date(),
  });
  // The purge erased the case while the vendor was called: nothing of the trader is kept, the
  // vendor's applicant included; the screen says so, as a save would.
  if (recorded === "erased") throw caseErasedError();
  // A reviewer decided meanwhile (a declined upgrade is approved again): the vendor's applicant
  // stays unused, and the screen says the verification is no longer open, as before the call.
  if (recorded === "not_editable")
    throw new AppError("CONFLICT", "this verification is not open for changes", {
      reason: "not_editable",
    });
  return session;
}

/** The trader finished the vendor's capture on our screen. */
export async function finishVendorCapture(input: {
  kycCase: Pick<KycCase, "id" | "level" | "status">;
  traderId: string;
  now?: Date;
}): Promise<{ status: VendorVerificationRow["status"] }> {
  const choice = levelVendorOrThrow(input.kycCase);
  const { row, stale } = await verificationOf(input.kycCase.id);
  if (!row || row.vendor !== choice.vendor || stale)
    throw new AppError("CONFLICT", "the vendor's verification was not started", {
      reason: "incomplete",
    });
  if (row.status !== "started") return { status: row.status };
  if (!CAPTURING.has(input.kycCase.status))
    throw new AppError("CONFLICT", "this verification is not open for changes", {
      reason: "not_editable",
    });
  const vendor = await loadVendor(choice.vendor);
  const verdictReference = await vendor.captureDone(row.sessionReference);
  const recorded = await recordVendorCapture({
    caseId: input.kycCase.id,
    traderId: input.traderId,
    verdictReference,
    now: input.now ?? new Date(),
  });
  if (recorded === "erased") throw caseErasedError();
  return { status: "captured" };
}

const caseErasedError = () =>
  new AppError("GONE", "this verification's data was erased", { reason: "case_erased" });

export function isVendorName(value: string): value is VendorName {
  return (VENDORS as readonly string[]).includes(value);
}

export type WebhookOutcome =
  | "recorded"
  | "unchanged"
  | "progress"
  | "unknown_reference"
  | "verdict_unavailable"
  | "case_erased";

/** The task's evidence and the event for the broker's systems, from one concerning verdict. */
function lateVerdictConcern(verdict: VendorVerdict, now: Date) {
  const considered = SIGNALS.filter((s) => verdict.signals[s] === "consider");
  return {
    ofApprovedCapture: capturedBeforeReopening,
    data: lateVerdictTaskData.parse({
      vendor: verdict.vendor,
      reference: verdict.reference,
      outcome: verdict.outcome,
      considered,
      labels: verdict.labels,
    }),
    outbox: ({ eventId, sequence, moved, trader }: Parameters<OutboxBuilder>[0]) => ({
      type: CASE_VENDOR_ALERT,
      payload: buildVendorAlert({
        eventId,
        sequence,
        occurredAt: now,
        kycCase: moved,
        trader,
        vendor: { name: verdict.vendor, outcome: verdict.outcome, considered },
      }),
      destinations: destinationIdsFor(CASE_VENDOR_ALERT),
    }),
  };
}

/**
 * A vendor's webhook: the adapter checks the signature over the raw bytes before anything is
 * read (UNAUTHENTICATED), then the shape (BAD_REQUEST). A final event fetches the verdict from
 * the vendor's API (never trusting the webhook's body for it) and stores it; delivering the same
 * event again stores nothing new. References we do not know are acknowledged and logged, so the
 * vendor does not retry them forever; so is a reference of ours the vendor's API says does not
 * exist, recorded on the case (`verdict_unavailable`). Any other failure of the vendor's API
 * throws, and the vendor delivers again.
 */
export async function receiveVendorWebhook(
  vendorName: string,
  rawBody: Uint8Array,
  headers: Headers,
  now = new Date(),
): Promise<WebhookOutcome> {
  if (!isVendorName(vendorName)) throw new AppError("NOT_FOUND", "no such vendor");
  const vendor = await loadVendor(vendorName);
  const event = vendor.readWebhook(rawBody, headers);
  if (!event.completed) {
    log.info("vendor.webhook_progress", { vendor: vendorName, type: event.type });
    return "progress";
  }
  const row = await findVendorVerification(vendorName, event.reference);
  if (!row || (event.externalId !== undefined && event.externalId !== row.caseId)) {
    log.warn("vendor.webhook_unknown_reference", { vendor: vendorName, type: event.type });
    return "unknown_reference";
  }
  let fetched: VendorVerdict;
  try {
    fetched = await vendor.verdict(event.reference);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "NOT_FOUND")) throw error;
    // The vendor's own webhook named this reference and its API says there is no such thing:
    // asking again will not change that, so the case records it (a reviewer sees the verdict
    // could not be fetched) and the vendor gets its 2xx instead of redelivering for days.
    const written = await recordVendorVerdictUnavailable({
      caseId: row.caseId,
      vendor: vendorName,
      verdictReference: event.reference,
      now,
    });
    log.warn("vendor.verdict_unavailable", {
      caseId: row.caseId,
      vendor: vendorName,
      type: event.type,
      written,
    });
    return webhookOutcome(written, "verdict_unavailable");
  }
  const verdict = vendorVerdictSchema.parse(fetched);
  // A capture of an earlier round, while an upgrade is open, is the one the approval in force
  // rests on: its verdict concerns that approval, not the upgrade the reviewer is looking at.
  // Judged under the case row's lock (capturedBeforeReopening), not on what was read here.
  const written = await recordVendorVerdict({
    caseId: row.caseId,
    vendor: vendorName,
    verdictReference: event.reference,
    verdict,
    outcome: verdict.outcome,
    // Only used while an approval is in force: an open case's checks run again instead.
    concern: verdictRaisesConcern(verdict) ? lateVerdictConcern(verdict, now) : undefined,
    now,
  });
  log.info("vendor.verdict", {
    caseId: row.caseId,
    vendor: vendorName,
    outcome: verdict.outcome,
    written,
  });
  return webhookOutcome(written, "recorded");
}

/**
 * A capture started over meanwhile leaves the reference naming nothing of ours any more; a case
 * the purge erased after the webhook found it is said as such (nothing of it was written).
 */
function webhookOutcome(written: VerdictWrite, changed: WebhookOutcome): WebhookOutcome {
  if (written === "erased") return "case_erased";
  if (written === "superseded") return "unknown_reference";
  return written === "changed" ? changed : "unchanged";
}

/** What the checks and the screens read of a case's vendor verification. */
export type VendorState = {
  vendor: VendorName;
  status: VendorVerificationRow["status"] | "not_started";
  verdict: VendorVerdict | null;
  /** Why a final verdict is not there (VERDICT_MISSING), else null. */
  verdictMissing: VerdictMissing | null;
  verdictReference: string | null;
  /** When the verdict in force was stored (a restored capture keeps its own). */
  verdictAt: Date | null;
};

/** The case's vendor verification, or null when its level uses no vendor. */
export async function loadVendorState(
  kycCase: Pick<KycCase, "id" | "level">,
): Promise<VendorState | null> {
  const choice = vendorForLevel(kycCase.level);
  if (!choice) return null;
  const { row, stale } = await verificationOf(kycCase.id);
  if (!row || row.vendor !== choice.vendor || stale)
    return {
      vendor: choice.vendor,
      status: "not_started",
      verdict: null,
      verdictMissing: null,
      verdictReference: null,
      verdictAt: null,
    };
  const parsed = row.verdict ? vendorVerdictSchema.safeParse(row.verdict) : null;
  if (parsed && !parsed.success)
    log.error("vendor.verdict_unreadable", { caseId: kycCase.id, vendor: row.vendor });
  return {
    vendor: choice.vendor,
    status: row.status,
    verdict: parsed?.success ? parsed.data : null,
    verdictMissing:
      parsed && !parsed.success
        ? "verdict_unreadable"
        : row.status === "completed" && row.verdict === null
          ? "verdict_unavailable"
          : null,
    verdictReference: row.verdictReference,
    verdictAt: row.verdictAt,
  };
}

/** A capture a later one replaced, as the console shows it. */
export type ReplacedCapture = {
  vendor: string;
  round: number;
  status: VendorVerificationRow["status"];
  verdict: VendorVerdict | null;
  verdictReference: string | null;
  replacedAt: Date;
};

/**
 * The case's earlier captures at the vendor, oldest first: those an upgrade's, a renewal's or a
 * request's new capture replaced, and a declined upgrade's own. Evidence for staff; the checks
 * read only the capture in force (loadVendorState).
 */
export async function loadReplacedCaptures(caseId: string): Promise<ReplacedCapture[]> {
  return (await listVendorVerificationHistory(caseId)).map((row) => {
    const parsed = row.verdict ? vendorVerdictSchema.safeParse(row.verdict) : null;
    if (parsed && !parsed.success)
      log.error("vendor.verdict_unreadable", { caseId, vendor: row.vendor, replaced: true });
    return {
      vendor: row.vendor,
      round: row.round,
      status: row.status,
      verdict: parsed?.success ? parsed.data : null,
      verdictReference: row.verdictReference,
      replacedAt: row.replacedAt,
    };
  });
}

/** The vendor's report of the case for staff: audited before it is fetched. */
export async function openVendorReport(
  staff: { id: string },
  caseId: string,
): Promise<{ contentType: string; body: Uint8Array; vendor: VendorName }> {
  const row = await getVendorVerification(caseId);
  if (!row?.verdictReference || !isVendorName(row.vendor))
    throw new AppError("NOT_FOUND", "no vendor report for this case", { reason: "not_found" });
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "vendor.report_viewed",
    caseId,
    data: { vendor: row.vendor, reference: row.verdictReference },
  });
  const vendor = await loadVendor(row.vendor);
  return { ...(await vendor.report(row.verdictReference)), vendor: row.vendor };
}
