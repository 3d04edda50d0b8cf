import { z } from "zod";

/**
 * Stored JSON that has no schema to read it by (an audit event's data, a value no step's stored
 * schema reads) as `key: value` facts staff can read and search for: nested keys joined with dots,
 * list items by position (`items[0].country`), a list of scalars as one comma-separated value,
 * nothing as a dash.
 */
export type Fact = { key: string; value: string };

const scalar = (value: unknown): string =>
  value === null || value === undefined || value === "" ? "—" : String(value);

const isObject = (value: unknown): value is object => value !== null && typeof value === "object";

export function factsOf(value: unknown, key = ""): Fact[] {
  if (Array.isArray(value)) {
    if (!value.some(isObject))
      return [{ key, value: value.length ? value.map(scalar).join(", ") : "—" }];
    return value.flatMap((item, i) => factsOf(item, `${key}[${i}]`));
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [{ key, value: "—" }];
    return entries.flatMap(([k, v]) => factsOf(v, key ? `${key}.${k}` : k));
  }
  return [{ key, value: scalar(value) }];
}

const instant = z.iso.datetime({ offset: true });

/** An ISO 8601 date and time, whatever its key is named. */
export const isInstant = (value: unknown): value is string => instant.safeParse(value).success;

/**
 * A stored instant: a key named for a moment (`assessedAt`, `completedAt`) holding an ISO 8601
 * date and time. Shown in the reader's time zone instead of as the string it is stored as.
 */
export function isStoredTime(key: string, value: unknown): value is string {
  return /[a-z]At$/.test(key) && isInstant(value);
}
