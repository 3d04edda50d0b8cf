import { getTranslations } from "@/lib/i18n/translations";
import { isConsoleRefusal, type ControlWhy } from "@/lib/review/console-messages";
import type { RiskMark } from "@/lib/review/risk";

/**
 * The case page's words (`ConsoleCase`), with the message for a control's closed `why` code and
 * what follows a risk level (lib/review/risk.ts riskMarks), " · "-separated, given the word for a
 * risk level.
 */
export async function getCaseWords() {
  const t = await getTranslations("ConsoleCase");
  const why = (code: ControlWhy) =>
    isConsoleRefusal(code) ? t(`refusal.${code}`) : t(`why.${code}`);
  const riskMarks = (marks: readonly RiskMark[], risk: (level: string) => string) =>
    marks
      .map((m) =>
        m.mark === "earlier_round"
          ? ` · ${t("summary.riskEarlierRound")}`
          : m.mark === "floor"
            ? ` · ${t("summary.riskFloor", { risk: risk(m.floor) })}`
            : ` · ${t("summary.escalated")}`,
      )
      .join("");
  return { t, why, riskMarks };
}
