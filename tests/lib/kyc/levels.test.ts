import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BUILT_IN_LEVELS,
  getLevel,
  isHigherLevel,
  levelName,
  levelsConfig,
  resolveKycType,
  withMinimumLevel,
} from "@/lib/kyc/levels";
import { upgradeItems } from "@/lib/kyc/upgrade";
import { captureLogs } from "../../helpers/log-capture";
import { setTestEnv } from "../../helpers/env";

const dir = mkdtempSync(path.join(tmpdir(), "levels-"));
function levelsFile(content: unknown): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

afterEach(() => setTestEnv());

describe("KYC levels", () => {
  it("ships basic, standard (the default) and enhanced, each adding to the one before", () => {
    setTestEnv();
    expect(levelsConfig().defaultLevel).toBe("standard");
    expect(getLevel("basic").steps).toEqual(["personal", "identity_document"]);
    expect(getLevel("standard").documents).toEqual(["identity", "address"]);
    const enhanced = getLevel("enhanced");
    for (const step of [
      "tax",
      "source_of_funds",
      "employment",
      "purpose",
      "pep",
      "appropriateness",
    ]) {
      expect(enhanced.steps).toContain(step);
    }
    expect(enhanced.documents).toContain("source_of_funds");
  });

  it("falls back to the default level for an unknown kycType and says so in the log, not to the trader", () => {
    setTestEnv();
    const logs = captureLogs();
    try {
      expect(resolveKycType("platinum")).toEqual({ level: "standard", trigger: "manual" });
    } finally {
      logs.stop();
    }
    expect(logs.lines.join()).toContain("kyc.level.unknown");
    expect(resolveKycType(undefined)).toEqual({ level: "standard", trigger: "manual" });
  });

  it("reads a broker's level file, including kycType aliases that carry the trigger", () => {
    const config = {
      ...BUILT_IN_LEVELS,
      defaultLevel: "basic",
      kycTypes: {
        ...BUILT_IN_LEVELS.kycTypes,
        deposit: { level: "enhanced", trigger: "first_deposit" },
      },
    };
    setTestEnv({ KYC_LEVELS_PATH: levelsFile(config) });
    expect(resolveKycType("deposit")).toEqual({ level: "enhanced", trigger: "first_deposit" });
    expect(resolveKycType(undefined).level).toBe("basic");
  });

  it("lets a broker's level ask for a selfie; no built-in level does", () => {
    expect(BUILT_IN_LEVELS.levels.some((l) => l.documents.includes("selfie"))).toBe(false);
    // The file the selfie scenario and browser tests run with: the built-ins, plus one level.
    const fixture = path.join(__dirname, "../../fixtures/levels/with-selfie.json");
    setTestEnv({ KYC_LEVELS_PATH: fixture });
    const { levels } = levelsConfig();
    expect(levels.slice(0, BUILT_IN_LEVELS.levels.length)).toEqual(BUILT_IN_LEVELS.levels);
    expect(getLevel("standard_selfie").documents).toEqual(["identity", "address", "selfie"]);
  });

  it("names a broker's level in the reader's language, never as another level", () => {
    const [basic, standard, enhanced] = BUILT_IN_LEVELS.levels;
    const config = {
      ...BUILT_IN_LEVELS,
      levels: [
        { ...basic, names: { de: "Einstieg" } },
        standard,
        enhanced,
        { ...enhanced, id: "pro", names: { en: "Professional", de: "Profi" } },
        { ...enhanced, id: "vip_2" },
      ],
    };
    setTestEnv({ KYC_LEVELS_PATH: levelsFile(config) });
    const catalog = (id: string) => `catalog:${id}`;
    expect(levelName("pro", "de", catalog)).toBe("Profi");
    expect(levelName("pro", "de-AT", catalog)).toBe("Profi");
    expect(levelName("pro", "fr", catalog)).toBe("Professional");
    expect(levelName("vip_2", "fr", catalog)).toBe("vip_2");
    expect(levelName("basic", "de", catalog)).toBe("Einstieg");
    expect(levelName("basic", "fr", catalog)).toBe("catalog:basic");
    expect(levelName("standard", "de", catalog)).toBe("catalog:standard");
  });

  it.each([
    ["not JSON", "{levels:", "cannot read"],
    [
      "a level name under something that is not a language",
      {
        ...BUILT_IN_LEVELS,
        levels: [{ ...BUILT_IN_LEVELS.levels[0], names: { "<b>": "Basic" } }],
        defaultLevel: "basic",
      },
      "names",
    ],
    [
      "a default level that does not exist",
      { ...BUILT_IN_LEVELS, defaultLevel: "gold" },
      'defaultLevel "gold"',
    ],
    [
      "an alias to an unknown level",
      { ...BUILT_IN_LEVELS, kycTypes: { x: { level: "gold", trigger: "manual" } } },
      "kycTypes.x",
    ],
    [
      "an unknown step",
      {
        ...BUILT_IN_LEVELS,
        levels: [{ ...BUILT_IN_LEVELS.levels[0], steps: ["personal", "selfie"] }],
      },
      "steps",
    ],
    [
      "a level without personal data",
      {
        ...BUILT_IN_LEVELS,
        levels: [{ ...BUILT_IN_LEVELS.levels[1], steps: ["identity_document"] }],
      },
      "personal",
    ],
  ])("refuses a level file with %s, naming the problem", (_name, content, message) => {
    setTestEnv({ KYC_LEVELS_PATH: levelsFile(content) });
    expect(() => levelsConfig()).toThrow(message);
  });
});

describe("level order, minimums and upgrades", () => {
  afterAll(() => setTestEnv({ KYC_MINIMUM_LEVELS: undefined }));

  it("ranks levels as the configuration lists them, lowest first", () => {
    setTestEnv({ KYC_LEVELS_PATH: undefined, KYC_MINIMUM_LEVELS: undefined });
    expect(isHigherLevel("enhanced", "basic")).toBe(true);
    expect(isHigherLevel("standard", "basic")).toBe(true);
    expect(isHigherLevel("basic", "standard")).toBe(false);
    expect(isHigherLevel("standard", "standard")).toBe(false);
    expect(isHigherLevel("platinum", "basic")).toBe(false);
  });

  it("raises a new case to the broker's minimum for its trigger, never lowers it", () => {
    setTestEnv({
      KYC_LEVELS_PATH: undefined,
      KYC_MINIMUM_LEVELS: "manual=standard, first_deposit=enhanced",
    });
    expect(resolveKycType("basic")).toEqual({ level: "standard", trigger: "manual" });
    expect(resolveKycType(undefined)).toEqual({ level: "standard", trigger: "manual" });
    expect(resolveKycType("enhanced")).toEqual({ level: "enhanced", trigger: "manual" });
    expect(withMinimumLevel({ level: "basic", trigger: "first_deposit" })).toEqual({
      level: "enhanced",
      trigger: "first_deposit",
    });
    expect(withMinimumLevel({ level: "basic", trigger: "account_creation" })).toEqual({
      level: "basic",
      trigger: "account_creation",
    });
  });

  it("refuses a minimum that is not trigger=level, naming KYC_MINIMUM_LEVELS", () => {
    setTestEnv({ KYC_LEVELS_PATH: undefined, KYC_MINIMUM_LEVELS: "deposit=standard" });
    expect(() => resolveKycType("basic")).toThrow(/KYC_MINIMUM_LEVELS/);
    setTestEnv({ KYC_LEVELS_PATH: undefined, KYC_MINIMUM_LEVELS: "manual=platinum" });
    expect(() => levelsConfig()).toThrow(/KYC_MINIMUM_LEVELS: manual=platinum names no level/);
  });

  it("asks an upgrade only for the steps and documents the higher level adds", () => {
    setTestEnv({ KYC_LEVELS_PATH: undefined, KYC_MINIMUM_LEVELS: undefined });
    expect(upgradeItems("basic", "standard")).toEqual([
      { kind: "step", step: "proof_of_address" },
      { kind: "document", documentType: "address" },
    ]);
    expect(
      upgradeItems("standard", "enhanced").map((i) => ("step" in i ? i.step : i.documentType)),
    ).toEqual([
      "tax",
      "source_of_funds",
      "employment",
      "purpose",
      "pep",
      "appropriateness",
      "additional",
    ]);
  });
});
