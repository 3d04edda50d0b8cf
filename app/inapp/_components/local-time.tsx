"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/**
 * A time in the trader's own time zone. The server cannot know the zone, so it renders UTC;
 * after hydration the browser renders again in its own zone (useSyncExternalStore reports
 * "server" during hydration and "client" afterwards, so React re-renders instead of patching).
 */
export function LocalTime({ iso, locale }: { iso: string; locale: string }) {
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const text = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: inBrowser ? undefined : "UTC",
  }).format(new Date(iso));
  return <time dateTime={iso}>{text}</time>;
}
