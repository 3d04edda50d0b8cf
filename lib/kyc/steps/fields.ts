/**
 * The shape of a step form, shared by the server (reading and validating a submitted form) and
 * the screen (rendering it): each step lists its fields once, here, as plain data. Labels live in
 * the message catalogs under `Forms.<step>.<field>`; options under `Forms.<step>.<field>Options`.
 *
 * Values travel as strings (or string lists) exactly as a form posts them; a step's zod schema
 * turns them into data, with error keys as its issue messages, and `parseWithSchema` turns the
 * issues into per-field error keys. Group fields (several rows of the same inputs, e.g. tax
 * residences) post each input once per row, in order; their errors are keyed `<field>.<row>`.
 */
import { cleanText } from "@/lib/http/text";
import { z } from "zod";
import { isCountryCode } from "../countries";
import { isErrorKey, type ErrorKey } from "./errors";
import { findField, isShown } from "./visibility";

type Base = {
  name: string;
  required?: boolean;
  /** A hint under the label (`<name>Hint` in the catalog). */
  hint?: boolean;
  /** Not required on its own but not optional either (e.g. a TIN or a reason): no "(optional)". */
  conditional?: boolean;
  /** Shown only while another field has one of these values (the server re-checks). */
  showWhen?: { field: string; in: readonly string[] };
};

export type FieldSpec =
  | (Base & {
      kind: "text" | "textarea" | "date";
      maxLength: number;
      autoComplete?: string;
      /**
       * A code as printed (a document or tax number): a phone's keyboard offers capitals and
       * neither corrects nor spell-checks it, which would turn "C01X" into a word.
       */
      code?: boolean;
    })
  | (Base & { kind: "radio" | "select" | "checkboxes"; options: readonly string[] })
  | (Base & { kind: "country" })
  | (Base & { kind: "acknowledge"; onWarning: string })
  | (Base & { kind: "group"; fields: readonly FieldSpec[]; minRows: number; maxRows: number });

export type StepValues = Record<string, string | string[]>;
export type StepErrors = Record<string, ErrorKey>;
export type StepParse<T> =
  { ok: true; data: T; warning?: string } | { ok: false; errors: StepErrors; warning?: string };

const MAX_VALUE = 2_000;
const MAX_LIST = 20;

/**
 * The Unicode bidi controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069)
 * and the direction marks (U+200E, U+200F, U+061C). Invisible, they carry no letter of a name or
 * an address; what they do is reorder the text around them, so an override typed into a name
 * shows staff a different name, and one left open reverses the console line it lands on. Arabic
 * and Hebrew need none of them: the letters carry their own direction.
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Every step's posted text, before anything reads it: control characters dropped (line breaks
 * kept where a value may have lines), and the bidi controls dropped too. Dropped rather than
 * refused: they are invisible, so a trader told to remove them could not find them (they come in
 * with a paste or from a keyboard), and nothing of what the trader meant is lost without them.
 */
export function stepText(value: string, { lines = false }: { lines?: boolean } = {}): string {
  return cleanText(value, { lines }).replace(BIDI_CONTROLS, "");
}

function isList(field: FieldSpec): boolean {
  return field.kind === "checkboxes";
}

/**
 * Raw values of the step's fields, bounded: unknown fields dropped, long values cut, control
 * characters dropped (line breaks kept for multi-line answers): the values are kept and read
 * back by the checks, which store what they found.
 */
export function valuesFromForm(form: FormData, fields: readonly FieldSpec[]): StepValues {
  const values: StepValues = {};
  const clean = (v: string) => stepText(v, { lines: true }).slice(0, MAX_VALUE);
  const all = (name: string) =>
    form
      .getAll(name)
      .filter((v): v is string => typeof v === "string")
      .slice(0, MAX_LIST)
      .map(clean);
  for (const field of fields) {
    if (field.kind === "group") {
      for (const inner of field.fields)
        values[inner.name] = all(inner.name).slice(0, field.maxRows);
    } else if (isList(field)) {
      values[field.name] = all(field.name).filter((v) => v !== "");
    } else {
      const value = form.get(field.name);
      if (typeof value === "string") values[field.name] = clean(value);
    }
  }
  return values;
}

/** Every name a step posts (group rows included), for tests and the catalog check. */
export function fieldNames(fields: readonly FieldSpec[]): string[] {
  return fields.flatMap((f) => (f.kind === "group" ? fieldNames(f.fields) : [f.name]));
}

/** A field's length limit, so the schema's `tooLong` and the screen's `maxLength` agree. */
export function maxLengthOf(fields: readonly FieldSpec[], name: string): number {
  const field = findField(fields, name);
  if (!field || !("maxLength" in field)) throw new Error(`no text field ${name} in this step`);
  return field.maxLength;
}

// ---- schema parts the steps share; every issue message is an error key ----

/** A posted value, trimmed; a missing value or a list reads as "", so it fails as required. */
const readText = (value: unknown): string => (typeof value === "string" ? value.trim() : "");
/** A posted list, each item trimmed; a lone value is a list of one. */
export const readList = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(readText)
    : typeof value === "string" && value
      ? [value.trim()]
      : [];

/** A value read as posted, to be checked further on (a normalization, an acknowledgment). */
export const postedText = z.preprocess(readText, z.string());

export function text(maxLength: number, { required = true }: { required?: boolean } = {}) {
  const string = required ? z.string().min(1, { error: "required" }) : z.string();
  return z.preprocess(readText, string.max(maxLength, { error: "tooLong" }));
}

/** One of a fixed list (a radio or a select). */
export function choice<const T extends readonly string[]>(options: T) {
  return z.preprocess(
    readText,
    z.enum(options, { error: (issue) => (issue.input === "" ? "required" : "chooseFromList") }),
  );
}

/** Several of a fixed list (checkboxes), at least one, each once. */
export function choices<const T extends readonly string[]>(options: T) {
  return z.preprocess(
    readList,
    z
      .array(z.enum(options, { error: "chooseFromList" }))
      .min(1, { error: "chooseAtLeastOne" })
      .refine((list) => new Set(list).size === list.length, { error: "duplicate" }),
  );
}

/** An ISO 3166 alpha-2 code, upper-cased. */
export const country = z.preprocess(
  (value) => readText(value).toUpperCase(),
  z.string().min(1, { error: "required" }).refine(isCountryCode, { error: "invalidCountry" }),
);

/**
 * A `YYYY-MM-DD` date kept as typed; `rule` says what is wrong with a real calendar date (too
 * old, in the future…), if anything.
 */
export function isoDate(rule: (date: Date) => ErrorKey | undefined) {
  return z.preprocess(
    readText,
    z.string().superRefine((value, ctx) => {
      const date = parseIsoDate(value);
      const error = !value ? "required" : !date ? "invalidDate" : rule(date);
      if (error) ctx.addIssue({ code: "custom", message: error });
    }),
  );
}

/**
 * Options for a cross-field `superRefine` that must run even when a field already failed, so the
 * trader sees every problem at once (zod skips a refinement after an aborting issue otherwise).
 * The values it sees may then be as posted rather than parsed.
 */
export const ALONGSIDE_FIELD_ERRORS = {
  when: (payload: { value: unknown }) =>
    typeof payload.value === "object" && payload.value !== null,
};

/**
 * The step's object schema. A field whose `showWhen` is not met reads as null whatever was
 * posted: the screen hid it, so it is neither checked nor kept (its schema is `.nullable()`).
 */
export function stepObject<const Shape extends z.core.$ZodLooseShape>(
  fields: readonly FieldSpec[],
  shape: Shape,
) {
  return z.preprocess((values) => {
    if (typeof values !== "object" || values === null) return values;
    const record = values as Record<string, unknown>;
    const hidden = fields
      .filter((field) => !isShown(fields, field, record))
      .map((field) => [field.name, null]);
    return { ...record, ...Object.fromEntries(hidden) };
  }, z.object(shape));
}

/**
 * A schema's result as a step result: the first issue on a field wins, every field is reported
 * at once. An issue's field is the first segment of its path, except inside a group row
 * (`[group, row, field]`), which is keyed `<field>.<row>`. `extra` errors (checks made outside
 * the schema) come first. A message that is not an error key (a zod default) reads as
 * `required`, so the screen never shows a raw message.
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  values: unknown,
  extra: StepErrors = {},
): StepParse<z.output<S>> {
  const result = schema.safeParse(values);
  const errors: StepErrors = { ...extra };
  for (const issue of result.error?.issues ?? []) {
    const [first, row, inner] = issue.path;
    const key =
      typeof row === "number" && typeof inner === "string"
        ? `${inner}.${row}`
        : typeof first === "string"
          ? first
          : undefined;
    if (key && !errors[key]) errors[key] = isErrorKey(issue.message) ? issue.message : "required";
  }
  if (!result.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, data: result.data };
}

// ---- dates ----

/** `YYYY-MM-DD` → a UTC date, or null when it is not a real calendar date. */
export function parseIsoDate(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value ? date : null;
}

/** Today as a UTC date at midnight, so date comparisons ignore the time of day. */
export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function addUtcMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** The dates a date field accepts, inclusive, as `YYYY-MM-DD` (its `min` and `max`). */
export type DateRange = { min: string; max: string };

/** A UTC date as `YYYY-MM-DD`: compared as text, such dates sort as the calendar does. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
