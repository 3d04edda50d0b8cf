/**
 * The one configuration module. Every variable is parsed here, once, with zod; nothing else reads
 * process.env for configuration. Development gets embedded defaults (PGlite, the cTrader
 * simulator, a fixed development secret); production refuses to start without its secrets and
 * names the variable that is missing.
 */
import "server-only";
import { isIP } from "node:net";
import { z } from "zod";
import { CASE_STATUSES, CASE_TRIGGERS, type CaseStatusName } from "@/lib/kyc/statuses";

const emptyAsUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour like #0a58ca");
const optionalUrl = z.preprocess(emptyAsUndefined, z.url().optional());
const flag = z.preprocess(
  emptyAsUndefined,
  z
    .enum(["0", "1", "true", "false"])
    .optional()
    .transform((v) => v === "1" || v === "true"),
);
/** A flag that is on unless set to 0/false. */
const flagOn = z.preprocess(
  emptyAsUndefined,
  z
    .enum(["0", "1", "true", "false"])
    .default("1")
    .transform((v) => v === "1" || v === "true"),
);
const intWithDefault = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

const webhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "a Standard Webhooks secret: whsec_<base64>")
  .refine((s) => Buffer.from(s.slice(6), "base64").length >= 16, "at least 16 secret bytes");
const webhookEndpointsSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not valid JSON" });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
            url: z.url({ protocol: /^https?$/ }),
            secrets: z.array(webhookSecret).min(1),
            allowPrivate: z.boolean().default(false),
          })
          .strict()
          .refine((e) => e.allowPrivate || e.url.startsWith("https://"), {
            message: "https only (plain http needs allowPrivate)",
          }),
      )
      .refine((list) => new Set(list.map((e) => e.id)).size === list.length, "ids must be unique"),
  );
export type WebhookEndpoint = z.infer<typeof webhookEndpointsSchema>[number];

const ACCESS_RIGHTS = ["FULL_ACCESS", "CLOSE_ONLY", "NO_TRADING", "NO_LOGIN"] as const;
export type AccessRights = (typeof ACCESS_RIGHTS)[number];
const accessRightsSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not valid JSON" });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string().regex(/^(\*|[a-z0-9_-]{1,40})$/),
      z
        .object({
          approved: z.enum(ACCESS_RIGHTS),
          rejected: z.enum(ACCESS_RIGHTS),
          action_required: z.enum(ACCESS_RIGHTS),
          monitoring_hit: z.enum(ACCESS_RIGHTS),
          renewal_due: z.enum(ACCESS_RIGHTS),
          expired: z.enum(ACCESS_RIGHTS),
        })
        .partial()
        .strict(),
    ),
  );
export type AccessRightsMapping = z.infer<typeof accessRightsSchema>;
/**
 * Approved trades; a rejection stops new trades; a request for more, and an approved trader with
 * an undecided monitoring hit (a new likely sanctions match), keep open positions closable only.
 * A renewal notice changes nothing yet (the document is still valid); an expired document keeps
 * open positions closable only until the trader renews.
 */
export const DEFAULT_ACCESS_RIGHTS: AccessRightsMapping = {
  "*": {
    approved: "FULL_ACCESS",
    rejected: "NO_TRADING",
    action_required: "CLOSE_ONLY",
    monitoring_hit: "CLOSE_ONLY",
    renewal_due: "FULL_ACCESS",
    expired: "CLOSE_ONLY",
  },
};

// Email (lib/delivery/email.ts). A sender is "kyc@broker.example" or "Broker KYC <kyc@broker.example>";
// the display name may not carry what would break out of the From header.
const emailFrom = z.string().transform((text, ctx) => {
  const match = /^\s*(?:([^<>"\r\n\\]{1,100}?)\s*<([^<>\s]+)>|([^<>\s"]+))\s*$/.exec(text);
  const address = match?.[2] ?? match?.[3];
  if (!address || !z.email().safeParse(address).success) {
    ctx.addIssue({
      code: "custom",
      message: 'a sender like "kyc@broker.example" or "Broker KYC <kyc@broker.example>"',
    });
    return z.NEVER;
  }
  return { name: match?.[1]?.trim() ?? "", address };
});
const emailStatuses = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(CASE_STATUSES)).min(1, "name at least one case status"));
export type EmailSender = z.infer<typeof emailFrom>;
export type { CaseStatusName };
/** A decision is news for the trader; the steps before it are what they just did themselves. */
export const DEFAULT_EMAIL_STATUSES: CaseStatusName[] = ["approved", "rejected", "action_required"];

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1";
}

function isLoopbackOrigin(url: string | undefined): boolean {
  return url !== undefined && URL.canParse(url) && isLoopbackHost(new URL(url).hostname);
}

/** A development-only secret: long enough for the key derivation, useless anywhere else. */
export const DEVELOPMENT_APP_SECRET = "development-only-secret-do-not-use-in-production-0000";

/** 32 bytes in base64 or base64url: an Ed25519 private seed or public key. */
const ED25519_KEY = "[A-Za-z0-9+/_-]{43}=?";
const ed25519Key = z
  .string()
  .regex(new RegExp(`^${ED25519_KEY}$`), "32 bytes in base64 (openssl rand -base64 32)");
/** One or more public keys (a rotation keeps the old one for the heads it signed). */
const ed25519Keys = z
  .string()
  .regex(
    new RegExp(`^${ED25519_KEY}([ ,]+${ED25519_KEY})*$`),
    "public keys of 32 bytes in base64, separated by commas",
  );

/**
 * Operations (docs/operations.md): the bearer key of /api/metrics (unset: the route answers 404),
 * the screening list age from which /api/health/ready fails (unset: reported, never failing), and
 * whether DATABASE_URL points at a transaction pooler (PgBouncer in transaction mode, Supabase's
 * or Neon's pooled port), which cannot keep named prepared statements or a LISTEN.
 */
const operationsSchema = {
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16).optional()),
  SCREENING_LIST_MAX_AGE_HOURS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .optional(),
  ),
  DATABASE_POOLER: z.preprocess(
    emptyAsUndefined,
    z.enum(["none", "session", "transaction"]).default("none"),
  ),
};

/** Each list location is a path or an http(s) URL; plain http only with the private flag. */
function listLocations(raw: Raw): string[] {
  return (raw.SANCTIONS_LIST_PATH ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Production rules of the operations block. */
function checkOperations(raw: Raw, ctx: z.RefinementCtx): void {
  for (const location of listLocations(raw)) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) continue; // a file
    const url = URL.canParse(location) ? new URL(location) : undefined;
    const message =
      !url || !/^https?:$/.test(url.protocol) || !url.hostname
        ? `${location}: a file path or an https URL`
        : url.protocol === "http:" && !raw.SANCTIONS_LIST_ALLOW_PRIVATE
          ? `${location}: https only (plain http needs SANCTIONS_LIST_ALLOW_PRIVATE=1)`
          : url.username || url.password
            ? `${location}: no credentials in the URL`
            : undefined;
    if (message) issue(ctx, "SANCTIONS_LIST_PATH", message);
  }
  if (raw.LISTS_IMPORT_HOURS > 0 && listLocations(raw).length === 0)
    issue(
      ctx,
      "LISTS_IMPORT_HOURS",
      "a schedule needs SANCTIONS_LIST_PATH (files or URLs to import)",
    );
  if (raw.NODE_ENV === "production" && raw.METRICS_TOKEN && raw.METRICS_TOKEN.length < 32)
    issue(
      ctx,
      "METRICS_TOKEN",
      "must be at least 32 characters in production (openssl rand -base64 32)",
    );
}

/** The operations block of the configuration. */
function operationsConfig(raw: Raw) {
  return {
    metricsToken: raw.METRICS_TOKEN,
    screeningListMaxAgeHours: raw.SCREENING_LIST_MAX_AGE_HOURS,
    /** A transaction pooler: no named prepared statements, no LISTEN (status streams poll). */
    transactionPooler: raw.DATABASE_POOLER === "transaction",
  };
}

/**
 * Retention and crypto-shredding (docs/lifecycle.md#retention, docs/security.md#keys): the app
 * keyring that wraps each case's data key, and the periods the retention purge applies.
 * APP_KEYS is `id:secret` pairs, the first one current; the key derived from APP_SECRET keeps the
 * id `k1` and stays readable, so existing data and keys wrapped before a rotation still open.
 */
const APP_KEY_ENTRY = /^([a-z0-9]{1,16}):(\S{32,})$/;
const retentionSchema = {
  APP_KEYS: optionalString,
  RETENTION_DRAFT_DAYS: intWithDefault(90, 1, 3650),
  RETENTION_SUPERSEDED_DAYS: intWithDefault(0, 0, 3650),
  RETENTION_CASE_YEARS: intWithDefault(5, 1, 30),
  RETENTION_CASE_YEARS_BY: optionalString,
  RETENTION_DRAFT_DAYS_BY: optionalString,
  RETENTION_SUPERSEDED_DAYS_BY: optionalString,
};

/** AML record keeping: at least five years after the business relationship ended. */
export const AML_MINIMUM_YEARS = 5;

/**
 * One exception to a retention period: for cases with this outcome (the case's last decision,
 * approved or rejected, else its status: lib/retention/policy.ts), this trigger, or both.
 */
type RetentionRuleKey = {
  status?: CaseStatusName;
  trigger?: (typeof CASE_TRIGGERS)[number];
};
export type CaseRetentionRule = RetentionRuleKey & { years: number };
export type RetentionDaysRule = RetentionRuleKey & { days: number };

/** What a `*_BY` variable may name, and its periods' unit and range. */
type RetentionRuleSpec = {
  unit: "years" | "days";
  min: number;
  max: number;
  /** The outcomes a rule may name (none: triggers only). */
  outcomes: readonly string[];
};

/**
 * A `*_BY` retention variable: `key=n` pairs, a key being an outcome (`rejected`), a trigger
 * (`compliance_notice`) or both (`rejected/compliance_notice`); or what is wrong with it. The
 * case, draft and replaced-document periods share this syntax.
 */
function parseRetentionRules(
  value: string | undefined,
  spec: RetentionRuleSpec,
): (RetentionRuleKey & { n: number })[] | { invalid: string } {
  const rules: (RetentionRuleKey & { n: number })[] = [];
  const seen = new Set<string>();
  const isStatus = (v: string | undefined) => spec.outcomes.includes(v ?? "");
  const isTrigger = (v: string | undefined) =>
    (CASE_TRIGGERS as readonly string[]).includes(v ?? "");
  const shape =
    spec.outcomes.length > 0
      ? `outcome=${spec.unit}, trigger=${spec.unit} or outcome/trigger=${spec.unit} (outcomes: ${spec.outcomes.join(", ")}; triggers: ${CASE_TRIGGERS.join(", ")})`
      : `trigger=${spec.unit} (triggers: ${CASE_TRIGGERS.join(", ")})`;
  for (const pair of (value ?? "").split(/[\s,]+/).filter(Boolean)) {
    const match = /^([a-z_]+)(?:\/([a-z_]+))?=(\d{1,4})$/.exec(pair);
    const [, first, second, amount] = match ?? [];
    const n = Number(amount);
    const rule: (RetentionRuleKey & { n: number }) | null = !match
      ? null
      : second !== undefined
        ? isStatus(first) && isTrigger(second)
          ? {
              status: first as CaseStatusName,
              trigger: second as RetentionRuleKey["trigger"],
              n,
            }
          : null
        : isStatus(first)
          ? { status: first as CaseStatusName, n }
          : isTrigger(first)
            ? { trigger: first as RetentionRuleKey["trigger"], n }
            : null;
    // An expired case is an approval whose document ran out: its period is the approval's.
    if (!rule && (first === "expired" || second === "expired") && spec.outcomes.length > 0)
      return {
        invalid: `"${pair}": a case's outcome is its last decision, and an expired case's is approved (use approved=${spec.unit})`,
      };
    if (!rule) return { invalid: `"${pair}" is not ${shape}` };
    if (rule.n < spec.min || rule.n > spec.max)
      return { invalid: `"${pair}": ${spec.unit} from ${spec.min} to ${spec.max}` };
    const key = `${rule.status ?? "*"}/${rule.trigger ?? "*"}`;
    if (seen.has(key)) return { invalid: `${pair.split("=")[0]} appears twice` };
    seen.add(key);
    rules.push(rule);
  }
  return rules;
}

/** The outcomes a case rule may name: any status but `expired` (see above). */
const CASE_OUTCOMES = CASE_STATUSES.filter((s) => s !== "expired");

/** RETENTION_CASE_YEARS_BY: years after the relationship ended, per outcome and trigger. */
export function parseCaseRetentionRules(
  value: string | undefined,
): CaseRetentionRule[] | { invalid: string } {
  const rules = parseRetentionRules(value, {
    unit: "years",
    min: 1,
    max: 30,
    outcomes: CASE_OUTCOMES,
  });
  return "invalid" in rules ? rules : rules.map(({ n, ...key }) => ({ ...key, years: n }));
}

/**
 * RETENTION_DRAFT_DAYS_BY (per trigger: a draft's outcome is always `draft`) and
 * RETENTION_SUPERSEDED_DAYS_BY (per outcome, approved or rejected, the decision the replaced
 * upload's round was decided by, and trigger).
 */
export function parseRetentionDaysRules(
  value: string | undefined,
  of: "draft" | "superseded",
): RetentionDaysRule[] | { invalid: string } {
  const rules = parseRetentionRules(value, {
    unit: "days",
    min: of === "draft" ? 1 : 0,
    max: 3650,
    outcomes: of === "draft" ? [] : ["approved", "rejected"],
  });
  return "invalid" in rules ? rules : rules.map(({ n, ...key }) => ({ ...key, days: n }));
}

/** The app keyring's entries, or what is wrong with APP_KEYS (named in the error). */
export function parseAppKeys(
  value: string | undefined,
): { id: string; secret: string }[] | { invalid: string } {
  if (!value) return [];
  const entries: { id: string; secret: string }[] = [];
  for (const item of value.split(/[\s,]+/).filter(Boolean)) {
    const match = APP_KEY_ENTRY.exec(item);
    if (!match) return { invalid: "entries are id:secret (id a-z0-9, secret 32+ characters)" };
    const [, id, secret] = match as unknown as [string, string, string];
    if (id === "k1") return { invalid: "k1 is the key derived from APP_SECRET; pick another id" };
    if (entries.some((e) => e.id === id)) return { invalid: `key id ${id} appears twice` };
    if (secret === DEVELOPMENT_APP_SECRET) return { invalid: `${id} is the development secret` };
    entries.push({ id, secret });
  }
  return entries;
}

function checkRetention(raw: Raw, ctx: z.RefinementCtx): void {
  const keys = parseAppKeys(raw.APP_KEYS);
  if ("invalid" in keys) issue(ctx, "APP_KEYS", keys.invalid);
  const rules = parseCaseRetentionRules(raw.RETENTION_CASE_YEARS_BY);
  if ("invalid" in rules) issue(ctx, "RETENTION_CASE_YEARS_BY", rules.invalid);
  for (const [name, of] of [
    ["RETENTION_DRAFT_DAYS_BY", "draft"],
    ["RETENTION_SUPERSEDED_DAYS_BY", "superseded"],
  ] as const) {
    const days = parseRetentionDaysRules(raw[name], of);
    if ("invalid" in days) issue(ctx, name, days.invalid);
  }
  // Safer default: a production deployment cannot erase customer records before AML allows;
  // shorter periods are for development and tests that walk through the years.
  if (raw.NODE_ENV !== "production") return;
  const short = (years: number) => years < AML_MINIMUM_YEARS;
  const amlWhy = `below the ${AML_MINIMUM_YEARS} years AML record keeping requires after the relationship ended`;
  if (short(raw.RETENTION_CASE_YEARS)) issue(ctx, "RETENTION_CASE_YEARS", amlWhy);
  const below = "invalid" in rules ? undefined : rules.find((r) => short(r.years));
  if (below)
    issue(
      ctx,
      "RETENTION_CASE_YEARS_BY",
      `${[below.status, below.trigger].filter(Boolean).join("/")}=${below.years} is ${amlWhy}`,
    );
}

/** checkRetention has refused an invalid value before the config is built. */
const validOnly = <T>(rules: T[] | { invalid: string }): T[] => ("invalid" in rules ? [] : rules);

function retentionConfig(raw: Raw) {
  const keys = parseAppKeys(raw.APP_KEYS);
  return {
    /** Extra app keys, the first one current (none: the APP_SECRET key `k1` is current). */
    appKeys: "invalid" in keys ? [] : keys,
    /** A draft case untouched this long is erased… */
    draftDays: raw.RETENTION_DRAFT_DAYS,
    /** …unless a rule for its trigger says otherwise. */
    draftRules: validOnly(parseRetentionDaysRules(raw.RETENTION_DRAFT_DAYS_BY, "draft")),
    /** Replaced documents go this long after the case's last decision… */
    supersededDays: raw.RETENTION_SUPERSEDED_DAYS,
    /** …unless a rule for that decision and the case's trigger, either, says otherwise. */
    supersededRules: validOnly(
      parseRetentionDaysRules(raw.RETENTION_SUPERSEDED_DAYS_BY, "superseded"),
    ),
    /** A case goes this long after the trader's relationship ended… */
    caseYears: raw.RETENTION_CASE_YEARS,
    /** …unless a rule for its outcome and trigger, its outcome, or its trigger says otherwise. */
    caseRules: validOnly(parseCaseRetentionRules(raw.RETENTION_CASE_YEARS_BY)),
  };
}

/** A JSON variable: parsed, then validated by `schema`; the message names what is wrong. */
const jsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

const VENDOR_NAMES = ["sumsub", "onfido"] as const;
const levelKey = z.string().regex(/^[a-z0-9_-]{1,40}$/);

/**
 * Verification vendors (docs/vendors.md; off while VENDOR_LEVELS is unset): which KYC levels a
 * vendor verifies, and whether our own identity document upload and its checks stay (`local`,
 * default true: both) or the vendor's capture replaces them (`local: false`). Each vendor named
 * needs its credentials and webhook secret; a vendor nobody names is never loaded.
 */
const vendorsSchema = {
  VENDOR_LEVELS: z.preprocess(
    emptyAsUndefined,
    jsonOf(
      z.record(
        levelKey,
        z.strictObject({ vendor: z.enum(VENDOR_NAMES), local: z.boolean().default(true) }),
      ),
    ).optional(),
  ),
  SUMSUB_APP_TOKEN: optionalString,
  SUMSUB_SECRET_KEY: optionalString,
  SUMSUB_WEBHOOK_SECRET: optionalString,
  // Our level → the Sumsub level (its name in the Sumsub dashboard) that verifies it.
  SUMSUB_LEVELS: z.preprocess(
    emptyAsUndefined,
    jsonOf(z.record(levelKey, z.string().min(1).max(200))).optional(),
  ),
  SUMSUB_SCREENS: flag,
  SUMSUB_BASE_URL: optionalUrl,
  ONFIDO_API_TOKEN: optionalString,
  ONFIDO_WEBHOOK_TOKEN: optionalString,
  ONFIDO_REGION: z.preprocess(emptyAsUndefined, z.enum(["eu", "us", "ca"]).default("eu")),
  ONFIDO_REPORTS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default("document,facial_similarity_photo")
      .transform((text) =>
        text
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[a-z_]{1,60}$/)).min(1, "name at least one report")),
  ),
  ONFIDO_BASE_URL: optionalUrl,
};

/** A vendor named by a level needs its credentials: fail closed, naming each missing variable. */
function checkVendors(raw: Raw, ctx: z.RefinementCtx): void {
  const missing = (variable: string, why: string) => issue(ctx, variable, `missing (${why})`);
  const levels = Object.entries(raw.VENDOR_LEVELS ?? {});
  const named = new Set(levels.map(([, choice]) => choice.vendor));
  if (named.has("sumsub")) {
    const why = "VENDOR_LEVELS names sumsub";
    if (!raw.SUMSUB_APP_TOKEN) missing("SUMSUB_APP_TOKEN", `${why}; the app token`);
    if (!raw.SUMSUB_SECRET_KEY) missing("SUMSUB_SECRET_KEY", `${why}; the app token's secret key`);
    if (!raw.SUMSUB_WEBHOOK_SECRET)
      missing("SUMSUB_WEBHOOK_SECRET", `${why}; the webhook's secret key, to verify its signature`);
    for (const [level, choice] of levels)
      if (choice.vendor === "sumsub" && !raw.SUMSUB_LEVELS?.[level])
        missing("SUMSUB_LEVELS", `the Sumsub level that verifies level "${level}"`);
  }
  if (named.has("onfido")) {
    const why = "VENDOR_LEVELS names onfido";
    if (!raw.ONFIDO_API_TOKEN) missing("ONFIDO_API_TOKEN", `${why}; the API token`);
    if (!raw.ONFIDO_WEBHOOK_TOKEN)
      missing("ONFIDO_WEBHOOK_TOKEN", `${why}; the webhook token, to verify its signature`);
  }
}

/** The vendors block: null members are vendors no level uses (never loaded). */
function vendorsConfig(raw: Raw) {
  const levels = raw.VENDOR_LEVELS ?? {};
  const named = new Set(Object.values(levels).map((choice) => choice.vendor));
  return {
    levels,
    sumsub: named.has("sumsub")
      ? {
          appToken: raw.SUMSUB_APP_TOKEN!,
          secretKey: raw.SUMSUB_SECRET_KEY!,
          webhookSecret: raw.SUMSUB_WEBHOOK_SECRET!,
          levels: raw.SUMSUB_LEVELS ?? {},
          screens: raw.SUMSUB_SCREENS,
          baseUrl: raw.SUMSUB_BASE_URL,
        }
      : null,
    onfido: named.has("onfido")
      ? {
          apiToken: raw.ONFIDO_API_TOKEN!,
          webhookToken: raw.ONFIDO_WEBHOOK_TOKEN!,
          region: raw.ONFIDO_REGION,
          reports: raw.ONFIDO_REPORTS,
          referrer: raw.PUBLIC_BASE_URL ? `${raw.PUBLIC_BASE_URL.replace(/\/$/, "")}/*` : undefined,
          baseUrl: raw.ONFIDO_BASE_URL,
        }
      : null,
  };
}

const rawSchema = z.object({
  // Unset means production: only the dev server (`next dev` sets it) and the test runner run as
  // anything else, so a worker or operator command started bare never uses development secrets.
  NODE_ENV: z.preprocess(
    emptyAsUndefined,
    z.enum(["development", "production", "test"]).default("production"),
  ),
  // Read by lib/log.ts itself (logging works before the configuration is parsed); validated here.
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  ),
  DATABASE_URL: optionalString,
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default(".data")),
  // Whether a starting process applies pending migrations itself (under an advisory lock) or
  // waits up to MIGRATE_WAIT_SECONDS for `npm run db:migrate` to apply them (docs/operations.md).
  MIGRATE_ON_START: z.preprocess(
    emptyAsUndefined,
    z
      .enum(["0", "1", "true", "false"])
      .default("1")
      .transform((v) => v === "1" || v === "true"),
  ),
  MIGRATE_WAIT_SECONDS: intWithDefault(60, 0, 3600),
  PORT: intWithDefault(3000, 1, 65535),
  PUBLIC_BASE_URL: optionalUrl,
  IDENTITY_MODE: z.preprocess(
    emptyAsUndefined,
    z.enum(["ot-handoff", "sso"]).default("ot-handoff"),
  ),
  CTRADER_API_URL: optionalUrl,
  CTRADER_MANAGER_TOKEN: optionalString,
  CTRADER_REDEEM_API: z.preprocess(
    emptyAsUndefined,
    z.enum(["redeem", "legacy"]).default("redeem"),
  ),
  // Spotware documents the redeem's path but not its base (ctrader-contract §1.2, §10.2): where
  // CTRADER_API_URL is the host and the redeem sits under /cid, this says so.
  CTRADER_REDEEM_PATH: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\/[A-Za-z0-9_/.-]*$/, "a path such as /cid/ctid2/inAppToken/redeem")
      .optional(),
  ),
  CTRADER_TIMEOUT_MS: intWithDefault(5000, 100, 5000),
  CRM_API_PASSWORD: optionalString,
  CRM_API_TOKEN_TTL_DAYS: intWithDefault(7, 7, 365),
  // The broker CRM's bearer key for /api/crm/* (unset: those routes answer 404 to everyone).
  CRM_API_KEY: z.preprocess(
    emptyAsUndefined,
    z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
  ),
  APP_SECRET: optionalString,
  FRAME_ANCESTORS: optionalString,
  CLOSE_URL: optionalString,
  SESSION_IDLE_MINUTES: intWithDefault(30, 1, 24 * 60),
  SESSION_ABSOLUTE_MINUTES: intWithDefault(240, 5, 7 * 24 * 60),
  DEV_SIMULATOR: flag,
  DEV_SIMULATOR_IN_PRODUCTION: flag,
  VENDOR_SANDBOX_IN_PRODUCTION: flag,
  // Set by Vercel itself (to 1) in its builds and functions.
  VERCEL: flag,
  BENCH_ROUTES: flag,
  KYC_LEVELS_PATH: optionalString,
  // The lowest level a new case opens at, per trigger: "first_deposit=standard,manual=basic".
  KYC_MINIMUM_LEVELS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((text, ctx) => {
        const minimums: Partial<Record<(typeof CASE_TRIGGERS)[number], string>> = {};
        for (const pair of (text ?? "")
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean)) {
          const [trigger, level, extra] = pair.split("=").map((p) => p.trim());
          if (
            extra !== undefined ||
            !level ||
            !/^[a-z0-9_-]{1,40}$/.test(level) ||
            !(CASE_TRIGGERS as readonly string[]).includes(trigger ?? "")
          ) {
            ctx.addIssue({
              code: "custom",
              message: `"${pair}" is not trigger=level (triggers: ${CASE_TRIGGERS.join(", ")})`,
            });
            return z.NEVER;
          }
          minimums[trigger as (typeof CASE_TRIGGERS)[number]] = level;
        }
        return minimums;
      }),
  ),
  SUPPORT_EMAIL: z.preprocess(emptyAsUndefined, z.email().optional()),
  SUPPORT_PHONE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\+?[0-9 ()-]{5,30}$/)
      .optional(),
  ),
  SUPPORT_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  REVIEW_TIME_HOURS: intWithDefault(24, 1, 24 * 30),
  BROKER_NAME: z.preprocess(emptyAsUndefined, z.string().max(80).default("Demo Broker")),
  // Brand: accent colours (light and dark theme), a logo served from public/, the legal entity.
  BRAND_ACCENT: z.preprocess(emptyAsUndefined, hexColour.optional()),
  BRAND_ACCENT_DARK: z.preprocess(emptyAsUndefined, hexColour.optional()),
  BRAND_LOGO_PATH: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(
        /^\/[A-Za-z0-9._\/-]{1,200}\.(svg|png|webp|jpg)$/,
        "a path under public/, e.g. /brand/logo.svg",
      )
      .refine((p) => !p.includes(".."), "no ..")
      .optional(),
  ),
  BRAND_LEGAL_ENTITY: z.preprocess(emptyAsUndefined, z.string().max(300).optional()),
  // Review: the risk level from which an approval needs two different staff members, and how
  // many times a trader may send a case again after a rejection with a retry reason (the next
  // retry rejection is final).
  FOUR_EYES_MIN_RISK: z.preprocess(
    emptyAsUndefined,
    z.enum(["low", "medium", "high"]).default("high"),
  ),
  MAX_RETRY_ROUNDS: intWithDefault(3, 0, 20),
  // Document storage (lib/storage/): `local` keeps files under DATA_DIR/documents and takes
  // uploads on our own signed route; `s3` hands the browser a presigned POST, so no document
  // byte passes through this server. Credentials come from the AWS default chain, never from here.
  STORAGE_DRIVER: z.preprocess(emptyAsUndefined, z.enum(["local", "s3"]).default("local")),
  S3_BUCKET: optionalString,
  S3_REGION: z.preprocess(emptyAsUndefined, z.string().default("us-east-1")),
  S3_ENDPOINT: optionalUrl,
  S3_FORCE_PATH_STYLE: flag,
  // Asks the bucket to encrypt what it stores (the browser's original at the upload key, between
  // its POST and the confirm, and our sealed files), as a presigned-POST policy condition the
  // store enforces. Off by default: AWS encrypts every new object with SSE-S3 anyway since 2023,
  // and a store without a key service (MinIO without KMS) refuses the header, every upload with it.
  S3_SERVER_SIDE_ENCRYPTION: z.preprocess(emptyAsUndefined, z.enum(["AES256"]).optional()),
  UPLOAD_MAX_BYTES: intWithDefault(10 * 1024 * 1024, 1, 100 * 1024 * 1024),
  UPLOAD_MAX_FILES_PER_CASE: intWithDefault(12, 1, 100),
  UPLOAD_URL_TTL_SECONDS: intWithDefault(300, 10, 300),
  // Document checks (lib/documents/inspect.ts): most pages a PDF may have.
  DOCUMENT_MAX_PDF_PAGES: intWithDefault(10, 1, 200),
  // Automated checks after submission (lib/checks): minimum age, opt-in auto-approval of clean
  // low-risk cases, an optional JSON file overriding risk weights and thresholds, and the
  // sanctions/PEP list files `npm run lists:import` loads (comma-separated paths).
  MIN_AGE: intWithDefault(18, 16, 100),
  AUTO_APPROVE: flag,
  // Document expiry (lib/kyc/renewal.ts): days before the identity document's expiry at which an
  // approved case is marked "renewal due" (notice on the status screen, case.renewal_due event).
  RENEWAL_NOTICE_DAYS: intWithDefault(30, 0, 365),
  // Opt-in: read the identity document's machine-readable zone (tesseract.js, ~1–5 s of a
  // worker thread per case, ~100 MB while loaded) and compare it with what the trader typed.
  MRZ_CHECK: flag,
  // Periodic review (lib/review/periodic.ts): months after the last approval (or the last
  // periodic review) at which an approved case gets a review task in the console, per risk level.
  PERIODIC_REVIEW_MONTHS_LOW: intWithDefault(60, 1, 240),
  PERIODIC_REVIEW_MONTHS_MEDIUM: intWithDefault(36, 1, 240),
  PERIODIC_REVIEW_MONTHS_HIGH: intWithDefault(12, 1, 240),
  RISK_CONFIG_PATH: optionalString,
  // Sanctions/PEP lists (lib/screening/import.ts): files and https URLs, comma-separated;
  // LISTS_IMPORT_HOURS re-imports them on that schedule from the worker and the cron route (0:
  // only `npm run lists:import`); SANCTIONS_LIST_ALLOW_PRIVATE lets the URLs reach private or
  // loopback addresses and plain http (a list mirror inside the broker's network).
  SANCTIONS_LIST_PATH: optionalString,
  LISTS_IMPORT_HOURS: intWithDefault(0, 0, 24 * 31),
  SANCTIONS_LIST_ALLOW_PRIVATE: flag,
  // Status delivery (lib/delivery): the broker CRM's webhook endpoints as one JSON array, e.g.
  // [{"id":"crm","url":"https://crm.example/kyc","secrets":["whsec_…"],"allowPrivate":false}]
  // (several secrets sign in parallel during a rotation; allowPrivate lets a URL reach private
  // or loopback addresses and plain http), and the bearer secret of /api/cron/deliver.
  WEBHOOK_ENDPOINTS: z.preprocess(emptyAsUndefined, webhookEndpointsSchema.default([])),
  CRON_SECRET: z.preprocess(emptyAsUndefined, z.string().min(16).optional()),
  // 0: the web server never sends a delivery itself (no first attempt after the response); only
  // the worker or the cron route do — for networks where only worker hosts may reach the CRM.
  DELIVER_AFTER_RESPONSE: flagOn,
  // Traces (lib/telemetry.ts): on when an OTLP endpoint is set; the SDK reads the rest of the
  // standard OTEL_* variables (headers, protocol) itself.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyAsUndefined, z.url().optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess(emptyAsUndefined, z.url().optional()),
  OTEL_SERVICE_NAME: z.preprocess(emptyAsUndefined, z.string().max(100).default("inapp-kyc")),
  // cTrader account update (lib/delivery/ctrader-account.ts; off by default): after approve,
  // reject or action required, set the trading account's access rights through the manager API.
  // The path template gets {login}; the mapping is JSON per level ("*" for any) and status.
  CTRADER_ACCOUNT_UPDATE: flag,
  CTRADER_ACCOUNT_UPDATE_PATH: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\/[A-Za-z0-9_/{}.-]*\{login\}[A-Za-z0-9_/{}.-]*$/, "a path containing {login}")
      .default("/v2/webserv/traders/{login}"),
  ),
  CTRADER_ACCESS_RIGHTS: z.preprocess(emptyAsUndefined, accessRightsSchema.optional()),
  // Email to the trader on a status change (lib/delivery/email.ts; off while EMAIL_SMTP_URL is
  // unset): the SMTP server as a URL (smtps:// for implicit TLS, credentials URL-encoded in it),
  // the sender, which statuses are announced, and whether STARTTLS is mandatory.
  EMAIL_SMTP_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (u) =>
          URL.canParse(u) && /^smtps?:$/.test(new URL(u).protocol) && new URL(u).hostname !== "",
        "an smtp:// or smtps:// URL with a host, e.g. smtp://user:pass@mail.example:587",
      )
      .optional(),
  ),
  EMAIL_FROM: z.preprocess(emptyAsUndefined, emailFrom.optional()),
  EMAIL_STATUSES: z.preprocess(emptyAsUndefined, emailStatuses.optional()),
  EMAIL_REQUIRE_TLS: z.preprocess(emptyAsUndefined, z.enum(["0", "1", "true", "false"]).optional()),
  // The renewal notice (case.renewal_due) by email too, when email is on: default on, since it
  // asks the trader to act before their access changes.
  EMAIL_RENEWAL_DUE: z.preprocess(emptyAsUndefined, z.enum(["0", "1", "true", "false"]).optional()),
  // Audit chain signing (lib/audit/signing.ts): the worker signs the chain's head every
  // AUDIT_SIGN_MINUTES with this Ed25519 key (32 random bytes, base64), which the database never
  // sees; `npm run audit:verify` checks with the public keys (AUDIT_VERIFY_KEY) or this one.
  AUDIT_SIGNING_KEY: z.preprocess(emptyAsUndefined, ed25519Key.optional()),
  AUDIT_VERIFY_KEY: z.preprocess(emptyAsUndefined, ed25519Keys.optional()),
  AUDIT_SIGN_MINUTES: intWithDefault(5, 1, 24 * 60),
  // How often the worker (or the cron route) verifies the whole chain as `audit:verify` does and
  // records the result (lib/audit/check.ts); 0: never on a schedule.
  AUDIT_VERIFY_MINUTES: intWithDefault(60, 0, 7 * 24 * 60),
  // Console accounts (lib/staff): how many reverse proxies in front of the app append to
  // X-Forwarded-For (the client address that login throttling keys on is the entry that many
  // from the right; with 0 it is unknown, the header being the client's own), and whether reviewers need a second factor too (approvers and admins always
  // do; on unless set to 0).
  TRUSTED_PROXY_HOPS: intWithDefault(0, 0, 10),
  STAFF_MFA_REVIEWERS: z.preprocess(
    emptyAsUndefined,
    z
      .enum(["0", "1", "true", "false"])
      .optional()
      .transform((v) => v === undefined || v === "1" || v === "true"),
  ),
  ...operationsSchema,
  ...retentionSchema,
  ...vendorsSchema,
});

const ORIGIN_SOURCE = /^('self'|'none'|https?:\/\/[a-z0-9.*-]+(:(\d+|\*))?|\*\.[a-z0-9.-]+)$/i;

function parseFrameAncestors(
  raw: string | undefined,
  isProduction: boolean,
): string[] | { invalid: string } {
  if (!raw) {
    // Production: only our own origin until the operator names cTrader Web's origin (safer
    // default: a page nobody configured cannot be framed by strangers). Development: any
    // loopback origin, so the simulator can frame the screens cross-site.
    return isProduction ? ["'self'"] : ["'self'", "http://localhost:*", "http://127.0.0.1:*"];
  }
  const items = raw.split(/[\s,]+/).filter(Boolean);
  const bad = items.find((item) => !ORIGIN_SOURCE.test(item));
  if (bad)
    return {
      invalid: `"${bad}" is not an origin (expected e.g. https://app.ctrader.com or 'self')`,
    };
  // Safer default: a wildcard (https://*, *.com, even *.broker.com) lets pages nobody reviewed
  // frame the screens and click through them; production names each origin.
  const wildcard = isProduction ? items.find((item) => item.includes("*")) : undefined;
  if (wildcard)
    return {
      invalid: `"${wildcard}" is a wildcard; in production name each origin (e.g. https://app.ctrader.com)`,
    };
  // A page served over plain http can be rewritten on its way, and then frame the screens for a
  // click-through: production names https origins (loopback aside, for a local production run).
  const plain = isProduction
    ? items.find((item) => /^http:\/\//i.test(item) && !isLoopbackOrigin(item.replace(/:\*$/, "")))
    : undefined;
  if (plain)
    return {
      invalid: `"${plain}" is plain http; in production name https origins (e.g. https://app.ctrader.com)`,
    };
  return items;
}

type Raw = z.infer<typeof rawSchema>;

/**
 * The simulator answers instead of cTrader: in development when no cTrader is configured; in
 * production only for a demo that asked twice (DEV_SIMULATOR and its acknowledgement), never in
 * SSO mode, where real traders sign in beside it.
 */
function isSimulatorEnabled(raw: Raw): boolean {
  if (raw.CTRADER_API_URL) return false;
  if (raw.NODE_ENV !== "production") return true;
  return raw.DEV_SIMULATOR && raw.DEV_SIMULATOR_IN_PRODUCTION && raw.IDENTITY_MODE !== "sso";
}

/**
 * The URLs the app calls or sends browsers to. Anywhere: http or https with a host, no user or
 * password in it (fetch refuses those, so it would fail on the first trader's request, not at
 * start). In production https, except on a loopback host: over plain http the cTrader manager
 * token, the trader's one-time token and the documents would cross the network readable.
 */
const SERVICE_URLS = [
  "PUBLIC_BASE_URL",
  "CTRADER_API_URL",
  "SUMSUB_BASE_URL",
  "ONFIDO_BASE_URL",
  "S3_ENDPOINT",
] as const;

/** A configuration error, named by its variable: the start-up message prints that name. */
function issue(ctx: z.RefinementCtx, variable: string, message: string): void {
  ctx.addIssue({ code: "custom", path: [variable], message });
}

function checkServiceUrls(raw: Raw, ctx: z.RefinementCtx, isProduction: boolean): void {
  for (const variable of SERVICE_URLS) {
    const value = raw[variable];
    // A value that is no URL at all already has its own issue.
    if (!value || !URL.canParse(value)) continue;
    const invalid = (message: string) => issue(ctx, variable, message);
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:")
      invalid(`must be an https URL (got ${url.protocol})`);
    else if (url.username || url.password)
      invalid("must not carry a user name or password: give credentials in their own variables");
    else if (isProduction && url.protocol === "http:" && !isLoopbackHost(url.hostname))
      invalid("must be https in production (plain http only on a loopback host)");
    else if (variable === "PUBLIC_BASE_URL" && (url.pathname !== "/" || url.search || url.hash))
      invalid("must be an origin only (e.g. https://kyc.broker.example), without path or query");
  }
}

/**
 * DATABASE_URL: a PostgreSQL URL, read the way postgres.js reads it (several hosts allowed:
 * postgres://u:p@db1:5432,db2:5432/kyc). postgres.js connects without TLS unless the URL says
 * otherwise, so in production a database off this host needs `sslmode` verify-full (the
 * certificate checked), require (encrypted, not checked) or disable (plaintext, a private network
 * such as compose's), or `sslrootcert=system`. `prefer` and `allow` fall back to plaintext.
 */
function checkDatabaseUrl(raw: Raw, ctx: z.RefinementCtx, isProduction: boolean): void {
  const value = raw.DATABASE_URL;
  if (!value) return;
  const invalid = (message: string) => issue(ctx, "DATABASE_URL", message);
  const parts = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?([^/?#]*)[^?#]*(?:\?([^#]*))?/.exec(value);
  if (!parts)
    return invalid("must be a postgres:// URL (postgres://user:password@host:5432/database)");
  const hosts = (parts[1] ?? "")
    .split(",")
    .map((host) => host.replace(/:\d*$/, ""))
    .filter(Boolean);
  const params = new URLSearchParams(parts[2] ?? "");
  const tls = params.get("sslmode") ?? params.get("ssl");
  const remote = hosts.some((host) => !isLoopbackHost(host));
  if (!isProduction || !remote || params.get("sslrootcert") === "system") return;
  if (tls === null)
    invalid(
      "names a database on another host without sslmode: add ?sslmode=verify-full (or require), or sslmode=disable for plaintext on a private network",
    );
  else if (tls === "prefer" || tls === "allow")
    invalid(`sslmode=${tls} falls back to plaintext: use verify-full or require (or disable)`);
}

/** Sandbox credentials are simulated checks: Sumsub's sbx: app tokens, Onfido's api_sandbox. */
const SANDBOX_TOKENS = [
  ["SUMSUB_APP_TOKEN", "sbx:"],
  ["ONFIDO_API_TOKEN", "api_sandbox"],
] as const;

/** Rules between variables: what production needs, and what needs what. Named per variable. */
function checkCombinations(raw: Raw, ctx: z.RefinementCtx): void {
  const missing = (variable: string, why: string) => issue(ctx, variable, `missing (${why})`);
  const invalid = (variable: string, message: string) => issue(ctx, variable, message);
  const isProduction = raw.NODE_ENV === "production";
  const simulatorEnabled = isSimulatorEnabled(raw);
  if (isProduction) {
    if (!raw.APP_SECRET) missing("APP_SECRET", "root of the session and encryption keys");
    else if (raw.APP_SECRET === DEVELOPMENT_APP_SECRET)
      invalid(
        "APP_SECRET",
        "is the public development secret; generate one (openssl rand -base64 48)",
      );
    if (raw.CRM_API_PASSWORD && raw.CRM_API_PASSWORD.length < 32)
      invalid("CRM_API_PASSWORD", "must be at least 32 characters in production");
    if (!raw.PUBLIC_BASE_URL)
      missing("PUBLIC_BASE_URL", "the https origin traders reach; links and origin checks use it");
    if (raw.DEV_SIMULATOR && raw.IDENTITY_MODE === "sso")
      invalid(
        "DEV_SIMULATOR",
        "the simulator would start sessions for any trader id next to real SSO traders; not with IDENTITY_MODE=sso in production",
      );
    else if (raw.DEV_SIMULATOR && !raw.CTRADER_API_URL && !raw.DEV_SIMULATOR_IN_PRODUCTION)
      invalid(
        "DEV_SIMULATOR",
        "runs a fake cTrader anyone can sign in through; in production (demos only) also set DEV_SIMULATOR_IN_PRODUCTION=1",
      );
    if (raw.IDENTITY_MODE === "ot-handoff" && !simulatorEnabled) {
      if (!raw.CTRADER_API_URL) missing("CTRADER_API_URL", "base URL of the cTrader backend");
      if (!raw.CTRADER_MANAGER_TOKEN)
        missing("CTRADER_MANAGER_TOKEN", "manager token for the redeem call");
    }
    if (raw.IDENTITY_MODE === "sso" && !raw.CRM_API_PASSWORD)
      missing("CRM_API_PASSWORD", "password cTrader sends to /oauth2/crmApiToken");
    // A staging configuration copied to production: every verdict would be the vendor's
    // simulation, and a simulated approval passes the vendor check.
    for (const [variable, prefix] of SANDBOX_TOKENS)
      if (raw[variable]?.startsWith(prefix) && !raw.VENDOR_SANDBOX_IN_PRODUCTION)
        invalid(
          variable,
          `is a sandbox token (${prefix}…): its verdicts are simulated; in production (demos only) also set VENDOR_SANDBOX_IN_PRODUCTION=1`,
        );
    // Vercel runs each request in a short-lived function with a read-only disk: PGlite would be a
    // database per instance, and local storage would lose the documents (or fail to write them).
    if (raw.VERCEL) {
      if (!raw.DATABASE_URL)
        missing("DATABASE_URL", "on Vercel: PGlite needs one process and a writable disk");
      if (raw.STORAGE_DRIVER !== "s3")
        invalid(
          "STORAGE_DRIVER",
          "must be s3 on Vercel: the local driver writes to the server's disk",
        );
    }
    // These secrets are all that authenticates a vendor's verdict: a guessable one forges them.
    for (const variable of ["SUMSUB_WEBHOOK_SECRET", "ONFIDO_WEBHOOK_TOKEN"] as const) {
      const secret = raw[variable];
      if (secret && secret.length < 16)
        invalid(
          variable,
          "must be at least 16 characters in production: it authenticates verdicts",
        );
    }
    // The benchmark's floor route writes to the append-only audit log without signing in.
    if (raw.BENCH_ROUTES && !isLoopbackOrigin(raw.PUBLIC_BASE_URL))
      invalid(
        "BENCH_ROUTES",
        "opens an unauthenticated route that writes to the audit log; in production only with a loopback PUBLIC_BASE_URL (a benchmark run)",
      );
    // Unset, a list is current however old: the checks would approve on a list nobody refreshed.
    if (raw.AUTO_APPROVE && raw.SCREENING_LIST_MAX_AGE_HOURS === undefined)
      missing(
        "SCREENING_LIST_MAX_AGE_HOURS",
        "with AUTO_APPROVE=1 in production: the age past which a screening list stops the checks approving, e.g. 48",
      );
  }
  if (raw.CTRADER_API_URL && !raw.CTRADER_MANAGER_TOKEN && !(isProduction && !raw.APP_SECRET))
    missing("CTRADER_MANAGER_TOKEN", "required whenever CTRADER_API_URL is set");
  if (raw.CTRADER_ACCOUNT_UPDATE && (!raw.CTRADER_API_URL || !raw.CTRADER_MANAGER_TOKEN))
    missing(
      "CTRADER_ACCOUNT_UPDATE",
      "CTRADER_API_URL and CTRADER_MANAGER_TOKEN are required with CTRADER_ACCOUNT_UPDATE=1",
    );
  // In SSO mode no redeem names the trader's login, and the launch's `account` is not signed
  // (lib/identity/entry.ts): the update would have no login it may change.
  if (raw.CTRADER_ACCOUNT_UPDATE && raw.IDENTITY_MODE === "sso")
    invalid(
      "CTRADER_ACCOUNT_UPDATE",
      "has no trading login to update in SSO mode: nothing confirms one (the launch's account is not signed)",
    );
  if (raw.EMAIL_SMTP_URL && !raw.EMAIL_FROM)
    missing("EMAIL_FROM", "the sender address; required with EMAIL_SMTP_URL");
  if (raw.STORAGE_DRIVER === "s3" && !raw.S3_BUCKET)
    missing("S3_BUCKET", "bucket for documents; required with STORAGE_DRIVER=s3");
  if (raw.APP_SECRET && raw.APP_SECRET.length < 32)
    issue(ctx, "APP_SECRET", "must be at least 32 characters");
  const closeUrl = raw.CLOSE_URL ?? "/inapp/close";
  if (!/^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)[:/]|\/(?!\/))/.test(closeUrl))
    issue(ctx, "CLOSE_URL", "must be https://…, a loopback http URL, or a path");
  const frames = parseFrameAncestors(raw.FRAME_ANCESTORS, isProduction);
  if ("invalid" in frames) issue(ctx, "FRAME_ANCESTORS", frames.invalid);
  checkServiceUrls(raw, ctx, isProduction);
  checkDatabaseUrl(raw, ctx, isProduction);
}

/** The configuration the app reads, built from the validated variables. */
function toConfig(raw: Raw) {
  const isProduction = raw.NODE_ENV === "production";
  const simulatorEnabled = isSimulatorEnabled(raw);
  const frameAncestors = parseFrameAncestors(raw.FRAME_ANCESTORS, isProduction) as string[];
  return {
    nodeEnv: raw.NODE_ENV,
    isProduction,
    database: raw.DATABASE_URL
      ? ({ kind: "postgres", url: raw.DATABASE_URL } as const)
      : ({ kind: "pglite", dataDir: raw.DATA_DIR } as const),
    dataDir: raw.DATA_DIR,
    /** Apply pending migrations at first use, or wait up to waitSeconds for someone else to. */
    migrations: { onStart: raw.MIGRATE_ON_START, waitSeconds: raw.MIGRATE_WAIT_SECONDS },
    port: raw.PORT,
    publicBaseUrl: (raw.PUBLIC_BASE_URL ?? `http://localhost:${raw.PORT}`).replace(/\/$/, ""),
    /** False only on a development server without PUBLIC_BASE_URL (production requires it). */
    publicBaseUrlConfigured: raw.PUBLIC_BASE_URL !== undefined,
    identityMode: raw.IDENTITY_MODE,
    ctrader: {
      /** undefined: the built-in simulator answers instead of cTrader. */
      apiUrl: raw.CTRADER_API_URL?.replace(/\/$/, ""),
      managerToken: raw.CTRADER_MANAGER_TOKEN ?? "simulator-manager-token",
      redeemApi: raw.CTRADER_REDEEM_API,
      /** undefined: the redeem API's documented path (lib/identity/ctrader-redeem.ts). */
      redeemPath: raw.CTRADER_REDEEM_PATH,
      timeoutMs: raw.CTRADER_TIMEOUT_MS,
    },
    crmApiPassword: raw.CRM_API_PASSWORD ?? (isProduction ? undefined : "development-crm-password"),
    crmApiTokenTtlDays: raw.CRM_API_TOKEN_TTL_DAYS,
    /** Bearer key of the broker CRM's calls to /api/crm/* (undefined: the API is off). */
    crmApiKey: raw.CRM_API_KEY,
    appSecret: raw.APP_SECRET ?? DEVELOPMENT_APP_SECRET,
    frameAncestors,
    closeUrl: raw.CLOSE_URL ?? "/inapp/close",
    session: {
      idleMinutes: raw.SESSION_IDLE_MINUTES,
      absoluteMinutes: raw.SESSION_ABSOLUTE_MINUTES,
    },
    simulatorEnabled,
    /** /api/dev/floor: the baseline route `npm run bench` compares against. Off unless asked. */
    benchRoutesEnabled: raw.BENCH_ROUTES,
    /** A JSON file replacing the built-in KYC levels (lib/kyc/levels.ts). */
    kycLevelsPath: raw.KYC_LEVELS_PATH,
    /** The lowest level a new case opens at, per trigger (levels checked when they load). */
    kycMinimumLevels: raw.KYC_MINIMUM_LEVELS,
    /** Contacts shown on the status screen (any may be unset). */
    support: { email: raw.SUPPORT_EMAIL, phone: raw.SUPPORT_PHONE, url: raw.SUPPORT_URL },
    /** The review time promised to traders while their case waits. */
    reviewTimeHours: raw.REVIEW_TIME_HOURS,
    brokerName: raw.BROKER_NAME,
    review: { fourEyesMinRisk: raw.FOUR_EYES_MIN_RISK, maxRetryRounds: raw.MAX_RETRY_ROUNDS },
    /** Re-verification: how many days before the document's expiry the renewal notice goes out. */
    renewal: { noticeDays: raw.RENEWAL_NOTICE_DAYS },
    /** Months between reviews of an approved case, per risk level (unknown risk: high). */
    periodicReviewMonths: {
      low: raw.PERIODIC_REVIEW_MONTHS_LOW,
      medium: raw.PERIODIC_REVIEW_MONTHS_MEDIUM,
      high: raw.PERIODIC_REVIEW_MONTHS_HIGH,
    },
    checks: {
      minAge: raw.MIN_AGE,
      autoApprove: raw.AUTO_APPROVE,
      mrz: raw.MRZ_CHECK,
      riskConfigPath: raw.RISK_CONFIG_PATH,
      sanctionsListPaths: listLocations(raw),
    },
    /** The scheduled list import (0: off) and whether list URLs may reach private addresses. */
    lists: {
      importEveryHours: raw.LISTS_IMPORT_HOURS,
      allowPrivate: raw.SANCTIONS_LIST_ALLOW_PRIVATE,
    },
    /** Status delivery: webhook endpoints and the secret of the scheduler route (unset: 401). */
    delivery: {
      webhooks: raw.WEBHOOK_ENDPOINTS,
      cronSecret: raw.CRON_SECRET,
      afterResponse: raw.DELIVER_AFTER_RESPONSE,
    },
    /** Traces over OTLP (null: off, no SDK loaded). */
    telemetry:
      raw.OTEL_EXPORTER_OTLP_ENDPOINT || raw.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        ? { serviceName: raw.OTEL_SERVICE_NAME }
        : null,
    /** Email to the trader on a status change (null: off, no `email:trader` destination). */
    email: raw.EMAIL_SMTP_URL && raw.EMAIL_FROM ? emailConfig(raw) : null,
    /** Access rights on the trading account after a decision (null: the adapter is off). */
    ctraderAccountUpdate: raw.CTRADER_ACCOUNT_UPDATE
      ? {
          path: raw.CTRADER_ACCOUNT_UPDATE_PATH,
          mapping: raw.CTRADER_ACCESS_RIGHTS ?? DEFAULT_ACCESS_RIGHTS,
        }
      : null,
    brand: {
      accent: raw.BRAND_ACCENT,
      accentDark: raw.BRAND_ACCENT_DARK,
      logoPath: raw.BRAND_LOGO_PATH,
      legalEntity: raw.BRAND_LEGAL_ENTITY,
    },
    storage: {
      driver: raw.STORAGE_DRIVER,
      /** Set exactly when driver is s3. */
      s3:
        raw.STORAGE_DRIVER === "s3" && raw.S3_BUCKET
          ? {
              bucket: raw.S3_BUCKET,
              region: raw.S3_REGION,
              endpoint: raw.S3_ENDPOINT?.replace(/\/$/, ""),
              forcePathStyle: raw.S3_FORCE_PATH_STYLE,
              serverSideEncryption: raw.S3_SERVER_SIDE_ENCRYPTION,
            }
          : undefined,
      uploadMaxBytes: raw.UPLOAD_MAX_BYTES,
      maxFilesPerCase: raw.UPLOAD_MAX_FILES_PER_CASE,
      /** Lifetime of an upload URL or POST policy (≤ 300 s). */
      uploadUrlTtlSeconds: raw.UPLOAD_URL_TTL_SECONDS,
    },
    /** Signed heads of the audit chain (both keys unset: no signing, verification by hashes only). */
    audit: {
      signingKey: raw.AUDIT_SIGNING_KEY,
      verifyKeys: (raw.AUDIT_VERIFY_KEY ?? "").split(/[ ,]+/).filter(Boolean),
      signEveryMinutes: raw.AUDIT_SIGN_MINUTES,
      verifyEveryMinutes: raw.AUDIT_VERIFY_MINUTES,
    },
    /** Limits of the server-side document check; one size limit for uploads and the check. */
    documents: { maxBytes: raw.UPLOAD_MAX_BYTES, maxPdfPages: raw.DOCUMENT_MAX_PDF_PAGES },
    staff: { trustedProxyHops: raw.TRUSTED_PROXY_HOPS, mfaForReviewers: raw.STAFF_MFA_REVIEWERS },
  };
}

/** Every variable, validated, then checked together, then shaped: the type comes from here. */
const envSchema = rawSchema
  .superRefine(checkCombinations)
  .superRefine(checkOperations)
  .superRefine(checkRetention)
  .superRefine(checkVendors)
  .transform((raw) => ({
    ...toConfig(raw),
    operations: operationsConfig(raw),
    retention: retentionConfig(raw),
    vendors: vendorsConfig(raw),
  }));

export type Env = z.output<typeof envSchema>;

/** The variables the app reads (the schema's keys): .env.example documents each (tested). */
export const ENV_VARIABLES = Object.keys(rawSchema.shape);

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const missing = result.error.issues.some((i) => i.message.startsWith("missing ("));
  throw new Error(`${missing ? "Missing" : "Invalid"} configuration:\n  ${lines.join("\n  ")}`);
}

function emailConfig(raw: Raw) {
  const url = new URL(raw.EMAIL_SMTP_URL!);
  const secure = url.protocol === "smtps:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const tlsFlag = raw.EMAIL_REQUIRE_TLS;
  return {
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // Safer default: anything that leaves the machine goes encrypted or not at all. A loopback
    // relay (a local MTA, the test sink) may speak plain SMTP.
    requireTls:
      tlsFlag === undefined ? !isLoopbackHost(host) : tlsFlag === "1" || tlsFlag === "true",
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    from: raw.EMAIL_FROM!,
    statuses: raw.EMAIL_STATUSES ?? DEFAULT_EMAIL_STATUSES,
    renewalDue: raw.EMAIL_RENEWAL_DUE !== "0" && raw.EMAIL_RENEWAL_DUE !== "false",
  };
}

let cached: Env | undefined;

/** The parsed configuration; throws (naming the variable) on the first call if it is invalid. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change process.env between cases; this makes the next env() call re-read it. */
export function resetEnvCache(): void {
  cached = undefined;
}
