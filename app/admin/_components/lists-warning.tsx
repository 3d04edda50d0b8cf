import { getTranslations } from "@/lib/i18n/translations";
import { screeningListStates } from "@/lib/screening/status";

/**
 * A warning above the queue when a screening list is older than SCREENING_LIST_MAX_AGE_HOURS,
 * its latest update failed, a stored entry cannot be read (nobody is screened until the list is
 * imported again), or a configured list was never imported (lib/screening/status.ts);
 * nothing when every list is fine. A list SANCTIONS_LIST_PATH no longer names says how it goes.
 */
export async function ListsWarning() {
  const [{ warning, maxAgeHours, lists }, t] = await Promise.all([
    screeningListStates(),
    getTranslations("Lists"),
  ]);
  if (!warning) return null;
  return (
    <div className="alert" role="status" data-testid="lists-warning">
      <strong>{t("title")}</strong>
      <ul>
        {lists
          .filter((l) => l.status !== "ok")
          .map((l) => (
            <li key={l.source} data-list={l.source} data-list-status={l.status}>
              {l.status === "missing"
                ? t("missing", { source: l.source })
                : l.status === "unreadable"
                  ? t("unreadable", { source: l.source, entry: l.unreadableEntry ?? "" })
                  : l.status === "failing"
                    ? t("failing", { source: l.source, hours: Math.floor(l.ageHours ?? 0) })
                    : t("stale", {
                        source: l.source,
                        hours: Math.floor(l.ageHours ?? 0),
                        limit: maxAgeHours ?? 0,
                      })}
              {l.configured === false ? (
                <>
                  {" "}
                  <span data-testid="list-unconfigured">
                    {t("unconfigured", { source: l.source })}
                  </span>
                </>
              ) : null}
            </li>
          ))}
      </ul>
    </div>
  );
}
