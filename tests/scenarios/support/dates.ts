/**
 * Dates for scenarios that move the worker's clock. A date a test places relative to another
 * (a passport expiring weeks after a periodic review falls due) is computed from the day the
 * test runs: a written-out date keeps its place only until the calendar passes it.
 */
export const DAY_MS = 86_400_000;

export function monthsAfter(at: Date, months: number): Date {
  const due = new Date(at);
  due.setUTCMonth(due.getUTCMonth() + months);
  return due;
}

export const daysAfter = (at: Date, days: number) => new Date(at.getTime() + days * DAY_MS);

/** The UTC day of an instant, as a form takes it (`YYYY-MM-DD`). */
export const isoDay = (at: Date) => at.toISOString().slice(0, 10);

/** Midnight UTC of a `YYYY-MM-DD` day. */
export const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);

/** The day a case approved now falls due for its periodic review `months` later, `days` after it. */
export const dayAfterReviewDue = (days: number, months = 60) =>
  isoDay(daysAfter(monthsAfter(new Date(), months), days));
