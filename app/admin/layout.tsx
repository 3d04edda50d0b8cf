import type { Metadata } from "next";
import Link from "next/link";
import { getLocale } from "next-intl/server";
import { directionOf } from "@/lib/i18n/config";
import { getTranslations } from "@/lib/i18n/translations";
import { getShellStaff } from "@/lib/staff/console";
import { ErrorLabelsProvider } from "../_components/error-labels";
import { errorLabels } from "../_components/error-labels-server";
import { logoutAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Console");
  return {
    title: { template: `%s · ${t("title")}`, default: t("title") },
    robots: { index: false, follow: false },
  };
}

/**
 * The compliance console, in the officer's language (lib/i18n/request-locale.ts), desktop-first,
 * never framed (CSP frame-ancestors 'none').
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const [staff, t, locale, failed] = await Promise.all([
    getShellStaff(),
    getTranslations("Console"),
    getLocale(),
    errorLabels("Console.failed"),
  ]);
  return (
    <div className="console" lang={locale} dir={directionOf(locale)} data-testid="console">
      <header className="shell-header">
        <div className="brand">
          <strong>{t("title")}</strong>
          <span>
            {staff ? `${staff.displayName} · ${t("role", { role: staff.role })}` : t("nav.signIn")}
          </span>
        </div>
        {staff ? (
          <nav className="actions" aria-label={t("nav.label")}>
            <Link href="/admin">{t("nav.queue")}</Link>
            {staff.role !== "reviewer" ? (
              <Link href="/admin/dashboard">{t("nav.dashboard")}</Link>
            ) : null}
            {staff.role === "admin" ? (
              <Link href="/admin/deliveries">{t("nav.deliveries")}</Link>
            ) : null}
            {staff.role === "admin" ? <Link href="/admin/staff">{t("nav.accounts")}</Link> : null}
            {staff.role === "admin" ? <Link href="/admin/audit">{t("nav.audit")}</Link> : null}
            {staff.role === "admin" ? (
              <Link href="/admin/retention">{t("nav.retention")}</Link>
            ) : null}
            <Link href="/admin/account">{t("nav.account")}</Link>
            <form action={logoutAction}>
              <button className="button secondary" type="submit">
                {t("nav.signOut")}
              </button>
            </form>
          </nav>
        ) : null}
      </header>
      <main id="content">
        <ErrorLabelsProvider labels={failed}>{children}</ErrorLabelsProvider>
      </main>
    </div>
  );
}
