import { availableParallelism } from "node:os";
import nextJest from "next/jest.js";

const createJestConfig = nextJest({ dir: "./" });

// ESM-only packages jest must transform (next-intl, use-intl, some msw dependencies, any-ascii,
// file-type with its tokenizer dependencies, otplib's noble hashes and scure base32, p-limit, mrz).
const esmPackages = [
  "next-intl",
  "use-intl",
  "@formatjs",
  "intl-messageformat",
  "icu-minify",
  "rettime",
  "until-async",
  "@open-draft",
  "any-ascii",
  "file-type",
  "strtok3",
  "token-types",
  "@tokenizer",
  "@borewit",
  "uint8array-extras",
  "@noble",
  "@scure",
  "p-limit",
  "yocto-queue",
  "mrz",
];

/** @type {import('jest').Config} */
const config = {
  testEnvironment: "node",
  moduleNameMapper: { "^@/(.*)$": "<rootDir>/$1" },
  testMatch: ["<rootDir>/tests/**/*.test.ts"],
  globalSetup: "<rootDir>/tests/helpers/global-setup.ts",
  globalTeardown: "<rootDir>/tests/helpers/global-teardown.ts",
  setupFiles: ["<rootDir>/tests/helpers/setup-env.ts"],
  testTimeout: 30_000,
  // A worker per core, up to four: a test file spends about half its time waiting on its own
  // database and files, and each file has its own database. Jest's default on two cores is one.
  maxWorkers: Math.min(4, availableParallelism()),
  // After `npm run build`, .next/standalone holds a copy of package.json: without this jest's
  // module map warns about a duplicate package on every run.
  modulePathIgnorePatterns: ["<rootDir>/.next/"],
};

/**
 * The lifecycle scenarios (scheduled jobs with an injected clock, erasure, crypto-shredding,
 * operator commands as their own process) must hold on both engines the app ships with. With
 * DATABASE_URL set (CI) every file runs on PostgreSQL, and these run a second time on PGlite;
 * without it everything runs on PGlite once.
 */
const PGLITE_TOO = [
  "crypto-shredding",
  "interrupted-erasure",
  "lists-change-in-review",
  "lists-stale",
  "lists-unreadable",
  "lists-remove",
  "periodic-review",
  "relationship-end",
  "renewal",
  "rescreen-resume",
  "retention",
  "retention-drafts",
  "subject-access",
  "upgrades",
  "vendor",
].map((name) => `<rootDir>/tests/scenarios/${name}.test.ts`);

const jestConfig = async () => {
  const cfg = await createJestConfig(config)();
  // next/jest appends ours after its own "/node_modules/" rule; replace the list instead.
  cfg.transformIgnorePatterns = [
    `/node_modules/(?!(${esmPackages.join("|")})/)`,
    "^.+\\.module\\.(css|sass|scss)$",
  ];
  if (!process.env.DATABASE_URL) return cfg;
  const { testTimeout, maxWorkers, ...projectCfg } = cfg;
  return {
    testTimeout,
    maxWorkers,
    projects: [
      { ...projectCfg, displayName: "postgresql" },
      {
        ...projectCfg,
        displayName: "pglite",
        testMatch: PGLITE_TOO,
        globalSetup: undefined,
        globalTeardown: undefined,
        setupFiles: [...projectCfg.setupFiles, "<rootDir>/tests/helpers/pglite-project.ts"],
      },
    ],
  };
};

export default jestConfig;
