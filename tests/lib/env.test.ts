import { readFileSync } from "node:fs";
import path from "node:path";
import { DEVELOPMENT_APP_SECRET, ENV_VARIABLES, parseEnv } from "@/lib/env";

const prodSecrets = {
  NODE_ENV: "production",
  APP_SECRET: "x".repeat(40),
  PUBLIC_BASE_URL: "https://kyc.broker.example",
  CTRADER_API_URL: "https://ctrader.example",
  CTRADER_MANAGER_TOKEN: "m",
};

/** What `npm run dev` runs with: NODE_ENV=development (next dev sets it). */
const dev = (source: Record<string, string | undefined> = {}) =>
  parseEnv({ NODE_ENV: "development", ...source });

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
    expect(dev({ DATABASE_URL: "" }).database.kind).toBe("pglite");
    expect(dev({ DATABASE_URL: "postgres://u@h/db" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u@h/db",
    });
  });

  it("applies migrations at start by default, on PGlite and PostgreSQL; MIGRATE_ON_START=0 waits a bounded time", () => {
    expect(dev().migrations).toEqual({ onStart: true, waitSeconds: 60 });
    expect(dev({ DATABASE_URL: "postgres://u@h/db" }).migrations.onStart).toBe(true);
    expect(
      dev({ DATABASE_URL: "postgres://u@h/db", MIGRATE_ON_START: "0", MIGRATE_WAIT_SECONDS: "5" })
        .migrations,
    ).toEqual({ onStart: false, waitSeconds: 5 });
    expect(() => dev({ MIGRATE_ON_START: "no" })).toThrow("MIGRATE_ON_START");
    expect(() => dev({ MIGRATE_WAIT_SECONDS: "-1" })).toThrow("MIGRATE_WAIT_SECONDS");
  });

  it.each([
    ["APP_SECRET", { ...prodSecrets, APP_SECRET: undefined }],
    ["CTRADER_API_URL", { ...prodSecrets, CTRADER_API_URL: undefined }],
    ["CTRADER_MANAGER_TOKEN", { ...prodSecrets, CTRADER_MANAGER_TOKEN: "" }],
    ["CRM_API_PASSWORD", { ...prodSecrets, IDENTITY_MODE: "sso" }],
  ])("refuses to start in production without %s and names it", (name, source) => {
    expect(() => parseEnv(source)).toThrow(name);
  });

  it("runs as production when NODE_ENV is unset (a bare worker or operator command)", () => {
    expect(() => parseEnv({})).toThrow("APP_SECRET");
    expect(parseEnv({ ...prodSecrets, NODE_ENV: undefined }).isProduction).toBe(true);
    expect(parseEnv({ ...prodSecrets, NODE_ENV: "" }).isProduction).toBe(true);
  });

  it.each([
    ["APP_SECRET", { APP_SECRET: DEVELOPMENT_APP_SECRET }, "development secret"],
    ["CRM_API_PASSWORD", { IDENTITY_MODE: "sso", CRM_API_PASSWORD: "p".repeat(31) }, "32"],
    ["METRICS_TOKEN", { METRICS_TOKEN: "m".repeat(31) }, "32"],
    ["PUBLIC_BASE_URL", { PUBLIC_BASE_URL: undefined }, "missing"],
    ["FRAME_ANCESTORS", { FRAME_ANCESTORS: "https://*" }, "wildcard"],
    ["FRAME_ANCESTORS", { FRAME_ANCESTORS: "https://app.ctrader.com *.com" }, "wildcard"],
    ["FRAME_ANCESTORS", { FRAME_ANCESTORS: "https://*.ctrader.com" }, "wildcard"],
    ["FRAME_ANCESTORS", { FRAME_ANCESTORS: "http://app.ctrader.com" }, "plain http"],
    [
      "DEV_SIMULATOR",
      { CTRADER_API_URL: undefined, DEV_SIMULATOR: "1" },
      "DEV_SIMULATOR_IN_PRODUCTION",
    ],
    ["SCREENING_LIST_MAX_AGE_HOURS", { AUTO_APPROVE: "1" }, "with AUTO_APPROVE=1"],
    ["CTRADER_API_URL", { CTRADER_API_URL: "http://ctrader.example" }, "https in production"],
    ["PUBLIC_BASE_URL", { PUBLIC_BASE_URL: "http://kyc.broker.example" }, "https in production"],
    ["PUBLIC_BASE_URL", { PUBLIC_BASE_URL: "https://broker.example/kyc" }, "origin only"],
    ["S3_ENDPOINT", { S3_ENDPOINT: "http://minio:9000" }, "https in production"],
    ["SUMSUB_BASE_URL", { SUMSUB_BASE_URL: "ftp://sumsub.example" }, "must be an https URL"],
    ["ONFIDO_BASE_URL", { ONFIDO_BASE_URL: "https://u:p@onfido.example" }, "user name"],
    ["SUMSUB_APP_TOKEN", { SUMSUB_APP_TOKEN: "sbx:abc" }, "VENDOR_SANDBOX_IN_PRODUCTION"],
    ["ONFIDO_API_TOKEN", { ONFIDO_API_TOKEN: "api_sandbox.abc" }, "sandbox token"],
    ["BENCH_ROUTES", { BENCH_ROUTES: "1" }, "audit log"],
    ["SUMSUB_WEBHOOK_SECRET", { SUMSUB_WEBHOOK_SECRET: "w".repeat(15) }, "16 characters"],
    ["ONFIDO_WEBHOOK_TOKEN", { ONFIDO_WEBHOOK_TOKEN: "short" }, "authenticates verdicts"],
    ["DATABASE_URL", { DATABASE_URL: "postgres://kyc:pw@db.example.com/kyc" }, "sslmode"],
    ["DATABASE_URL", { DATABASE_URL: "mysql://kyc:pw@db.example.com/kyc" }, "postgres:// URL"],
    ["DATABASE_URL", { DATABASE_URL: "postgres://db.example.com/kyc?sslmode=prefer" }, "fall"],
    // postgres.js reads only sslrootcert=system as a TLS setting: a file alone stays plaintext.
    [
      "DATABASE_URL",
      { DATABASE_URL: "postgres://db.example.com/k?sslrootcert=/ca.pem" },
      "sslmode",
    ],
    ["DATABASE_URL", { DATABASE_URL: "postgres://127.0.0.1,db.example.com/kyc" }, "sslmode"],
    ["DATABASE_URL", { VERCEL: "1", STORAGE_DRIVER: "s3", S3_BUCKET: "kyc" }, "on Vercel"],
    ["STORAGE_DRIVER", { VERCEL: "1", DATABASE_URL: "postgres://127.0.0.1/kyc" }, "s3 on Vercel"],
  ])("refuses to start in production with an unsafe %s", (name, change, why) => {
    const source = { ...prodSecrets, ...change };
    expect(() => parseEnv(source)).toThrow(name);
    expect(() => parseEnv(source)).toThrow(why);
  });

  it("takes plain http on a loopback host, sandbox tokens when acknowledged, and a benchmark's routes on loopback", () => {
    const loopback = parseEnv({
      ...prodSecrets,
      PUBLIC_BASE_URL: "http://127.0.0.1:3999",
      CTRADER_API_URL: "http://localhost:4010",
      S3_ENDPOINT: "http://[::1]:9000",
      BENCH_ROUTES: "1",
    });
    expect([loopback.publicBaseUrl, loopback.benchRoutesEnabled]).toEqual([
      "http://127.0.0.1:3999",
      true,
    ]);
    expect(() =>
      parseEnv({
        ...prodSecrets,
        SUMSUB_APP_TOKEN: "sbx:abc",
        ONFIDO_API_TOKEN: "api_sandbox.abc",
        VENDOR_SANDBOX_IN_PRODUCTION: "1",
      }),
    ).not.toThrow();
    for (const url of [
      "postgres://kyc:pw@db.example.com/kyc?sslmode=verify-full",
      "postgresql://kyc:pw@postgres:5432/kyc?sslmode=disable",
      "postgres://postgres@127.0.0.1:5432/kyc",
      "postgres://u:p@db1:5432,db2:5432/kyc?sslmode=verify-full&target_session_attrs=primary",
      "postgres://u:p@db.example.com/kyc?sslrootcert=system",
      "postgres://u:p@[::1]:5432/kyc",
    ])
      expect(parseEnv({ ...prodSecrets, DATABASE_URL: url }).database).toEqual({
        kind: "postgres",
        url,
      });
    // Outside production the sandbox is what a developer uses, and http is any host's.
    expect(() =>
      dev({
        SUMSUB_APP_TOKEN: "sbx:abc",
        CTRADER_API_URL: "http://ctrader.test",
        CTRADER_MANAGER_TOKEN: "m",
      }),
    ).not.toThrow();
    expect(() =>
      dev({ CTRADER_API_URL: "https://u:p@ctrader.test", CTRADER_MANAGER_TOKEN: "m" }),
    ).toThrow("user name");
  });

  it("accepts a 32-character CRM password, named framing origins and auto-approval with a list age limit in production", () => {
    const env = parseEnv({
      ...prodSecrets,
      IDENTITY_MODE: "sso",
      CRM_API_PASSWORD: "p".repeat(32),
      FRAME_ANCESTORS: "https://app.ctrader.com 'self'",
    });
    expect(env.crmApiPassword).toHaveLength(32);
    expect(env.frameAncestors).toEqual(["https://app.ctrader.com", "'self'"]);
    const auto = parseEnv({
      ...prodSecrets,
      AUTO_APPROVE: "1",
      SCREENING_LIST_MAX_AGE_HOURS: "48",
    });
    expect([auto.checks.autoApprove, auto.operations.screeningListMaxAgeHours]).toEqual([true, 48]);
  });

  it("takes the operations settings: a metrics key (32+ in production), the list age limit, a transaction pooler", () => {
    expect(parseEnv({ ...prodSecrets, METRICS_TOKEN: "m".repeat(32) }).operations).toEqual({
      metricsToken: "m".repeat(32),
      screeningListMaxAgeHours: undefined,
      transactionPooler: false,
    });
    expect(dev({ METRICS_TOKEN: "m".repeat(16) }).operations.metricsToken).toHaveLength(16);
    expect(() => dev({ METRICS_TOKEN: "short" })).toThrow("METRICS_TOKEN");
    const pooled = dev({ SCREENING_LIST_MAX_AGE_HOURS: "36", DATABASE_POOLER: "transaction" });
    expect(pooled.operations).toMatchObject({
      screeningListMaxAgeHours: 36,
      transactionPooler: true,
    });
    expect(() => dev({ DATABASE_POOLER: "statement" })).toThrow("DATABASE_POOLER");
    expect(() => dev({ SCREENING_LIST_MAX_AGE_HOURS: "0" })).toThrow(
      "SCREENING_LIST_MAX_AGE_HOURS",
    );
  });

  it("runs the simulator in production only when asked twice, and never beside SSO traders", () => {
    const demo = { ...prodSecrets, CTRADER_API_URL: undefined, CTRADER_MANAGER_TOKEN: undefined };
    expect(parseEnv(prodSecrets).simulatorEnabled).toBe(false);
    expect(
      parseEnv({ ...demo, DEV_SIMULATOR: "1", DEV_SIMULATOR_IN_PRODUCTION: "1" }).simulatorEnabled,
    ).toBe(true);
    expect(() =>
      parseEnv({
        ...demo,
        IDENTITY_MODE: "sso",
        CRM_API_PASSWORD: "p".repeat(40),
        DEV_SIMULATOR: "1",
        DEV_SIMULATOR_IN_PRODUCTION: "1",
      }),
    ).toThrow(/DEV_SIMULATOR: .*IDENTITY_MODE=sso/);
    // Development keeps the simulator whatever the mode: there are no real traders there.
    expect(dev({ IDENTITY_MODE: "sso" }).simulatorEnabled).toBe(true);
  });

  it("reads the brand (colours, logo under public/, legal entity) and refuses unsafe values", () => {
    expect(dev().brand).toEqual({
      accent: undefined,
      accentDark: undefined,
      logoPath: undefined,
      legalEntity: undefined,
    });
    expect(
      dev({
        BRAND_ACCENT: "#7a1fa2",
        BRAND_ACCENT_DARK: "#d7a6f0",
        BRAND_LOGO_PATH: "/brand/logo.svg",
        BRAND_LEGAL_ENTITY: "Example Markets Ltd, authorised by CySEC (000/00)",
      }).brand,
    ).toMatchObject({ accent: "#7a1fa2", logoPath: "/brand/logo.svg" });
    expect(() => dev({ BRAND_ACCENT: "red;}body{display:none" })).toThrow("BRAND_ACCENT");
    expect(() => dev({ BRAND_LOGO_PATH: "https://evil.example/x.png" })).toThrow("BRAND_LOGO_PATH");
    expect(() => dev({ BRAND_LOGO_PATH: "/../../etc/passwd.png" })).toThrow("BRAND_LOGO_PATH");
  });

  it("names the variable when a value is malformed", () => {
    expect(() => dev({ IDENTITY_MODE: "magic" })).toThrow("IDENTITY_MODE");
    expect(() => dev({ CTRADER_TIMEOUT_MS: "60000" })).toThrow("CTRADER_TIMEOUT_MS");
    expect(() => dev({ APP_SECRET: "short" })).toThrow("APP_SECRET");
    expect(() => dev({ FRAME_ANCESTORS: "javascript:alert(1)" })).toThrow("FRAME_ANCESTORS");
    expect(() => dev({ CLOSE_URL: "javascript:alert(1)" })).toThrow("CLOSE_URL");
    expect(() => dev({ CLOSE_URL: "//evil.example" })).toThrow("CLOSE_URL");
    expect(() => dev({ CTRADER_REDEEM_PATH: "cid/redeem?x=1" })).toThrow("CTRADER_REDEEM_PATH");
    expect(dev({ CTRADER_REDEEM_PATH: "/cid/ctid2/inAppToken/redeem" }).ctrader.redeemPath).toBe(
      "/cid/ctid2/inAppToken/redeem",
    );
  });

  it("lets only our own origin frame the screens in production until FRAME_ANCESTORS names cTrader Web", () => {
    expect(parseEnv(prodSecrets).frameAncestors).toEqual(["'self'"]);
    const configured = parseEnv({
      ...prodSecrets,
      FRAME_ANCESTORS: "https://app.ctrader.com, https://web.broker.example",
    });
    expect(configured.frameAncestors).toEqual([
      "https://app.ctrader.com",
      "https://web.broker.example",
    ]);
    // A production run on this machine may be framed from loopback over plain http.
    expect(
      parseEnv({ ...prodSecrets, FRAME_ANCESTORS: "http://127.0.0.1:3100" }).frameAncestors,
    ).toEqual(["http://127.0.0.1:3100"]);
    // Development frames from any loopback port (the simulator's host page).
    expect(dev({ FRAME_ANCESTORS: "http://localhost:*" }).frameAncestors).toEqual([
      "http://localhost:*",
    ]);
  });
});

describe("automated checks configuration", () => {
  it("defaults to age 18, no auto-approval, no MRZ reading, no risk file and no lists", () => {
    expect(dev().checks).toEqual({
      minAge: 18,
      autoApprove: false,
      mrz: false,
      riskConfigPath: undefined,
      sanctionsListPaths: [],
    });
  });

  it("reads several comma-separated list files and refuses an implausible minimum age", () => {
    const env = dev({
      MIN_AGE: "21",
      AUTO_APPROVE: "1",
      SANCTIONS_LIST_PATH: " /lists/sdn.csv, /lists/pep.csv ,",
    });
    expect(env.checks).toMatchObject({
      minAge: 21,
      autoApprove: true,
      sanctionsListPaths: ["/lists/sdn.csv", "/lists/pep.csv"],
    });
    expect(() => dev({ MIN_AGE: "12" })).toThrow("MIN_AGE");
  });

  it("takes https list URLs beside files, and a schedule only with lists to import", () => {
    const env = dev({
      SANCTIONS_LIST_PATH: "/lists/sdn.csv,https://lists.example/pep.csv",
      LISTS_IMPORT_HOURS: "12",
    });
    expect(env.checks.sanctionsListPaths).toEqual([
      "/lists/sdn.csv",
      "https://lists.example/pep.csv",
    ]);
    expect(env.lists).toEqual({ importEveryHours: 12, allowPrivate: false });
    expect(dev().lists).toEqual({ importEveryHours: 0, allowPrivate: false });
    expect(() => dev({ SANCTIONS_LIST_PATH: "http://mirror.internal/pep.csv" })).toThrow(
      /SANCTIONS_LIST_PATH.*SANCTIONS_LIST_ALLOW_PRIVATE/s,
    );
    expect(
      dev({
        SANCTIONS_LIST_PATH: "http://mirror.internal/pep.csv",
        SANCTIONS_LIST_ALLOW_PRIVATE: "1",
      }).lists.allowPrivate,
    ).toBe(true);
    expect(() => dev({ SANCTIONS_LIST_PATH: "ftp://lists.example/pep.csv" })).toThrow(
      "SANCTIONS_LIST_PATH",
    );
    expect(() => dev({ SANCTIONS_LIST_PATH: "https://u:p@lists.example/pep.csv" })).toThrow(
      "no credentials",
    );
    expect(() => dev({ LISTS_IMPORT_HOURS: "24" })).toThrow("LISTS_IMPORT_HOURS");
  });
});

describe("retention and keys configuration", () => {
  it("defaults to APP_SECRET's key alone, 90-day drafts and 5 years after the relationship", () => {
    expect(dev().retention).toEqual({
      appKeys: [],
      draftDays: 90,
      draftRules: [],
      supersededDays: 0,
      supersededRules: [],
      caseYears: 5,
      caseRules: [],
    });
    expect(() => dev({ RETENTION_CASE_YEARS: "0" })).toThrow("RETENTION_CASE_YEARS");
  });

  it("reads periods per outcome, per trigger and per both from RETENTION_CASE_YEARS_BY", () => {
    expect(
      dev({ RETENTION_CASE_YEARS_BY: "rejected=7, compliance_notice=10,approved/manual=6" })
        .retention.caseRules,
    ).toEqual([
      { status: "rejected", years: 7 },
      { trigger: "compliance_notice", years: 10 },
      { status: "approved", trigger: "manual", years: 6 },
    ]);
    for (const bad of [
      "refused=5",
      "rejected",
      "rejected=0",
      "rejected=31",
      "manual/rejected=5",
      "rejected=5,rejected=6",
      "rejected=five",
    ])
      expect(() => dev({ RETENTION_CASE_YEARS_BY: bad })).toThrow(
        /^Invalid configuration:\n {2}RETENTION_CASE_YEARS_BY: /,
      ); // An expired case's outcome is its approval: a rule for `expired` would never apply.
    expect(() => dev({ RETENTION_CASE_YEARS_BY: "expired=8" })).toThrow(
      /RETENTION_CASE_YEARS_BY: "expired=8": a case's outcome is its last decision/,
    );
  });

  it("reads draft periods per trigger and replaced-document periods per decision and trigger, with the case rules' syntax", () => {
    const retention = dev({
      RETENTION_DRAFT_DAYS_BY: "compliance_notice=30, manual=180",
      RETENTION_SUPERSEDED_DAYS_BY: "rejected=365,approved/compliance_notice=0",
    }).retention;
    expect(retention.draftRules).toEqual([
      { trigger: "compliance_notice", days: 30 },
      { trigger: "manual", days: 180 },
    ]);
    expect(retention.supersededRules).toEqual([
      { status: "rejected", days: 365 },
      { status: "approved", trigger: "compliance_notice", days: 0 },
    ]);
    // A draft's outcome is always `draft`: only its trigger tells drafts apart.
    for (const bad of [
      "approved=30",
      "draft=30",
      "manual=0",
      "manual=3651",
      "manual",
      "manual=9,manual=8",
    ])
      expect(() => dev({ RETENTION_DRAFT_DAYS_BY: bad })).toThrow(
        /^Invalid configuration:\n {2}RETENTION_DRAFT_DAYS_BY: /,
      );
    // A replaced upload's round was decided: approved or rejected, never another status.
    for (const bad of ["in_review=3", "manual/rejected=5", "rejected=3651", "rejected=x"])
      expect(() => dev({ RETENTION_SUPERSEDED_DAYS_BY: bad })).toThrow(
        /^Invalid configuration:\n {2}RETENTION_SUPERSEDED_DAYS_BY: /,
      );
    expect(() => dev({ RETENTION_SUPERSEDED_DAYS_BY: "expired=3" })).toThrow(
      /RETENTION_SUPERSEDED_DAYS_BY: "expired=3": a case's outcome is its last decision/,
    );
  });

  it("refuses in production a case period shorter than AML's five years, naming the variable", () => {
    expect(parseEnv({ ...prodSecrets }).retention.caseYears).toBe(5);
    expect(() => parseEnv({ ...prodSecrets, RETENTION_CASE_YEARS: "4" })).toThrow(
      /RETENTION_CASE_YEARS: below the 5 years AML/,
    );
    expect(() =>
      parseEnv({ ...prodSecrets, RETENTION_CASE_YEARS_BY: "approved=6,rejected/manual=3" }),
    ).toThrow(/RETENTION_CASE_YEARS_BY: rejected\/manual=3 is below the 5 years AML/);
    expect(
      parseEnv({ ...prodSecrets, RETENTION_CASE_YEARS_BY: "rejected=10" }).retention.caseRules,
    ).toEqual([{ status: "rejected", years: 10 }]);
    // Development and tests walk through the years with shorter periods.
    expect(dev({ RETENTION_CASE_YEARS: "1" }).retention.caseYears).toBe(1);
  });

  it("reads APP_KEYS with the first key current, and refuses a malformed keyring naming APP_KEYS", () => {
    const secret = "s".repeat(32);
    expect(dev({ APP_KEYS: `k3:${secret}, k2:${"t".repeat(40)}` }).retention.appKeys).toEqual([
      { id: "k3", secret },
      { id: "k2", secret: "t".repeat(40) },
    ]);
    for (const bad of [
      "k2",
      `k2:short`,
      `K2:${secret}`,
      `k1:${secret}`,
      `k2:${secret},k2:${"u".repeat(32)}`,
      `k2:${DEVELOPMENT_APP_SECRET}`,
    ])
      expect(() => dev({ APP_KEYS: bad })).toThrow("APP_KEYS");
  });
});

describe("re-verification configuration", () => {
  it("sends the renewal notice 30 days ahead by default and refuses a notice beyond a year", () => {
    expect(dev().renewal).toEqual({ noticeDays: 30 });
    expect(dev({ RENEWAL_NOTICE_DAYS: "0" }).renewal).toEqual({ noticeDays: 0 });
    expect(dev({ RENEWAL_NOTICE_DAYS: "60" }).renewal).toEqual({ noticeDays: 60 });
    for (const bad of ["366", "-1", "soon", "1.5"])
      expect(() => dev({ RENEWAL_NOTICE_DAYS: bad })).toThrow("RENEWAL_NOTICE_DAYS");
  });

  it("reviews approved cases every 60, 36 or 12 months by risk, and refuses a period out of range", () => {
    expect(dev().periodicReviewMonths).toEqual({ low: 60, medium: 36, high: 12 });
    expect(
      dev({ PERIODIC_REVIEW_MONTHS_LOW: "24", PERIODIC_REVIEW_MONTHS_HIGH: "6" })
        .periodicReviewMonths,
    ).toEqual({ low: 24, medium: 36, high: 6 });
    for (const [name, bad] of [
      ["PERIODIC_REVIEW_MONTHS_LOW", "0"],
      ["PERIODIC_REVIEW_MONTHS_MEDIUM", "241"],
      ["PERIODIC_REVIEW_MONTHS_HIGH", "yearly"],
    ] as const)
      expect(() => dev({ [name]: bad })).toThrow(name);
  });

  it("maps the renewal states to access rights, and refuses an unknown right for them", () => {
    const adapter = {
      CTRADER_ACCOUNT_UPDATE: "1",
      CTRADER_API_URL: "https://ctrader.example",
      CTRADER_MANAGER_TOKEN: "m",
    };
    const mapping = (json: string) =>
      dev({ ...adapter, CTRADER_ACCESS_RIGHTS: json }).ctraderAccountUpdate?.mapping;
    expect(dev(adapter).ctraderAccountUpdate?.mapping["*"]).toMatchObject({
      renewal_due: "FULL_ACCESS",
      expired: "CLOSE_ONLY",
    });
    expect(mapping('{"*":{"expired":"NO_TRADING","renewal_due":"CLOSE_ONLY"}}')).toEqual({
      "*": { expired: "NO_TRADING", renewal_due: "CLOSE_ONLY" },
    });
    expect(() => mapping('{"*":{"expired":"READ_ONLY"}}')).toThrow("CTRADER_ACCESS_RIGHTS");
  });
});

describe("verification vendors configuration", () => {
  const sumsub = {
    SUMSUB_APP_TOKEN: "sbx:app",
    SUMSUB_SECRET_KEY: "secret",
    SUMSUB_WEBHOOK_SECRET: "hook",
    SUMSUB_LEVELS: '{"standard":"basic-kyc-level"}',
  };

  it("is off by default: no level uses a vendor and no vendor is configured", () => {
    expect(dev().vendors).toEqual({ levels: {}, sumsub: null, onfido: null });
  });

  it("reads per level a vendor, with our local checks kept unless told otherwise", () => {
    const env = dev({
      VENDOR_LEVELS:
        '{"standard":{"vendor":"sumsub"},"enhanced":{"vendor":"onfido","local":false}}',
      ...sumsub,
      SUMSUB_LEVELS: '{"standard":"basic-kyc-level"}',
      ONFIDO_API_TOKEN: "api_sandbox.x",
      ONFIDO_WEBHOOK_TOKEN: "wh",
      ONFIDO_REPORTS: "document, facial_similarity_motion",
    });
    expect(env.vendors.levels).toEqual({
      standard: { vendor: "sumsub", local: true },
      enhanced: { vendor: "onfido", local: false },
    });
    expect(env.vendors.sumsub).toMatchObject({
      appToken: "sbx:app",
      levels: { standard: "basic-kyc-level" },
    });
    expect(env.vendors.onfido).toMatchObject({
      region: "eu",
      reports: ["document", "facial_similarity_motion"],
    });
  });

  it("refuses to start when a named vendor lacks its credentials or webhook secret, naming each", () => {
    const error = (() => {
      try {
        parseEnv({ ...prodSecrets, VENDOR_LEVELS: '{"standard":{"vendor":"sumsub"}}' });
      } catch (caught) {
        return String(caught);
      }
      return "";
    })();
    for (const variable of [
      "SUMSUB_APP_TOKEN",
      "SUMSUB_SECRET_KEY",
      "SUMSUB_WEBHOOK_SECRET",
      "SUMSUB_LEVELS",
    ])
      expect(error).toContain(variable);
    expect(() =>
      dev({ VENDOR_LEVELS: '{"basic":{"vendor":"onfido"}}', ONFIDO_API_TOKEN: "t" }),
    ).toThrow("ONFIDO_WEBHOOK_TOKEN: missing");
    // A Sumsub level for every level Sumsub verifies.
    expect(() => dev({ VENDOR_LEVELS: '{"basic":{"vendor":"sumsub"}}', ...sumsub })).toThrow(
      /SUMSUB_LEVELS: missing .*level "basic"/,
    );
    expect(() => dev({ VENDOR_LEVELS: '{"standard":{"vendor":"acme"}}' })).toThrow("VENDOR_LEVELS");
    expect(() => dev({ VENDOR_LEVELS: "sumsub" })).toThrow("VENDOR_LEVELS: not valid JSON");
  });

  it("configures a vendor's credentials without using them when no level names it", () => {
    expect(dev({ ...sumsub }).vendors.sumsub).toBeNull();
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
