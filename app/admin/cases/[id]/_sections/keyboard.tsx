import Link from "next/link";
import { getTranslations } from "@/lib/i18n/translations";
import type { CaseFile } from "@/lib/review/case-file";
import { caseHref } from "@/lib/review/queue";
import { CaseShortcuts } from "./shortcuts";

/** The page's keyboard shortcuts, the button that lists them, and j / k as plain links too. */
export async function Keyboard({ file }: { file: CaseFile }) {
  const t = await getTranslations("Shortcuts");
  const { previous, next, query } = file.neighbours;
  // The neighbours open with the same queue in their URL, so the walk keeps its order.
  const href = (id: string | null) => (id ? caseHref(id, query) : null);
  return (
    <>
      {previous ? (
        <Link href={href(previous)!} rel="prev" data-testid="queue-previous" data-case={previous}>
          {t("previous")}
        </Link>
      ) : null}
      {next ? (
        <Link href={href(next)!} rel="next" data-testid="queue-next" data-case={next}>
          {t("next")}
        </Link>
      ) : null}
      <CaseShortcuts
        nextHref={href(next)}
        previousHref={href(previous)}
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
    </>
  );
}
