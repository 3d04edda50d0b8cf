import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { LOCALES } from "@/lib/i18n/config";

const dir = path.join(__dirname, "..", "messages");
type Tree = { [key: string]: string | Tree };
const load = (locale: string) =>
  JSON.parse(readFileSync(path.join(dir, `${locale}.json`), "utf8")) as Tree;

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(name, value);
    else for (const [k, v] of flatten(value, name)) out.set(k, v);
  }
  return out;
}

/** Argument names and select options: what code relies on, whatever the wording. */
function signature(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (
      el.type === TYPE.argument ||
      el.type === TYPE.number ||
      el.type === TYPE.date ||
      el.type === TYPE.time
    )
      out.add(`${el.value}:${el.type}`);
    if (el.type === TYPE.select || el.type === TYPE.plural) {
      out.add(`${el.value}:${el.type}:${Object.keys(el.options).sort().join("|")}`);
      for (const option of Object.values(el.options)) signature(option.value, out);
    }
  }
  return out;
}

const english = flatten(load("en"));

describe("message catalogs", () => {
  it("has exactly one catalog per supported language", () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.replace(/\.json$/, ""))
      .sort();
    expect(files).toEqual([...LOCALES].sort());
  });

  it.each(LOCALES.filter((l) => l !== "en"))(
    "%s has the same keys and ICU arguments as English",
    (locale) => {
      const catalog = flatten(load(locale));
      expect([...catalog.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [key, source] of english) {
        const translated = catalog.get(key) ?? "";
        expect({ key, args: [...signature(parse(translated))].sort() }).toEqual({
          key,
          args: [...signature(parse(source))].sort(),
        });
      }
    },
  );
});
