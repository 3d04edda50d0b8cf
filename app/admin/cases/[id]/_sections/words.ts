import { getTranslations } from "@/lib/i18n/translations";
import { isConsoleRefusal, type ControlWhy } from "@/lib/review/console-messages";

/** The case page's words (`ConsoleCase`), with the message for a control's closed `why` code. */
export async function getCaseWords() {
  const t = await getTranslations("ConsoleCase");
  const why = (code: ControlWhy) =>
    isConsoleRefusal(code) ? t(`refusal.${code}`) : t(`why.${code}`);
  return { t, why };
}
