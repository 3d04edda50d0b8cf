import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

/** Domain modules: framework-free, testable, and unaware of URLs, cookies and screens. */
const DOMAIN = [
  "lib/identity/**",
  "lib/kyc/**",
  "lib/documents/**",
  "lib/checks/**",
  "lib/review/**",
  "lib/delivery/**",
  "lib/screening/**",
  "lib/vendors/**",
  "lib/retention/**",
];

const config = [
  ...nextVitals,
  ...nextTypescript,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      "drizzle/**",
      "test-results/**",
      "next-env.d.ts",
      "bench-results/**",
    ],
  },
  {
    // Routes stay thin: pages and handlers call lib/, and only lib/db/queries touches the database.
    files: ["app/**", "proxy.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/db", "@/lib/db/*", "@/lib/db/**"],
              message: "Routes call a lib/ module; only lib/db/queries touches the database.",
            },
          ],
        },
      ],
    },
  },
  {
    files: DOMAIN,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["next", "next/*"],
              message: "Domain modules do not know Next.js; the screen layer (lib/inapp) does.",
            },
            {
              group: ["@/lib/inapp", "@/lib/inapp/*"],
              message: "Domain modules return data; URLs and cookies belong to lib/inapp.",
            },
            {
              group: ["@/lib/dev", "@/lib/dev/*"],
              message: "The production path never loads the development simulator.",
            },
          ],
        },
      ],
    },
  },
];

export default config;
