import { getTranslations } from "@/lib/i18n/translations";

export async function StatusBadge({ status }: { status: string }) {
  const t = await getTranslations("CaseStatus");
  return (
    <span className="badge" data-status={status} data-testid="case-status">
      {t("name", { status })}
    </span>
  );
}
