/**
 * The console's rendering of a stored value (app/admin/cases/[id]/_sections/value.tsx): what a
 * trader typed is isolated, so a value stored before bidi controls were dropped at the step
 * cannot reorder the labels and values around it.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { Value } from "@/app/admin/cases/[id]/_sections/value";

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

  it("writes bidi controls inside JSON as escapes, showing what the value holds", () => {
    const html = render({ tin: "12\u202e34", country: "IL" });
    expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
    expect(html).toContain("12\\u202e34");
  });
});
