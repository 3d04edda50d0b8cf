"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/** Building an Intl.DateTimeFormat costs more than formatting with it: one per locale and zone. */
const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(locale: string, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone ?? ""}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone });
    formats.set(key, format);
  }
  return format;
}

/**
 * A time in the trader's own time zone. The server cannot know the zone, so it renders UTC;
 * after hydration the browser renders again in its own zone (useSyncExternalStore reports
 * "server" during hydration and "client" afterwards, so React re-renders instead of patching).
 * The UTC text may still differ between the two renders: Node's and the browser's ICU data do not
 * always agree (Korean: "PM 3:20" on Node 20, "오후 3:20" in Chromium), hence
 * suppressHydrationWarning on this one element's text.
 */
export function LocalTime({ iso, locale }: { iso: string; locale: string }) {
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const text = formatFor(locale, inBrowser ? undefined : "UTC").format(new Date(iso));
  return (
    <time dateTime={iso} suppressHydrationWarning>
      {text}
    </time>
  );
}
