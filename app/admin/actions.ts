"use server";

/**
 * The console's actions: every one checks the staff session and role, validates its input,
 * goes through lib/review (state machine, four-eyes, audit) and answers with a redirect that
 * names the outcome, so the page shows it (and a reload does not repeat the action).
 */
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { replayAllDead, replayEvent } from "@/lib/delivery/console";
import { deliverDueSoon } from "@/lib/jobs/after-response";
import { AppError, errorFacts, isAppError } from "@/lib/errors";
import { isFormData } from "@/lib/http/action-input";
import { getTranslations } from "@/lib/i18n/translations";
import { formText } from "@/lib/http/text";
import { withActionScope } from "@/lib/http/action-scope";
import { addToLogScope, log } from "@/lib/log";
import { STEPS } from "@/lib/kyc/levels";
import type { RequestedItem } from "@/lib/kyc/requirements";
import { isConsoleRefusal, type ConsoleOutcome } from "@/lib/review/console-messages";
import { keepApprovalAfterVendorVerdict, vendorTaskShown } from "@/lib/review/late-verdict";
import { hitSightingShown } from "@/lib/review/screening-hits";
import { completePeriodicReview } from "@/lib/review/periodic";
import { shownCaseOf } from "@/lib/review/shown-case";
import { requestErasure } from "@/lib/retention/erasure";
import { HOLD_SHOWN_FIELD, holdShown, setLegalHold } from "@/lib/retention/holds";
import { endRelationshipFromConsole } from "@/lib/retention/relationship";
import {
  approveCase,
  assignCaseTo,
  claimCase,
  closeUnreadableMonitoringTask,
  judgeScreeningHit,
  rejectCase,
  reopenCase,
  requestMoreInformation,
  resumeReview,
  retryChecks,
  takeOverCase,
} from "@/lib/review/decisions";
import {
  changeOwnPassword,
  changeStaffRole,
  endOwnSession,
  finishOwnEnrolment,
  listOwnSessions,
  resetMfaByAdmin,
  resetPasswordByAdmin,
  setStaffDisabled,
  StaffAdminError,
  type StaffAdminRefusal,
  startOwnEnrolment,
  type StaffAdminOutcome,
  MAX_PASSWORD_LENGTH,
  type PasswordChangeField,
} from "@/lib/staff/accounts";
import {
  completeSecondFactor,
  loginStaff,
  logoutStaff,
  STAFF_COOKIE,
  type StaffPrincipal,
} from "@/lib/staff/auth";
import {
  clientInfo,
  getPasswordChanger,
  PASSWORD_PAGE,
  requireStaff,
  staffCookieValue,
} from "@/lib/staff/console";
import {
  caseHref,
  claimSelectedCases,
  parseQueueParams,
  queueContextOf,
  queueContextQuery,
  queueQuery,
  takeNextCase,
} from "@/lib/review/queue";

const caseId = z.uuid();

/**
 * Free text staff write (notes, reasons, messages) is kept in text and jsonb columns: read
 * through formText, control characters (NUL) dropped, bounded well above what lib/review allows.
 */
const NOTE_MAX = 10_000;
/** A queue's URL query in a form (its filters and search): the search is at most 200. */
const QUERY_MAX = 2_000;

/** A forged call without a form (see lib/http/action-input.ts): nothing is done. */
function refuseWithoutForm(form: unknown): asserts form is FormData {
  if (!isFormData(form)) redirect("/admin?error=failed");
}

/** A case page in the queue context it was opened from ("" for none), with `query` added. */
function back(id: string, context: string, query: Record<string, string>): never {
  redirect(caseHref(id, context, query));
}

/**
 * Runs one console action on the form's case and redirects back to it with a closed outcome code
 * (or the refusal's reason code): the page shows the message for the code, and a reload does not
 * repeat the action. The form's `queueQuery` (the queue the case was opened from) comes back in
 * the redirect, so j / k keep walking that queue.
 */
const run = withActionScope(async function run(
  form: FormData,
  action: (id: string) => Promise<ConsoleOutcome>,
): Promise<never> {
  const parsed = caseId.safeParse(form.get("caseId"));
  if (!parsed.success) redirect("/admin?error=bad_case");
  const context = queueContextOf(formText(form, "queueQuery", QUERY_MAX));
  addToLogScope({ caseId: parsed.data });
  let outcome: ConsoleOutcome;
  try {
    outcome = await action(parsed.data);
    // A decision that changed the status: the broker's systems hear of it right away.
    deliverDueSoon();
  } catch (error) {
    if (isAppError(error) && error.code !== "INTERNAL" && error.code !== "CONFIG") {
      const reason = isConsoleRefusal(error.reason)
        ? error.reason
        : error.code === "FORBIDDEN"
          ? "forbidden"
          : error.code === "CONFLICT"
            ? "changed"
            : "failed";
      back(parsed.data, context, { error: reason });
    }
    log.error("console.action_failed", { caseId: parsed.data, ...errorFacts(error) });
    back(parsed.data, context, { error: "failed" });
  }
  back(parsed.data, context, { outcome });
});

export type LoginState = { error?: string };

const LOGIN_NEXT = { full: "/admin", mfa: "/admin/login/code", enrol: "/admin/login/enrol" };

export async function loginAction(_previous: LoginState, form: FormData): Promise<LoginState> {
  const t = await getTranslations("Console.login");
  if (!isFormData(form)) return { error: t("missing") };
  const email = formText(form, "email", 320);
  const password = String(form.get("password") ?? "").slice(0, 1024);
  if (!email || !password) return { error: t("missing") };
  const result = await loginStaff({ email, password, ...(await clientInfo()) });
  if (!result.ok) return { error: t(result.reason === "throttled" ? "tooSoon" : "wrong") };
  (await cookies()).set(result.cookie);
  redirect(LOGIN_NEXT[result.stage]);
}

export type CodeState = { error?: string; recoveryCodes?: string[] };

/** The second step of a login: a code from the authenticator app, or a recovery code. */
export async function codeAction(_previous: CodeState, form: FormData): Promise<CodeState> {
  const t = await getTranslations("Console.code");
  if (!(form instanceof FormData)) return { error: t("missing") };
  const code = String(form.get("code") ?? "").slice(0, 40);
  if (!code.trim()) return { error: t("missing") };
  const store = await cookies();
  const result = await completeSecondFactor(
    store.get(STAFF_COOKIE)?.value,
    code,
    await clientInfo(),
  );
  if (!result.ok) {
    if (result.reason === "invalid") return { error: t("invalid") };
    // A refusal leaves the cookie alone: the half session it names has ended on the server (a
    // dead value opens nothing; the next sign-in replaces it), and a twin submission of the right
    // code may be setting the full session's cookie in this same browser, which a deletion here
    // would undo whenever this answer arrives last.
    if (result.reason === "raced") redirect("/admin");
    if (result.reason === "too_many_codes")
      redirect(`/admin/login?error=too_many_codes&minutes=${result.retryAfterMinutes}`);
    // The sign-in page says "expired" only to a browser without a session: a twin answered
    // after the other one signed the officer in arrives there holding that one's cookie.
    redirect("/admin/login?error=expired");
  }
  store.set(result.cookie);
  // Enrolment answers the recovery codes: the page shows them once, then the console.
  if (result.recoveryCodes) return { recoveryCodes: result.recoveryCodes };
  redirect("/admin");
}

/**
 * Enrolling a new device from one's own account page (the login's enrolment is codeAction).
 * It takes the password; moving an existing second factor takes a current code too.
 */
export async function enrolAction(_previous: CodeState, form: FormData): Promise<CodeState> {
  const staff = await requireStaff("reviewer");
  const t = await getTranslations("Console.code");
  const te = await getTranslations("Console.enrol");
  if (!(form instanceof FormData)) return { error: t("missing") };
  const field = (name: string, max: number) => String(form.get(name) ?? "").slice(0, max);
  const result = await finishOwnEnrolment(staff, await staffCookieValue(), {
    code: field("code", 40),
    password: field("password", MAX_PASSWORD_LENGTH + 1),
    currentCode: field("currentCode", 40),
    client: (await clientInfo()).client,
  });
  if (!result.ok) {
    // The session or the account changed meanwhile (a reset ends the sessions): sign in again.
    if (result.reason === "expired") redirect("/admin/login");
    if (result.reason === "too_soon")
      return { error: (await getTranslations("Console.login"))("tooSoon") };
    if (result.reason === "too_many_codes")
      return {
        error: (await getTranslations("Console.login"))("tooManyCodes", {
          minutes: result.retryAfterMinutes,
        }),
      };
    if (result.reason === "restart") return { error: te("restart") };
    if (result.reason === "password")
      return { error: (await getTranslations("Console.password"))("refused.wrong_current") };
    return { error: result.reason === "proof" ? te("moveRefused") : t("invalid") };
  }
  return { recoveryCodes: result.recoveryCodes };
}

export async function startEnrolmentAction(): Promise<void> {
  const staff = await requireStaff("reviewer");
  await startOwnEnrolment(staff, await staffCookieValue());
  redirect("/admin/account?enrol=1");
}

export async function logoutAction(): Promise<void> {
  // Also one who may only change their password (an admin set it): their session ends too.
  const staff = (await getPasswordChanger())?.staff;
  const store = await cookies();
  const value = store.get(STAFF_COOKIE)?.value;
  if (staff && value) await logoutStaff(value, staff.id);
  store.delete(STAFF_COOKIE);
  redirect("/admin/login");
}

/**
 * One's own new password (the password page). Success ends every session of the person: they
 * sign in again with it. A refusal is a closed code the page words.
 */
export async function changePasswordAction(form: FormData): Promise<void> {
  const changer = await getPasswordChanger();
  if (!changer) redirect("/admin/login");
  if (!isFormData(form)) redirect(`${PASSWORD_PAGE}?error=mismatch`);
  const field = (name: PasswordChangeField) =>
    String(form.get(name) ?? "").slice(0, MAX_PASSWORD_LENGTH + 1);
  const result = await changeOwnPassword(changer.staff, {
    current: field("current"),
    next: field("next"),
    repeat: field("repeat"),
    client: (await clientInfo()).client,
  });
  if (!result.ok) redirect(`${PASSWORD_PAGE}?error=${result.reason}`);
  (await cookies()).delete(STAFF_COOKIE);
  redirect("/admin/login?outcome=password_changed");
}

/** Ends one of one's own sessions (another browser, a lost laptop); this one signs out. */
export async function endSessionAction(form: FormData): Promise<void> {
  const staff = await requireStaff("reviewer");
  const ref = z.uuid().safeParse(form instanceof FormData ? form.get("ref") : undefined);
  if (!ref.success) redirect("/admin/account?error=not_found");
  const current = (await listOwnSessions(staff, await staffCookieValue())).find(
    (s) => s.ref === ref.data,
  )?.current;
  const ended = await endOwnSession(staff, ref.data);
  if (ended && current) {
    (await cookies()).delete(STAFF_COOKIE);
    redirect("/admin/login");
  }
  redirect(`/admin/account?${ended ? "outcome=session_ended" : "error=not_found"}`);
}

/** The admin's account actions: each names its outcome or refusal on the account page. */
async function onAccount(
  form: unknown,
  action: (admin: StaffPrincipal, staffId: string) => Promise<StaffAdminOutcome>,
): Promise<never> {
  const admin = await requireStaff("admin");
  const staffId = z.uuid().safeParse(form instanceof FormData ? form.get("staffId") : undefined);
  if (!staffId.success) redirect("/admin/staff?error=not_found");
  let outcome: StaffAdminOutcome;
  try {
    outcome = await action(admin, staffId.data);
  } catch (error) {
    if (error instanceof StaffAdminError) redirect(`/admin/staff?error=${error.refusal}`);
    log.error("console.staff_action_failed", { ...errorFacts(error) });
    redirect("/admin/staff?error=failed");
  }
  redirect(`/admin/staff?outcome=${outcome}`);
}

export async function changeRoleAction(form: FormData): Promise<void> {
  await onAccount(form, (admin, id) => changeStaffRole(admin, id, form.get("role")));
}

export async function disableStaffAction(form: FormData): Promise<void> {
  await onAccount(form, (admin, id) => setStaffDisabled(admin, id, form.get("disabled") !== "0"));
}

export async function resetMfaAction(form: FormData): Promise<void> {
  await onAccount(form, (admin, id) => resetMfaByAdmin(admin, id));
}

/** `error`: a refusal code, or `failed`; the form shows the page's words for it. */
export type ResetPasswordState = { password?: string; error?: StaffAdminRefusal | "failed" };

/** A new generated password, shown once to the admin (not put in a URL). */
export async function resetPasswordAction(
  _previous: ResetPasswordState,
  form: FormData,
): Promise<ResetPasswordState> {
  const admin = await requireStaff("admin");
  const staffId = z.uuid().safeParse(form instanceof FormData ? form.get("staffId") : undefined);
  if (!staffId.success) return { error: "not_found" };
  try {
    return await resetPasswordByAdmin(admin, staffId.data);
  } catch (error) {
    if (error instanceof StaffAdminError) return { error: error.refusal };
    log.error("console.staff_action_failed", { ...errorFacts(error) });
    return { error: "failed" };
  }
}

export async function claimAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    await claimCase(staff, id);
    return "claimed";
  });
}

/** Taking over a case someone else claimed: explicit, audited, then the decisions are one's own. */
export async function takeOverAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    await takeOverCase(staff, id);
    return "taken_over";
  });
}

/**
 * Final decisions ask first (approve, reject, confirm a screening match, reopen a decided case,
 * keep an approval after a vendor's late verdict, close a monitoring task, record an erasure):
 * the page's dialog sends `confirmed=yes` with the form. A decision without it (a stray keypress,
 * a form posted by a script) changes nothing.
 */
function requireConfirmation(form: FormData): void {
  if (form.get("confirmed") !== "yes")
    throw new AppError("BAD_REQUEST", "the decision was not confirmed", {
      reason: "confirmation_required",
    });
}

export async function approveAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    requireConfirmation(form);
    return (
      await approveCase(
        staff,
        id,
        shownCaseOf((name) => form.get(name)),
      )
    ).status;
  });
}

export async function rejectAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    requireConfirmation(form);
    const { kind, retryLimitReached } = await rejectCase(staff, id, {
      reasonCode: formText(form, "reasonCode", 100),
      internalNote: formText(form, "internalNote", NOTE_MAX, { lines: true }),
      shown: shownCaseOf((name) => form.get(name)),
    });
    if (kind === "upgrade_declined" || kind === "renewal_declined") return kind;
    return retryLimitReached
      ? "rejected_retry_limit"
      : kind === "retry"
        ? "rejected_retry"
        : "rejected_final";
  });
}

export async function resumeReviewAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    await resumeReview(
      staff,
      id,
      shownCaseOf((name) => form.get(name)),
    );
    return "review_resumed";
  });
}

export async function reopenAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  await run(form, async (id) => {
    requireConfirmation(form);
    await reopenCase(staff, id, {
      reason: formText(form, "reason", NOTE_MAX, { lines: true }),
      shown: shownCaseOf((name) => form.get(name)),
    });
    return "reopened";
  });
}

/** "Review completed" on a periodic review task: closes it with the reviewer's outcome. */
export async function periodicReviewAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff();
  await run(form, async (id) => {
    await completePeriodicReview(staff, id, {
      outcome: formText(form, "outcome", 40),
      note: formText(form, "note", NOTE_MAX, { lines: true }),
      shown: shownCaseOf((name) => form.get(name)),
    });
    return "periodic_review_completed";
  });
}

/** Keeps an approval after a vendor's late verdict: closes its task (approver, note, confirmed). */
export async function keepApprovalAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    requireConfirmation(form);
    await keepApprovalAfterVendorVerdict(staff, id, {
      note: formText(form, "note", NOTE_MAX, { lines: true }),
      // The task as the page showed it; a form without it keeps nothing (`changed`).
      shown: vendorTaskShown.safeParse({
        taskId: form.get("taskId"),
        taskFingerprint: form.get("taskFingerprint"),
      }).data,
    });
    return "approval_kept";
  });
}

/** Closes a monitoring task whose hits do not read, once they are cleared (approver, note, confirmed). */
export async function closeMonitoringTaskAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    requireConfirmation(form);
    await closeUnreadableMonitoringTask(staff, id, {
      note: formText(form, "note", NOTE_MAX, { lines: true }),
      shown: shownCaseOf((name) => form.get(name)),
    });
    return "monitoring_task_closed";
  });
}

/**
 * Sets or lifts a case's legal hold (admin; the reason is audited), only the hold the page
 * showed: a form without it, or written for another hold, changes nothing (`changed`).
 */
export async function legalHoldAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  await run(form, (id) =>
    setLegalHold(staff, id, {
      hold: form.get("hold") !== "lift",
      reason: formText(form, "reason", NOTE_MAX, { lines: true }),
      shown: holdShown.safeParse(form.get(HOLD_SHOWN_FIELD)).data,
    }),
  );
}

/**
 * Records a data subject's erasure request and answers it (admin; executed, refused or failed).
 * An executed erasure cannot be undone, so it asks first like a final decision.
 */
export async function erasureRequestAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  await run(form, async (id) => {
    requireConfirmation(form);
    const { outcome } = await requestErasure(staff, id);
    return outcome === "executed"
      ? "erasure_executed"
      : outcome === "failed"
        ? "erasure_failed"
        : "erasure_refused";
  });
}

/** Records the day the trader's business relationship ended (admin; starts the retention clock). */
export async function relationshipEndAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  await run(form, async (id) => {
    await endRelationshipFromConsole(staff, id, formText(form, "endedOn", 20));
    return "relationship_ended";
  });
}

export async function retryChecksAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    await retryChecks(staff, id);
    return "checks_ran";
  });
}

const itemValue = z.union([
  z.string().regex(/^step:[a-z_]+$/),
  z.enum(["document:identity", "document:address", "document:additional", "document:selfie"]),
]);
/** A requested document's own reason for the trader (the item schema's limit). */
const ITEM_REASON_MAX = 1000;

export async function requestAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    const items = form
      .getAll("items")
      .slice(0, 20)
      .map((v) => itemValue.safeParse(v))
      .flatMap((r) => (r.success ? [r.data] : []))
      .flatMap((v): RequestedItem[] => {
        const [kind, name] = v.split(":");
        if (kind === "step")
          return (STEPS as readonly string[]).includes(name ?? "")
            ? [{ kind: "step" as const, step: name as (typeof STEPS)[number] }]
            : [];
        const documentType = name as "identity" | "address" | "additional" | "selfie";
        const reason = formText(form, `reason:${documentType}`, ITEM_REASON_MAX);
        return [{ kind: "document" as const, documentType, ...(reason ? { reason } : {}) }];
      });
    await requestMoreInformation(staff, id, {
      items,
      message: formText(form, "message", NOTE_MAX, { lines: true }),
      internalNote: formText(form, "internalNote", NOTE_MAX, { lines: true }),
      shown: shownCaseOf((name) => form.get(name)),
    });
    return "action_requested";
  });
}

export async function screeningHitAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form, async (id) => {
    const verdict = form.get("verdict") === "confirmed" ? "confirmed" : "false_positive";
    // A confirmed match is final for the case; clearing a hit is not (a likely one waits for a
    // second person), so only the match asks first.
    if (verdict === "confirmed") requireConfirmation(form);
    const result = await judgeScreeningHit(staff, id, {
      hitKey: formText(form, "hitKey", 200),
      // The sighting as the page showed it; a form without it records nothing (`changed`).
      shown: hitSightingShown.safeParse({
        runId: form.get("runId"),
        strength: form.get("strength"),
      }).data,
      verdict,
      reason: formText(form, "reason", NOTE_MAX, { lines: true }),
    });
    if (verdict === "confirmed") return "hit_confirmed";
    if (result.monitoringCleared) return "monitoring_cleared";
    return result.state === "cleared" ? "hit_cleared" : "hit_awaiting_second";
  });
}

export async function assignAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("approver");
  await run(form, async (id) => {
    // "Nobody" is the empty choice, which the form always sends; any other value, or none, must
    // name an active account (unknown_staff): a mangled or dropped field never unassigns a case.
    const assignee = form.get("assignee");
    if (typeof assignee !== "string")
      throw new AppError("BAD_REQUEST", "no assignee chosen", { reason: "unknown_staff" });
    await assignCaseTo(staff, id, assignee === "" ? null : assignee);
    return "assigned";
  });
}

export async function replayEventAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  await run(form, async () => {
    await replayEvent(staff, formText(form, "eventId", 100));
    deliverDueSoon();
    return "replayed";
  });
}

/** Replaying one event from the deliveries page (not from a case): back to that page. */
export async function replayDeliveryAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  let count: number;
  try {
    count = await replayEvent(
      staff,
      formText(form, "eventId", 100),
      undefined,
      formText(form, "destination", 100) || undefined,
    );
  } catch (error) {
    if (!isAppError(error) || error.code !== "BAD_REQUEST")
      log.error("console.replay_failed", { ...errorFacts(error) });
    redirect("/admin/deliveries?error=failed");
  }
  deliverDueSoon();
  redirect(`/admin/deliveries?replayed=${count}`);
}

export async function replayDeadAction(): Promise<void> {
  const staff = await requireStaff("admin");
  const count = await replayAllDead(staff);
  deliverDueSoon();
  redirect(`/admin/deliveries?replayed=${count}`);
}

/** The queue URL a form came from (its own filters), read through the queue's schema. */
function queueReturn(form: FormData): Record<string, string> {
  const raw = formText(form, "returnQuery", QUERY_MAX);
  const params = parseQueueParams(Object.fromEntries(new URLSearchParams(raw)));
  return Object.fromEntries(new URLSearchParams(queueQuery(params)));
}

/** The staff account a form's "assignee" names; undefined when none was chosen. */
function chosenStaff(form: FormData): string | undefined {
  const value = form.get("assignee");
  return typeof value === "string" && value !== "" ? value : undefined;
}

function toQueue(query: Record<string, string>): never {
  const text = new URLSearchParams(query).toString();
  redirect(text ? `/admin?${text}` : "/admin");
}

/** Claims (or, for approvers, assigns) the cases ticked in the queue; says how many changed. */
export const bulkClaimAction = withActionScope(async function bulkClaimAction(
  form: FormData,
): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  const from = queueReturn(form);
  // One id that is not a case id spoils the whole selection: nothing is claimed from it.
  const parsed = z.array(caseId).safeParse(form.getAll("caseId"));
  if (!parsed.success) toQueue({ ...from, error: "invalid_selection" });
  let result: Awaited<ReturnType<typeof claimSelectedCases>>;
  try {
    // No choice claims for oneself; a value that is no active account's id is refused.
    result = await claimSelectedCases(staff, parsed.data, chosenStaff(form));
  } catch (error) {
    log.error("console.bulk_claim_failed", { ...errorFacts(error) });
    toQueue({ ...from, error: "failed" });
  }
  if ("refused" in result) toQueue({ ...from, error: result.refused });
  toQueue({
    ...from,
    claimed: String(result.claimed),
    asked: String(result.asked),
    decided: String(result.decided),
  });
});

/** Claims the oldest unassigned case in the officer's filters and opens it, j / k in them. */
export const nextCaseAction = withActionScope(async function nextCaseAction(
  form: FormData,
): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  const from = queueReturn(form);
  let next: string | null;
  try {
    next = await takeNextCase(staff, from);
  } catch (error) {
    log.error("console.next_case_failed", { ...errorFacts(error) });
    toQueue({ ...from, error: "failed" });
  }
  if (!next) toQueue({ ...from, error: "no_next_case" });
  back(next, queueContextQuery(parseQueueParams(from)), { outcome: "claimed" });
});
