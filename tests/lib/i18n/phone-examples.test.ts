import { readFileSync } from "node:fs";
import path from "node:path";
import { LOCALES } from "@/lib/i18n/config";

/** Every message of a catalog, by its dotted key. */
function messagesOf(value: unknown, key = ""): [string, string][] {
  if (typeof value === "string") return [[key, value]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => messagesOf(v, key ? `${key}.${k}` : k));
}

// An international number written in groups: "+44 7911 123456", whatever separates the groups.
const PHONE_EXAMPLE = /\+\d{1,3}(?:\s\d{2,})+/gu;

describe("phone numbers in the catalogs", () => {
  it("keep an example number on one line in every language (no-break spaces between its groups)", () => {
    const broken: string[] = [];
    let seen = 0;
    for (const locale of LOCALES) {
      const catalog: unknown = JSON.parse(
        readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8"),
      );
      for (const [key, message] of messagesOf(catalog))
        for (const [number] of message.matchAll(PHONE_EXAMPLE)) {
          seen++;
          // On a 360 px phone a plain space let "+44" end one line and "7911 123456" start the next.
          if (/[^\S\u00a0]/u.test(number)) broken.push(`${locale} ${key}: ${number}`);
        }
    }
    expect(seen).toBeGreaterThanOrEqual(LOCALES.length);
    expect(broken).toEqual([]);
  });
});
