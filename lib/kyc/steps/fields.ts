/**
 * The shape of a step form, shared by the server (reading and validating a submitted form) and
 * the screen (rendering it): each step lists its fields once, here, as plain data. Labels live in
 * the message catalogs under `Forms.<step>.<field>`; options under `Forms.<step>.<field>Options`.
 *
 * Values travel as strings (or string lists) exactly as a form posts them; a step's `parse`
 * turns them into data or per-field error keys. Group fields (several rows of the same inputs,
 * e.g. tax residences) post each input once per row, in order; their errors are keyed
 * `<field>.<row>`.
 */
import { isCountryCode } from "../countries";
import type { ErrorKey } from "./errors";

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
      /** Shown only once the step returned this warning (e.g. an acknowledgment). */
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

function isList(field: FieldSpec): boolean {
  return field.kind === "checkboxes";
}

/** Raw values of the step's fields, bounded: unknown fields dropped, long values cut. */
export function valuesFromForm(form: FormData, fields: readonly FieldSpec[]): StepValues {
  const values: StepValues = {};
  const all = (name: string) =>
    form
      .getAll(name)
      .filter((v): v is string => typeof v === "string")
      .slice(0, MAX_LIST)
      .map((v) => v.slice(0, MAX_VALUE));
  for (const field of fields) {
    if (field.kind === "group") {
      for (const inner of field.fields)
        values[inner.name] = all(inner.name).slice(0, field.maxRows);
    } else if (isList(field)) {
      values[field.name] = all(field.name).filter((v) => v !== "");
    } else {
      const value = form.get(field.name);
      if (typeof value === "string") values[field.name] = value.slice(0, MAX_VALUE);
    }
  }
  return values;
}

/** Every name a step posts (group rows included), for tests and the catalog check. */
export function fieldNames(fields: readonly FieldSpec[]): string[] {
  return fields.flatMap((f) => (f.kind === "group" ? fieldNames(f.fields) : [f.name]));
}

// ---- small validators the steps share; each returns an error key or the clean value ----

export const str = (values: StepValues, name: string): string => {
  const v = values[name];
  return typeof v === "string" ? v.trim() : "";
};
export const list = (values: StepValues, name: string): string[] => {
  const v = values[name];
  return Array.isArray(v) ? v.map((s) => s.trim()) : typeof v === "string" && v ? [v.trim()] : [];
};

export function checkText(
  value: string,
  { required = true, max }: { required?: boolean; max: number },
): ErrorKey | undefined {
  if (!value) return required ? "required" : undefined;
  if (value.length > max) return "tooLong";
  return undefined;
}

export function checkChoice(value: string, options: readonly string[]): ErrorKey | undefined {
  if (!value) return "required";
  return options.includes(value) ? undefined : "chooseFromList";
}

export function checkChoices(values: string[], options: readonly string[]): ErrorKey | undefined {
  if (values.length === 0) return "chooseAtLeastOne";
  if (values.some((v) => !options.includes(v))) return "chooseFromList";
  if (new Set(values).size !== values.length) return "duplicate";
  return undefined;
}

export function checkCountry(value: string): ErrorKey | undefined {
  if (!value) return "required";
  return isCountryCode(value.toUpperCase()) ? undefined : "invalidCountry";
}

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

/** Collects errors; `done()` is the parse result once every field was checked. */
export class ErrorCollector {
  readonly errors: StepErrors = {};
  set(field: string, error: ErrorKey | undefined): void {
    if (error && !this.errors[field]) this.errors[field] = error;
  }
  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}
