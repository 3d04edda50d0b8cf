import { getTranslations } from "next-intl/server";
import { withPageScope } from "@/lib/http/action-scope";

/**
 * The default CLOSE_URL, to give Spotware as the broker's success URL (cTrader closes its browser
 * on a redirect to it); a host that does not close reads this.
 */
async function ClosePage() {
  const t = await getTranslations("Closed");
  return (
    <section className="card" data-testid="closed-screen">
      <h1>{t("title")}</h1>
      <p className="lead">{t("body")}</p>
    </section>
  );
}

export default withPageScope(ClosePage);
