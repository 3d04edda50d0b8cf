/**
 * The console's rendering of a stored value (app/admin/cases/[id]/_sections/value.tsx): what a
 * trader typed is isolated, so a value stored before bidi controls were dropped at the step
 * cannot reorder the labels and values around it; a structure reads as facts, never as JSON, and
 * one that no longer parses by its step's stored schema still shows.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { FieldValue, Value } from "@/app/admin/cases/[id]/_sections/value";
import { fieldLabelsIn, labelsIn } from "@/lib/review/labels";

const render = (value: unknown) => renderToStaticMarkup(createElement(Value, { value }));

describe("a stored value in the console", () => {
  it("isolates text, so an override inside it stays inside it", () => {
    expect(render("abc\u202edef")).toBe("<bdi>abc\u202edef</bdi>");
    expect(render("عمر")).toBe("<bdi>عمر</bdi>");
  });

  it("isolates each item of a list", () => {
    expect(render(["DE", "x\u202ey"])).toBe(
      "<span><bdi>DE</bdi> </span><span><bdi>x\u202ey</bdi> </span>",
    );
  });

  it("shows an empty item of a list as none, not as the word null", () => {
    expect(render(["DE", null, ""])).toBe(
      '<span><bdi>DE</bdi> </span><span><span class="muted">—</span> </span><span><span class="muted">—</span> </span>',
    );
  });

  it("shows an object as key: value facts, not JSON, each value isolated", () => {
    const html = render({ tin: "12\u202e34", country: "IL", rows: [{ a: 1 }, { a: null }] });
    expect(html).not.toMatch(/\{|&quot;/);
    expect(html).toContain("<dt>tin</dt><dd><bdi>12\u202e34</bdi></dd>");
    expect(html).toContain("<dt>country</dt><dd><bdi>IL</bdi></dd>");
    expect(html).toContain("<dt>rows[0].a</dt><dd><bdi>1</bdi></dd>");
    expect(html).toContain('<dt>rows[1].a</dt><dd><span class="muted">—</span></dd>');
  });
});

describe("a structured answer in the console", () => {
  const field = async (step: string, name: string, value: unknown) =>
    renderToStaticMarkup(
      createElement(FieldValue, {
        step,
        field: name,
        value,
        fields: await fieldLabelsIn("en"),
        country: (await labelsIn("en")).country,
      }),
    );

  it("still shows tax residences that no longer read as stored, instead of failing", async () => {
    const html = await field("tax", "taxResidences", [{ country: "SE", tin: 7 }]);
    expect(html).not.toContain('data-testid="tax-residences"');
    expect(html).toContain("<dt>country</dt><dd><bdi>SE</bdi></dd>");
    expect(html).toContain("<dt>tin</dt><dd><bdi>7</bdi></dd>");
  });

  it("still shows questionnaire answers of another version as stored", async () => {
    const html = await field("appropriateness", "answers", { riskAppetite: "high" });
    expect(html).not.toContain('data-testid="questionnaire"');
    expect(html).toContain("<dt>riskAppetite</dt><dd><bdi>high</bdi></dd>");
  });
});
