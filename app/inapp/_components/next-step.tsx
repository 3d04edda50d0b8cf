import { getTranslations } from "@/lib/i18n/translations";
import type { NextStepKey, TraderPhase } from "@/lib/kyc/trader-view";
import { ScreenLink } from "./screen-link";

/**
 * Where the trader stands and what to do now, in one line, with the way on when the screen at
 * hand is not where it happens (the status screen while a case waits or is decided).
 */
export async function NextStep({
  phase,
  next,
  link,
}: {
  phase: TraderPhase;
  next: NextStepKey;
  link?: { href: string; label: string };
}) {
  const t = await getTranslations("Phase");
  return (
    <section className="card" data-testid="next-step" data-phase={phase} data-next={next}>
      <p>{t("next", { phase: next })}</p>
      {link ? (
        <p>
          <ScreenLink className="button secondary" href={link.href}>
            {link.label}
          </ScreenLink>
        </p>
      ) : null}
    </section>
  );
}
