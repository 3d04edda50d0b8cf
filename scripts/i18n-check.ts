import path from "node:path";
import { LOCALES } from "@/lib/i18n/config";
import { checkCatalogs } from "@/lib/i18n/catalog-check";
import { readdirSync } from "node:fs";

const dir = path.join(process.cwd(), "messages");
const problems = checkCatalogs(dir);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -5));
for (const locale of LOCALES) if (!files.includes(locale)) problems.push(`${locale}: no catalog`);
if (problems.length) {
  console.error(`i18n:check found ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`i18n:check: ${files.length} catalogs consistent with en.json`);
