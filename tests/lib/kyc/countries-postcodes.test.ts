import { COUNTRY_CODES, hasPostcodes, NO_POSTCODE_COUNTRIES } from "@/lib/kyc/countries";
import { POSTCODE_FORMATS, postcodeError } from "@/lib/kyc/countries-postcodes";

describe("postcodes by country", () => {
  it("knows for every country whether it has postcodes, and the format where it has", () => {
    const withFormat = new Set(Object.keys(POSTCODE_FORMATS));
    const without = new Set(NO_POSTCODE_COUNTRIES);
    expect(COUNTRY_CODES.filter((c) => withFormat.has(c) === without.has(c))).toEqual([]);
    expect([...withFormat, ...without].filter((c) => !COUNTRY_CODES.includes(c))).toEqual([]);
  });

  it("accepts each country's own example postcode", () => {
    const refused = Object.entries(POSTCODE_FORMATS)
      .filter(([country, [, example]]) => postcodeError(country, example) !== undefined)
      .map(([country]) => country);
    expect(refused).toEqual([]);
  });

  it.each([
    "ZW",
    "MO",
    "BO",
    "AE",
    "AO",
    "AG",
    "AW",
    "BS",
    "BZ",
    "BJ",
    "BW",
    "BF",
    "BI",
    "CM",
    "CF",
    "KM",
    "CG",
    "CD",
    "CK",
    "CI",
    "DJ",
    "DM",
    "GQ",
    "ER",
    "FJ",
    "TF",
    "GM",
    "GH",
    "GD",
    "GY",
    "HK",
    "KI",
    "KP",
    "ML",
    "MR",
    "MS",
    "NR",
    "NU",
    "QA",
    "KN",
    "LC",
    "ST",
    "SC",
    "SL",
    "SB",
    "SR",
    "SY",
    "TL",
    "TK",
    "TO",
    "TT",
    "TV",
    "UG",
    "VU",
    "YE",
  ])("asks no postcode in %s, which has none", (country) => {
    expect(hasPostcodes(country)).toBe(false);
    expect(postcodeError(country, "")).toBeUndefined();
  });

  it.each(["DE", "GB", "US", "FR", "CY", "MU", "NG"])("requires a postcode in %s", (country) => {
    expect(hasPostcodes(country)).toBe(true);
    expect(postcodeError(country, "")).toBe("required");
    expect(postcodeError(country, "   ")).toBe("required");
  });

  it.each([
    ["DE", "1011"],
    ["DE", "101155"],
    ["GB", "12345"],
    ["US", "1234"],
    ["NL", "1012"],
    ["FR", "7500"],
    ["CA", "123 456"],
    ["PL", "80827"],
    ["JP", "1000"],
  ])("refuses %s postcode %j, which is not in the country's format", (country, postcode) => {
    expect(postcodeError(country, postcode)).toBe("invalidPostcode");
  });

  it.each([
    ["GB", "sw1a 1aa"],
    ["GB", "SW1A  1AA"],
    ["NL", "1012ab"],
    ["US", "94043-1351"],
    ["LT", "LT-01100"],
    ["LU", "L-1234"],
    ["LV", "1050"],
    ["LV", "LV-1050"],
    ["SE", "211 34"],
    ["VN", "70010"],
    ["IE", "D02 X285"],
  ])("accepts %s postcode %j as people write it", (country, postcode) => {
    expect(postcodeError(country, postcode)).toBeUndefined();
  });
});
