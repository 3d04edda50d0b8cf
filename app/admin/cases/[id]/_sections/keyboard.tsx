import { getTranslations } from "@/lib/i18n/translations";
import type { CaseFile } from "@/lib/review/case-file";
import { CaseShortcuts } from "./shortcuts";

const caseHref = (id: string | null) => (id ? `/admin/cases/${id}` : null);

/** The page's keyboard shortcuts and the button that lists them. */
export async function Keyboard({ file }: { file: CaseFile }) {
  const t = await getTranslations("Shortcuts");
  return (
    <CaseShortcuts
      nextHref={caseHref(file.neighbours.next)}
      previousHref={caseHref(file.neighbours.previous)}
      labels={{
        title: t("title"),
        open: t("open"),
        close: t("close"),
        next: t("next"),
        previous: t("previous"),
        approve: t("approve"),
        reject: t("reject"),
        request: t("request"),
        help: t("help"),
        typing: t("typing"),
      }}
    />
  );
}
