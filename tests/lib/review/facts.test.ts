import { factsOf } from "@/lib/review/facts";

describe("stored JSON as key: value facts", () => {
  it("joins nested keys with dots and numbers the objects of a list", () => {
    expect(factsOf({ items: [{ kind: "step", step: "tax" }], reason: { code: "x" } })).toEqual([
      { key: "items[0].kind", value: "step" },
      { key: "items[0].step", value: "tax" },
      { key: "reason.code", value: "x" },
    ]);
  });

  it("writes a list of scalars as one value, and nothing as a dash", () => {
    expect(factsOf({ lists: ["eu", "un"], note: null, empty: [], none: {}, blank: "" })).toEqual([
      { key: "lists", value: "eu, un" },
      { key: "note", value: "—" },
      { key: "empty", value: "—" },
      { key: "none", value: "—" },
      { key: "blank", value: "—" },
    ]);
  });

  it("keeps numbers and booleans as text, and a bare scalar without a key", () => {
    expect(factsOf({ rows: 3, automatic: true })).toEqual([
      { key: "rows", value: "3" },
      { key: "automatic", value: "true" },
    ]);
    expect(factsOf("plain")).toEqual([{ key: "", value: "plain" }]);
  });
});
