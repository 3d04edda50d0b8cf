"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/** The exact instant in UTC, as every console page wrote times before the officer's zone. */
export function utcText(iso: string): string {
  return `${iso.replace("T", " ").slice(0, 16)} UTC`;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function localFormat(locale: string, dateOnly: boolean): Intl.DateTimeFormat {
  const key = `${locale} ${dateOnly ? "date" : "time"}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale || undefined, {
      dateStyle: "medium",
      ...(dateOnly ? {} : { timeStyle: "short" }),
    });
    formats.set(key, format);
  }
  return format;
}

/**
 * A time in the officer's own time zone and console language (the page's `lang`, which the
 * request's locale sets), the UTC value on hover (`title`). The server cannot know
 * the zone and renders UTC; after hydration the browser renders again in its zone
 * (useSyncExternalStore reports "server" while hydrating, "client" afterwards).
 */
export function OfficerTime({ iso, dateOnly = false }: { iso: string; dateOnly?: boolean }) {
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const utc = utcText(iso);
  return (
    <time dateTime={iso} title={utc} data-testid="officer-time" suppressHydrationWarning>
      {inBrowser
        ? localFormat(document.documentElement.lang, dateOnly).format(new Date(iso))
        : dateOnly
          ? utc.slice(0, 10)
          : utc}
    </time>
  );
}
