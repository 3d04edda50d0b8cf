/**
 * The shapes the screening engine works on: one list entry (a sanctioned or politically exposed
 * person, entity, vessel or aircraft) as parsed from a list file, and the person being screened.
 * Kept apart from the loaders so matching code does not depend on any one file format.
 */

import { z } from "zod";

export const entryTypes = ["individual", "entity", "vessel", "aircraft"] as const;
export type EntryType = (typeof entryTypes)[number];

/**
 * A date of birth as lists state it: often only a year, sometimes "circa" or a range of years.
 * `yearTo` is set for ranges ("DOB 1958 to 1962"); `approximate` for "circa".
 */
const listDateSchema = z.object({
  year: z.number().int(),
  month: z.number().int().min(1).max(12).optional(),
  day: z.number().int().min(1).max(31).optional(),
  yearTo: z.number().int().optional(),
  approximate: z.boolean().optional(),
});
export type ListDate = z.infer<typeof listDateSchema>;

/**
 * One list entry, as the loaders make it, the import stores it (screening_entries.entry) and
 * every process reads it back to build its index: one schema for both sides, so an entry the
 * matcher could not read (a shape from another version, a hand edit) is refused where it is
 * read instead of throwing inside the matcher or, worse, never matching.
 */
export const listEntrySchema = z.object({
  /** Unique within the source, e.g. the OFAC ent_num. */
  id: z.string().min(1),
  /** Which list it came from, e.g. "ofac-sdn". */
  source: z.string().min(1),
  /** The primary name in natural order ("Given SURNAME" for individuals). */
  name: z.string().min(1),
  aliases: z.array(z.string()),
  type: z.enum(entryTypes),
  datesOfBirth: z.array(listDateSchema),
  /** ISO 3166 alpha-2 where the country name is known, else the text as the list wrote it. */
  nationalities: z.array(z.string()),
  placesOfBirth: z.array(z.string()),
  programs: z.array(z.string()),
});
export type ListEntry = z.infer<typeof listEntrySchema>;

/** What we know about the person being screened. */
export type ScreeningQuery = {
  name: string;
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or a parsed date. */
  dateOfBirth?: string | { year: number; month?: number; day?: number };
  /** ISO alpha-2 codes or English country names. */
  nationalities?: string[];
  /** Only screen against these entry types (default: all). */
  types?: EntryType[];
};

/**
 * A stored entry read back under its row's key: the entry, or what is wrong with it in words
 * (the fields the schema refuses, or a key that is not the row's), for the operator to find it.
 */
export function readListEntry(
  value: unknown,
  key: { source: string; entryId: string },
): { ok: true; entry: ListEntry } | { ok: false; problem: string } {
  const parsed = listEntrySchema.safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      problem: parsed.error.issues
        .map((i) => `${i.path.join(".") || "(entry)"}: ${i.message}`)
        .join("; "),
    };
  if (parsed.data.source !== key.source || parsed.data.id !== key.entryId)
    return {
      ok: false,
      problem: `it says it is ${parsed.data.source}:${parsed.data.id}, stored as ${key.source}:${key.entryId}`,
    };
  return { ok: true, entry: parsed.data };
}
