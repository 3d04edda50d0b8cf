/**
 * The earliest relationship end accepted (lib/retention/relationship.ts earliestEnd): the day
 * before the current relationship began. The scenarios (relationship-end.test.ts,
 * retention.test.ts) drive the API and the console; their compressed clock cannot put a year
 * between an end and a return (a case's opening is the database's time), so the returning
 * trader's floor is checked here.
 */
import { earliestEnd } from "@/lib/retention/relationship";

const at = (iso: string) => new Date(iso);

describe("the earliest relationship end accepted", () => {
  const trader = { createdAt: at("2019-03-10T15:00:00Z") };

  it("is the UTC day before the trader's first launch", () => {
    expect(earliestEnd(trader)).toEqual(at("2019-03-09T00:00:00Z"));
    expect(earliestEnd(trader, undefined, [{ openedAt: at("2019-03-10T15:00:01Z") }])).toEqual(
      at("2019-03-09T00:00:00Z"),
    );
  });

  it("for a trader who came back after an end was recorded, the day before their first case since", () => {
    const previous = { recordedAt: at("2021-06-01T08:00:00Z") };
    const cases = [
      { openedAt: at("2019-03-10T15:00:01Z") },
      { openedAt: at("2026-11-20T09:30:00Z") },
      { openedAt: at("2026-12-01T10:00:00Z") },
    ];
    // The old end sent again (a CRM resync) or a year mistyped falls before this relationship.
    expect(earliestEnd(trader, previous, cases)).toEqual(at("2026-11-19T00:00:00Z"));
  });

  it("an end recorded but no case since: the old floor (a correction of that end)", () => {
    const previous = { recordedAt: at("2021-06-01T08:00:00Z") };
    expect(earliestEnd(trader, previous, [{ openedAt: at("2019-03-10T15:00:01Z") }])).toEqual(
      at("2019-03-09T00:00:00Z"),
    );
  });
});
