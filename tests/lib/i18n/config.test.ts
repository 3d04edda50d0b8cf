import { directionOf, localeFromAcceptLanguage, pickLocale } from "@/lib/i18n/config";

describe("localeFromAcceptLanguage", () => {
  it("takes the browser's most preferred language the console ships, by q-value then order", () => {
    expect(localeFromAcceptLanguage("de-CH,de;q=0.9,en;q=0.8")).toBe("de");
    expect(localeFromAcceptLanguage("en;q=0.5, ar-EG")).toBe("ar");
    expect(localeFromAcceptLanguage("fr-FR, it;q=1")).toBe("fr");
    expect(localeFromAcceptLanguage("zh-Hant-TW,zh;q=0.9")).toBe("zh");
  });

  it("skips languages it does not ship, wildcards and refused ones (q=0)", () => {
    expect(localeFromAcceptLanguage("nl-NL, sv;q=0.9, pl;q=0.2")).toBe("pl");
    expect(localeFromAcceptLanguage("de;q=0, *;q=0.5, ja;q=0.1")).toBe("ja");
    expect(localeFromAcceptLanguage("nl, *")).toBeUndefined();
    expect(localeFromAcceptLanguage("")).toBeUndefined();
    expect(localeFromAcceptLanguage(null)).toBeUndefined();
    expect(localeFromAcceptLanguage(";;;,q=,de;q=abc")).toBeUndefined();
  });

  it("reads what pickLocale reads: a code we ship, whatever its region or case", () => {
    expect(pickLocale("PT_br")).toBe("pt");
    expect(localeFromAcceptLanguage("PT-br")).toBe("pt");
    expect(directionOf("ar")).toBe("rtl");
    expect(directionOf("de")).toBe("ltr");
  });
});
