/**
 * Sanctions list loaders. A broker points the app at a list file (the OFAC SDN CSV, or a simple
 * generic CSV for their own PEP or internal lists); this turns it into ListEntry records. Lists
 * are large and occasionally broken, so a bad line is reported with its line number and skipped
 * rather than failing the whole import. Only an unrecognisable file is an error.
 */
import { AppError } from "@/lib/errors";
import { countryCode } from "./countries";
import { parseCsv, type CsvRecord } from "./csv";
import type { EntryType, ListDate, ListEntry } from "./types";

export type LoadIssue = { line: number; message: string };
export type ListFormat = "ofac-sdn" | "generic";
export type LoadResult = { format: ListFormat; entries: ListEntry[]; issues: LoadIssue[] };

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const OFAC_EMPTY = "-0-";
const OFAC_COLUMNS = 12;

function ofacField(value: string | undefined): string {
  const v = (value ?? "").trim();
  return v === OFAC_EMPTY ? "" : v;
}

/** "SURNAME, Given names" → "Given names SURNAME"; anything else unchanged. */
export function naturalOrder(name: string): string {
  const comma = name.indexOf(",");
  if (comma < 0) return name.trim();
  const surname = name.slice(0, comma).trim();
  // "DELOS REYES, Feliciano Semborio, Jr." keeps the suffix after the given names.
  const given = name
    .slice(comma + 1)
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .join(" ");
  return given ? `${given} ${surname}` : surname;
}

/** One OFAC date: "10 Dec 1948", "Dec 1948", "1948". */
function parseOfacDay(text: string): { year: number; month?: number; day?: number } | undefined {
  const m = /^(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\s+)?(\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[3]);
  const month = m[2] ? MONTHS[m[2].toLowerCase()] : undefined;
  if (m[2] && month === undefined) return undefined;
  const day = m[1] ? Number(m[1]) : undefined;
  if (day !== undefined && (month === undefined || day < 1 || day > 31)) return undefined;
  return { year, ...(month ? { month } : {}), ...(day ? { day } : {}) };
}

/**
 * An OFAC DOB value: "10 Dec 1948", "1958", "circa 1958", "1958 to 1962",
 * "01 Jan 1960 to 31 Dec 1961", "circa 1979-1982". Ranges keep the first date and the last year.
 */
export function parseOfacDob(text: string): ListDate | undefined {
  let value = text.trim();
  let approximate = false;
  const circa = /^(?:circa|approximately|approx\.?)\s+/i.exec(value);
  if (circa) {
    approximate = true;
    value = value.slice(circa[0].length);
  }
  const [fromText, toText, ...rest] = value.split(/\s+to\s+|(?<=\d{4})-(?=\d{4}$)/i);
  if (rest.length > 0 || fromText === undefined) return undefined;
  const from = parseOfacDay(fromText);
  if (!from) return undefined;
  const date: ListDate = { ...from };
  if (approximate) date.approximate = true;
  if (toText !== undefined) {
    const to = parseOfacDay(toText);
    if (!to || to.year < from.year) return undefined;
    if (to.year !== from.year || to.month !== from.month || to.day !== from.day) {
      // A range says nothing certain about month or day.
      return { year: from.year, yearTo: to.year, ...(approximate ? { approximate } : {}) };
    }
  }
  return date;
}

function country(text: string): string {
  return countryCode(text) ?? text.trim();
}

/** The facts OFAC hides in the Remarks column. */
export function parseOfacRemarks(remarks: string): {
  aliases: string[];
  datesOfBirth: ListDate[];
  nationalities: string[];
  placesOfBirth: string[];
  unparsedDates: string[];
} {
  const aliases: string[] = [];
  const datesOfBirth: ListDate[] = [];
  const nationalities: string[] = [];
  const placesOfBirth: string[] = [];
  const unparsedDates: string[] = [];

  // Aliases are quoted and may themselves contain apostrophes ('ABU-'UMAR'): an alias ends at a
  // quote followed by ";" or by the final "." of the remarks.
  const aliasPattern = /\b([af])\.k\.a\.\s+'(.+?)'(?=\s*;|\.?\s*$)/g;
  for (const m of remarks.matchAll(aliasPattern)) {
    const alias = m[2]!.trim();
    if (alias) aliases.push(alias);
  }

  for (const rawPart of remarks.split(/;\s*/)) {
    const part = rawPart.trim().replace(/\.$/, "");
    let m: RegExpExecArray | null;
    if ((m = /^(?:alt\.\s+)?DOB\s+(.+)$/i.exec(part))) {
      const dob = parseOfacDob(m[1]!);
      if (dob) datesOfBirth.push(dob);
      else unparsedDates.push(m[1]!);
    } else if ((m = /^(?:alt\.\s+)?POB\s+(.+)$/i.exec(part))) {
      placesOfBirth.push(m[1]!.trim());
    } else if ((m = /^(?:alt\.\s+)?(?:nationality|citizen)\s+(.+)$/i.exec(part))) {
      const value = m[1]!.replace(/^of\s+registration\s+/i, "").trim();
      if (!/^possibly\b/i.test(value)) nationalities.push(country(value));
    }
  }
  return {
    aliases,
    datesOfBirth,
    nationalities: [...new Set(nationalities)],
    placesOfBirth,
    unparsedDates,
  };
}

const OFAC_TYPES: Record<string, EntryType> = {
  individual: "individual",
  vessel: "vessel",
  aircraft: "aircraft",
  "": "entity",
};

function ofacEntry(record: CsvRecord, source: string): ListEntry | LoadIssue {
  const { fields, line } = record;
  if (record.error) return { line, message: record.error };
  if (fields.length < OFAC_COLUMNS) {
    return { line, message: `expected ${OFAC_COLUMNS} columns, found ${fields.length}` };
  }
  const id = ofacField(fields[0]);
  if (!/^\d+$/.test(id)) return { line, message: `entry number is not a number: "${id}"` };
  const listedName = ofacField(fields[1]);
  if (!listedName) return { line, message: "empty name" };
  const type = OFAC_TYPES[ofacField(fields[2]).toLowerCase()];
  if (!type) return { line, message: `unknown entry type "${ofacField(fields[2])}"` };

  const remarks = parseOfacRemarks(ofacField(fields[11]));
  const order = (n: string) => (type === "individual" ? naturalOrder(n) : n.trim());
  const name = order(listedName);
  const aliases = [...new Set(remarks.aliases.map(order))].filter((a) => a !== name);
  const programs = ofacField(fields[3])
    .split("] [")
    .map((p) => p.replace(/^\[|\]$/g, "").trim())
    .filter(Boolean);
  return {
    id,
    source,
    name,
    aliases,
    type,
    datesOfBirth: remarks.datesOfBirth,
    nationalities: remarks.nationalities,
    placesOfBirth: remarks.placesOfBirth,
    programs,
  };
}

/** Parses an OFAC SDN.CSV file (no header; format in the OFAC documentation). */
export function parseOfacSdn(text: string, source = "ofac-sdn"): LoadResult {
  const entries: ListEntry[] = [];
  const issues: LoadIssue[] = [];
  const seen = new Set<string>();
  for (const record of parseCsv(text)) {
    const result = ofacEntry(record, source);
    if ("message" in result) issues.push(result);
    else if (seen.has(result.id)) {
      issues.push({ line: record.line, message: `duplicate entry number ${result.id}` });
    } else {
      seen.add(result.id);
      entries.push(result);
    }
  }
  return { format: "ofac-sdn", entries, issues };
}

/** A generic-CSV date: "1975", "1975-04", "1975-04-23". */
export function parseIsoDob(text: string): ListDate | undefined {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : undefined;
  const day = m[3] ? Number(m[3]) : undefined;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > 31)) return undefined;
  return { year, ...(month ? { month } : {}), ...(day ? { day } : {}) };
}

const GENERIC_REQUIRED = ["name", "aliases", "dob", "country"] as const;
const GENERIC_TYPES = new Set<EntryType>(["individual", "entity", "vessel", "aircraft"]);

/**
 * Parses the generic CSV: a header with at least `name,aliases,dob,country` (optional `id`,
 * `type`); aliases, dates of birth and countries separated by ";". Entries default to individuals.
 */
export function parseGenericCsv(text: string, source = "generic"): LoadResult {
  const entries: ListEntry[] = [];
  const issues: LoadIssue[] = [];
  const [header, ...rows] = parseCsv(text);
  const columns = (header?.fields ?? []).map((f) => f.trim().toLowerCase());
  const missing = GENERIC_REQUIRED.filter((c) => !columns.includes(c));
  if (!header || missing.length > 0) {
    throw new AppError("BAD_REQUEST", `generic list header is missing: ${missing.join(", ")}`);
  }
  const at = (fields: string[], column: string) => {
    const i = columns.indexOf(column);
    return i < 0 ? "" : (fields[i] ?? "").trim();
  };
  const split = (value: string) =>
    value
      .split(";")
      .map((v) => v.trim())
      .filter(Boolean);
  const seen = new Set<string>();

  for (const record of rows) {
    const { line, fields } = record;
    if (record.error) {
      issues.push({ line, message: record.error });
      continue;
    }
    if (fields.length !== columns.length) {
      issues.push({ line, message: `expected ${columns.length} columns, found ${fields.length}` });
      continue;
    }
    const name = at(fields, "name");
    if (!name) {
      issues.push({ line, message: "empty name" });
      continue;
    }
    const typeText = at(fields, "type").toLowerCase() || "individual";
    if (!GENERIC_TYPES.has(typeText as EntryType)) {
      issues.push({ line, message: `unknown entry type "${typeText}"` });
      continue;
    }
    const datesOfBirth: ListDate[] = [];
    let badDate: string | undefined;
    for (const d of split(at(fields, "dob"))) {
      const parsed = parseIsoDob(d);
      if (parsed) datesOfBirth.push(parsed);
      else badDate = d;
    }
    if (badDate !== undefined) {
      issues.push({ line, message: `unreadable date of birth "${badDate}" (use YYYY[-MM[-DD]])` });
      continue;
    }
    const id = at(fields, "id") || String(line);
    if (seen.has(id)) {
      issues.push({ line, message: `duplicate id ${id}` });
      continue;
    }
    seen.add(id);
    entries.push({
      id,
      source,
      name,
      aliases: split(at(fields, "aliases")).filter((a) => a !== name),
      type: typeText as EntryType,
      datesOfBirth,
      nationalities: [...new Set(split(at(fields, "country")).map(country))],
      placesOfBirth: [],
      programs: [],
    });
  }
  return { format: "generic", entries, issues };
}

/** Which format a list file is in, from its first line; undefined when neither. */
export function sniffFormat(text: string): ListFormat | undefined {
  const firstLine = text.replace(/^\ufeff/, "").split(/\r?\n/, 1)[0] ?? "";
  if (/^\s*"?name"?\s*,/i.test(firstLine) || /^\s*"?id"?\s*,\s*"?name"?\s*,/i.test(firstLine)) {
    return "generic";
  }
  if (/^\d+,"[^"]*",/.test(firstLine)) return "ofac-sdn";
  return undefined;
}

/** Parses a list file in whichever supported format it is. */
export function loadList(text: string, source?: string): LoadResult {
  const format = sniffFormat(text);
  if (format === "ofac-sdn") return parseOfacSdn(text, source);
  if (format === "generic") return parseGenericCsv(text, source);
  throw new AppError(
    "BAD_REQUEST",
    "unrecognised list format: expected an OFAC SDN CSV or a CSV with a name,aliases,dob,country header",
  );
}
