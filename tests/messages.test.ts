import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { IntlMessageFormat } from "intl-messageformat";
import { LOCALES } from "@/lib/i18n/config";
import { checkCatalogs, countCategories } from "@/lib/i18n/catalog-check";

const dir = path.join(__dirname, "..", "messages");

describe("message catalogs (npm run i18n:check)", () => {
  it("has exactly one catalog per supported language", () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.replace(/\.json$/, ""))
      .sort();
    expect(files).toEqual([...LOCALES].sort());
  });

  it("every catalog has English's keys, valid ICU, and the same arguments and select options", () => {
    expect(checkCatalogs(dir)).toEqual([]);
  });
});

describe("counted words (plurals)", () => {
  const catalog = (locale: string) =>
    JSON.parse(readFileSync(path.join(dir, `${locale}.json`), "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
  const format = (locale: string, key: string, values: Record<string, unknown>) => {
    let node: unknown = catalog(locale);
    for (const part of key.split(".")) node = (node as Record<string, unknown>)[part];
    return String(
      new IntlMessageFormat(node as string, locale).format(
        values as Record<string, string | number | ((s: unknown) => string)>,
      ),
    );
  };

  it("needs the categories whole numbers take in each language", () => {
    expect(countCategories("ja")).toEqual(["other"]);
    expect(countCategories("ru")).toEqual(["few", "many", "one"]);
    expect(countCategories("pl")).toEqual(["few", "many", "one"]);
    expect(countCategories("ar")).toEqual(["few", "many", "one", "other", "two", "zero"]);
  });

  it("reports a plural that lacks one of its language's categories", () => {
    const fixtures = mkdtempSync(path.join(tmpdir(), "catalogs-"));
    const message = (m: string) => JSON.stringify({ A: { steps: m } });
    writeFileSync(
      path.join(fixtures, "en.json"),
      message("{n, plural, one {# step} other {# steps}}"),
    );
    writeFileSync(
      path.join(fixtures, "ru.json"),
      message("{n, plural, one {# шаг} other {# шагов}}"),
    );
    writeFileSync(path.join(fixtures, "ja.json"), message("{n, plural, other {#ステップ}}"));
    expect(checkCatalogs(fixtures)).toEqual([
      "ru: A.steps: plural {n} lacks few, many (ru counts need few, many, one)",
    ]);
  });

  it.each([
    ["ru", 1, "1 шага"],
    ["ru", 3, "3 шагов"],
    ["ru", 21, "21 шага"],
    ["pl", 5, "5 kroków"],
    ["ar", 2, "خطوتين"],
    ["en", 1, "1 step done"],
  ])("counts steps in %s: %i", (locale, total, expected) => {
    expect(format(locale, "Steps.progress", { done: 1, total })).toContain(expected);
  });

  it.each([
    ["en", 1, "every month at"],
    ["en", 12, "every 12 months at"],
    ["ru", 2, "каждые 2 месяца"],
    ["sl", 3, "vsake 3 mesece"],
  ])("says how often a periodic review comes in %s: %i months", (locale, months, expected) => {
    const tag = () => "";
    expect(
      format(locale, "ConsoleCase.summary.periodic", {
        date: tag,
        last: tag,
        known: "yes",
        months,
        risk: "x",
      }),
    ).toContain(expected);
  });

  it.each([
    ["en", 1, "(1 point)"],
    ["cs", 4, "(4 body)"],
    ["ru", 60, "(60 баллов)"],
  ])("counts a run's risk points in %s: %i", (locale, score, expected) => {
    const time = () => "";
    expect(
      format(locale, "ConsoleCase.checks.run", { round: 1, time, level: "x", score, route: "y" }),
    ).toContain(expected);
  });

  it.each([
    ["en", 10, "in 10 minutes"],
    ["ru", 10, "через 10 минут"],
    ["cs", 2, "za 2 minuty"],
  ])("says when the phone link expires in %s: %i minutes", (locale, minutes, expected) => {
    expect(format(locale, "Upload.phoneIntro", { minutes })).toContain(expected);
  });
});
