import { countedScreeningHits, type StoredHit } from "@/lib/checks/evidence";

const hit = (entryId: string, level: StoredHit["level"]): StoredHit => ({
  source: "ofac-sdn",
  entryId,
  listedName: "AEROCARIBBEAN AIRLINES",
  type: "entity",
  programs: ["CUBA"],
  score: 0.86,
  level,
  explanation: {
    matchedName: "AEROCARIBBEAN AIRLINES",
    matchedAlias: false,
    nameScore: 0.86,
    pairs: [{ query: "aero", listed: "aerocaribbean", score: 0.86 }],
    unmatchedQuery: [],
    unmatchedListed: ["airlines"],
    dateOfBirth: { result: "unknown", listed: [] },
    nationality: { result: "unknown", listed: [] },
    adjustment: 0,
  },
});
const screened = (hits: StoredHit[]) => ({
  lists: { "ofac-sdn": "2026-11-01" },
  thresholds: { review: 0.8, likely: 0.9 },
  hits,
});

describe("countedScreeningHits (check_runs.screening_hits)", () => {
  it("counts the hits at review or likely level, not those below", () => {
    expect(countedScreeningHits(screened([]))).toBe(0);
    expect(
      countedScreeningHits(screened([hit("1", "likely"), hit("2", "review"), hit("3", "below")])),
    ).toBe(2);
    expect(countedScreeningHits(screened([hit("3", "below")]))).toBe(0);
  });

  it("is null when nothing was screened against a list, or the evidence is erased or malformed", () => {
    expect(countedScreeningHits({ reason: "no_list" })).toBeNull();
    expect(countedScreeningHits({ reason: "no_personal_data" })).toBeNull();
    expect(countedScreeningHits({ erased: true })).toBeNull();
    expect(countedScreeningHits({ ...screened([]), hits: "none" })).toBeNull();
    expect(countedScreeningHits(undefined)).toBeNull();
  });
});
