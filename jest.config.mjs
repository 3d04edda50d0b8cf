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
  // After `npm run build`, .next/standalone holds a copy of package.json: without this jest's
  // module map warns about a duplicate package on every run.
  modulePathIgnorePatterns: ["<rootDir>/.next/"],
};

const jestConfig = async () => {
  const cfg = await createJestConfig(config)();
  // next/jest appends ours after its own "/node_modules/" rule; replace the list instead.
  cfg.transformIgnorePatterns = [
    `/node_modules/(?!(${esmPackages.join("|")})/)`,
    "^.+\\.module\\.(css|sass|scss)$",
  ];
  return cfg;
};

export default jestConfig;
