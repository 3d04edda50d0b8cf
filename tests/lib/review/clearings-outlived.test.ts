/**
 * When re-screening counts a known likely hit as new again (lib/checks/rescreen.ts): its
 * clearings were given on weaker evidence than the sighting now (the rule `standing` applies on
 * the case page), and never when it was confirmed. The answer is the time of the latest outlived
 * clearing: the runs after it are what the sighting must be stronger than.
 */
import type { CaseDecision } from "@/lib/db/schema";
import type { StoredHit } from "@/lib/checks/evidence";
import { clearingsOutlivedBy } from "@/lib/review/screening-hits";
import { hitStrength, screeningVerdictData } from "@/lib/review/screening-verdict";

const sighting = (adjustment: number): StoredHit => ({
  source: "broker-pep",
  entryId: "7",
  listedName: "Gunnhild Tveitane",
  type: "individual",
  programs: [],
  score: Math.min(1, 1 + adjustment),
  level: "likely",
  explanation: {
    matchedName: "Gunnhild Tveitane",
    matchedAlias: false,
    nameScore: 1,
    pairs: [],
    unmatchedQuery: [],
    unmatchedListed: [],
    dateOfBirth: { result: adjustment > 0 ? "exact" : "unknown", listed: [] },
    nationality: { result: "unknown", listed: [] },
    adjustment,
  },
});

let id = 0;
const verdict = (
  staffId: string,
  decision: "screening_false_positive" | "screening_confirmed",
  hit: StoredHit,
  at: string,
): CaseDecision => ({
  id: ++id,
  caseId: "c",
  staffId,
  decision,
  reasonCode: null,
  messageForTrader: null,
  internalNote: "a reason given",
  data: screeningVerdictData.parse({
    hitKey: "broker-pep:7",
    source: hit.source,
    entryId: hit.entryId,
    level: hit.level,
    score: hit.score,
    listedName: hit.listedName,
    runId: "run",
    strength: hitStrength(hit),
  }),
  createdAt: new Date(at),
});

const weak = sighting(0);
const strong = sighting(0.05);

describe("clearings outlived by a stronger sighting", () => {
  it("answers the latest clearing given on weaker evidence", () => {
    const cleared = [
      verdict("a", "screening_false_positive", weak, "2026-01-01T10:00:00Z"),
      verdict("b", "screening_false_positive", weak, "2026-01-02T10:00:00Z"),
    ];
    expect(clearingsOutlivedBy(cleared)(strong)).toEqual(new Date("2026-01-02T10:00:00Z"));
    // The same evidence, or weaker, is what they were given on: they stand.
    expect(clearingsOutlivedBy(cleared)(weak)).toBeNull();
  });

  it("still answers the outlived clearing once someone judges the stronger sighting", () => {
    const judged = [
      verdict("a", "screening_false_positive", weak, "2026-01-01T10:00:00Z"),
      verdict("b", "screening_false_positive", weak, "2026-01-02T10:00:00Z"),
      verdict("c", "screening_false_positive", strong, "2026-02-01T10:00:00Z"),
    ];
    // One standing clearing of a likely hit: not cleared, and the time is the old clearings'.
    expect(clearingsOutlivedBy(judged)(strong)).toEqual(new Date("2026-01-02T10:00:00Z"));
    // Two people cleared the stronger sighting: nothing is outlived any more.
    const settled = [...judged, verdict("d", "screening_false_positive", strong, "2026-02-02")];
    expect(clearingsOutlivedBy(settled)(strong)).toBeNull();
  });

  it("never for a confirmed match, nor for a hit nobody judged", () => {
    const confirmed = [
      verdict("a", "screening_false_positive", weak, "2026-01-01T10:00:00Z"),
      verdict("b", "screening_confirmed", weak, "2026-01-02T10:00:00Z"),
    ];
    expect(clearingsOutlivedBy(confirmed)(strong)).toBeNull();
    expect(clearingsOutlivedBy([])(strong)).toBeNull();
  });
});
