/**
 * The risk score and the route: auto-approval only when the broker enabled it and the case is
 * clean, a likely sanctions match always escalates, and a broker's risk config is validated.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decideRisk, DEFAULT_RISK_CONFIG, resolveRiskConfig, riskConfig } from "@/lib/checks/risk";
import type { CheckName, CheckResult, Outcome } from "@/lib/checks/types";
import { setTestEnv } from "../../helpers/env";

const r = (check: CheckName, outcome: Outcome, riskPoints = 0): CheckResult => ({
  check,
  outcome,
  evidence: {},
  riskPoints,
});
const clean = [r("age", "pass"), r("document_expiry", "pass"), r("screening", "pass")];

describe("routing", () => {
  it("auto-approves a clean low-risk case only when auto-approval is enabled", () => {
    expect(decideRisk(clean, DEFAULT_RISK_CONFIG, true)).toEqual({
      score: 0,
      level: "low",
      route: "auto_approve",
      escalated: false,
    });
    expect(decideRisk(clean, DEFAULT_RISK_CONFIG, false).route).toBe("review");
  });
  it("sends a case with any warning to review even when its risk is low", () => {
    const results = [...clean, r("upload_quality", "warn", 3)];
    expect(decideRisk(results, DEFAULT_RISK_CONFIG, true)).toMatchObject({
      level: "low",
      route: "review",
    });
  });
  it("never auto-approves without a screening result", () => {
    const unscreened = [r("age", "pass"), r("screening", "warn", 0)];
    expect(decideRisk(unscreened, DEFAULT_RISK_CONFIG, true).route).toBe("review");
    expect(decideRisk([r("age", "pass")], DEFAULT_RISK_CONFIG, true).route).toBe("review");
  });
  it("escalates a likely sanctions match at high risk, even with auto-approval on and few points", () => {
    const zero = resolveRiskConfig({ points: { screening: { fail: 0 } } });
    const results = [r("age", "pass"), r("screening", "fail", 0)];
    expect(decideRisk(results, zero, true)).toEqual({
      score: 0,
      level: "high",
      route: "escalate",
      escalated: true,
    });
  });
  it("maps the score onto levels with the configured thresholds", () => {
    const level = (points: number) =>
      decideRisk([r("pep_declaration", "warn", points)], DEFAULT_RISK_CONFIG, false).level;
    expect(level(9)).toBe("low");
    expect(level(10)).toBe("medium");
    expect(level(29)).toBe("medium");
    expect(level(30)).toBe("high");
  });
});

describe("risk configuration", () => {
  it("merges a partial file over the defaults", () => {
    const config = resolveRiskConfig({
      points: { pep_declaration: { warn: 5 } },
      thresholds: { high: 50 },
    });
    expect(config.points.pep_declaration).toEqual({ warn: 5, fail: 40 });
    expect(config.points.age).toEqual(DEFAULT_RISK_CONFIG.points.age);
    expect(config.thresholds).toEqual({ medium: 10, high: 50 });
  });
  it("still loads a file that weighs address_country, a check that never ran, and ignores it", () => {
    const config = resolveRiskConfig({ points: { address_country: { warn: 9 } } });
    expect(config.points).toEqual(DEFAULT_RISK_CONFIG.points);
    expect(Object.keys(config.points)).not.toContain("address_country");
  });
  it("refuses unknown checks, negative weights and inverted thresholds, naming the field", () => {
    expect(() => resolveRiskConfig({ points: { agee: { warn: 1 } } })).toThrow(/points/);
    expect(() => resolveRiskConfig({ points: { age: { warn: -1 } } })).toThrow(/points\.age\.warn/);
    expect(() => resolveRiskConfig({ thresholds: { medium: 40, high: 30 } })).toThrow(
      /medium must be below high/,
    );
    expect(() => resolveRiskConfig({ screening: { review: 0.95, likely: 0.9 } })).toThrow(
      /review must not exceed likely/,
    );
  });
  it("reads RISK_CONFIG_PATH and reports a broken file with its path", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "risk-"));
    const good = path.join(dir, "risk.json");
    writeFileSync(good, JSON.stringify({ thresholds: { medium: 3, high: 7 } }));
    setTestEnv({ RISK_CONFIG_PATH: good });
    expect(riskConfig().thresholds).toEqual({ medium: 3, high: 7 });
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    setTestEnv({ RISK_CONFIG_PATH: bad });
    expect(() => riskConfig()).toThrow(`RISK_CONFIG_PATH: ${bad} is not JSON`);
    setTestEnv({ RISK_CONFIG_PATH: undefined });
    expect(riskConfig()).toEqual(DEFAULT_RISK_CONFIG);
  });
});
