import { readFileSync } from "node:fs";
import path from "node:path";
import { ENV_VARIABLES, parseEnv } from "@/lib/env";

const prodSecrets = {
  NODE_ENV: "production",
  APP_SECRET: "x".repeat(40),
  CTRADER_API_URL: "https://ctrader.example",
  CTRADER_MANAGER_TOKEN: "m",
};

describe("configuration", () => {
  it("runs on embedded defaults in development: PGlite under .data, the simulator, a dev secret", () => {
    const env = parseEnv({ NODE_ENV: "development" });
    expect(env.database).toEqual({ kind: "pglite", dataDir: ".data" });
    expect(env.simulatorEnabled).toBe(true);
    expect(env.identityMode).toBe("ot-handoff");
    expect(env.ctrader.redeemApi).toBe("redeem");
    expect(env.session).toEqual({ idleMinutes: 30, absoluteMinutes: 240 });
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(parseEnv({ DATABASE_URL: "" }).database.kind).toBe("pglite");
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u@h/db",
    });
  });

  it.each([
    ["APP_SECRET", { ...prodSecrets, APP_SECRET: undefined }],
    ["CTRADER_API_URL", { ...prodSecrets, CTRADER_API_URL: undefined }],
    ["CTRADER_MANAGER_TOKEN", { ...prodSecrets, CTRADER_MANAGER_TOKEN: "" }],
    ["CRM_API_PASSWORD", { ...prodSecrets, IDENTITY_MODE: "sso" }],
  ])("refuses to start in production without %s and names it", (name, source) => {
    expect(() => parseEnv(source)).toThrow(name);
  });

  it("turns the simulator off in production unless DEV_SIMULATOR=1", () => {
    expect(parseEnv(prodSecrets).simulatorEnabled).toBe(false);
    const withSim = parseEnv({
      NODE_ENV: "production",
      APP_SECRET: "x".repeat(40),
      DEV_SIMULATOR: "1",
    });
    expect(withSim.simulatorEnabled).toBe(true);
  });

  it("reads the brand (colours, logo under public/, legal entity) and refuses unsafe values", () => {
    expect(parseEnv({}).brand).toEqual({
      accent: undefined,
      accentDark: undefined,
      logoPath: undefined,
      legalEntity: undefined,
    });
    expect(
      parseEnv({
        BRAND_ACCENT: "#7a1fa2",
        BRAND_ACCENT_DARK: "#d7a6f0",
        BRAND_LOGO_PATH: "/brand/logo.svg",
        BRAND_LEGAL_ENTITY: "Example Markets Ltd, authorised by CySEC (000/00)",
      }).brand,
    ).toMatchObject({ accent: "#7a1fa2", logoPath: "/brand/logo.svg" });
    expect(() => parseEnv({ BRAND_ACCENT: "red;}body{display:none" })).toThrow("BRAND_ACCENT");
    expect(() => parseEnv({ BRAND_LOGO_PATH: "https://evil.example/x.png" })).toThrow(
      "BRAND_LOGO_PATH",
    );
    expect(() => parseEnv({ BRAND_LOGO_PATH: "/../../etc/passwd.png" })).toThrow("BRAND_LOGO_PATH");
  });

  it("names the variable when a value is malformed", () => {
    expect(() => parseEnv({ IDENTITY_MODE: "magic" })).toThrow("IDENTITY_MODE");
    expect(() => parseEnv({ CTRADER_TIMEOUT_MS: "60000" })).toThrow("CTRADER_TIMEOUT_MS");
    expect(() => parseEnv({ APP_SECRET: "short" })).toThrow("APP_SECRET");
    expect(() => parseEnv({ FRAME_ANCESTORS: "javascript:alert(1)" })).toThrow("FRAME_ANCESTORS");
    expect(() => parseEnv({ CLOSE_URL: "javascript:alert(1)" })).toThrow("CLOSE_URL");
    expect(() => parseEnv({ CLOSE_URL: "//evil.example" })).toThrow("CLOSE_URL");
  });

  it("lets only our own origin frame the screens in production until FRAME_ANCESTORS names cTrader Web", () => {
    expect(parseEnv(prodSecrets).frameAncestors).toEqual(["'self'"]);
    const configured = parseEnv({
      ...prodSecrets,
      FRAME_ANCESTORS: "https://app.ctrader.com, https://*.ctrader.com",
    });
    expect(configured.frameAncestors).toEqual(["https://app.ctrader.com", "https://*.ctrader.com"]);
  });
});

describe("automated checks configuration", () => {
  it("defaults to age 18, no auto-approval, no risk file and no lists", () => {
    expect(parseEnv({}).checks).toEqual({
      minAge: 18,
      autoApprove: false,
      riskConfigPath: undefined,
      sanctionsListPaths: [],
    });
  });

  it("reads several comma-separated list files and refuses an implausible minimum age", () => {
    const env = parseEnv({
      MIN_AGE: "21",
      AUTO_APPROVE: "1",
      SANCTIONS_LIST_PATH: " /lists/sdn.csv, /lists/pep.csv ,",
    });
    expect(env.checks).toMatchObject({
      minAge: 21,
      autoApprove: true,
      sanctionsListPaths: ["/lists/sdn.csv", "/lists/pep.csv"],
    });
    expect(() => parseEnv({ MIN_AGE: "12" })).toThrow("MIN_AGE");
  });
});

describe(".env.example", () => {
  const example = readFileSync(path.join(__dirname, "../../.env.example"), "utf8");
  const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

  it("documents every variable the configuration reads, each once, and nothing else", () => {
    expect([...documented].sort()).toEqual([...ENV_VARIABLES].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it("says why for every variable: a comment right above it, or above its group", () => {
    const lines = example.split("\n");
    const undocumented = documented.filter((name) => {
      let i = lines.findIndex((l) => l.startsWith(`${name}=`)) - 1;
      while (i >= 0 && /^[A-Z][A-Z0-9_]*=/.test(lines[i]!)) i--;
      return !(i >= 0 && lines[i]!.startsWith("#"));
    });
    expect(undocumented).toEqual([]);
  });

  it("parses as a development configuration as written", () => {
    const values = Object.fromEntries(
      [...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]),
    );
    expect(() => parseEnv({ ...values, NODE_ENV: "development" })).not.toThrow();
  });
});
