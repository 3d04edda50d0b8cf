import { getTranslations } from "@/lib/i18n/translations";
import type { TraderPhase } from "@/lib/kyc/trader-view";

/** The case status as the trader reads it: a draft is "in progress" or "changes needed" once touched. */
export async function StatusBadge({ status, phase }: { status: string; phase?: TraderPhase }) {
  const [t, tPhase] = await Promise.all([getTranslations("CaseStatus"), getTranslations("Phase")]);
  const label =
    phase === "in_progress"
      ? tPhase("inProgress")
      : phase === "returned"
        ? tPhase("returned")
        : t("name", { status });
  return (
    <span className="badge" data-status={status} data-phase={phase} data-testid="case-status">
      {label}
    </span>
  );
}

/** What the status means for the trader, in a sentence. */
export async function StatusExplain({
  status,
  phase,
  className,
}: {
  status: string;
  phase?: TraderPhase;
  className?: string;
}) {
  const [t, tPhase] = await Promise.all([getTranslations("CaseStatus"), getTranslations("Phase")]);
  return (
    <p className={className} data-testid="status-explain">
      {phase === "in_progress"
        ? tPhase("inProgressExplain")
        : phase === "returned"
          ? tPhase("returnedExplain")
          : t("explain", { status })}
    </p>
  );
}
