"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { isAppError } from "@/lib/errors";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { submitPersonalStep } from "@/lib/kyc/personal-step";
import { personalValuesFrom } from "@/lib/kyc/steps/personal";
import { log } from "@/lib/log";

export type StepFormState =
  | { status: "idle" }
  | { status: "saved"; completed: boolean; at: string }
  | {
      status: "invalid";
      errors: Record<string, string>;
      summary: string;
      /** What was submitted: React resets a form after its action, so it re-renders from these. */
      values: Record<string, string | string[]>;
    }
  | { status: "failed"; message: string; values: Record<string, string | string[]> };

const submitted = (form: FormData) => personalValuesFrom(form) as Record<string, string | string[]>;

async function runPersonal(form: FormData, mode: "autosave" | "continue"): Promise<StepFormState> {
  const t = await getTranslations("Errors");
  const context = await getScreenContext();
  if (!context?.kycCase)
    return { status: "failed", message: t("sessionExpired"), values: submitted(form) };
  try {
    const result = await submitPersonalStep(context.kycCase, form, mode);
    if (result.ok)
      return { status: "saved", completed: result.completed, at: new Date().toISOString() };
    const errors: Record<string, string> = {};
    for (const [field, key] of Object.entries(result.errors)) errors[field] = t(key);
    return {
      status: "invalid",
      errors,
      summary: t("summary", { count: Object.keys(errors).length }),
      values: submitted(form),
    };
  } catch (error) {
    if (isAppError(error) && error.code === "CONFLICT")
      return { status: "failed", message: t("notEditable"), values: submitted(form) };
    log.error("kyc.personal.save_failed", {
      error: error instanceof Error ? error.message : String(error),
    });
    return { status: "failed", message: t("saveFailed"), values: submitted(form) };
  }
}

/** Submits the step; when it is complete, back to the overview (works without JavaScript too). */
export async function continuePersonalStep(
  _previous: StepFormState,
  form: FormData,
): Promise<StepFormState> {
  const state = await runPersonal(form, "continue");
  if (state.status === "saved" && state.completed) redirect("/inapp/kyc");
  return state;
}

export async function autosavePersonalStep(form: FormData): Promise<StepFormState> {
  return runPersonal(form, "autosave");
}
