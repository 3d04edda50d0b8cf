// After `next build`: complete .next/standalone so `node .next/standalone/server.js` (npm start,
// the Dockerfile) serves everything: static assets and the migrations applied at start.
import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

const out = ".next/standalone";
if (!existsSync(out)) process.exit(0);
cpSync(".next/static", `${out}/.next/static`, { recursive: true });
cpSync("drizzle", `${out}/drizzle`, { recursive: true });
if (existsSync("public")) cpSync("public", `${out}/public`, { recursive: true });

// Packages only a worker thread requires, by name, from its source text (the PDF check,
// lib/documents/pdf-check.ts): the build's tracing lists such a package as a bare directory and
// ships none of its files, so the standalone server (and the image) would fail every upload.
// Copied here with everything they depend on, from the project's node_modules.
const WORKER_PACKAGES = ["@cantoo/pdf-lib"];

function packageDir(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`prepare-standalone: ${name} is not installed`);
  }
}

const copied = new Set();
function copyWithDependencies(name, from) {
  const dir = packageDir(name, from);
  if (copied.has(dir)) return;
  copied.add(dir);
  cpSync(dir, path.join(out, path.relative(process.cwd(), dir)), { recursive: true });
  const { dependencies = {} } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  for (const dependency of Object.keys(dependencies)) copyWithDependencies(dependency, dir);
}
for (const name of WORKER_PACKAGES) copyWithDependencies(name, process.cwd());
