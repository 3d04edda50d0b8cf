"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { deliverDueSoon, scheduleCaseChecks } from "@/lib/jobs/after-response";
import { isAppError, errorFacts } from "@/lib/errors";
import { isFormData } from "@/lib/http/action-input";
import { withActionScope } from "@/lib/http/action-scope";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { isOwnWindow, WINDOW_FIELD } from "@/lib/inapp/window";
import { STEP_SAVE_REFUSAL_WORDS } from "@/lib/inapp/autosave-contract";
import { saveStepFromScreen } from "@/lib/inapp/step-save";
import { renewCase } from "@/lib/kyc/renewal";
import { retryCase, submitCase } from "@/lib/kyc/submission";
import { log } from "@/lib/log";

export type StepFormState =
  | { status: "idle" }
  /** `version`: the draft's version now, which the next autosave carries. */
  | { status: "saved"; completed: boolean; at: string; version: number }
  /**
   * A save typed on an older version of the step (saved meanwhile elsewhere): not written. The
   * values posted come back so a "Save and continue" keeps what the trader typed.
   */
  | { status: "stale"; message: string; values: Record<string, string | string[]> }
  | {
      status: "invalid";
      version: number;
      errors: Record<string, string>;
      summary: string;
      /** A step-level notice (e.g. the appropriateness warning), as a key the form shows. */
      warning?: string;
      /** What was submitted: React resets a form after its action, so it re-renders from these. */
      values: Record<string, string | string[]>;
    }
  | { status: "failed"; message: string; values: Record<string, string | string[]> };

/** Whether a form was posted by a window of this session's own sign-in. */
function ownWindowPosted(session: Parameters<typeof isOwnWindow>[0], form: unknown): boolean {
  return isFormData(form) && isOwnWindow(session, form.get(WINDOW_FIELD));
}

async function runStep(form: FormData): Promise<StepFormState> {
  const t = await getTranslations("Errors");
  if (!isFormData(form)) return { status: "failed", message: t("saveFailed"), values: {} };
  const saved = await saveStepFromScreen(form, form.get(WINDOW_FIELD), "continue");
  const { values } = saved;
  if (saved.outcome === "refused") {
    const message = t(STEP_SAVE_REFUSAL_WORDS[saved.reason]);
    return saved.reason === "stale_draft"
      ? { status: "stale", message, values }
      : { status: "failed", message, values };
  }
  if (saved.outcome === "saved")
    return {
      status: "saved",
      completed: saved.completed,
      at: new Date().toISOString(),
      version: saved.version,
    };
  const errors: Record<string, string> = {};
  for (const [field, key] of Object.entries(saved.errors)) errors[field] = t(key);
  return {
    status: "invalid",
    errors,
    summary: t("summary", { count: Object.keys(errors).length }),
    warning: saved.warning,
    values,
    version: saved.version,
  };
}

/** Submits a step; when it is complete, back to the overview (works without JavaScript too). */
export const continueStep = withActionScope(async function continueStep(
  _previous: StepFormState,
  form: FormData,
): Promise<StepFormState> {
  const state = await runStep(form);
  if (state.status === "saved" && state.completed) redirect("/inapp/kyc");
  return state;
});

export type SubmitFormState = { status: "idle" } | { status: "error"; message: string };
/** "Try again" and "Renew now": a redirect when done, words when refused. */
export type CaseActionState = SubmitFormState;

/** The final submit: declaration confirmed, completeness re-checked on the server. */
export const submitCaseAction = withActionScope(async function submitCaseAction(
  _previous: SubmitFormState,
  form: FormData,
): Promise<SubmitFormState> {
  const t = await getTranslations("Kyc");
  const tErrors = await getTranslations("Errors");
  const context = await getScreenContext();
  if (!context?.kycCase) return { status: "error", message: tErrors("sessionExpired") };
  if (!ownWindowPosted(context.session, form))
    return { status: "error", message: tErrors("otherSignIn") };
  if (form.get("declaration") !== "yes") return { status: "error", message: t("mustConfirm") };
  try {
    const result = await submitCase(context.kycCase, context.trader.id);
    if (result.status !== "already_submitted") {
      scheduleCaseChecks(context.kycCase.id);
      deliverDueSoon();
    }
  } catch (error) {
    if (isAppError(error) && error.reason === "incomplete")
      return { status: "error", message: t("incomplete") };
    if (isAppError(error) && error.reason === "inputs_changed")
      return { status: "error", message: tErrors("saveFailed") };
    log.error("kyc.submit_failed", { caseId: context.kycCase.id, ...errorFacts(error) });
    return { status: "error", message: tErrors("saveFailed") };
  }
  redirect("/inapp/kyc/status");
});

/** After a rejection with a retry reason: back to the form, with only the named items open. */
export const retryCaseAction = withActionScope(async function retryCaseAction(
  _previous: CaseActionState,
  form: FormData,
): Promise<CaseActionState> {
  const context = await getScreenContext();
  if (!context?.kycCase) redirect("/inapp/kyc");
  // A window of an earlier sign-in in this browser reopens nothing in this session's case.
  if (!ownWindowPosted(context.session, form))
    return { status: "error", message: (await getTranslations("Errors"))("otherSignIn") };
  try {
    await retryCase(context.kycCase, context.trader.id);
    deliverDueSoon();
  } catch (error) {
    if (!(isAppError(error) && error.code === "CONFLICT")) throw error;
  }
  redirect("/inapp/kyc");
});

/** "Renew now" on a renewal notice or an expired case: back to the identity document only. */
export const renewCaseAction = withActionScope(async function renewCaseAction(
  _previous: CaseActionState,
  form: FormData,
): Promise<CaseActionState> {
  const context = await getScreenContext();
  if (!context?.kycCase) redirect("/inapp/kyc");
  if (!ownWindowPosted(context.session, form))
    return { status: "error", message: (await getTranslations("Errors"))("otherSignIn") };
  try {
    await renewCase(context.kycCase, context.trader.id);
    deliverDueSoon();
  } catch (error) {
    // Renewed meanwhile (another tab) or nothing to renew: the overview shows where things stand.
    if (!(isAppError(error) && error.code === "CONFLICT")) throw error;
  }
  redirect("/inapp/kyc?step=identity_document");
});
