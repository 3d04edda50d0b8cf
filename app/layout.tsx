import type { Metadata, Viewport } from "next";
import { getLocale } from "next-intl/server";
import { directionOf } from "@/lib/i18n/config";
import { getPresentation } from "@/lib/inapp/screen-context";
import "./globals.css";

export const metadata: Metadata = {
  title: "Identity verification",
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, viewportFit: "cover" };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale();
  const { theme, source } = await getPresentation();
  return (
    <html
      lang={locale}
      dir={directionOf(locale)}
      data-theme={theme}
      data-source={source?.toLowerCase()}
    >
      <body>{children}</body>
    </html>
  );
}
