import { env } from "@/lib/env";
import { getTranslations } from "@/lib/i18n/translations";
import { getScreenSession } from "@/lib/inapp/screen-context";
import { windowRefOf } from "@/lib/inapp/window";
import { CloseControl } from "./inapp/_components/close-control";

/**
 * Any address that leads nowhere. Inside cTrader's webview a trader has no address bar and no
 * back button: the page says what happened in their language and offers the same close control
 * as every screen (close URL + postMessage), instead of Next's default English 404.
 */
export default async function NotFound() {
  const [t, session] = await Promise.all([
    getTranslations("Expired"),
    // A signed-in trader's close still ends their session; a lookup that fails only loses that.
    getScreenSession(),
  ]);
  const { closeUrl } = env();
  return (
    <main id="content">
      <section className="card" data-testid="not-found">
        <h1>{t("notFoundTitle")}</h1>
        <p className="lead">{t("notFoundBody")}</p>
        <CloseControl
          href={closeUrl}
          label={t("closeAction")}
          text={t("closeAction")}
          testId="not-found-close"
          windowRef={session ? windowRefOf(session) : undefined}
        />
      </section>
    </main>
  );
}
