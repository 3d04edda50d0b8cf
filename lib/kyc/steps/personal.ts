/**
 * The personal information step: what EU AMLR Art. 22 asks of a natural person — all given
 * names and surnames, date and place of birth, all nationalities, residential address — plus
 * a phone number and the email cTrader gave us. Pure: parses a form, returns data or
 * per-field error keys (the screen translates them).
 */
// The full metadata: the default ("min") knows only each country's possible lengths, so it takes
// "12345" for a German number. Server-side only; the form does not bundle it.
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { z } from "zod";
import { hasPostcodes, isCountryCode } from "../countries";
import { postcodeError } from "../countries-postcodes";
import type { ErrorKey } from "./errors";
import { country, isoDate, parseWithSchema, stepText } from "./fields";

export const MIN_AGE = 18;
const MAX_AGE = 120;

/** The personal step's fields that hold country codes (ISO 3166-1 alpha-2). */
export const PERSONAL_COUNTRY_FIELDS: readonly string[] = [
  "countryOfBirth",
  "nationalities",
  "country",
];

export const PERSONAL_FIELDS = [
  "givenNames",
  "surnames",
  "dateOfBirth",
  "placeOfBirth",
  "countryOfBirth",
  "nationalities",
  "addressLine1",
  "addressLine2",
  "city",
  "postcode",
  "country",
  "phone",
  "email",
] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

export { ERROR_KEYS, type ErrorKey } from "./errors";

/** Letters of any script, combining marks, spaces and the punctuation names really use. */
const NAME = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u;

const text = (max: number, pattern?: RegExp) =>
  z
    .string({ error: "required" })
    .trim()
    .min(1, { error: "required" })
    .max(max, { error: "tooLong" })
    .refine((v) => !pattern || pattern.test(v), { error: "invalidCharacters" });

function ageOn(date: Date, today: Date): number {
  let age = today.getUTCFullYear() - date.getUTCFullYear();
  const beforeBirthday =
    today.getUTCMonth() < date.getUTCMonth() ||
    (today.getUTCMonth() === date.getUTCMonth() && today.getUTCDate() < date.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

/**
 * The birth dates the step accepts, as the date field's `min` and `max` (ISO dates): a phone's
 * date picker then opens at the youngest age accepted instead of at today, decades from any
 * answer, and offers no date the step would refuse.
 */
export function dateOfBirthRange(today: Date): { min: string; max: string } {
  const yearsAgo = (years: number) =>
    new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate()));
  const shift = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
  // A birthday on 29 February falls on 1 March in other years: settled a day at a time.
  let youngest = yearsAgo(MIN_AGE);
  while (ageOn(youngest, today) < MIN_AGE) youngest = shift(youngest, -1);
  while (ageOn(shift(youngest, 1), today) >= MIN_AGE) youngest = shift(youngest, 1);
  let oldest = yearsAgo(MAX_AGE + 1);
  while (ageOn(oldest, today) > MAX_AGE) oldest = shift(oldest, 1);
  while (ageOn(shift(oldest, -1), today) <= MAX_AGE) oldest = shift(oldest, -1);
  const iso = (date: Date) => date.toISOString().slice(0, 10);
  return { min: iso(oldest), max: iso(youngest) };
}

export function personalSchema(today: Date) {
  return z.object({
    givenNames: text(100, NAME),
    surnames: text(100, NAME),
    dateOfBirth: isoDate((date) => {
      if (date > today) return "dateInFuture";
      const age = ageOn(date, today);
      return age < MIN_AGE ? "underage" : age > MAX_AGE ? "tooOld" : undefined;
    }),
    placeOfBirth: text(100),
    countryOfBirth: country,
    nationalities: z
      .array(country, { error: "required" })
      .min(1, { error: "required" })
      .max(5, { error: "tooMany" })
      .refine((list) => new Set(list).size === list.length, { error: "duplicate" }),
    addressLine1: text(200),
    addressLine2: z.string().trim().max(200, { error: "tooLong" }).default(""),
    city: text(100),
    postcode: z.string().trim().max(12, { error: "tooLong" }).default(""),
    country,
    phone: z
      .string({ error: "required" })
      .trim()
      .min(1, { error: "required" })
      .max(30, { error: "tooLong" }),
    email: z
      .string({ error: "required" })
      .trim()
      .min(1, { error: "required" })
      .max(320, { error: "tooLong" })
      .pipe(z.email({ error: "invalidEmail" })),
  });
}

export type PersonalData = z.output<ReturnType<typeof personalSchema>>;

/**
 * Checks that need two fields (postcode and phone depend on the country). Run on the raw values
 * and always, so the trader sees every problem at once, not the next one after each fix.
 */
function crossFieldErrors(
  values: PersonalValues,
): Partial<Record<PersonalField, ErrorKey>> & { phone164?: string } {
  const errors: Partial<Record<PersonalField, ErrorKey>> & { phone164?: string } = {};
  const country = typeof values.country === "string" ? values.country.trim().toUpperCase() : "";
  const postcode = typeof values.postcode === "string" ? values.postcode : "";
  const postcodeProblem = isCountryCode(country) ? postcodeError(country, postcode) : undefined;
  if (postcodeProblem) errors.postcode = postcodeProblem;
  if (typeof values.phone === "string" && values.phone.trim()) {
    const phone = parsePhoneNumberFromString(
      values.phone,
      (isCountryCode(country) ? country : undefined) as CountryCode | undefined,
    );
    if (phone?.isValid()) errors.phone164 = phone.number;
    else errors.phone = "invalidPhone";
  }
  return errors;
}
export type PersonalValues = Partial<Record<PersonalField, string | string[]>>;

export type StepParse<T> =
  { ok: true; data: T } | { ok: false; errors: Partial<Record<PersonalField, ErrorKey>> };

/**
 * Raw form values, bounded and cleaned as every step's are (`stepText`): unknown fields dropped,
 * long values cut, so a draft stays small.
 */
export function personalValuesFrom(form: FormData): PersonalValues {
  const values: PersonalValues = {};
  for (const field of PERSONAL_FIELDS) {
    if (field === "nationalities") {
      values.nationalities = form
        .getAll(field)
        .filter((v): v is string => typeof v === "string" && v !== "")
        .slice(0, 10)
        .map((v) => stepText(v).slice(0, 10));
    } else {
      const value = form.get(field);
      if (typeof value === "string") values[field] = stepText(value).slice(0, 400);
    }
  }
  return values;
}

/**
 * Where the country has no postcodes the screen hides the field: what it still posts (typed
 * before the country changed) is dropped, neither checked nor kept.
 */
function withoutHiddenPostcode(values: PersonalValues): PersonalValues {
  const country = typeof values.country === "string" ? values.country : "";
  return hasPostcodes(country) ? values : { ...values, postcode: "" };
}

export function parsePersonal(posted: PersonalValues, today = new Date()): StepParse<PersonalData> {
  const values = withoutHiddenPostcode(posted);
  const { phone164, ...crossField } = crossFieldErrors(values);
  const parsed = parseWithSchema(personalSchema(today), values, crossField);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  return { ok: true, data: { ...parsed.data, phone: phone164 ?? parsed.data.phone } };
}
