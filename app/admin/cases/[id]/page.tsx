import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getCaseFile } from "@/lib/review/case-file";
import { isConsoleOutcome, isConsoleRefusal } from "@/lib/review/console-messages";
import { getConsoleLabels } from "@/lib/review/labels";
import { requireStaff } from "@/lib/staff/console";
import { CaseSummary } from "./_sections/case-summary";
import { Checks } from "./_sections/checks";
import { Decide } from "./_sections/decide";
import { Deliveries } from "./_sections/deliveries";
import { Documents } from "./_sections/documents";
import { Hits } from "./_sections/hits";
import { Keyboard } from "./_sections/keyboard";
import { Summary } from "./_sections/summary";
import { Retention } from "./_sections/retention";
import { Timeline } from "./_sections/timeline";
import { TraderData } from "./_sections/trader-data";
import { getCaseWords } from "./_sections/words";
import { withPageScope } from "@/lib/http/action-scope";

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** One case with its evidence and the decisions a reviewer can take. Every view is audited. */
async function CasePage({ params, searchParams }: Props) {
  const staff = await requireStaff("reviewer");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const q = await searchParams;
  const [file, { t }, label] = await Promise.all([
    getCaseFile(staff, id, q),
    getCaseWords(),
    getConsoleLabels(),
  ]);
  if (!file) notFound();
  return (
    <>
      <div className="case-nav">
        <Link href={`/admin?${file.neighbours.query}`} data-testid="back-to-queue">
          {t("back")}
        </Link>
        <Keyboard file={file} />
      </div>
      <h1 data-testid="case-title">
        {file.trader?.email ?? t("traderFallback")} · {label.level(file.kycCase.level)}
      </h1>
      {isConsoleRefusal(q.error) ? (
        <p className="alert" role="alert" data-testid="outcome" data-error={q.error}>
          {t(`refusal.${q.error}`)}
        </p>
      ) : isConsoleOutcome(q.outcome) ? (
        <p className="notice" role="status" data-testid="outcome" data-outcome={q.outcome}>
          {t(`outcome.${q.outcome}`)}
        </p>
      ) : null}
      <CaseSummary file={file} />
      <Summary file={file} />
      <Decide file={file} prefill={typeof q.prefill === "string" ? q.prefill : undefined} />
      <Hits file={file} />
      <Checks file={file} />
      <TraderData file={file} />
      <Documents file={file} />
      <Timeline file={file} />
      <Deliveries file={file} />
      <Retention file={file} isAdmin={staff.role === "admin"} />
    </>
  );
}

export default withPageScope(CasePage);
