import type { Metadata, Viewport } from "next";
import { getLocale } from "next-intl/server";
import { env } from "@/lib/env";
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
  const { brand } = env();
  // The broker's colours, when configured, replace the default accent in each theme.
  const style = {
    ...(brand.accent ? { "--brand-accent": brand.accent } : {}),
    ...(brand.accentDark ? { "--brand-accent-dark": brand.accentDark } : {}),
  } as React.CSSProperties;
  return (
    <html
      lang={locale}
      dir={directionOf(locale)}
      data-theme={theme}
      data-source={source?.toLowerCase()}
      style={brand.accent || brand.accentDark ? style : undefined}
    >
      <body>{children}</body>
    </html>
  );
}
