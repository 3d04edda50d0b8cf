/**
 * Catalog consistency: every language has exactly English's keys, and each message uses the
 * same ICU arguments and select options (plural categories may differ by language, as CLDR
 * requires), and every plural has each category a whole number takes in its language (Russian
 * "few" and "many", Arabic all six, Japanese "other" alone), so a count never reads "5 шаг".
 * Used by `npm run i18n:check` and by the test suite.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(name, value);
    else for (const [k, v] of flatten(value, name)) out.set(k, v);
  }
  return out;
}

function signature(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (
      el.type === TYPE.argument ||
      el.type === TYPE.number ||
      el.type === TYPE.date ||
      el.type === TYPE.time
    ) {
      out.add(`${el.value}:${el.type}`);
    }
    if (el.type === TYPE.select)
      out.add(`${el.value}:select:${Object.keys(el.options).sort().join("|")}`);
    if (el.type === TYPE.plural) {
      out.add(`${el.value}:plural`);
      if (!("other" in el.options)) out.add(`${el.value}:plural-without-other`);
    }
    if (el.type === TYPE.select || el.type === TYPE.plural) {
      for (const option of Object.values(el.options)) signature(option.value, out);
    }
    if (el.type === TYPE.tag) signature(el.children, out);
  }
  return out;
}

/**
 * The plural categories a count of things falls in, in `locale`: those of the whole numbers
 * 0–199 (every rule CLDR has repeats below 100, or sends 100+ to a category already seen).
 * Categories only fractions take (Czech "many") or only millions (French "many") are not required.
 */
export function countCategories(locale: string): string[] {
  const rules = new Intl.PluralRules(locale);
  const seen = new Set<string>();
  for (let n = 0; n < 200; n++) seen.add(rules.select(n));
  return [...seen].sort();
}

/** Each cardinal plural in the message that lacks one of the language's count categories. */
function missingCategories(elements: MessageFormatElement[], categories: string[]): string[] {
  const out: string[] = [];
  for (const el of elements) {
    if (el.type === TYPE.plural && el.pluralType !== "ordinal") {
      const missing = categories.filter((c) => !(c in el.options));
      if (missing.length > 0) out.push(`{${el.value}} lacks ${missing.join(", ")}`);
    }
    if (el.type === TYPE.select || el.type === TYPE.plural)
      for (const option of Object.values(el.options))
        out.push(...missingCategories(option.value, categories));
    if (el.type === TYPE.tag) out.push(...missingCategories(el.children, categories));
  }
  return out;
}

function checkPlurals(locale: string, catalog: Map<string, string>, problems: string[]) {
  const categories = countCategories(locale);
  for (const [key, message] of catalog) {
    let elements: MessageFormatElement[];
    try {
      elements = parse(message);
    } catch {
      continue; // reported as not valid ICU
    }
    for (const missing of missingCategories(elements, categories))
      problems.push(
        `${locale}: ${key}: plural ${missing} (${locale} counts need ${categories.join(", ")})`,
      );
  }
}

export function checkCatalogs(dir: string, source = "en"): string[] {
  const problems: string[] = [];
  const load = (locale: string) =>
    flatten(JSON.parse(readFileSync(path.join(dir, `${locale}.json`), "utf8")) as Tree);
  const english = load(source);
  const sigOf = (locale: string, key: string, message: string) => {
    try {
      return [...signature(parse(message))].sort().join(", ");
    } catch (error) {
      problems.push(
        `${locale}: ${key}: not valid ICU (${error instanceof Error ? error.message : error})`,
      );
      return null;
    }
  };
  const englishSig = new Map([...english].map(([k, v]) => [k, sigOf(source, k, v)]));
  checkPlurals(source, english, problems);
  const locales = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5));
  for (const locale of locales.filter((l) => l !== source)) {
    let catalog: Map<string, string>;
    try {
      catalog = load(locale);
    } catch (error) {
      problems.push(
        `${locale}: not valid JSON (${error instanceof Error ? error.message : error})`,
      );
      continue;
    }
    for (const key of english.keys())
      if (!catalog.has(key)) problems.push(`${locale}: missing ${key}`);
    for (const key of catalog.keys())
      if (!english.has(key)) problems.push(`${locale}: unknown key ${key}`);
    checkPlurals(locale, catalog, problems);
    for (const [key, message] of catalog) {
      const expected = englishSig.get(key);
      const actual = sigOf(locale, key, message);
      if (expected && actual !== null && actual !== expected) {
        problems.push(`${locale}: ${key}: arguments [${actual}] differ from English [${expected}]`);
      }
    }
  }
  return problems;
}
