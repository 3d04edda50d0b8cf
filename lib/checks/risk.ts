/**
 * The risk score and the route a checked case takes. Each check's outcome earns points (weights
 * per check and outcome); the sum against two thresholds gives low | medium | high. Brokers
 * tune weights and thresholds with a JSON file (RISK_CONFIG_PATH), validated at first use so a
 * typo stops the checks with a message naming the file and the field, instead of silently
 * scoring with defaults.
 *
 * Routing is deliberately conservative: auto-approval needs the broker's opt-in (AUTO_APPROVE=1),
 * every check passed, low risk and no screening hit. A likely sanctions match escalates and is
 * never auto-approved, whatever the configuration says.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { env } from "@/lib/env";
import { DEFAULT_THRESHOLDS } from "@/lib/screening/match";
import type { CheckName, CheckResult, Outcome } from "./types";
import { CHECK_NAMES } from "./types";

export type OutcomePoints = { warn: number; fail: number };

export type RiskConfig = {
  /** Points per check and outcome (a pass earns nothing). Quality counts per issue. */
  points: Record<CheckName, OutcomePoints>;
  /** A score at or above `medium` is medium risk, at or above `high` high. */
  thresholds: { medium: number; high: number };
  /** Screening score thresholds (0..1): a review-level hit warns, a likely match fails. */
  screening: { review: number; likely: number };
  /** An identity document expiring within this many days warns. */
  expiryWarnDays: number;
};

export const DEFAULT_RISK_CONFIG: RiskConfig = {
  points: {
    age: { warn: 0, fail: 100 },
    document_expiry: { warn: 5, fail: 100 },
    document_country: { warn: 5, fail: 5 },
    tax_residence: { warn: 5, fail: 5 },
    upload_quality: { warn: 3, fail: 10 },
    duplicate_document_number: { warn: 20, fail: 60 },
    duplicate_image: { warn: 20, fail: 60 },
    pep_declaration: { warn: 40, fail: 40 },
    appropriateness: { warn: 10, fail: 10 },
    screening: { warn: 25, fail: 100 },
    vendor: { warn: 20, fail: 60 },
    mrz_match: { warn: 10, fail: 40 },
    // A complete selfie warns only so that a person compares it with the document: no points.
    selfie: { warn: 0, fail: 60 },
  },
  thresholds: { medium: 10, high: 30 },
  screening: { ...DEFAULT_THRESHOLDS },
  expiryWarnDays: 30,
};

const points = z.number().int().min(0).max(1000);
const outcomePoints = z.object({ warn: points, fail: points }).partial().strict();
const score = z.number().min(0).max(1);

export const riskConfigSchema = z
  .object({
    points: z
      .object({
        ...Object.fromEntries(CHECK_NAMES.map((c) => [c, outcomePoints.optional()])),
        // A check that never ran (the proof of address records no country): a configuration that
        // weighs it still loads, and the weight counts for nothing.
        address_country: outcomePoints.optional(),
      })
      .strict()
      .optional(),
    thresholds: z
      .object({ medium: z.number().int().min(1), high: z.number().int().min(1) })
      .partial()
      .strict()
      .optional(),
    screening: z.object({ review: score, likely: score }).partial().strict().optional(),
    expiryWarnDays: z.number().int().min(0).max(365).optional(),
  })
  .strict();

/** Merges a broker's partial configuration over the defaults; throws naming the problem. */
export function resolveRiskConfig(input: unknown, origin = "risk config"): RiskConfig {
  const parsed = riskConfigSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`${origin} is invalid:\n  ${lines.join("\n  ")}`);
  }
  const raw = parsed.data;
  const config: RiskConfig = {
    points: Object.fromEntries(
      CHECK_NAMES.map((c) => [
        c,
        {
          ...DEFAULT_RISK_CONFIG.points[c],
          ...(raw.points as Record<string, Partial<OutcomePoints>> | undefined)?.[c],
        },
      ]),
    ) as Record<CheckName, OutcomePoints>,
    thresholds: { ...DEFAULT_RISK_CONFIG.thresholds, ...raw.thresholds },
    screening: { ...DEFAULT_RISK_CONFIG.screening, ...raw.screening },
    expiryWarnDays: raw.expiryWarnDays ?? DEFAULT_RISK_CONFIG.expiryWarnDays,
  };
  if (config.thresholds.medium >= config.thresholds.high)
    throw new Error(`${origin} is invalid:\n  thresholds: medium must be below high`);
  if (config.screening.review > config.screening.likely)
    throw new Error(`${origin} is invalid:\n  screening: review must not exceed likely`);
  return config;
}

let cached: { path: string | undefined; config: RiskConfig } | undefined;

/** The configured risk config (RISK_CONFIG_PATH over the defaults), read once per process. */
export function riskConfig(): RiskConfig {
  const path = env().checks.riskConfigPath;
  if (cached && cached.path === path) return cached.config;
  let input: unknown = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new Error(`RISK_CONFIG_PATH: cannot read ${path}`, { cause: error });
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new Error(`RISK_CONFIG_PATH: ${path} is not JSON`, { cause: error });
    }
  }
  const config = resolveRiskConfig(input, path ? `RISK_CONFIG_PATH (${path})` : "risk config");
  cached = { path, config };
  return config;
}

export type RiskLevel = "low" | "medium" | "high";
export type Route = "auto_approve" | "review" | "escalate";

export type RiskDecision = {
  score: number;
  level: RiskLevel;
  route: Route;
  /** A likely sanctions match: the console's escalation filter. */
  escalated: boolean;
};

export function pointsFor(config: RiskConfig, check: CheckName, outcome: Outcome, times = 1) {
  return outcome === "pass" ? 0 : config.points[check][outcome] * times;
}

/** Score, level and route of one run's results. */
export function decideRisk(
  results: readonly CheckResult[],
  config: RiskConfig,
  autoApprove: boolean,
): RiskDecision {
  const score = results.reduce((sum, r) => sum + r.riskPoints, 0);
  const screening = results.find((r) => r.check === "screening");
  const escalated = screening?.outcome === "fail";
  const level: RiskLevel = escalated
    ? "high"
    : score >= config.thresholds.high
      ? "high"
      : score >= config.thresholds.medium
        ? "medium"
        : "low";
  const clean =
    results.every((r) => r.outcome === "pass") &&
    // Without a screening result there is no evidence the trader is not listed.
    screening?.outcome === "pass";
  const route: Route = escalated
    ? "escalate"
    : autoApprove && clean && level === "low"
      ? "auto_approve"
      : "review";
  return { score, level, route, escalated };
}
