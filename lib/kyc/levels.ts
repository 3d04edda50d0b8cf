/**
 * KYC levels (`kycType`): which steps a trader goes through, which documents are required, and
 * the account limits that come with the level once approved. Built-ins below; a broker replaces
 * them with a JSON file named by KYC_LEVELS_PATH (same shape, validated at start).
 *
 * `kycTypes` maps the values cTrader may send as `kycType` to a level and to the trigger
 * recorded on the case (first deposit, account creation, compliance notice, manual).
 *
 * Levels are listed lowest first: a level's place in `levels` is its rank, which decides whether
 * a `kycType` asks for more than the trader has (an upgrade) or less (ignored: a URL never lowers
 * a level). KYC_MINIMUM_LEVELS sets the lowest level a new case may open at, per trigger.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import type { CaseTrigger } from "@/lib/db/schema";
import { CASE_TRIGGERS } from "./statuses";

export const STEPS = [
  "personal",
  "identity_document",
  "proof_of_address",
  "tax",
  "source_of_funds",
  "employment",
  "purpose",
  "pep",
  "appropriateness",
] as const;
export type StepId = (typeof STEPS)[number];

/**
 * `selfie`: the live selfie with liveness prompts (docs/documents.md#selfie). No built-in level
 * asks for it; a broker adds it to a level's documents. A level whose vendor does its own face
 * match (docs/vendors.md) needs it only if the broker lists it there too.
 */
export const REQUIRED_DOCUMENTS = ["identity", "address", "source_of_funds", "selfie"] as const;

const limitsSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** null: no limit at this level. */
  maxDepositPerMonth: z.number().nonnegative().nullable(),
  maxWithdrawalPerMonth: z.number().nonnegative().nullable(),
  canTrade: z.boolean(),
});

const levelSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
  steps: z.array(z.enum(STEPS)).min(1),
  documents: z.array(z.enum(REQUIRED_DOCUMENTS)),
  limits: limitsSchema,
  /**
   * The level's name as traders and officers read it, per language (`{"en": "Professional",
   * "de": "Professionell"}`). Without one, a built-in id reads as the catalogs name it and any
   * other id as the English name, else the id itself (never as another level's name).
   */
  names: z
    .record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/), z.string().trim().min(1).max(60))
    .optional(),
});

const TRIGGERS = CASE_TRIGGERS;

export const levelsConfigSchema = z
  .object({
    defaultLevel: z.string(),
    levels: z.array(levelSchema).min(1),
    kycTypes: z.record(
      z.string().regex(/^[a-z0-9_-]{1,40}$/),
      z.object({ level: z.string(), trigger: z.enum(TRIGGERS) }),
    ),
  })
  .superRefine((config, ctx) => {
    const ids = new Set(config.levels.map((l) => l.id));
    if (ids.size !== config.levels.length)
      ctx.addIssue({ code: "custom", message: "level ids must be unique" });
    if (!ids.has(config.defaultLevel))
      ctx.addIssue({
        code: "custom",
        message: `defaultLevel "${config.defaultLevel}" is not a level`,
      });
    for (const [kycType, { level }] of Object.entries(config.kycTypes)) {
      if (!ids.has(level))
        ctx.addIssue({ code: "custom", message: `kycTypes.${kycType}: unknown level "${level}"` });
    }
    for (const level of config.levels) {
      if (!level.steps.includes("personal"))
        ctx.addIssue({
          code: "custom",
          message: `${level.id}: every level starts with "personal"`,
        });
    }
  });

export type LevelsConfig = z.infer<typeof levelsConfigSchema>;
export type Level = z.infer<typeof levelSchema>;
export type LevelId = string;

export const BUILT_IN_LEVELS: LevelsConfig = {
  defaultLevel: "standard",
  levels: [
    {
      id: "basic",
      steps: ["personal", "identity_document"],
      documents: ["identity"],
      limits: {
        currency: "EUR",
        maxDepositPerMonth: 2_000,
        maxWithdrawalPerMonth: 1_000,
        canTrade: true,
      },
    },
    {
      id: "standard",
      steps: ["personal", "identity_document", "proof_of_address"],
      documents: ["identity", "address"],
      limits: {
        currency: "EUR",
        maxDepositPerMonth: 50_000,
        maxWithdrawalPerMonth: 50_000,
        canTrade: true,
      },
    },
    {
      id: "enhanced",
      steps: [...STEPS],
      documents: ["identity", "address", "source_of_funds"],
      limits: {
        currency: "EUR",
        maxDepositPerMonth: null,
        maxWithdrawalPerMonth: null,
        canTrade: true,
      },
    },
  ],
  kycTypes: {
    basic: { level: "basic", trigger: "manual" },
    standard: { level: "standard", trigger: "manual" },
    enhanced: { level: "enhanced", trigger: "manual" },
  },
};

let cached:
  { path: string | undefined; minimums: Record<string, string>; config: LevelsConfig } | undefined;

/** The level configuration in force (built-ins, or KYC_LEVELS_PATH); throws naming the problem. */
export function levelsConfig(): LevelsConfig {
  const { kycLevelsPath: path, kycMinimumLevels: minimums } = env();
  if (cached && cached.path === path && cached.minimums === minimums) return cached.config;
  let config = BUILT_IN_LEVELS;
  if (path) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(
        `KYC_LEVELS_PATH: cannot read ${path}: ${error instanceof Error ? error.message : error}`,
      );
    }
    const parsed = levelsConfigSchema.safeParse(raw);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      throw new Error(`KYC_LEVELS_PATH: ${path} is invalid:\n  ${lines.join("\n  ")}`);
    }
    config = parsed.data;
  }
  const ids = new Set(config.levels.map((l) => l.id));
  for (const [trigger, level] of Object.entries(minimums))
    if (!ids.has(level))
      throw new Error(`KYC_MINIMUM_LEVELS: ${trigger}=${level} names no level (${[...ids]})`);
  cached = { path, minimums, config };
  return config;
}

const CATALOG_LEVELS = new Set(["basic", "standard", "enhanced"]);

/**
 * A level's name for a reader in `locale`: the broker's name in that language (or its base
 * language), else the catalogs' name of a built-in id (`fromCatalog`), else the broker's
 * English name, else the id.
 */
export function levelName(id: string, locale: string, fromCatalog: (id: string) => string): string {
  const names = levelsConfig().levels.find((l) => l.id === id)?.names ?? {};
  const own = names[locale] ?? names[locale.split("-")[0] ?? locale];
  if (own) return own;
  if (CATALOG_LEVELS.has(id)) return fromCatalog(id);
  return names.en ?? id;
}

/** A level's rank: its place in the configuration, lowest first (-1: not a level). */
export function levelRank(id: string): number {
  return levelsConfig().levels.findIndex((l) => l.id === id);
}

/** Whether `wanted` asks for more than `current` (an unknown level never does). */
export function isHigherLevel(wanted: string, current: string): boolean {
  const rank = levelRank(wanted);
  return rank >= 0 && rank > levelRank(current);
}

export function getLevel(id: string): Level {
  const config = levelsConfig();
  return (
    config.levels.find((l) => l.id === id) ??
    (config.levels.find((l) => l.id === config.defaultLevel) as Level)
  );
}

/** `kycType` → level and trigger, or undefined when it names neither a kycType nor a level. */
export function lookUpKycType(
  kycType: string,
): { level: LevelId; trigger: CaseTrigger } | undefined {
  const config = levelsConfig();
  // Own properties only: `__proto__` or `constructor` from a URL must not reach Object.prototype.
  const mapped = Object.hasOwn(config.kycTypes, kycType) ? config.kycTypes[kycType] : undefined;
  if (mapped) return mapped;
  if (config.levels.some((l) => l.id === kycType)) return { level: kycType, trigger: "manual" };
  return undefined;
}

/**
 * The level a new case opens at for this trigger: the asked level, raised to the broker's
 * minimum for the trigger (KYC_MINIMUM_LEVELS), so a hand-edited URL cannot lower it.
 */
export function withMinimumLevel(opening: { level: LevelId; trigger: CaseTrigger }): {
  level: LevelId;
  trigger: CaseTrigger;
} {
  const minimum = env().kycMinimumLevels[opening.trigger];
  return minimum && isHigherLevel(minimum, opening.level)
    ? { ...opening, level: minimum }
    : opening;
}

/** `kycType` → level and trigger. Unknown or missing: the default level, logged, not shown. */
export function resolveKycType(kycType: string | undefined): {
  level: LevelId;
  trigger: CaseTrigger;
} {
  const config = levelsConfig();
  if (!kycType) return withMinimumLevel({ level: config.defaultLevel, trigger: "manual" });
  const found = lookUpKycType(kycType);
  if (found) return withMinimumLevel(found);
  log.warn("kyc.level.unknown", { kycType, kycLevel: config.defaultLevel });
  return withMinimumLevel({ level: config.defaultLevel, trigger: "manual" });
}
