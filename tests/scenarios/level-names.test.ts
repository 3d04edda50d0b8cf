/**
 * Scenario: a broker's own level reads as the broker named it. A trader opening a level the
 * catalogs do not know saw it called "Standard" on the overview; the broker's level file now
 * names it per language, and the trader and the officer each read it in their own language.
 */
import "./support/request-scope";
import path from "node:path";
import { labelsIn } from "@/lib/review/labels";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

// The built-in levels plus `standard_selfie`, named in English and German.
const levelsPath = path.join(__dirname, "../fixtures/levels/with-selfie.json");
const world = scenarioWorld({ KYC_LEVELS_PATH: levelsPath });

const OVERVIEW = { view: "overview" };
const levelOf = (html: string) => /data-testid="case-level"[^>]*>([^<]*)</.exec(html)?.[1];

describe("scenario: a broker's own level names", () => {
  it("shows the trader and the officer the broker's name in their language, English where it has none", async () => {
    const w = world();
    const german = new Trader(w, 561_001, "de");
    await german.launch("kyc", { kycType: "standard_selfie" });
    expect(levelOf(await german.html("kyc", OVERVIEW))).toBe("Standard mit Selfie");

    const french = new Trader(w, 561_002, "fr");
    await french.launch("kyc", { kycType: "standard_selfie" });
    expect(levelOf(await french.html("kyc", OVERVIEW))).toBe("Standard with selfie");

    // A built-in level keeps the catalogs' words.
    const basic = new Trader(w, 561_003, "de");
    await basic.launch("kyc", { kycType: "basic" });
    expect(levelOf(await basic.html("kyc", OVERVIEW))).toBe("Basis");

    const officer = await signedInStaff(w, "level.names@broker.example", "reviewer");
    const page = await officer.casePage((await german.currentCase()).id);
    expect(levelOf(page)).toBe("Standard with selfie");
    expect(/data-testid="case-title">([^<]*)</.exec(page)?.[1]).toContain("Standard with selfie");
    // The officer's own language: the console's labels in German.
    expect((await labelsIn("de")).level("standard_selfie")).toBe("Standard mit Selfie");
  });
});
