import { countryOptionsHtml } from "@/lib/kyc/country-names";
import { countrySelectHtml, escapeHtml } from "@/lib/kyc/country-select";

describe("country selects as server-built HTML", () => {
  it("lists every country in the trader's language, escaped, sorted for that language", () => {
    const de = countryOptionsHtml("de");
    expect(de).toContain('<option value="DE">Deutschland</option>');
    expect(de.match(/<option /g)?.length).toBeGreaterThan(240);
    expect(countryOptionsHtml("ar")).toContain('<option value="EG">مصر</option>');
  });
  it("pre-selects a valid value only, and escapes the placeholder", () => {
    const html = countrySelectHtml(countryOptionsHtml("en"), "Choose <a country>", "FR");
    expect(html).toContain('<option value="FR" selected>');
    expect(html.startsWith('<option value="">Choose &lt;a country&gt;</option>')).toBe(true);
    expect(countrySelectHtml('<option value="FR">', "x", '"><script>')).not.toContain("<script>");
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});
