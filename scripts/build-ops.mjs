// After `next build`: compiles the worker and the operator commands into plain JavaScript beside
// the standalone server (.next/standalone/ops/*.mjs) and adds the image's entrypoint (kyc.mjs), so
// one image runs the server, the worker and every command without tsx or TypeScript sources.
// Packages with native or WebAssembly parts stay external: the standalone server already ships
// them in its node_modules (Next traced them), and the commands load them from there.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const out = ".next/standalone";
if (!existsSync(out)) process.exit(0);

export const COMMANDS = {
  worker: "scripts/worker.ts",
  migrate: "scripts/db-migrate.ts",
  "staff:create": "scripts/staff-create.ts",
  "lists:import": "scripts/lists-import.ts",
  "lists:remove": "scripts/lists-remove.ts",
  "audit:verify": "scripts/audit-verify.ts",
  "documents:seal": "scripts/documents-seal.ts",
};
const require = createRequire(import.meta.url);
const EXTERNAL = require("./ops-external.cjs");
mkdirSync(`${out}/ops`, { recursive: true });
await build({
  entryPoints: Object.fromEntries(
    Object.entries(COMMANDS).map(([name, file]) => [name.replace(":", "-"), file]),
  ),
  outdir: `${out}/ops`,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  // `server-only` throws outside a React Server Components bundler; these are server processes.
  alias: { "server-only": require.resolve("./server-only-stub.cjs") },
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __kycRequire } from 'node:module'; const require = __kycRequire(import.meta.url);",
  },
  logLevel: "warning",
});
copyFileSync("scripts/kyc.mjs", `${out}/kyc.mjs`);
