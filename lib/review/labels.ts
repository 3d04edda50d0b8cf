/**
 * Words for the console's closed vocabularies (statuses, triggers, risk, levels, steps, checks,
 * outcomes, reject reasons), read from the `ConsoleLabels` catalog in the officer's language. A
 * value the catalog does not know (a level from KYC_LEVELS_PATH, a check added later) falls back
 * to a generic word or to the value itself, never to an error: the console must render whatever
 * the database holds.
 */
import { getTranslations } from "@/lib/i18n/translations";

export type ConsoleLabels = {
  status(status: string): string;
  trigger(trigger: string): string;
  /** `null` (not assessed yet) has its own word. */
  risk(risk: string | null): string;
  level(level: string): string;
  step(step: string): string;
  check(check: string): string;
  outcome(outcome: string): string;
  reason(code: string): string;
};

type Translate = (key: string, values: Record<string, string>) => string;

/** Labels over a translator of the `ConsoleLabels` namespace (the page's or a test's). */
export function labelsFrom(t: Translate): ConsoleLabels {
  return {
    status: (status) => t("status", { status }),
    trigger: (trigger) => t("trigger", { trigger }),
    risk: (risk) => t("risk", { risk: risk ?? "none" }),
    level: (level) => t("level", { level }),
    step: (step) => t("step", { step }),
    check: (check) => t("check", { check }),
    outcome: (outcome) => t("outcome", { outcome }),
    reason: (code) => t("reason", { reason: code }),
  };
}

export async function getConsoleLabels(): Promise<ConsoleLabels> {
  return labelsFrom((await getTranslations("ConsoleLabels")) as unknown as Translate);
}
