import { getTranslations } from "@/lib/i18n/translations";
import type { ErrorLabels } from "./error-labels";

/**
 * The error screen's four words from a surface's catalog namespace: the trader screens'
 * `ErrorScreen`, the console's `Console.failed`. `{digest}` stays a slot for the screen to fill.
 */
export async function errorLabels(
  namespace: "ErrorScreen" | "Console.failed",
): Promise<ErrorLabels> {
  const t = await getTranslations(namespace);
  return {
    title: t("title"),
    body: t("body"),
    retry: t("retry"),
    reference: t("reference", { digest: "{digest}" }),
  };
}
