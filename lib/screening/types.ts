/**
 * The shapes the screening engine works on: one list entry (a sanctioned or politically exposed
 * person, entity, vessel or aircraft) as parsed from a list file, and the person being screened.
 * Kept apart from the loaders so matching code does not depend on any one file format.
 */

export type EntryType = "individual" | "entity" | "vessel" | "aircraft";

/**
 * A date of birth as lists state it: often only a year, sometimes "circa" or a range of years.
 * `yearTo` is set for ranges ("DOB 1958 to 1962"); `approximate` for "circa".
 */
export type ListDate = {
  year: number;
  month?: number;
  day?: number;
  yearTo?: number;
  approximate?: boolean;
};

export type ListEntry = {
  /** Unique within the source, e.g. the OFAC ent_num. */
  id: string;
  /** Which list it came from, e.g. "ofac-sdn". */
  source: string;
  /** The primary name in natural order ("Given SURNAME" for individuals). */
  name: string;
  aliases: string[];
  type: EntryType;
  datesOfBirth: ListDate[];
  /** ISO 3166 alpha-2 where the country name is known, else the text as the list wrote it. */
  nationalities: string[];
  placesOfBirth: string[];
  programs: string[];
};

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
