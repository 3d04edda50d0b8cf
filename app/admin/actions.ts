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
import { isAppError } from "@/lib/errors";
import { isFormData } from "@/lib/http/action-input";
import { formText } from "@/lib/http/text";
import { log } from "@/lib/log";
import { STEPS } from "@/lib/kyc/levels";
import type { RequestedItem } from "@/lib/kyc/requirements";
import { errorFacts } from "@/lib/errors";
import { isConsoleRefusal, type ConsoleOutcome } from "@/lib/review/console-messages";
import {
  approveCase,
  assignCaseTo,
  claimCase,
  judgeScreeningHit,
  rejectCase,
  reopenCase,
  requestMoreInformation,
  resumeReview,
  retryChecks,
} from "@/lib/review/decisions";
import { loginStaff, logoutStaff, STAFF_COOKIE } from "@/lib/staff/auth";
import { clientAddress, getStaff, requireStaff } from "@/lib/staff/console";

const caseId = z.uuid();

/**
 * Free text staff write (notes, reasons, messages) is kept in text and jsonb columns: read
 * through formText, control characters (NUL) dropped, bounded well above what lib/review allows.
 */
const NOTE_MAX = 10_000;

/** A forged call without a form (see lib/http/action-input.ts): nothing is done. */
function refuseWithoutForm(form: unknown): asserts form is FormData {
  if (!isFormData(form)) redirect("/admin?error=failed");
}

function back(id: string, query: Record<string, string>): never {
  redirect(`/admin/cases/${id}?${new URLSearchParams(query).toString()}`);
}

/**
 * Runs one console action on a case and redirects back to it with a closed outcome code (or the
 * refusal's reason code): the page shows the message for the code, and a reload does not repeat
 * the action.
 */
async function run(id: unknown, action: (id: string) => Promise<ConsoleOutcome>): Promise<never> {
  const parsed = caseId.safeParse(id);
  if (!parsed.success) redirect("/admin?error=bad_case");
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
      back(parsed.data, { error: reason });
    }
    log.error("console.action_failed", { caseId: parsed.data, ...errorFacts(error) });
    back(parsed.data, { error: "failed" });
  }
  back(parsed.data, { outcome });
}

export type LoginState = { error?: string };

export async function loginAction(_previous: LoginState, form: FormData): Promise<LoginState> {
  if (!isFormData(form)) return { error: "Enter your email and password." };
  const email = formText(form, "email", 320);
  const password = String(form.get("password") ?? "").slice(0, 1024);
  if (!email || !password) return { error: "Enter your email and password." };
  const result = await loginStaff({ email, password, client: await clientAddress() });
  if (!result.ok)
    return {
      error:
        result.reason === "throttled"
          ? "Too many attempts. Wait 15 minutes and try again."
          : "Email or password is wrong.",
    };
  (await cookies()).set(result.cookie);
  redirect("/admin");
}

export async function logoutAction(): Promise<void> {
  const staff = await getStaff();
  const store = await cookies();
  const value = store.get(STAFF_COOKIE)?.value;
  if (staff && value) await logoutStaff(value, staff.id);
  store.delete(STAFF_COOKIE);
  redirect("/admin/login");
}

export async function claimAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    await claimCase(staff, id);
    return "claimed";
  });
}

export async function approveAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => (await approveCase(staff, id)).status);
}

export async function rejectAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    const { kind, retryLimitReached } = await rejectCase(staff, id, {
      reasonCode: formText(form, "reasonCode", 100),
      internalNote: formText(form, "internalNote", NOTE_MAX, { lines: true }),
    });
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
  await run(form.get("caseId"), async (id) => {
    await resumeReview(staff, id);
    return "review_resumed";
  });
}

export async function reopenAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  await run(form.get("caseId"), async (id) => {
    await reopenCase(staff, id, { reason: formText(form, "reason", NOTE_MAX, { lines: true }) });
    return "reopened";
  });
}

export async function retryChecksAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    await retryChecks(staff, id);
    return "checks_ran";
  });
}

const itemValue = z.union([
  z.string().regex(/^step:[a-z_]+$/),
  z.enum(["document:identity", "document:address", "document:additional"]),
]);

export async function requestAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
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
        return [
          {
            kind: "document" as const,
            documentType: name as "identity" | "address" | "additional",
          },
        ];
      });
    await requestMoreInformation(staff, id, {
      items,
      message: formText(form, "message", NOTE_MAX, { lines: true }),
      internalNote: formText(form, "internalNote", NOTE_MAX, { lines: true }),
    });
    return "action_requested";
  });
}

export async function screeningHitAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    const verdict = form.get("verdict") === "confirmed" ? "confirmed" : "false_positive";
    const result = await judgeScreeningHit(staff, id, {
      hitKey: formText(form, "hitKey", 200),
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
  await run(form.get("caseId"), async (id) => {
    const assignee = z.uuid().safeParse(form.get("assignee"));
    await assignCaseTo(staff, id, assignee.success ? assignee.data : null);
    return "assigned";
  });
}

export async function replayEventAction(form: FormData): Promise<void> {
  refuseWithoutForm(form);
  const staff = await requireStaff("admin");
  await run(form.get("caseId"), async () => {
    await replayEvent(staff, formText(form, "eventId", 100));
    deliverDueSoon();
    return "replayed";
  });
}

export async function replayDeadAction(): Promise<void> {
  const staff = await requireStaff("admin");
  const count = await replayAllDead(staff);
  deliverDueSoon();
  redirect(`/admin/deliveries?replayed=${count}`);
}
