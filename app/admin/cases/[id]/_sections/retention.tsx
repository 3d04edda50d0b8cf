import { erasureRequestAction, legalHoldAction, relationshipEndAction } from "../../../actions";
import type { CaseFile } from "@/lib/review/case-file";
import { getCaseRetentionView } from "@/lib/retention/view";
import { HOLD_SHOWN_FIELD, holdShownValue } from "@/lib/retention/holds";
import { getTranslations } from "@/lib/i18n/translations";
import { ConfirmButton } from "./confirm-button";
import { getCaseWords } from "./words";
import { CaseFields } from "./case-fields";
import { Value } from "./value";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "—");

export async function Retention({ file, isAdmin }: { file: CaseFile; isAdmin: boolean }) {
  const [view, { t }, tConfirm] = await Promise.all([
    getCaseRetentionView(file.kycCase),
    getCaseWords(),
    getTranslations("Confirm"),
  ]);
  const request = view.latestErasureRequest;
  const tombstone = view.purged?.tombstone;
  return (
    <section className="card" aria-labelledby="retention-title" data-testid="retention">
      <h2 id="retention-title">{t("retention.title")}</h2>
      {tombstone?.ok ? (
        <p className="notice" data-testid="tombstone">
          {t("retention.tombstone", {
            date: day(new Date(tombstone.tombstone.purgedAt)),
            rule: tombstone.tombstone.rule,
            outcome: tombstone.tombstone.outcome,
          })}
        </p>
      ) : view.purged && tombstone ? (
        <div className="notice" data-testid="tombstone" data-format="unrecognised">
          <p>{t("retention.tombstoneOlderFormat", { date: day(view.purged.at) })}</p>
          <Value value={tombstone.raw} />
        </div>
      ) : (
        <dl className="facts">
          <dt>{t("retention.relationshipEnded")}</dt>
          <dd data-testid="relationship-ended">{day(view.relationshipEndedAt)}</dd>
          <dt>{t("retention.erasedFrom")}</dt>
          <dd data-testid="erasure-due">
            {view.legalHold ? t("retention.neverOnHold") : day(view.erasureDue)}
          </dd>
          <dt>{t("retention.legalHold")}</dt>
          <dd data-testid="legal-hold">
            {view.legalHold
              ? t("retention.holdSince", {
                  date: day(view.legalHold.at),
                  reason: view.legalHold.reason,
                })
              : t("retention.none")}
          </dd>
        </dl>
      )}
      {request ? (
        <p
          data-testid="erasure-request"
          data-outcome={request.outcome}
          data-reason={request.reason ?? ""}
          data-runs-at={day(request.runsAt).replace("—", "")}
        >
          {t("retention.erasureRequested", {
            date: day(request.requestedAt),
            result:
              request.outcome === "executed" || request.outcome === "failed"
                ? request.outcome
                : request.reason === "legal_hold" ||
                    request.reason === "open_task" ||
                    request.reason === "upload_in_progress"
                  ? request.reason
                  : "retention",
            runsAt: request.runsAt ? day(request.runsAt) : t("retention.runsWhenEnded"),
          })}
        </p>
      ) : null}
      {isAdmin ? (
        <p>
          <a href={`/admin/traders/${file.kycCase.traderId}/export`} data-testid="subject-export">
            {t("retention.export")}
          </a>
        </p>
      ) : null}
      {isAdmin && !view.purged ? (
        <>
          <form action={erasureRequestAction}>
            <CaseFields file={file} />
            <ConfirmButton
              className="button secondary"
              testId="erasure-submit"
              question={tConfirm("erasure")}
              yes={tConfirm("yes")}
              cancel={tConfirm("cancel")}
            >
              {t("retention.recordErasure")}
            </ConfirmButton>
          </form>
          <form action={legalHoldAction} className="stack">
            <CaseFields file={file} />
            <input type="hidden" name="hold" value={view.legalHold ? "lift" : "set"} />
            <input
              type="hidden"
              name={HOLD_SHOWN_FIELD}
              value={holdShownValue(view.legalHold?.at ?? null)}
            />
            <label htmlFor="holdReason">
              {view.legalHold ? t("retention.liftWhy") : t("retention.setWhy")}
            </label>
            <textarea id="holdReason" name="reason" rows={2} maxLength={2000} required />
            <button className="button secondary" type="submit" data-testid="legal-hold-submit">
              {view.legalHold ? t("retention.lift") : t("retention.set")}
            </button>
          </form>
          <form action={relationshipEndAction} className="filters">
            <CaseFields file={file} />
            <label htmlFor="endedOn">{t("retention.endedOn")}</label>
            <input id="endedOn" name="endedOn" type="date" required />
            <button className="button secondary" type="submit" data-testid="relationship-end">
              {t("retention.record")}
            </button>
          </form>
        </>
      ) : null}
    </section>
  );
}
