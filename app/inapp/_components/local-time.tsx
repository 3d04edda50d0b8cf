"use client";

/**
 * A time in the trader's own time zone. The server renders UTC (it cannot know the zone); the
 * browser re-renders in its zone, so the mismatch is expected and silenced for this node only.
 */
export function LocalTime({ iso, locale }: { iso: string; locale: string }) {
  const text = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: typeof window === "undefined" ? "UTC" : undefined,
  }).format(new Date(iso));
  return (
    <time dateTime={iso} suppressHydrationWarning>
      {text}
    </time>
  );
}
