import { readdirSync } from "node:fs";
import path from "node:path";
import { LOCALES } from "@/lib/i18n/config";
import { checkCatalogs } from "@/lib/i18n/catalog-check";

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
