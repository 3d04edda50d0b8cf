/**
 * The selfie screen says why a frame was refused in the trader's language: each refusal the
 * selfie has of its own (a repeated frame, a spent attempt, a single photo instead of a burst)
 * has its own words in every catalog, not the generic "could not be sent" that blames the
 * connection.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { LOCALES } from "@/lib/i18n/config";
import {
  SELFIE_REFUSAL_WORDS,
  selfieRefusalWords,
  UPLOAD_REFUSALS,
} from "@/lib/documents/upload-contract";

const selfieWords = (locale: string): Record<string, string> =>
  JSON.parse(readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8")).Selfie;

describe("the selfie screen's words for a refused frame", () => {
  it("names a single photo (not_a_burst) as such, and reads any other refusal as a failed send", () => {
    expect(selfieRefusalWords("not_a_burst")).toBe("notBurst");
    expect(selfieRefusalWords("frame_repeated")).toBe("repeated");
    expect(selfieRefusalWords("challenge_invalid")).toBe("expired");
    expect(selfieRefusalWords("too_large")).toBe("failed");
    expect(selfieRefusalWords(undefined)).toBe("failed");
  });

  it.each([...LOCALES])("has words of its own for each selfie refusal in %s", (locale) => {
    const words = selfieWords(locale);
    for (const [reason, key] of Object.entries(SELFIE_REFUSAL_WORDS)) {
      expect(UPLOAD_REFUSALS).toContain(reason);
      expect({ reason, words: words[key]?.trim() || null }).toEqual({
        reason,
        words: expect.any(String),
      });
      expect(words[key]).not.toBe(words.failed);
    }
    const distinct = new Set(Object.values(SELFIE_REFUSAL_WORDS).map((k) => words[k]));
    expect(distinct.size).toBe(Object.keys(SELFIE_REFUSAL_WORDS).length);
  });
});
