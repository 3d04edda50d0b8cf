import Link from "next/link";
import { getTranslations } from "@/lib/i18n/translations";

/** A case or page that does not exist, inside the console's own layout, with the way back. */
export default async function AdminNotFound() {
  const t = await getTranslations("Console.notFound");
  return (
    <section className="card" data-testid="admin-not-found">
      <h1>{t("title")}</h1>
      <p>{t("body")}</p>
      <Link href="/admin">{t("back")}</Link>
    </section>
  );
}
