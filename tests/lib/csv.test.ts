import { csvCell, csvLine } from "@/lib/csv";

describe("CSV for spreadsheets", () => {
  it("defuses every cell a spreadsheet would run as a formula", () => {
    for (const dangerous of ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "\0=1", "\n=1"])
      expect(csvCell(dangerous).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""x"")"`,
    );
  });

  it("quotes commas, quotes and line breaks, and leaves plain text alone", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("Zoë Ångström")).toBe("Zoë Ångström");
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("writes dates as UTC ISO and objects as JSON, one CRLF line per row", () => {
    expect(csvLine([new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), { a: 1, b: "x" }])).toBe(
      '2026-01-02T03:04:05.000Z,"{""a"":1,""b"":""x""}"\r\n',
    );
  });
});
