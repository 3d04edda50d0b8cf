import { parseDashboardPeriod, toCsv, waitingBuckets } from "@/lib/review/dashboard";

describe("toCsv", () => {
  it("writes a header and formula-safe rows with CRLF line ends", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["=x", 1],
          ["-2+3", new Date("2026-01-02T03:04:05Z")],
        ],
      ),
    ).toBe("a,b\r\n'=x,1\r\n'-2+3,2026-01-02T03:04:05.000Z\r\n");
  });
});

describe("parseDashboardPeriod", () => {
  const now = new Date("2026-03-15T12:00:00Z");

  it("defaults to the 30 days up to today (UTC)", () => {
    const p = parseDashboardPeriod({}, now);
    expect([p.fromDay, p.toDay, p.days]).toEqual(["2026-02-14", "2026-03-15", 30]);
    expect(p.until.toISOString()).toBe("2026-03-16T00:00:00.000Z");
  });

  it("takes a chosen period, both days included", () => {
    const p = parseDashboardPeriod({ from: "2026-01-01", to: "2026-01-07" }, now);
    expect([p.fromDay, p.toDay, p.days]).toEqual(["2026-01-01", "2026-01-07", 7]);
  });

  it.each([
    [{ from: "2026-02-30" }],
    [{ from: "yesterday" }],
    [{ from: ["2026-01-01", "2026-01-02"] }],
    [{ from: "2026-03-20" }],
    [{ from: "2020-01-01" }],
  ])("falls back to the default start on bad input %j", (query) => {
    expect(parseDashboardPeriod(query, now).fromDay).toBe("2026-02-14");
  });

  it("ignores a malformed end and any other parameter", () => {
    const p = parseDashboardPeriod({ to: "2026-13-01", x: "1" }, now);
    expect(p.toDay).toBe("2026-03-15");
    expect(parseDashboardPeriod(null, now).days).toBe(30);
  });
});

describe("waitingBuckets", () => {
  it("splits the promised review time and marks what is past it as breaches", () => {
    const buckets = waitingBuckets(24);
    expect(buckets.map((b) => [b.key, b.min, b.max, b.breach])).toEqual([
      ["quarter", 0, 6, false],
      ["half", 6, 12, false],
      ["due", 12, 24, false],
      ["late", 24, 48, true],
      ["very_late", 48, Infinity, true],
    ]);
  });
});
