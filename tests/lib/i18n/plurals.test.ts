import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import type { Messages } from "next-intl";
import { LOCALES } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translations";

const catalog = (locale: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8"));

const at = (messages: Record<string, unknown>, key: string): string =>
  key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], messages) as string;

/** Messages that say how many of something, and the argument that counts. */
const COUNTED: [key: string, argument: string][] = [
  ["ConsoleCase.deliveries.attempts", "count"],
  ["ConsoleCase.checks.hits", "count"],
  ["ConsoleCase.checks.failed", "attempts"],
  ["ConsoleCase.documents.bytes", "size"],
  ["Console.queue.bulkDone", "asked"],
  ["Console.queue.bulkPartial", "asked"],
  ["ConsoleAdmin.deliveries.replayed", "count"],
];

/** The plural element over `argument`, wherever it sits (inside a select or a rich tag). */
function pluralOf(elements: MessageFormatElement[], argument: string): string[] | undefined {
  for (const e of elements) {
    if (e.type === TYPE.plural && e.value === argument) return Object.keys(e.options);
    const children =
      e.type === TYPE.select || e.type === TYPE.plural
        ? Object.values(e.options).map((o) => o.value)
        : e.type === TYPE.tag
          ? [e.children]
          : [];
    for (const child of children) {
      const found = pluralOf(child, argument);
      if (found) return found;
    }
  }
  return undefined;
}

describe("counts in every language", () => {
  it("say each count with every plural form the language has (Arabic six, Polish and Russian four)", () => {
    for (const locale of LOCALES) {
      // The forms counts up to a thousand take ("many" in French or Spanish starts at a million
      // and falls back to "other").
      const rules = new Intl.PluralRules(locale);
      const forms = [...new Set(Array.from({ length: 1001 }, (_, n) => rules.select(n)))];
      for (const [key, argument] of COUNTED) {
        const plural = pluralOf(parse(at(catalog(locale), key)), argument);
        expect({ locale, key, plural: plural !== undefined }).toEqual({
          locale,
          key,
          plural: true,
        });
        expect({ locale, key, missing: forms.filter((f) => !plural!.includes(f)) }).toEqual({
          locale,
          key,
          missing: [],
        });
      }
    }
  });

  it("read right for 1, 2, 3 and 5 where the forms differ", () => {
    const say = (locale: string, count: number) =>
      translatorFor(
        { locale, messages: catalog(locale) as Messages, timeZone: "UTC" },
        "ConsoleCase",
      )("deliveries.attempts" as never, { count } as never);
    expect([1, 3, 5].map((n) => say("ru", n))).toEqual(["1 попытка", "3 попытки", "5 попыток"]);
    expect([1, 3, 5].map((n) => say("pl", n))).toEqual(["1 próba", "3 próby", "5 prób"]);
    expect([1, 2, 3, 11].map((n) => say("ar", n))).toEqual([
      "محاولة واحدة",
      "محاولتان",
      "3 محاولات",
      "11 محاولة",
    ]);
    expect([1, 2].map((n) => say("en", n))).toEqual(["1 attempt", "2 attempts"]);
  });

  it("never count with an English '(s)' in the console", () => {
    const en = catalog("en");
    const flat = (o: unknown, key = ""): [string, string][] =>
      typeof o === "string"
        ? [[key, o]]
        : Object.entries(o as object).flatMap(([k, v]) => flat(v, key ? `${key}.${k}` : k));
    expect(flat(en).filter(([, text]) => /\w\(s\)/.test(text))).toEqual([]);
  });
});
